"""Which pages of a hit matched, and a short highlighted passage of each.

Both engines hand the stored page texts of the (already clearance-filtered) hits to this one
function, so snippets and page numbers look the same whichever engine answered. Matching runs as
one regular expression over the folded page text, which keeps the offsets of the original.
"""

from __future__ import annotations

import bisect
import html
import re
from typing import Any

from luutru.index.analysis import fast_fold, iter_tokens
from luutru.index.model import UnitPage
from luutru.index.query import Phrase, Term

MARK_OPEN, MARK_CLOSE = "<mark>", "</mark>"
WINDOW = 24  # tokens in a snippet


def terms_pattern(terms: list[Term | Phrase]) -> re.Pattern[str] | None:
    """One regex matching any of the (folded) terms or phrases as whole tokens."""
    alternatives = []
    for term in terms:
        if isinstance(term, Term):
            alternatives.append(re.escape(term.folded) + (r"[^\W_]*" if term.prefix else ""))
        else:
            alternatives.append(r"[\W_]+".join(re.escape(t) for t in term.folded))
    if not alternatives:
        return None
    alternatives.sort(key=len, reverse=True)  # longest first: a phrase wins over its words
    return re.compile(r"(?<![^\W_])(?:" + "|".join(alternatives) + r")(?![^\W_])")


def _matched_spans(text: str, pattern: re.Pattern[str]) -> list[tuple[int, int]]:
    folded = fast_fold(text)
    if len(folded) != len(text):  # folding changed the length (rare scripts): fold run by run
        folded = "".join(_same_length_fold(run.group()) for run in _RUNS.finditer(text))
    return [m.span() for m in pattern.finditer(folded)]


_RUNS = re.compile(r"[^\W_]+|[\W_]+")


def _same_length_fold(run: str) -> str:
    folded = fast_fold(run)
    return folded if len(folded) == len(run) else "\0" * len(run)


def _window(text: str, spans: list[tuple[int, int]]) -> str:
    tokens = list(iter_tokens(text))
    if not tokens:
        return ""
    starts = [t.start() for t in tokens]
    if spans:  # the window of WINDOW tokens holding the most matches
        indexes = [bisect.bisect_right(starts, s[0]) - 1 for s in spans]
        best = max(indexes, key=lambda i: sum(1 for j in indexes if i <= j < i + WINDOW))
        first = max(0, best - 4)
    else:
        first = 0
    last = min(len(tokens), first + WINDOW) - 1
    start, end = tokens[first].start(), tokens[last].end()
    out, pos = [], start
    for s_start, s_end in spans:
        if s_start < start or s_start >= end:
            continue
        out.append(html.escape(text[pos:s_start], quote=False))
        out.append(MARK_OPEN + html.escape(text[s_start:s_end], quote=False) + MARK_CLOSE)
        pos = s_end
    if pos < end:
        out.append(html.escape(text[pos:end], quote=False))
    snippet = " ".join("".join(out).split())
    return ("… " if first else "") + snippet + (" …" if last < len(tokens) - 1 else "")


def page_matches(pages: list[UnitPage], terms: list[Term | Phrase]) -> list[dict[str, Any]]:
    """The pages where a query term occurs, each with its snippet, in page order."""
    pattern = terms_pattern(terms)
    found = []
    for page in pages if pattern else ():
        spans = _matched_spans(page.text, pattern)
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
