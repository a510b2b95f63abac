"""Recognise one cleaned page: Tesseract once, our reading order, a yield check and a fallback.

Tesseract's page segmentation (automatic psm 3, and psm 4 that we use) can silently drop a large part of a warped or
unusual page, and nothing in its output says so. The page's own ink does: every dark connected
component of text size should fall inside some recognised word box. When the share of ink
covered by words (the *yield*) is low, the page is read again with another segmentation mode:
the lines it reads confidently where the first reading has nothing are added, and the outputs
(hOCR, ALTO, PDF) of the reading that covers more are kept. On a normal page the yield is high
and Tesseract runs once, which is what keeps the stage near raw Tesseract's throughput.

The text stored is built from the hOCR in the reading order of :mod:`luutru.ocr.layout`, not
taken from Tesseract's txt output.

Continuation pages carry their number alone, centred above the text; Tesseract's segmentation
drops such a lone mark (every continuation page of the dev corpus lost it). When text-sized ink
stands there above the first line read, that spot alone is read as one line, and a page number
read confidently is put first in the text (not in the hOCR, ALTO or PDF, which are Tesseract's).
"""

from __future__ import annotations

import re
import time
from collections.abc import Sequence
from dataclasses import dataclass, field

import cv2
import numpy as np

from luutru.ocr.cleanup import components
from luutru.ocr.engines import OcrEngine, TesseractEngine
from luutru.ocr.layout import (TextLine, Word, drop_noise, lines_to_text, parse_hocr, reading_order,
                               tidy_punctuation)
from luutru.ocr.quality import vietnamese_quality

# Page segmentation modes measured on the dev corpus (bench/layout.py; cleaned pages, model
# "best", our reading order, noise and punctuation rules; CER t0 / t1 / t2 / t3, fallbacks):
#   psm 3 alone   0.80 / 0.53 / 1.36 / 2.09 %        psm 4 alone   0.81 / 0.58 / 1.09 / 1.99 %
#   psm 3, then 6 0.70 / 0.43 / 1.36 / 2.05 %  8/110  psm 4, then 6 0.71 / 0.52 / 1.09 / 2.00 %  6/110
#   psm 6 alone (t0/t1 subset) 0.29 / 0.85 %         psm 4, then 3 0.81 / 0.58 / 1.09 / 1.99 %
# psm 4 (one column of lines of any size) keeps poor pages' lines whole where psm 3 cuts them
# into blocks; psm 6 best recovers what either drops (a seal over the signature block).
DEFAULT_PSM = 4
FALLBACK_PSMS = (6,)
# Below this share of text ink covered by recognised words a page is read again. With psm 4:
# 0.80 reads 6/110 dev pages twice, 0.85 8/110 and 0.90 9/110, for the same CER.
MIN_YIELD = 0.80
# Ink components smaller than this (mm², speckle) or longer than this (mm: rules, borders,
# streaks) are not text.
MIN_COMPONENT_MM2 = 0.04
MAX_COMPONENT_MM = 15.0
WORD_BOX_MARGIN_MM = 0.4
# A line recovered from a fallback reading must be this sure and this Vietnamese to be added
# (50, 60, 75, 85 measured: 60 best overall, within 0.05 % CER of the others).
ACCEPT_CONF = 60.0
ACCEPT_QUALITY = 0.5
# The page number: in the middle third of the page's width, above the first line read, at most
# this big (mm), read as one line (psm 7) padded by PAGE_NUMBER_PAD_MM, and kept when it reads as
# a number ("2", "- 2 -") with at least ACCEPT_CONF.
PAGE_NUMBER_MAX_MM = (25.0, 10.0)
PAGE_NUMBER_PAD_MM = 3.0
PAGE_NUMBER = re.compile(r"^[-–—]?\s*\d{1,3}\s*[-–—]?$")
SINGLE_LINE = 7                      # the psm that reads an image as one line
RENDERINGS = ("hocr", "alto", "pdf")  # the engine's own files kept beside the page's lines


@dataclass
class Recognition:
    text: str
    hocr: bytes
    alto: bytes
    pdf: bytes
    words: list[Word]
    mean_conf: float
    quality: float
    psm: int
    attempts: list[dict] = field(default_factory=list)
    page_number: str | None = None       # read apart, above the text (see the module doc)


