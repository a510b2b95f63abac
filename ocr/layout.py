"""Words and lines from Tesseract's hOCR, put in the reading order of a Party document.

Tesseract orders text block by block as its page segmentation found the blocks. On a Party
document that interleaves or swaps the two header blocks that stand side by side (issuing organ
left, "ĐẢNG CỘNG SẢN VIỆT NAM" and the date right) and the "Nơi nhận" and signature blocks at the
foot, and with a single-block segmentation (psm 6) it even glues a left and a right line into one.
So the text luutru stores is built here, not taken from Tesseract's txt output:

1. an hOCR line is cut in two at its widest gap between words if that gap is far wider than a
   word space: what is left are line *segments* that belong to one column;
2. segments are ordered by the partial order of Breuel (2003, "High performance document layout
   analysis"): ``a`` before ``b`` if they overlap horizontally and ``a`` is above ``b``, or if ``a``
   lies left of ``b`` and no segment between them vertically overlaps both (if ``b`` is the higher
   one, only when ``b`` has a neighbour on its left: it is a column, not a page number). This reads a
   column block to its end before the block on its right, while full-width lines (title, body)
   separate the header zone from the foot;
3. a topological sort, taking the top-most ready segment first, gives the order.

Before that, :func:`drop_noise` and :func:`tidy_punctuation` remove what a seal, a signature or
specks made Tesseract read (low-confidence non-syllables, stray punctuation); both rules were
measured on the dev corpus (see the constants).
"""

from __future__ import annotations

import bisect
import heapq
import re
from dataclasses import dataclass

from lxml import etree

from luutru import xmlsafe
from luutru.ocr.quality import is_vietnamese_syllable
from luutru.textnorm import nfc
from luutru.errors import LuutruError

BBox = tuple[int, int, int, int]

_LINE_CLASSES = {"ocr_line", "ocr_caption", "ocr_header", "ocr_textfloat"}
_BBOX_RE = re.compile(r"bbox\s+(-?\d+)\s+(-?\d+)\s+(-?\d+)\s+(-?\d+)")
_CONF_RE = re.compile(r"x_wconf\s+(-?[\d.]+)")

# A gap between two words of a line wider than this many (median) line heights is a column
# gutter. Measured on the dev corpus: word spaces, even in justified lines, stay below 0.9 line
# heights; the gutter between the two header blocks is 1.25 and more.
GAP_LINE_HEIGHTS = 1.1
# Two segments whose horizontal overlap is under this share of the narrower one are side by side
# (a long "Nơi nhận" line may reach under the signature block's first letters on a skewed page).
OVERLAP_SHARE = 0.15
# Words read from a seal, a signature or specks: low confidence and not a possible syllable.
# On the dev corpus 56 of 62 such words below 70 were not in the page text.
NOISE_CONF = 70.0
_OPENING_QUOTES = "\"“'‘"
_CLOSING_QUOTES = "\"”'’"
QUOTE_CONF = 85.0
_LONE_SPECKS = {".", ",", "|", "||", "_", "~", "`", "^", "„", "'", ":", ";"}
_LEADING_SPECKS = "._|,;:~^>`„"
_ABBREVIATION = re.compile(r"^[A-ZĐ]{2,}$")
_PUNCT = "\"'“”‘’«»()[]{}<>.,;:!?…–—-*•·/\\|_~`^¬⁄"


@dataclass
class Word:
    text: str
    bbox: BBox
    conf: float
    line: int
    block: int


@dataclass
class TextLine:
    words: list[Word]
    bbox: BBox
    block: int
    par: int = 0


class HocrError(LuutruError, ValueError):
    """The hOCR could not be parsed."""


def _classes(element: etree._Element) -> set[str]:
    return set((element.get("class") or "").split())


def _bbox(title: str) -> BBox | None:
    match = _BBOX_RE.search(title or "")
    return tuple(map(int, match.groups())) if match else None  # type: ignore[return-value]


def _conf(title: str) -> float:
    match = _CONF_RE.search(title or "")
    return float(match.group(1)) if match else -1.0


def parse_hocr(hocr: str | bytes) -> list[TextLine]:
    """Lines of an hOCR page in Tesseract's order, each with its words (text NFC, boxes, confidence)."""
    data = hocr.encode("utf-8") if isinstance(hocr, str) else hocr
    try:
        root = xmlsafe.parse(data, name="hOCR").getroot()   # untrusted: no DTD, entities, network
    except (etree.XMLSyntaxError, xmlsafe.UnsafeXMLError) as exc:
        raise HocrError(f"cannot read hOCR: {exc}") from exc
    lines: list[TextLine] = []
    block = par = -1
    for element in root.iter(etree.Element):
        classes = _classes(element)
        if "ocr_carea" in classes:
            block += 1
        elif "ocr_par" in classes:
            par += 1
        elif classes & _LINE_CLASSES:
            line = _parse_line(element, len(lines), max(block, 0), max(par, 0))
            if line is not None:
                lines.append(line)
    return lines


