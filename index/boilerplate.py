"""The lines every document repeats: indexed, but weighing little and never shown as a snippet.

A Party document's page carries the Party's name, the national motto, the issuing organ's header,
"Nơi nhận", "Kính gửi", "T/M Ban Thường vụ"…: a query for ``cong tac`` should not rank a page
because its header says ĐẢNG CỘNG SẢN, nor show that header as the passage that matched. Two
sources say which lines those are:

- :data:`KNOWN`: the stock lines of Hướng dẫn 36-HD/VPTW, matched on folded text (so an OCR slip
  in a mark does not hide them);
- lines learned from the corpus: a line of a header (the first :data:`HEAD_LINES` lines of a
  unit) or of a closing block (from "Nơi nhận" on) that recurs, folded and with digits as ``#``,
  in at least :data:`LEARN_SHARE` of a fonds' documents, and in :data:`LEARN_MIN` of them, is
  that fonds' boilerplate (body sentences are never learned, however often they recur).
  :func:`mark_boilerplate` learns from the first :data:`LEARN_UNITS` units of the stream it is
  given (held back until then), so one pass over the record is enough, and keeps them in
  ``index/boilerplate.json`` for the few items the reading room indexes again.

The result is :attr:`~luutru.index.model.UnitPage.boiler`, the line numbers of each page's
boilerplate, which the engines index in a low-weight field and the snippets skip.
"""

from __future__ import annotations

import json
import re
from collections import Counter, defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import replace
from pathlib import Path

from luutru.archive import atomic_write_text
from luutru.index.analysis import fast_fold
from luutru.index.model import Unit

LEARN_UNITS = 2000  # units held back to learn from (a few MB of text)
LEARN_SHARE = 0.3  # of a fonds' units repeating a line
LEARN_MIN = 3  # units, at least
MIN_KEY = 4  # characters: shorter lines ("2", "*") say nothing either way
HEAD_LINES = 8  # lines of a unit's first page that can be its header

KNOWN = re.compile("|".join((
    r"^dang cong san viet nam$",
    r"^cong hoa xa hoi chu nghia viet nam$",
    r"^doc lap\W+tu do\W+hanh phuc",
    r"^noi nhan\b",
    r"^kinh gui\b",
    r"^(t/ ?m|k/ ?t|tm\.|kt\.|tl\.|t/ ?l|t/ ?u|tuq\.)\s",  # T/M, K/T, T/L, T/U: signing on behalf
    r"^\W*$",  # "*", "-----", blank
    r"^[\w .]+, ngay \S{1,4} thang \S{1,4} nam \S{1,4}\.?$",  # place and date line
    r"^- (luu|nhu tren)\b",
)))


_DIGITS = re.compile(r"\d+")


def line_key(line: str) -> str:
    """A line as compared across documents: folded, digits as ``#``, single spaces."""
    return " ".join(_DIGITS.sub("#", fast_fold(line)).split())


def line_keys(text: str) -> list[str]:
    """:func:`line_key` of each line of ``text`` (folded at once: indexing marks every page)."""
    return [" ".join(line.split()) for line in _DIGITS.sub("#", fast_fold(text)).split("\n")]


def is_known(key: str) -> bool:
    return KNOWN.search(key) is not None


def _page_keys(unit: Unit) -> set[str]:
    """The unit's header and closing lines, as keys (what a fonds' boilerplate is learned from)."""
    keys: set[str] = set()
    for n, page in enumerate(unit.pages):
        lines = line_keys(page.text)
        closing = next((i for i, key in enumerate(lines) if key.startswith("noi nhan")), None)
        chosen = (lines[:HEAD_LINES] if n == 0 else []) + (lines[closing:] if closing else [])
        keys.update(key for key in chosen if len(key) >= MIN_KEY and not is_known(key))
    return keys


def learn(units: Iterable[Unit]) -> dict[str | None, set[str]]:
    """Per fonds, the line keys that recur in many of its units."""
    counts: dict[str | None, Counter] = defaultdict(Counter)
    sizes: Counter = Counter()
    for unit in units:
        sizes[unit.fonds] += 1
        counts[unit.fonds].update(_page_keys(unit))
    return {fonds: {key for key, n in counter.items()
                    if n >= LEARN_MIN and n >= LEARN_SHARE * sizes[fonds]}
            for fonds, counter in counts.items()}


def mark(unit: Unit, learned: dict[str | None, set[str]]) -> Unit:
    """``unit`` with each page's boilerplate line numbers set."""
    own = learned.get(unit.fonds, set())
    pages = []
    for page in unit.pages:
        keys = line_keys(page.text)
        boiler = tuple(i for i, key in enumerate(keys)
                       if key and (is_known(key) or key in own))
        pages.append(replace(page, boiler=boiler) if boiler != page.boiler else page)
    unit.pages = pages
    return unit


class Marked:
    """Units whose boilerplate is marked already (marking them again would learn again)."""

    def __init__(self, units: Iterator[Unit]):
        self._units = units

    def __iter__(self) -> Iterator[Unit]:
        return self._units


def mark_boilerplate(units: Iterable[Unit], learn_units: int = LEARN_UNITS,
                     store: Path | None = None, learning: bool = True) -> Iterable[Unit]:
    """``units`` with their boilerplate marked, learned from the first ``learn_units`` of them
    (and written to ``store``); with ``learning=False``, the lines ``store`` holds are used instead
    (a few items indexed again must be marked as the whole archive was)."""
    if isinstance(units, Marked):
        return units
    return Marked(_marked(iter(units), learn_units, store, learning))


def _marked(stream: Iterator[Unit], learn_units: int, store: Path | None,
            learn_now: bool) -> Iterator[Unit]:
    held: list[Unit] = []
    if learn_now:
        for unit in stream:
            held.append(unit)
            if len(held) >= learn_units:
                break
        learned = learn(held)
        if store is not None:
            atomic_write_text(store, json.dumps({fonds or "": sorted(keys) for fonds, keys
                                                 in learned.items()}, ensure_ascii=False))
    else:
        learned = load(store)
    for unit in held:
        yield mark(unit, learned)
    for unit in stream:
        yield mark(unit, learned)


def load(store: Path | None) -> dict[str | None, set[str]]:
    """The lines learned last time (none when nothing was learned yet)."""
    try:
        data = json.loads(store.read_text(encoding="utf-8")) if store else {}
    except (FileNotFoundError, ValueError):
        data = {}
    return {fonds or None: set(keys) for fonds, keys in data.items()}


def content_lines(text: str, boiler: tuple[int, ...]) -> tuple[str, str]:
    """A page's text split in two: its own lines, and its boilerplate lines."""
    if not boiler:
        return text, ""
    lines = text.split("\n")
    skip = set(boiler)
    own = "\n".join(line for i, line in enumerate(lines) if i not in skip)
    return own, "\n".join(lines[i] for i in boiler if i < len(lines))
