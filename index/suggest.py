"""Spelling suggestions ("did you mean"): candidate words one edit away from what was typed.

Engines keep only candidates that occur in documents the caller may see, and offer the rewritten
query only if it finds something at that clearance, so a suggestion never reveals a secret word.
"""

from __future__ import annotations

import re

from luutru.index.analysis import fast_fold

_LETTERS = "abcdefghijklmnopqrstuvwxyz0123456789"
_WORD = re.compile(r"[^\W_]+")


def edits1(word: str) -> set[str]:
    """Every string one deletion, transposition, replacement or insertion away from ``word``."""
    splits = [(word[:i], word[i:]) for i in range(len(word) + 1)]
    deletes = {a + b[1:] for a, b in splits if b}
    transposes = {a + b[1] + b[0] + b[2:] for a, b in splits if len(b) > 1}
    replaces = {a + c + b[1:] for a, b in splits if b for c in _LETTERS}
    inserts = {a + c + b for a, b in splits for c in _LETTERS}
    return (deletes | transposes | replaces | inserts) - {word, ""}


def replace_terms(query: str, replacements: dict[str, str]) -> str:
    """``query`` with each word whose folded form is a key replaced by its suggestion."""
    return _WORD.sub(lambda m: replacements.get(fast_fold(m.group()), m.group()), query)