def _parse_line(element: etree._Element, index: int, block: int, par: int) -> TextLine | None:
    words = []
    for span in element.iter(etree.Element):
        if "ocrx_word" not in _classes(span):
            continue
        text = nfc("".join(span.itertext())).strip()
        box = _bbox(span.get("title", ""))
        if text and box is not None:
            words.append(Word(text=text, bbox=box, conf=_conf(span.get("title", "")),
                              line=index, block=block))
    box = _bbox(element.get("title", ""))
    if not words:
        return None
    return TextLine(words=words, bbox=box or _union(w.bbox for w in words), block=block, par=par)


def _union(boxes) -> BBox:
    boxes = list(boxes)
    return (min(b[0] for b in boxes), min(b[1] for b in boxes),
            max(b[2] for b in boxes), max(b[3] for b in boxes))


# --- reading order -------------------------------------------------------------------------------

def split_at_gaps(line: TextLine, min_gap: float) -> list[TextLine]:
    """Cut a line in two at its widest gap if that is wider than ``min_gap`` pixels (a gutter).

    A Party document has at most two columns side by side (header blocks, foot blocks); a second
    wide gap on a line is a wide word space (bold capitals) or a word Tesseract did not read
    (a handwritten day in a date line), not another column.
    """
    words = sorted(line.words, key=lambda w: w.bbox[0])
    gaps = [(following.bbox[0] - word.bbox[2], index + 1)
            for index, (word, following) in enumerate(zip(words, words[1:]))]
    if not gaps or max(gaps)[0] <= min_gap:
        return [line]
    cut = max(gaps)[1]
    return [TextLine(words=piece, bbox=_segment_box(piece, line.bbox), block=line.block, par=line.par)
            for piece in (words[:cut], words[cut:])]


def _segment_box(words: list[Word], line_box: BBox) -> BBox:
    box = _union(w.bbox for w in words)
    return (box[0], line_box[1], box[2], line_box[3])


def _x_overlap(a: BBox, b: BBox) -> bool:
    overlap = min(a[2], b[2]) - max(a[0], b[0])
    return overlap > OVERLAP_SHARE * min(a[2] - a[0], b[2] - b[0])


def _mid_x(box: BBox) -> float:
    return (box[0] + box[2]) / 2


def _mid_y(box: BBox) -> float:
    return (box[1] + box[3]) / 2


class _Boxes:
    """The page's segment boxes sorted by height on the page, to find those between two others."""

    def __init__(self, boxes: list[BBox]) -> None:
        self.sorted = sorted(boxes, key=_mid_y)
        self.mids = [_mid_y(box) for box in self.sorted]
        self.all = boxes
        self._right_column: dict[BBox, bool] = {}

    def right_column(self, b: BBox) -> bool:
        """Some box stands beside ``b`` on its left (asked for every pair, so kept)."""
        if b not in self._right_column:
            self._right_column[b] = any(_beside(c, b) for c in self.all)
        return self._right_column[b]

    def between(self, low: float, high: float) -> list[BBox]:
        return self.sorted[bisect.bisect_right(self.mids, low):bisect.bisect_left(self.mids, high)]


def _precedes(a: BBox, b: BBox, boxes: _Boxes) -> bool:
    if _x_overlap(a, b):
        return _mid_y(a) < _mid_y(b)
    if _mid_x(a) >= _mid_x(b):
        return False
    if _mid_y(a) > _mid_y(b) and not boxes.right_column(b):
        return False  # b stands alone above (a page number), it is no column beside a's
    low, high = sorted((_mid_y(a), _mid_y(b)))
    return not any(_x_overlap(c, a) and _x_overlap(c, b) for c in boxes.between(low, high))


def _beside(c: BBox, b: BBox) -> bool:
    """c stands left of b on the same height: b is the right one of two columns."""
    return not _x_overlap(c, b) and _mid_x(c) < _mid_x(b) and c[1] < _mid_y(b) < c[3]


def reading_order(lines: list[TextLine], page_width: int, page_height: int) -> list[TextLine]:
    """The page's line segments in reading order (column blocks read to their end, see above).

    ``page_width`` and ``page_height`` are part of the contract for layouts that need them; the
    partial order itself compares segments with each other, scaled by the median line height.
    """
    lines = [line for line in lines if line.words]
    if not lines:
        return []
    min_gap = GAP_LINE_HEIGHTS * median_line_height(lines)
    segments = [seg for line in lines for seg in split_at_gaps(line, min_gap)]
    boxes = [seg.bbox for seg in segments]
    index = _Boxes(boxes)
    count = len(segments)
    successors: list[list[int]] = [[] for _ in range(count)]
    indegree = [0] * count
    for i in range(count):
        for j in range(count):
            if i != j and _precedes(boxes[i], boxes[j], index):
                successors[i].append(j)
                indegree[j] += 1
    return [segments[i] for i in _topological(boxes, successors, indegree)]


