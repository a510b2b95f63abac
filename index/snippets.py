"""Which pages of a hit matched, and a short highlighted passage of each.

Both engines hand the stored page texts of the (already clearance-filtered) hits to this one
function, so snippets and page numbers look the same whichever engine answered.
"""

from __future__ import annotations

import html
from typing import Any

from luutru.index.analysis import fast_fold, iter_tokens
from luutru.index.model import UnitPage
from luutru.index.query import Phrase, Term


MARK_OPEN, MARK_CLOSE = "<mark>", "</mark>"
WINDOW = 24  # tokens in a snippet


def _matched_spans(text: str, terms: list[Term | Phrase]) -> list[tuple[int, int, int]]:
    """(token index, start char, end char) of every token a term or phrase matches."""
    tokens = list(iter_tokens(text))
    folded = [fast_fold(tok.group()) for tok in tokens]
    hit: set[int] = set()
    for term in terms:
        if isinstance(term, Term):
            for i, word in enumerate(folded):
                if word == term.folded or (term.prefix and word.startswith(term.folded)):
                    hit.add(i)
        else:
            n = len(term.folded)
            for i in range(len(folded) - n + 1):
                if tuple(folded[i:i + n]) == term.folded:
                    hit.update(range(i, i + n))
    return [(i, tokens[i].start(), tokens[i].end()) for i in sorted(hit)]


def _window(text: str, spans: list[tuple[int, int, int]]) -> str:
    tokens = list(iter_tokens(text))
    if not tokens:
        return ""
    if spans:  # the window with the most matched tokens
        indexes = [s[0] for s in spans]
        best = max(indexes, key=lambda i: sum(1 for j in indexes if i <= j < i + WINDOW))
        first = max(0, best - 4)
    else:
        first = 0
    last = min(len(tokens), first + WINDOW) - 1
    start, end = tokens[first].start(), tokens[last].end()
    marked = {s[1]: s[2] for s in spans if start <= s[1] < end}
    out, pos = [], start
    for s_start in sorted(marked):
        out.append(html.escape(text[pos:s_start], quote=False))
        out.append(MARK_OPEN + html.escape(text[s_start:marked[s_start]], quote=False) + MARK_CLOSE)
        pos = marked[s_start]
    out.append(html.escape(text[pos:end], quote=False))
    snippet = " ".join("".join(out).split())
    return ("… " if first else "") + snippet + (" …" if last < len(tokens) - 1 else "")


def page_matches(pages: list[UnitPage], terms: list[Term | Phrase]) -> list[dict[str, Any]]:
    """The pages where a query term occurs, each with its snippet, best page first in page order."""
    found = []
    for page in pages:
        spans = _matched_spans(page.text, terms) if terms else []
        if spans:
            found.append({"key": page.key, "source": page.source, "page": page.page, "n": page.n,
                          "matches": len(spans), "snippet": _window(page.text, spans)})
    return found


def hit_snippet(pages: list[UnitPage], matches: list[dict[str, Any]], fallback: str | None) -> str:
    """The snippet shown for a hit: its best page's, else the catalogue summary, else page 1."""
    if matches:
        return max(matches, key=lambda m: m["matches"])["snippet"]
    if fallback:
        return html.escape(fallback, quote=False)
    return _window(pages[0].text, []) if pages else ""
