"""The invisible words of a faithful PDF page, drawn from the page's hOCR onto the original scan.

The first faithful PDFs moved Tesseract's own text layer onto the scan with one matrix. What a
PDF viewer then selected missed the words in two ways (bench/pdf.py, dev corpus):

- Tesseract sizes a line's font from its estimated x-height, ascenders and descenders, rounded
  to whole points, and puts it on the line's baseline; its invisible font (GlyphLessFont) has no
  descent, so a selection runs from the baseline up by the font size. Descenders (g, p, y), the
  dot below (ạ, ọ, ụ) and, on a line whose size Tesseract misjudged (a seal or a signature read
  as text), half the word fall outside it.
- On a deskewed page the whole layer was turned by the skew. Poppler (Evince, Okular,
  pdftotext) starts a new word wherever a slanted baseline moves by half a point and orders the
  pieces by height, so the words of a page scanned 3° askew came out cut up and out of order.

So here every word is drawn upright over the place where it lies on the scan as read (the
page after its quarter turn, before deskew): as wide as the word's slanted box is, as tall as
the tallest word of its line segment, centred on the word; one font size per segment keeps
viewers' line finding intact. Lines go in luutru's reading order (:func:`reading_order`), so a
viewer that follows the content stream (pdf.js) copies the two header columns one after the
other. The whole layer is then placed on the page by one matrix, which turns it with the scan
when the scan lies on its side (an exact quarter turn, which viewers read as they should).
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from luutru.geometry import PageGeometry
from luutru.ocr.layout import TextLine, reading_order

GLYPH_WIDTH = 0.5        # advance of every glyph of the invisible font, in text space (/DW 500)
# A segment's font is as tall as its tallest word, but no taller than this many times its
# median word: a seal's stroke read as a word must not make the whole line's selection tall.
MAX_HEIGHT_OVER_MEDIAN = 1.6
# Words of a segment whose middles differ by at most this share of the font size are set on
# one baseline (a level line; on a slanted one each word keeps its own height).
LEVEL_SPREAD = 0.25


def text_operators(lines: Sequence[TextLine], geometry: PageGeometry, dpi: int,
                   font: str) -> bytes:
    """A content stream drawing ``lines`` (words in clean pixels) invisibly with the font
    resource ``font`` (Identity-H, one glyph of :data:`GLYPH_WIDTH` for every code), in the
    layer's frame: points, y up, of the page as read (after the quarter turn, before deskew;
    :func:`luutru.ocr.pdf.words_matrix` places it on the scan)."""
    if not any(line.words for line in lines):
        return b""
    clean_w, clean_h = geometry.clean_size
    height_px = geometry.turned_size[1]
    points = 72.0 / dpi
    out = [b"BT", b"3 Tr"]
    at = (0.0, 0.0)     # where the last Td left the text line (Td moves relative to it)
    for line in reading_order(list(lines), clean_w, clean_h):
        size_px, places = _segment_places(geometry, line)
        size = round(size_px * points, 1)
        out.append(f"/{font} {size:.1f} Tf".encode("ascii"))
        for k, (word, (x0, x1, middle)) in enumerate(zip(line.words, places)):
            start = (round(x0 * points, 1),
                     round((height_px - middle - size_px / 2) * points * 2) / 2)
            codes = word.text.encode("utf-16-be")
            stretch = _stretch((x1 - x0) * points, len(codes) // 2, size)
            space = " " if k + 1 < len(line.words) else ""     # copied text keeps its spaces
            out.append(f"{_number(start[0] - at[0])} {_number(start[1] - at[1])} Td "
                       f"{stretch:.0f} Tz ".encode("ascii")
                       + _literal((word.text + space).encode("utf-16-be")) + b" Tj")
            at = start
    out.append(b"ET")
    return b"\n".join(out) + b"\n"


def _upright(geometry: PageGeometry, box: tuple[int, int, int, int]) -> tuple[float, float, float]:
    """(left, right, vertical middle) of a word's slanted box on the page as read (pixels)."""
    x0, y0, x1, y1 = box
    quad = geometry.to_turned(np.array([[x0, y0], [x1, y0], [x1, y1], [x0, y1]], dtype=float))
    return float(quad[:, 0].min()), float(quad[:, 0].max()), float(quad[:, 1].mean())


def _segment_places(geometry: PageGeometry, line: TextLine
                    ) -> tuple[float, list[tuple[float, float, float]]]:
    """The font size of a line segment and (left, right, vertical middle) of each of its words,
    in pixels of the page as read. The font is as tall as the segment's tallest word as it
    stands there (slanted by the skew), within :data:`MAX_HEIGHT_OVER_MEDIAN`. Words whose
    middles lie close together share one middle, the font grown to cover them all: a level line
    in one baseline (smaller to store, and how a viewer expects a line)."""
    places = [_upright(geometry, word.bbox) for word in line.words]
    angle = np.deg2rad(abs(geometry.skew_degrees))
    heights = sorted(((b[3] - b[1]) * np.cos(angle) + (b[2] - b[0]) * np.sin(angle))
                     / geometry.scale for b in (w.bbox for w in line.words))
    median = heights[len(heights) // 2]
    size = max(1.0, min(heights[-1], MAX_HEIGHT_OVER_MEDIAN * median))
    middles = [middle for _, _, middle in places]
    spread = max(middles) - min(middles)
    if spread <= LEVEL_SPREAD * size:
        middle = (max(middles) + min(middles)) / 2
        return size + spread, [(x0, x1, middle) for x0, x1, _ in places]
    return size, places


def _stretch(width: float, glyphs: int, size: float) -> float:
    """Horizontal scaling (Tz, percent) that makes ``glyphs`` glyphs ``width`` points wide."""
    if glyphs == 0 or size <= 0:
        return 100.0
    return max(1.0, 100.0 * width / (glyphs * GLYPH_WIDTH * size))


def _number(value: float) -> str:
    """A coordinate to a tenth of a point (0.035 mm), without a needless ".0"."""
    text = f"{value:.1f}"
    text = text[:-2] if text.endswith(".0") else text
    return "0" if text == "-0" else text


def _literal(codes: bytes) -> bytes:
    """A PDF literal string of the two-byte codes of an Identity-H font whose ToUnicode maps a
    code to itself (as Tesseract's GlyphLessFont does): UTF-16 big-endian, half the size of
    hex. Parentheses and backslashes are escaped, and line ends (a reader turns a bare CR into
    LF)."""
    escaped = codes.replace(b"\\", b"\\\\").replace(b"(", b"\\(").replace(b")", b"\\)")
    return b"(" + escaped.replace(b"\r", b"\\r").replace(b"\n", b"\\n") + b")"