def median_line_height(lines: list[TextLine]) -> float:
    heights = sorted(line.bbox[3] - line.bbox[1] for line in lines)
    return float(heights[len(heights) // 2])


def _topological(boxes: list[BBox], successors: list[list[int]], indegree: list[int]) -> list[int]:
    """Kahn's algorithm, top-most first; a cycle (skewed or odd layouts) is broken top-most first."""
    def key(i: int) -> tuple[int, int, int]:
        return (boxes[i][1], boxes[i][0], i)

    ready = [key(i) for i, d in enumerate(indegree) if d == 0]
    heapq.heapify(ready)
    done = [False] * len(boxes)
    order: list[int] = []
    while len(order) < len(boxes):
        if not ready:  # cycle: release the top-most segment left
            heapq.heappush(ready, min(key(i) for i, d in enumerate(done) if not d))
        i = heapq.heappop(ready)[2]
        if done[i]:
            continue
        done[i] = True
        order.append(i)
        for j in successors[i]:
            indegree[j] -= 1
            if indegree[j] == 0 and not done[j]:
                heapq.heappush(ready, key(j))
    return order


def drop_noise(lines: list[TextLine]) -> list[TextLine]:
    """Lines stripped of noise words at their ends (see ``NOISE_CONF``); empty lines dropped.

    A doubtful word between two good ones stays: it holds the place of a real word.
    """
    kept = []
    for line in lines:
        words = sorted(line.words, key=lambda w: w.bbox[0])
        start, end = 0, len(words)
        while start < end and is_noise(words[start]):
            start += 1
        while end > start and is_noise(words[end - 1]):
            end -= 1
        if start < end and not _stray(words[start:end]):
            words = words[start:end]
            kept.append(TextLine(words=words, bbox=_segment_box(words, line.bbox), block=line.block,
                                 par=line.par))
    return kept


def _stray(words: list[Word]) -> bool:
    """A line of at most four letters, no digit and low confidence: a speck, a seal's letter."""
    text = "".join(w.text for w in words)
    if text == "*" or any(ch.isdigit() for ch in text) or sum(ch.isalpha() for ch in text) > 4:
        return False
    confs = [w.conf for w in words if w.conf >= 0]
    return bool(confs) and sum(confs) / len(confs) < NOISE_CONF


def is_noise(word: Word) -> bool:
    """A low-confidence word that is neither a possible syllable nor a number, code or abbreviation."""
    if word.conf < 0 or word.conf >= NOISE_CONF or word.text == "*":  # the star of the header
        return False
    core = word.text.strip(_PUNCT)
    if not core:
        return True
    if any(ch.isdigit() for ch in core) or "/" in core or _ABBREVIATION.match(core):
        return False
    return not is_vietnamese_syllable(core)


def tidy_punctuation(lines: list[TextLine]) -> list[TextLine]:
    """Lines without the punctuation that specks add to words (words are changed in place).

    Measured on the dev truth: a full stop is never followed by a lower-case word on its line, a
    quote never opens without closing on its line, no line starts with ``.``, ``_`` or ``|``,
    and no space stands before ``.`` or ``,``; on poor scans (t2/t3) a speck next to a word is
    read as exactly those. Quotes may open a quotation that closes lines later, so only an
    unsure one (below ``QUOTE_CONF``) is taken for a speck.
    """
    tidied = []
    for line in lines:
        words = [w for w in sorted(line.words, key=lambda w: w.bbox[0]) if w.text not in _LONE_SPECKS]
        if words:
            words[0].text = words[0].text.lstrip(_LEADING_SPECKS) or words[0].text
        for word, following in zip(words, words[1:]):
            if _spurious_stop(word.text) and following.text[:1].islower():
                word.text = word.text[:-1]
        for index, word in enumerate(words):
            word.text = _tidy_end(word.text)
            if (word.text[:1] in _OPENING_QUOTES and len(word.text) > 1 and word.conf < QUOTE_CONF
                    and not _closes(words, index)):
                word.text = word.text[1:]
        if words:
            tidied.append(TextLine(words=words, bbox=line.bbox, block=line.block, par=line.par))
    return tidied


def _closes(words: list[Word], index: int) -> bool:
    """The quote opening ``words[index]`` closes later on its line."""
    rest = " ".join(w.text for w in words[index:])[1:]
    return any(q in rest for q in _CLOSING_QUOTES)


def _spurious_stop(text: str) -> bool:
    return text.endswith(".") and not text.endswith("..") and len(text) > 1


def _tidy_end(text: str) -> str:
    if text.endswith(",.") or (text.endswith("..") and not text.endswith("...")):
        return text[:-1]
    return text


def lines_to_text(lines: list[TextLine]) -> str:
    """One printed line per text line, words joined by a space, NFC."""
    printed = (" ".join(w.text for w in line.words).strip() for line in lines)
    return nfc("\n".join(text for text in printed if text))
