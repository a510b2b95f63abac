"""Words a correction stage changed in a page's OCR text, so a volume can show them underlined.

No stage changes words yet: a language-model correction of the OCR is issue 15's. This module is
the contract it will fill. The record is ``corrections.json`` beside the page's ``text.txt``
(:attr:`luutru.archive.PageFiles.CORRECTIONS`)::

    {"by": "model or rule that corrected", "words": [
        {"line": 12, "word": 3, "ocr": "chỉ", "text": "chi"}]}

``line`` is the 0-based index of the line in ``text.txt``, ``word`` the 0-based index of the
whitespace token in that line, ``text`` the token as ``text.txt`` now has it (corrected) and
``ocr`` what the OCR had read. ``text.txt`` holds the corrected text, so search and every reader
get it; this file only says which words a machine changed. An entry whose token no longer
stands in ``text.txt`` (the page was read again since) is ignored: a stale correction is never
shown. A volume underlines a corrected word (in PDF and DOCX) until an editor has proofread the
page; a word that is both corrected and doubtful is printed as doubtful.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from luutru.archive import PageFiles
from luutru.textnorm import nfc


def corrected_tokens(page_dir: Path) -> dict[str, set[int]]:
    """Line text (stripped, NFC) → indexes of its tokens a correction changed, from the page's
    ``corrections.json``; empty when there is none or it cannot be read."""
    files = PageFiles(page_dir)
    try:
        record = json.loads(files.corrections.read_text(encoding="utf-8"))
        lines = files.text.read_text(encoding="utf-8").splitlines()
    except (OSError, ValueError):
        return {}
    found: dict[str, set[int]] = {}
    for entry in record.get("words") or [] if isinstance(record, dict) else []:
        where = _where(entry, lines)
        if where is not None:
            found.setdefault(where[0], set()).add(where[1])
    return found


def _where(entry: Any, lines: list[str]) -> tuple[str, int] | None:
    """(line text, token index) of one entry, or None when it is malformed or stale."""
    if not isinstance(entry, dict):
        return None
    line, word, text = entry.get("line"), entry.get("word"), entry.get("text")
    if not (isinstance(line, int) and isinstance(word, int) and isinstance(text, str)):
        return None
    if not 0 <= line < len(lines):
        return None
    tokens = nfc(lines[line]).split()
    if not 0 <= word < len(tokens) or tokens[word] != nfc(text):
        return None
    return nfc(lines[line]).strip(), word


def mark_corrected(lines: list[Any], page_dir: Path) -> None:
    """Set ``corrected`` (one flag per token) on those of a page's ``lines`` (anything with
    ``text`` and ``corrected``) that hold a corrected word (the first of two lines of one text)."""
    changed = corrected_tokens(page_dir)
    if not changed:
        return
    for line in lines:
        indexes = changed.pop(line.text, None)
        if indexes:
            line.corrected = [i in indexes for i in range(len(line.text.split()))]
