"""Where the searched words stand on a page image: the word boxes of the page's lines (``lines.json``).

The boxes are in the pixels of the *cleaned* image (Tesseract read that one; it may be upscaled,
deskewed or turned a quarter compared with the original scan); over the original scan each box
becomes the quadrilateral it is there (:func:`on_original`, from the transforms the page's
``ocr.json`` records, :mod:`luutru.geometry`). A word matches when one of its tokens is,
folded (đ → d, no marks, any case), one of the query's positive words; a phrase contributes each of its words, a ``prefix*``
every word starting with it. The comparison is the snippets' pattern
(:func:`luutru.index.snippets.terms_pattern`: each folded letter stands for every letter that
folds to it), so a page's words are never folded one by one and the page text, the snippet and
the boxes agree on what matched.

Only pages whose text holds a query word are read, and the words of recently read pages are
kept in memory (keyed by file and modification time): an item page asks again for the same pages.
"""

from __future__ import annotations

import re
import threading
from array import array
from bisect import bisect_right
from collections import OrderedDict
from dataclasses import dataclass
from pathlib import Path

from luutru import pagetext
from luutru.archive import Archive, PageFiles, PageRef, read_json
from luutru.index.query import Phrase, Term, parse_query
from luutru.index.snippets import terms_pattern
from luutru.index.model import QueryError
from luutru.geometry import PageGeometry

CACHED_PAGES = 2048  # about 10 kB each (a page of 360 words)


@dataclass(frozen=True)
class Box:
    """One highlighted word, in pixels of the cleaned image."""

    word: str
    x: int
    y: int
    width: int
    height: int


@dataclass(frozen=True)
class PageWords:
    """A page's bbox (the image OCR read) and its words, kept compact for the cache: the words one
    per line in ``text``, with where each begins, and their boxes four numbers each in ``boxes``.
    One pattern search over ``text`` finds the matching words, instead of a search per word."""

    bbox: tuple[int, int, int, int]
    text: str
    starts: array
    boxes: array

    @classmethod
    def of(cls, bbox: tuple[int, int, int, int], words: list[pagetext.Word]) -> "PageWords":
        texts = [word.text for word in words]
        return cls(bbox, "\n".join(texts), _starts(texts), array("i", [v for w in words for v in w.box]))

    def matching(self, pattern: re.Pattern[str]) -> list[int]:
        """The indexes of the words ``pattern`` finds in (a match never spans the newline
        between two words: the query's single words are whole words of letters)."""
        found: list[int] = []
        for match in pattern.finditer(self.text):
            index = bisect_right(self.starts, match.start()) - 1
            if not found or found[-1] != index:
                found.append(index)
        return found

    def word(self, index: int) -> tuple[str, tuple[int, int, int, int]]:
        """The word and its box."""
        end = self.starts[index + 1] - 1 if index + 1 < len(self.starts) else len(self.text)
        x0, y0, x1, y1 = self.boxes[4 * index:4 * index + 4]
        return self.text[self.starts[index]:end], (x0, y0, x1, y1)


def _starts(lines: list[str]) -> array:
    starts, pos = array("I"), 0
    for line in lines:
        starts.append(pos)
        pos += len(line) + 1
    return starts


@dataclass(frozen=True)
class Highlights:
    bbox: tuple[int, int, int, int]  # the cleaned image: an SVG viewBox over it uses it
    boxes: list[Box]

    @property
    def width(self) -> int:
        return self.bbox[2] - self.bbox[0]

    @property
    def height(self) -> int:
        return self.bbox[3] - self.bbox[1]

    @property
    def view_box(self) -> str:
        return f"{self.bbox[0]} {self.bbox[1]} {self.width} {self.height}"

    def fractions(self) -> list[tuple[float, float, float, float]]:
        """Each box as (left, top, width, height) shares of the page, for placing it in %."""
        x0, y0 = self.bbox[:2]
        return [((b.x - x0) / self.width, (b.y - y0) / self.height, b.width / self.width,
                 b.height / self.height) for b in self.boxes]


@dataclass(frozen=True)
class QueryWords:
    """What a page should light up for: ``words`` matches one query word in a single OCR word;
    ``pattern`` finds the query's terms (phrases whole) in a page's text, as the snippets do."""

    words: re.Pattern[str] | None = None
    pattern: re.Pattern[str] | None = None

    def __bool__(self) -> bool:
        return self.words is not None


def query_words(query: str) -> QueryWords:
    """The positive words of a query in the search language (nothing for a bad query)."""
    try:
        terms = parse_query(query).positive_terms() if query.strip() else []
    except QueryError:
        terms = []
    single: list[Term] = []
    for term in terms:
        if isinstance(term, Term):
            single.append(term)
        elif isinstance(term, Phrase):
            single += [Term(folded, exact) for folded, exact in zip(term.folded, term.exact)]
    return QueryWords(terms_pattern(single), terms_pattern(terms))


def page_highlights(archive: Archive, ref: PageRef, wanted: QueryWords) -> Highlights | None:
    """The boxes of the page's words that match ``wanted``; None when the page has no word boxes."""
    page = page_words(PageFiles(archive.page_dir(ref)).lines)
    if page is None:
        return None
    boxes = []
    for index in page.matching(wanted.words) if wanted else ():
        text, (x0, y0, x1, y1) = page.word(index)
        boxes.append(Box(text, x0, y0, x1 - x0, y1 - y0))
    return Highlights(page.bbox, boxes)


@dataclass(frozen=True)
class OriginalHighlights:
    """The highlights moved onto the original scan: its size (an SVG viewBox over it) and each
    word's four corners there."""

    size: tuple[int, int]
    outlines: list[tuple[str, list[tuple[float, float]]]]

    @property
    def view_box(self) -> str:
        return f"0 0 {self.size[0]} {self.size[1]}"


def on_original(archive: Archive, ref: PageRef, highlights: Highlights) -> OriginalHighlights | None:
    """``highlights`` (clean-image boxes) placed on the original scan; None when the page's
    provenance cannot be read (then nothing is drawn rather than something misplaced)."""
    try:
        record = read_json(PageFiles(archive.page_dir(ref)).provenance)
    except (OSError, ValueError):
        return None
    geometry = PageGeometry.from_provenance(record, (highlights.width, highlights.height))
    outlines = [(b.word, geometry.box_to_original((b.x, b.y, b.x + b.width, b.y + b.height)))
                for b in highlights.boxes]
    return OriginalHighlights(geometry.original_size, outlines)


# --- reading the page's words (cached) -----------------------------------------------------

_cache: OrderedDict[tuple[str, int], PageWords | None] = OrderedDict()
_cache_lock = threading.Lock()


def page_words(path: Path) -> PageWords | None:
    """The words of a page's ``lines.json`` (None if it has none that can be read), from memory
    when unchanged."""
    try:
        stamp = (str(path), path.stat().st_mtime_ns)
    except FileNotFoundError:
        return None
    with _cache_lock:
        if stamp in _cache:
            _cache.move_to_end(stamp)
            return _cache[stamp]
    found = _read_words(path)
    with _cache_lock:
        _cache[stamp] = found
        while len(_cache) > CACHED_PAGES:
            _cache.popitem(last=False)
    return found


def _read_words(path: Path) -> PageWords | None:
    try:
        page = pagetext.decode(path.read_bytes())
    except (OSError, ValueError):
        return None
    if page.size is None or min(page.size) <= 0:
        return None
    return PageWords.of((0, 0, *page.size), page.words)
