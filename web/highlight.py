"""Where the searched words stand on a page image: word boxes from the page's hOCR.

The boxes are in the pixels of the *cleaned* image (Tesseract read that one; it may be upscaled,
deskewed or turned a quarter compared with the original scan), so highlights are drawn over the
cleaned image only. A word matches when one of its tokens, folded as the index folds them
(đ → d, no marks, lower case), is one of the query's positive words; a phrase contributes each
of its words, a ``prefix*`` every word starting with it.

Parsing an hOCR page costs tens of milliseconds, so the words of recently viewed pages are kept
in memory (keyed by file and modification time): an item page asks again for the same pages.
"""

from __future__ import annotations

import re
import threading
from collections import OrderedDict
from dataclasses import dataclass
from pathlib import Path

from lxml import etree

from luutru import xmlsafe
from luutru.archive import Archive, PageRef
from luutru.index.analysis import folded_tokens
from luutru.index.query import Phrase, Term, parse_query
from luutru.index.snippets import terms_pattern
from luutru.index.model import QueryError
from luutru.ocr.layout import HocrError, parse_hocr

HOCR_FILE = "ocr.hocr"
CACHED_PAGES = 256
_BBOX = re.compile(r"bbox\s+(-?\d+)\s+(-?\d+)\s+(-?\d+)\s+(-?\d+)")


@dataclass(frozen=True)
class Box:
    """One highlighted word, in hOCR pixels of the cleaned image."""

    word: str
    x: int
    y: int
    width: int
    height: int


@dataclass(frozen=True)
class PageWords:
    """A page's bbox (the image Tesseract read) and its words with their folded tokens and boxes."""

    bbox: tuple[int, int, int, int]
    words: tuple[tuple[str, tuple[str, ...], tuple[int, int, int, int]], ...]


@dataclass(frozen=True)
class Highlights:
    bbox: tuple[int, int, int, int]  # the hOCR page: an SVG viewBox over the image uses it
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
    """The folded words a page should light up for: exact words and prefixes; ``pattern`` finds
    the query's terms in a page's text (as the snippets do), to skip pages without them."""

    words: frozenset[str]
    prefixes: tuple[str, ...]
    pattern: re.Pattern[str] | None = None

    def __bool__(self) -> bool:
        return bool(self.words or self.prefixes)

    def matches(self, tokens: tuple[str, ...]) -> bool:
        return any(t in self.words or t.startswith(self.prefixes) for t in tokens)


def query_words(query: str) -> QueryWords:
    """The positive words of a query in the search language (nothing for a bad query)."""
    try:
        terms = parse_query(query).positive_terms() if query.strip() else []
    except QueryError:
        terms = []
    words: set[str] = set()
    prefixes: list[str] = []
    for term in terms:
        if isinstance(term, Term) and term.prefix:
            prefixes.append(term.folded)
        elif isinstance(term, Term):
            words.add(term.folded)
        elif isinstance(term, Phrase):
            words.update(term.folded)
    return QueryWords(frozenset(words), tuple(prefixes), terms_pattern(terms))


def page_highlights(archive: Archive, ref: PageRef, wanted: QueryWords) -> Highlights | None:
    """The boxes of the page's words that match ``wanted``; None when the page has no hOCR."""
    page = page_words(archive.page_dir(ref) / HOCR_FILE)
    if page is None:
        return None
    boxes = []
    if wanted:
        for text, tokens, (x0, y0, x1, y1) in page.words:
            if wanted.matches(tokens):
                boxes.append(Box(text, x0, y0, x1 - x0, y1 - y0))
    return Highlights(page.bbox, boxes)


# --- reading the hOCR (cached) ------------------------------------------------------------------

_cache: OrderedDict[tuple[str, int], PageWords | None] = OrderedDict()
_cache_lock = threading.Lock()


def page_words(path: Path) -> PageWords | None:
    """The page's words (None if the page has no readable hOCR), from memory when unchanged."""
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
    data = path.read_bytes()
    try:
        lines = parse_hocr(data)
        bbox = _page_bbox(data)
    except (HocrError, etree.XMLSyntaxError, xmlsafe.UnsafeXMLError):
        return None
    if bbox is None:
        return None
    words = tuple((w.text, tuple(folded_tokens(w.text)), w.bbox) for line in lines for w in line.words)
    return PageWords(bbox, words)


def _page_bbox(data: bytes) -> tuple[int, int, int, int] | None:
    """The ``ocr_page`` bbox: the image Tesseract read."""
    root = xmlsafe.parse(data, name="hOCR").getroot()
    for element in root.iter(etree.Element):
        if "ocr_page" in (element.get("class") or "").split():
            match = _BBOX.search(element.get("title") or "")
            if match:
                x0, y0, x1, y1 = (int(v) for v in match.groups())
                if x1 > x0 and y1 > y0:
                    return x0, y0, x1, y1
            return None
    return None