@dataclass
class Ink:
    """Text-sized dark components of a page: centroids and pixel areas."""

    centroids: np.ndarray  # (n, 2) float x, y
    areas: np.ndarray      # (n,) int
    shape: tuple[int, int]
    boxes: np.ndarray = field(default_factory=lambda: np.zeros((0, 4), int))  # (n, 4) x y w h

    @property
    def total(self) -> int:
        return int(self.areas.sum())


def find_ink(image: np.ndarray, dpi: int) -> Ink:
    """Dark connected components of text size on a grey or bitonal page."""
    grey = image if image.ndim == 2 else cv2.cvtColor(image, cv2.COLOR_BGR2GRAY)
    stats, centroids = _squeezed_components(_dark(grey))
    px_per_mm = dpi / 25.4
    areas = stats[1:, cv2.CC_STAT_AREA]
    longest = np.maximum(stats[1:, cv2.CC_STAT_WIDTH], stats[1:, cv2.CC_STAT_HEIGHT])
    keep = (areas >= MIN_COMPONENT_MM2 * px_per_mm ** 2) & (longest <= MAX_COMPONENT_MM * px_per_mm)
    return Ink(centroids=centroids[1:][keep], areas=areas[keep], shape=grey.shape[:2],
               boxes=stats[1:, :4][keep])


def _squeezed_components(dark: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Stats and centroids of the 8-connected components of ``dark`` (row 0, the background,
    meaningless), as :func:`~luutru.ocr.cleanup.components` gives them for the page.

    Labelled without the page's blank margins and with each run of blank rows (the space between
    lines) squeezed to one or two rows, which still keeps the components apart: the labelling
    costs in proportion to the pixels it walks, and a page of text is blank for a third to half
    of them. Rows keep their parity and columns are cut at a multiple of 8, so the labelling's
    2×2 blocks hold the same pixels and the components come in the same order.
    """
    height, width = dark.shape
    whole = width // 8 * 8
    words = np.ascontiguousarray(dark[:, :whole]).view(np.uint64)
    inky = np.asarray(words.any(axis=1) | (dark[:, whole:].any(axis=1) if whole < width else False))
    if not inky.any():
        return components(dark)[2:]
    rows = _squeezed_rows(inky)
    columns = np.flatnonzero(np.bitwise_or.reduce(words, axis=0))
    left = int(columns[0]) * 8 if len(columns) else 0
    right = int(columns[-1]) * 8 + 8 if len(columns) and whole == width else width
    _, _, stats, centroids = components(dark[rows, left:right])
    top = stats[1:, cv2.CC_STAT_TOP]
    centroids[1:, 1] += rows[top] - top        # the rows squeezed out above each component
    stats[1:, cv2.CC_STAT_TOP] = rows[top]
    stats[:, cv2.CC_STAT_LEFT] += left
    centroids[:, 0] += left
    return stats, centroids


def _squeezed_rows(inky: np.ndarray) -> np.ndarray:
    """The rows to label: every inky row, and of each blank run before or between them one or
    two rows, as many as keep the next inky row's parity."""
    kept = inky.copy()
    ink_rows = np.flatnonzero(inky)
    if ink_rows[0] % 2:
        kept[ink_rows[0] - 1] = True
    gap = np.diff(ink_rows) > 1
    before, after = ink_rows[:-1][gap], ink_rows[1:][gap]
    kept[before + 1] = True
    even = (after - before - 1) % 2 == 0
    kept[after[even] - 1] = True
    return np.flatnonzero(kept)


def _dark(grey: np.ndarray) -> np.ndarray:
    """The page's ink by Otsu's threshold. A black-and-white page (what clean-up hands over) has
    its black as ink, which is what Otsu picks there too: taken without the histogram pass."""
    if not cv2.countNonZero(cv2.inRange(grey, 1, 254)):
        return cv2.threshold(grey, 127, 255, cv2.THRESH_BINARY_INV)[1]
    return cv2.threshold(grey, 0, 255, cv2.THRESH_BINARY_INV | cv2.THRESH_OTSU)[1]


def text_yield(ink: Ink, words: list[Word], dpi: int) -> float:
    """Share of the page's text ink (by area) whose component lies inside a recognised word box."""
    if ink.total == 0:
        return 1.0
    height, width = ink.shape
    margin = round(WORD_BOX_MARGIN_MM * dpi / 25.4)
    covered = np.zeros((height, width), dtype=bool)
    for word in words:
        x0, y0, x1, y1 = word.bbox
        covered[max(0, y0 - margin):y1 + margin, max(0, x0 - margin):x1 + margin] = True
    xs = np.clip(ink.centroids[:, 0].astype(int), 0, width - 1)
    ys = np.clip(ink.centroids[:, 1].astype(int), 0, height - 1)
    return float(ink.areas[covered[ys, xs]].sum() / ink.total)


