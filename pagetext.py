"""A page's text as OCR read it: its lines in reading order, each word with its box and confidence.

The OCR stage decides the page's lines once (its reading order, noise dropped, lines a second
reading recovered, the page number read apart) and writes them in the page folder as
``lines.json`` (:attr:`luutru.archive.PageFiles.LINES`); the catalogue, the reading room's
highlights and proofing, and the volumes read them back here, never from Tesseract's hOCR:

    {"version": 1, "width": 2480, "height": 3508,
     "lines": [{"words": [{"text": "ĐẢNG", "box": [x0, y0, x1, y1], "conf": 96.1}, ...]}, ...]}

``width``/``height`` are those of ``clean.png``, the image that was read; every box is in its
pixels (``x1``/``y1`` exclusive, as in hOCR). ``conf`` is the recogniser's word confidence,
0..100, or -1 where it has none. Line *i* holds the words of the *i*-th non-blank line of
``text.txt``, which is the same text: the words joined by one space, NFC.

A page read before ``lines.json`` existed has only ``text.txt``: :func:`read_page_text` then gives
its lines without geometry (``luutru ocr`` reads such pages again, see ``PIPELINE_VERSION``).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

from luutru.archive import PageFiles
from luutru.textnorm import nfc

FORMAT_VERSION = 1
Box = tuple[int, int, int, int]


@dataclass(frozen=True)
class Word:
    text: str
    box: Box
    conf: float          # 0..100; -1: not known


@dataclass(frozen=True)
class Line:
    """One line of the page's text (one column's part of a printed line): its words left to right,
    or only its text when the page has no geometry."""

    words: tuple[Word, ...]
    plain: str = ""

    @property
    def text(self) -> str:
        return " ".join(w.text for w in self.words) if self.words else self.plain

    @property
    def box(self) -> Box | None:
        if not self.words:
            return None
        boxes = [w.box for w in self.words]
        return (min(b[0] for b in boxes), min(b[1] for b in boxes),
                max(b[2] for b in boxes), max(b[3] for b in boxes))

    @property
    def conf(self) -> float | None:
        """Mean confidence of the words whose confidence is known; None when none is."""
        known = [w.conf for w in self.words if w.conf >= 0]
        return sum(known) / len(known) if known else None


@dataclass(frozen=True)
class PageText:
    """A page's lines; ``size`` (clean.png's width and height) is None when they have no boxes."""

    lines: list[Line]
    size: tuple[int, int] | None = None

    @property
    def has_geometry(self) -> bool:
        return self.size is not None

    @property
    def words(self) -> list[Word]:
        return [word for line in self.lines for word in line.words]


def encode(page: PageText) -> bytes:
    """The ``lines.json`` of a page with geometry (compact: 400 words are about 25 kB)."""
    width, height = page.size or (0, 0)
    lines = [{"words": [{"text": nfc(w.text), "box": list(w.box), "conf": round(float(w.conf), 2)}
                        for w in line.words]} for line in page.lines if line.words]
    record = {"version": FORMAT_VERSION, "width": width, "height": height, "lines": lines}
    return json.dumps(record, ensure_ascii=False, separators=(",", ":")).encode("utf-8") + b"\n"


def decode(data: bytes) -> PageText:
    """The page a ``lines.json`` holds; ValueError when it is damaged."""
    try:
        record = json.loads(data.decode("utf-8"))
        lines = [Line(tuple(Word(str(w["text"]), _box(w["box"]), float(w["conf"]))
                            for w in line["words"])) for line in record["lines"] if line["words"]]
        return PageText(lines, (int(record["width"]), int(record["height"])))
    except (KeyError, TypeError) as error:
        raise ValueError(f"{PageFiles.LINES} không đọc được: {error!r}") from error


def read_page_text(page_dir: Path) -> PageText | None:
    """The page's lines: from ``lines.json`` (with boxes) when it is there and sound, else from
    ``text.txt`` (without); None when the page has no text yet."""
    try:
        return decode(PageFiles(page_dir).lines.read_bytes())
    except (FileNotFoundError, ValueError):
        text = read_text(page_dir)
    return plain_lines(text) if text is not None else None


def read_text(page_dir: Path) -> str | None:
    """The page's plain text (``text.txt``, what search indexes and readers see), as the OCR stage
    wrote it; None when the page has none yet."""
    try:
        return PageFiles(page_dir).text.read_text(encoding="utf-8", errors="replace")
    except FileNotFoundError:
        return None


def plain_lines(text: str) -> PageText:
    """Lines of a plain text (no geometry), blank lines left out."""
    return PageText([Line((), nfc(t).strip()) for t in text.splitlines() if t.strip()])


def _box(values: list[int]) -> Box:
    x0, y0, x1, y1 = (int(v) for v in values)
    return (x0, y0, x1, y1)
