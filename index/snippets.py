"""Which pages of a hit matched, and a short highlighted passage of each.

Both engines hand the stored page texts of the (already clearance-filtered) hits to this one
function, so snippets and page numbers look the same whichever engine answered. A folded query
word becomes a character-class pattern that matches every way of writing it with marks
(``dang`` → ``[dđĐ...][aàáảãạăằ...]...``), so pages are searched as stored, without folding
them. A match in a page's boilerplate line (:attr:`~luutru.index.model.UnitPage.boiler`: the
Party's name, the motto, "Nơi nhận"…) is never a snippet, and a page whose only matches are there
is not listed as matching.
"""

from __future__ import annotations

import html
import re
from bisect import bisect_left
from functools import lru_cache
from typing import Any

from luutru.index.analysis import fast_fold
from luutru.index.boilerplate import content_lines
from luutru.index.model import UnitPage
from luutru.index.query import Phrase, Term

MARK_OPEN, MARK_CLOSE = "<mark>", "</mark>"
CONTEXT = 90  # characters of text shown before and after the first match of a snippet
LENGTH = 220  # characters in a snippet, about 40 Vietnamese syllables
MAX_SPANS = 30  # matches looked at per page: enough to rank pages and place the snippet


def _letter_classes() -> dict[str, str]:
    """For each ASCII letter, every Latin letter that folds to it (upper and lower case)."""
    variants: dict[str, set[str]] = {}
    for code in list(range(0x41, 0x7B)) + list(range(0xC0, 0x250)) + list(range(0x1E00, 0x1F00)):
        char = chr(code)
        folded = fast_fold(char)
        if len(folded) == 1 and folded.isascii() and folded.isalpha():
            variants.setdefault(folded, set()).update({char, char.lower(), char.upper()})
    return {letter: "[" + "".join(sorted(chars)) + "]" for letter, chars in variants.items()}


_CLASSES = _letter_classes()


def _token_pattern(token: str) -> str:
    return "".join(_CLASSES.get(ch, re.escape(ch)) for ch in token)


def _alternatives(terms: list[Term | Phrase]) -> tuple[str, ...]:
    """Each term or phrase as a pattern, longest first (phrases before their own words)."""
    return _alternatives_of(tuple(terms))


@lru_cache(maxsize=256)
def _alternatives_of(terms: tuple[Term | Phrase, ...]) -> tuple[str, ...]:
    """:func:`_alternatives`, made once per query (every hit of a results page asks)."""
    alternatives = []
    for term in terms:
        if isinstance(term, Term):
            alternatives.append(_token_pattern(term.folded) + (r"[^\W_]*" if term.prefix else ""))
        else:
            alternatives.append(r"[\W_]+".join(_token_pattern(t) for t in term.folded))
    return tuple(sorted(alternatives, key=len, reverse=True))


@lru_cache(maxsize=256)
def _compiled(alternatives: tuple[str, ...]) -> re.Pattern[str]:
    return re.compile(r"\b(?:" + "|".join(alternatives) + r")\b")


@lru_cache(maxsize=256)
def _scanner(alternatives: tuple[str, ...]) -> re.Pattern[str]:
    """:func:`_compiled` without its leading ``\\b``: a pattern that opens with a character class
    lets ``re`` jump from one of its characters to the next instead of trying every position,
    about twice as fast over a page; :func:`_spans` checks the word start itself."""
    return re.compile("(?:" + "|".join(alternatives) + r")\b")


_WORD_START = re.compile(r"\b")


def terms_pattern(terms: list[Term | Phrase]) -> re.Pattern[str] | None:
    """One regex matching any of the terms or phrases as whole words, with or without marks."""
    alternatives = _alternatives(terms)
    return _compiled(alternatives) if alternatives else None


def _spans(scanner: re.Pattern[str], text: str, limit: int) -> list[tuple[int, int]]:
    """What ``terms_pattern(...).finditer(text)`` finds (at most ``limit``), found faster: a match
    that does not start a word is skipped, and the search goes on from its next character."""
    spans: list[tuple[int, int]] = []
    pos = 0
    while len(spans) < limit:
        match = scanner.search(text, pos)
        if match is None:
            break
        start, end = match.span()
        if _WORD_START.match(text, start):
            spans.append((start, end))
            pos = end
        else:
            pos = start + 1
    return spans


def _window(text: str, spans: list[tuple[int, int]]) -> str:
    """About LENGTH characters around the densest run of matches, cut at spaces, marked."""
    if spans:
        starts = [s_start for s_start, _ in spans]
        best, most = 0, 0
        for i, s_start in enumerate(starts):  # spans are in text order: slide a window
            count = bisect_left(starts, s_start + LENGTH - CONTEXT, i) - i
            if count > most:
                best, most = i, count
        start = max(0, starts[best] - CONTEXT)
    else:
        start = 0
    end = min(len(text), start + LENGTH)
    if start > 0:
        space = text.find(" ", start, spans[best][0] if spans else end)
        start = space + 1 if space >= 0 else start
    if end < len(text):
        space = text.rfind(" ", start, end)
        end = space if space > start else end
    shown = text[start:end]
    escape = _escape if "&" in shown or "<" in shown or ">" in shown else str
    out, pos = [], start
    for s_start, s_end in spans:
        if s_start < start or s_end > end:
            continue
        out += (escape(text[pos:s_start]), MARK_OPEN, escape(text[s_start:s_end]), MARK_CLOSE)
        pos = s_end
    out.append(escape(text[pos:end]))
    snippet = " ".join("".join(out).split())
    return ("… " if start > 0 else "") + snippet + (" …" if end < len(text) else "")


def _escape(text: str) -> str:
    return html.escape(text, quote=False)


def _own_text(page: UnitPage) -> str:
    """The page without its boilerplate lines: what a snippet may show."""
    return content_lines(page.text, page.boiler)[0] if page.boiler else page.text


def page_matches(pages: list[UnitPage], terms: list[Term | Phrase],
                 snippets: bool = True) -> list[dict[str, Any]]:
    """The pages where a query term occurs outside boilerplate, each with its snippet, in page
    order. Without ``snippets`` a page's snippet is left None (made later, if shown, by
    :func:`hit_snippet`)."""
    alternatives = _alternatives(terms)
    scanner = _scanner(alternatives) if alternatives else None
    found = []
    for page in pages if scanner else ():
        text = _own_text(page)
        spans = _spans(scanner, text, MAX_SPANS)
        if spans:
            found.append({"key": page.key, "source": page.source, "page": page.page, "n": page.n,
                          "matches": len(spans), "spans": spans, "text": text,
                          "snippet": _window(text, spans) if snippets else None})
    return found


def hit_snippet(pages: list[UnitPage], matches: list[dict[str, Any]], fallback: str | None) -> str:
    """The snippet shown for a hit: its best page's, else the catalogue summary, else page 1."""
    if matches:
        best = max(matches, key=lambda m: m["matches"])
        return best["snippet"] if best["snippet"] is not None else \
            _window(best["text"], best["spans"])
    if fallback:
        return html.escape(fallback, quote=False)
    return _window(_own_text(pages[0]), []) if pages else ""