@dataclass
class _Attempt:
    """One Tesseract reading of the page: its outputs and its lines (noise dropped)."""

    psm: int
    outputs: dict[str, bytes]
    lines: list[TextLine]
    yield_: float
    mean_conf: float
    seconds: float

    def record(self, ink_total: int) -> dict:
        return {"psm": self.psm, "chars": sum(len(w.text) for l in self.lines for w in l.words),
                "ink_px": ink_total, "ink_ratio": round(self.yield_, 4),
                "conf": round(self.mean_conf, 2), "seconds": round(self.seconds, 3)}

    def better_than(self, other: _Attempt) -> bool:
        # A clearly higher yield wins; near-equal yields are decided by confidence.
        if abs(self.yield_ - other.yield_) > 0.02:
            return self.yield_ > other.yield_
        return self.mean_conf > other.mean_conf


@dataclass
class Reading:
    """The page's text as kept: lines in reading order, and the attempt whose outputs are kept."""

    lines: list[TextLine]
    words: list[Word]
    text: str
    kept: _Attempt


def _attempt(engine: OcrEngine, image: np.ndarray, dpi: int, psm: int, ink: Ink) -> _Attempt:
    started = time.monotonic()
    reading = engine.read(image, dpi, psm=psm, renderings=RENDERINGS)
    return _judged(reading.lines, reading.renderings, psm, ink, dpi, time.monotonic() - started)


def attempt_from_hocr(outputs: dict[str, bytes], psm: int, ink: Ink, dpi: int,
                      seconds: float = 0.0) -> _Attempt:
    """Judge one cached Tesseract reading of the page (bench/layout.py)."""
    return _judged(parse_hocr(outputs["hocr"]), outputs, psm, ink, dpi, seconds)


def _judged(lines: list[TextLine], outputs: dict[str, bytes], psm: int, ink: Ink, dpi: int,
            seconds: float) -> _Attempt:
    """One reading of the page with its noise dropped, its yield and its mean confidence."""
    lines = tidy_punctuation(drop_noise(lines))
    words = [w for line in lines for w in line.words]
    return _Attempt(psm=psm, outputs=outputs, lines=lines, yield_=text_yield(ink, words, dpi),
                    mean_conf=mean_confidence(words), seconds=seconds)


def combine(attempts: list[_Attempt], ink: Ink, added: Sequence[TextLine] = ()) -> Reading:
    """The first reading, completed by what later ones read confidently where it read nothing
    (and by ``added`` lines read apart, such as the page number).

    The outputs (hOCR, ALTO, PDF text layer) are those of the reading with the best yield.
    """
    base = attempts[0]
    lines = list(base.lines) + list(added)
    for extra in attempts[1:]:
        lines += _missing_lines(lines, extra)
    kept = base
    for attempt in attempts[1:]:
        if attempt.better_than(kept):
            kept = attempt
    height, width = ink.shape
    ordered = reading_order(lines, width, height)
    return Reading(lines=ordered, words=_renumber(ordered), text=lines_to_text(ordered), kept=kept)


def _missing_lines(read: list[TextLine], extra: _Attempt) -> list[TextLine]:
    boxes = [w.bbox for line in read for w in line.words]
    added = []
    for line in extra.lines:
        words = [w for w in line.words if not any(_centre_in(w.bbox, box) for box in boxes)]
        if words and _confident(words):
            added.append(TextLine(words=words, bbox=(min(w.bbox[0] for w in words), line.bbox[1],
                                                     max(w.bbox[2] for w in words), line.bbox[3]),
                                  block=line.block, par=line.par))
    return added


def _centre_in(box: tuple[int, int, int, int], other: tuple[int, int, int, int]) -> bool:
    x, y = (box[0] + box[2]) / 2, (box[1] + box[3]) / 2
    return other[0] <= x <= other[2] and other[1] <= y <= other[3]


def _confident(words: list[Word]) -> bool:
    """A recovered line is kept only if Tesseract was sure and it reads as Vietnamese (or numbers)."""
    text = " ".join(w.text for w in words)
    if mean_confidence(words) < ACCEPT_CONF:
        return False
    quality = vietnamese_quality(text)
    return quality >= ACCEPT_QUALITY or (quality == 0.0 and any(ch.isdigit() for ch in text))


