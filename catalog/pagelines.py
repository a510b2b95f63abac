"""The lines of one OCR'd page, with where they stand and how sure Tesseract was of them.

A Party page sets blocks side by side (organ block left, party name and date right; "Nơi nhận"
left, signature right). Tesseract's hOCR often joins such neighbours into one line, so each hOCR
line is cut where the gap between two words is much wider than a space: every piece (a *segment*)
then belongs to one block. Without hOCR the page's ``text.txt`` lines are used, without geometry.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from pathlib import Path

from lxml import etree

from luutru import xmlsafe
from luutru.textnorm import nfc

_SLASHES = str.maketrans({"\u2044": "/", "\u2215": "/"})   # fraction and division slashes
_BBOX = re.compile(r"bbox (\d+) (\d+) (\d+) (\d+)")
_WCONF = re.compile(r"x_wconf (\d+)")


@dataclass
class Word:
    text: str
    box: tuple[int, int, int, int]
    conf: float  # 0..1


@dataclass
class Line:
    """One printed line (or one block's part of it); ``box`` is None for plain-text input."""

    text: str
    box: tuple[int, int, int, int] | None = None
    words: list[Word] = field(default_factory=list)

    @property
    def conf(self) -> float:
        """Lowest word confidence: one misread word is enough to doubt a number or a name."""
        return min((w.conf for w in self.words), default=1.0 if self.box is None else 0.0)

    def conf_of(self, needle: str) -> float:
        """Lowest confidence of the words that make up ``needle`` (e.g. a number in a line)."""
        parts = [w for w in self.words if w.text and (w.text in needle or needle in w.text)]
        return min((w.conf for w in parts), default=self.conf)


@dataclass
class PageLines:
    lines: list[Line]
    width: int | None = None
    height: int | None = None
    image: Path | None = None      # the cleaned page the lines were read from (clean.png)

    @property
    def mean_conf(self) -> float:
        """Mean word confidence of the page (1.0 without hOCR): how good the scan read overall."""
        confs = [w.conf for line in self.lines for w in line.words]
        return sum(confs) / len(confs) if confs else 1.0

    @property
    def has_geometry(self) -> bool:
        return self.width is not None


def _title_value(title: str, pattern: re.Pattern) -> re.Match | None:
    return pattern.search(title or "")


def _split_segments(words: list[Word], width: int | None = None) -> list[list[Word]]:
    """Cut a line where the gap between two words is wider than 1.5 word heights: word spaces,
    even in justified lines, stay below ~0.9; the gutter between side-by-side blocks is wider."""
    if not words:
        return []
    height = max(1, sorted(w.box[3] - w.box[1] for w in words)[len(words) // 2])
    middle = width / 2 if width else None
    segments, current = [], [words[0]]
    for prev, word in zip(words, words[1:]):
        gap = word.box[0] - prev.box[2]
        gutter = middle is not None and prev.box[2] < middle < word.box[0] and gap > 1.1 * height
        if gap > 1.5 * height or gutter:
            segments.append(current)
            current = []
        current.append(word)
    segments.append(current)
    return segments


def _segment_line(words: list[Word]) -> Line:
    x0 = min(w.box[0] for w in words)
    y0 = min(w.box[1] for w in words)
    x1 = max(w.box[2] for w in words)
    y1 = max(w.box[3] for w in words)
    text = re.sub(r"/{2,}", "/", nfc(" ".join(w.text for w in words)).translate(_SLASHES))
    return Line(text, (x0, y0, x1, y1), words)


def parse_hocr(data: bytes | Path) -> PageLines:
    """Segments of a Tesseract hOCR page in top-to-bottom, left-to-right order."""
    root = xmlsafe.parse(data).getroot()
    width = height = None
    lines: list[Line] = []
    for page in root.xpath("//*[@class='ocr_page']"):
        box = _title_value(page.get("title"), _BBOX)
        if box:
            width, height = int(box.group(3)), int(box.group(4))
        break
    by_line: dict[object, list[Word]] = {}
    for span in root.iter("{*}span"):
        if span.get("class") != "ocrx_word":
            continue
        text = (span.text or "" if len(span) == 0 else "".join(span.itertext())).strip()
        title = span.get("title") or ""
        box = _BBOX.search(title)
        if text and box:
            conf = _WCONF.search(title)
            by_line.setdefault(span.getparent(), []).append(
                Word(nfc(text), tuple(map(int, box.groups())), int(conf.group(1)) / 100 if conf else 0.0))
    for words in by_line.values():
        words.sort(key=lambda w: w.box[0])
        lines.extend(_segment_line(seg) for seg in _split_segments(words, width))
    lines.sort(key=lambda ln: ((ln.box[1] + ln.box[3]) // 2 // 12, ln.box[0]))
    return PageLines(lines, width, height)


def join_rows(lines: list[Line]) -> list[Line]:
    """Glue segments that stand on the same row back together (a name cut by a signature stroke)."""
    rows: list[Line] = []
    for line in sorted(lines, key=lambda ln: (ln.box[1], ln.box[0])):
        last = rows[-1] if rows else None
        if last is not None and _same_row(last.box, line.box):
            words = sorted(last.words + line.words, key=lambda w: w.box[0])
            rows[-1] = _segment_line(words)
        else:
            rows.append(line)
    return rows


def _same_row(a: tuple[int, int, int, int], b: tuple[int, int, int, int]) -> bool:
    overlap = min(a[3], b[3]) - max(a[1], b[1])
    return overlap > 0.6 * min(a[3] - a[1], b[3] - b[1])


def _with_page_number(page: PageLines, page_dir: Path) -> PageLines:
    """The page number the OCR stage read apart above the text (``ocr.json``), which its hOCR does
    not hold, put back as the page's first line, centred at the top: it tells a later page of a
    document from a first one."""
    try:
        number = json.loads((page_dir / "ocr.json").read_text(encoding="utf-8")).get("page_number")
    except (OSError, ValueError, AttributeError):
        return page
    number = (number or "").strip()
    if not number or (page.lines and page.lines[0].text.strip() == number):
        return page
    top = min((ln.box[1] for ln in page.lines if ln.box), default=1)
    centre = (page.width or 0) // 2
    box = (centre - 10, max(0, top - 30), centre + 10, max(1, top - 5))
    return PageLines([Line(number, box, [Word(number, box, 1.0)])] + page.lines, page.width,
                     page.height, page.image)


def parse_text(text: str) -> PageLines:
    return PageLines([Line(nfc(t).strip()) for t in text.splitlines() if t.strip()])


def load_page_lines(page_dir: Path) -> PageLines | None:
    """A page's lines from ``ocr.hocr`` (preferred: it has geometry) or ``text.txt``; None if not OCR'd."""
    hocr, text = page_dir / "ocr.hocr", page_dir / "text.txt"
    if hocr.exists():
        try:
            page = _with_page_number(parse_hocr(hocr), page_dir)
            if (page_dir / "clean.png").exists():
                page.image = page_dir / "clean.png"
            return page
        except (etree.XMLSyntaxError, xmlsafe.UnsafeXMLError):
            if not text.exists():
                raise
    if text.exists():
        return parse_text(text.read_text(encoding="utf-8"))
    return None