def _renumber(lines: list[TextLine]) -> list[Word]:
    """Words in reading order, ``line`` set to the index of their line in the stored text."""
    words = []
    for index, line in enumerate(lines):
        for word in line.words:
            word.line = index
            words.append(word)
    return words


def page_number_line(engine: OcrEngine, image: np.ndarray, dpi: int, ink: Ink,
                     lines: list[TextLine]) -> TextLine | None:
    """The page number standing alone above ``lines`` when they do not have it, else None."""
    if not lines or not len(ink.boxes):
        return None
    height, width = ink.shape
    top = min(line.bbox[1] for line in lines)
    x, y, w, h = ink.boxes.T
    centre = x + w / 2
    above = (y + h < top) & (centre > width / 3) & (centre < 2 * width / 3)
    if not above.any():
        return None
    # The number's line: the biggest mark there and what stands beside it (not a rule above it).
    anchor = int(np.argmax(np.where(above, ink.areas, -1)))
    px_per_mm = dpi / 25.4
    line = (above & (y < y[anchor] + h[anchor]) & (y + h > y[anchor])
            & (np.abs(centre - centre[anchor]) <= PAGE_NUMBER_MAX_MM[0] * px_per_mm))
    x0, y0 = int(x[line].min()), int(y[line].min())
    x1, y1 = int((x + w)[line].max()), int((y + h)[line].max())
    if x1 - x0 > PAGE_NUMBER_MAX_MM[0] * px_per_mm or y1 - y0 > PAGE_NUMBER_MAX_MM[1] * px_per_mm:
        return None
    pad = round(PAGE_NUMBER_PAD_MM * px_per_mm)
    left, upper = max(0, x0 - pad), max(0, y0 - pad)
    crop = image[upper:min(height, y1 + pad), left:min(width, x1 + pad)]
    words = [w for line in engine.read(crop, dpi, psm=SINGLE_LINE).lines for w in line.words]
    text = " ".join(w.text for w in words)
    if not words or not PAGE_NUMBER.match(text) or mean_confidence(words) < ACCEPT_CONF:
        return None
    for word in words:
        bx0, by0, bx1, by1 = word.bbox
        word.bbox = (bx0 + left, by0 + upper, bx1 + left, by1 + upper)
    box = (min(w.bbox[0] for w in words), min(w.bbox[1] for w in words),
           max(w.bbox[2] for w in words), max(w.bbox[3] for w in words))
    return TextLine(words=words, bbox=box, block=-1)


def mean_confidence(words: list[Word]) -> float:
    confs = [w.conf for w in words if w.conf >= 0]
    return sum(confs) / len(confs) if confs else 0.0


def recognize(image: np.ndarray, dpi: int, *, lang: str = "vie", tessdata_dir: str | None = None,
              config: str = "", engine: OcrEngine | None = None) -> Recognition:
    """Read a cleaned page (uint8, grey or BGR) into text in reading order, with its outputs.

    Tesseract runs with ``DEFAULT_PSM``; if that reading covers less than ``MIN_YIELD`` of the
    page's text ink it runs again with each of ``FALLBACK_PSMS``, and lines the first reading
    missed are taken from the later ones (see :func:`combine`). ``attempts`` lists every run (psm,
    characters, ink ratio = yield, mean confidence, seconds) for the page's provenance; ``psm`` is
    the one whose hOCR, ALTO and PDF are kept. ``engine``: the recogniser (by default Tesseract
    with ``lang``, ``tessdata_dir`` and ``config``); see :mod:`luutru.ocr.engines`.
    """
    reader: OcrEngine = engine or TesseractEngine(lang, tessdata_dir, config)
    ink = find_ink(image, dpi)
    attempts = [_attempt(reader, image, dpi, DEFAULT_PSM, ink)]
    if attempts[0].yield_ < MIN_YIELD:
        attempts += [_attempt(reader, image, dpi, psm, ink) for psm in FALLBACK_PSMS]
    number = page_number_line(reader, image, dpi, ink, attempts[0].lines)
    reading = combine(attempts, ink, [number] if number else [])
    outputs = reading.kept.outputs
    return Recognition(text=reading.text, hocr=outputs.get("hocr", b""),
                       alto=outputs.get("alto", b""), pdf=outputs.get("pdf", b""), words=reading.words, mean_conf=mean_confidence(reading.words),
                       quality=vietnamese_quality(reading.text), psm=reading.kept.psm,
                       attempts=[a.record(ink.total) for a in attempts],
                       page_number=lines_to_text([number]) if number else None)
