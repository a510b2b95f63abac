"""Recognise one cleaned page: Tesseract once, our reading order, a yield check and a fallback.

Tesseract's automatic page segmentation (psm 3) can silently drop a large part of a warped or
unusual page, and nothing in its output says so. The page's own ink does: every dark connected
component of text size should fall inside some recognised word box. When the share of ink
covered by words (the *yield*) is low, the page is read again with another segmentation mode and
the better reading is kept. On a normal page the yield is high and Tesseract runs once, which is
what keeps the stage near raw Tesseract's throughput.

The text stored is built from the hOCR in the reading order of :mod:`luutru.ocr.layout`, not
taken from Tesseract's txt output.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field

import cv2
import numpy as np

from luutru.ocr.engine import run_tesseract
from luutru.ocr.layout import TextLine, Word, lines_to_text, parse_hocr, reading_order
from luutru.ocr.quality import vietnamese_quality

DEFAULT_PSM = 3
FALLBACK_PSMS = (6,)
# Below this share of text ink covered by recognised words a page is read again.
MIN_YIELD = 0.80
# Ink components smaller than this (mm², speckle) or longer than this (mm: rules, borders,
# streaks) are not text.
MIN_COMPONENT_MM2 = 0.04
MAX_COMPONENT_MM = 15.0
WORD_BOX_MARGIN_MM = 0.4


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


@dataclass
class Ink:
    """Text-sized dark components of a page: centroids and pixel areas."""

    centroids: np.ndarray  # (n, 2) float x, y
    areas: np.ndarray      # (n,) int
    shape: tuple[int, int]

    @property
    def total(self) -> int:
        return int(self.areas.sum())


def find_ink(image: np.ndarray, dpi: int) -> Ink:
    """Dark connected components of text size on a grey or bitonal page."""
    grey = image if image.ndim == 2 else cv2.cvtColor(image, cv2.COLOR_BGR2GRAY)
    _, dark = cv2.threshold(grey, 0, 255, cv2.THRESH_BINARY_INV | cv2.THRESH_OTSU)
    _, _, stats, centroids = cv2.connectedComponentsWithStats(dark, connectivity=8)
    px_per_mm = dpi / 25.4
    areas = stats[1:, cv2.CC_STAT_AREA]
    longest = np.maximum(stats[1:, cv2.CC_STAT_WIDTH], stats[1:, cv2.CC_STAT_HEIGHT])
    keep = (areas >= MIN_COMPONENT_MM2 * px_per_mm ** 2) & (longest <= MAX_COMPONENT_MM * px_per_mm)
    return Ink(centroids=centroids[1:][keep], areas=areas[keep], shape=grey.shape[:2])


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
    psm: int
    outputs: dict[str, bytes]
    lines: list[TextLine]
    words: list[Word]
    text: str
    yield_: float
    mean_conf: float
    seconds: float

    def record(self, ink_total: int) -> dict:
        return {"psm": self.psm, "chars": len(self.text), "ink_px": ink_total,
                "ink_ratio": round(self.yield_, 4), "conf": round(self.mean_conf, 2),
                "seconds": round(self.seconds, 3)}

    def better_than(self, other: _Attempt) -> bool:
        # A clearly higher yield wins; near-equal yields are decided by confidence.
        if abs(self.yield_ - other.yield_) > 0.02:
            return self.yield_ > other.yield_
        return self.mean_conf > other.mean_conf


def _attempt(image: np.ndarray, dpi: int, psm: int, ink: Ink, lang: str,
             tessdata_dir: str | None, config: str) -> _Attempt:
    started = time.monotonic()
    outputs = run_tesseract(image, dpi=dpi, psm=psm, lang=lang, tessdata_dir=tessdata_dir,
                            outputs=("hocr", "alto", "pdf"), config=config)
    height, width = image.shape[:2]
    lines = reading_order(parse_hocr(outputs["hocr"]), width, height)
    words = _renumber(lines)
    return _Attempt(psm=psm, outputs=outputs, lines=lines, words=words, text=lines_to_text(lines),
                    yield_=text_yield(ink, words, dpi), mean_conf=mean_confidence(words),
                    seconds=time.monotonic() - started)


def _renumber(lines: list[TextLine]) -> list[Word]:
    """Words in reading order, ``line`` set to the index of their line in the stored text."""
    words = []
    for index, line in enumerate(lines):
        for word in line.words:
            word.line = index
            words.append(word)
    return words


def mean_confidence(words: list[Word]) -> float:
    confs = [w.conf for w in words if w.conf >= 0]
    return sum(confs) / len(confs) if confs else 0.0


def recognize(image: np.ndarray, dpi: int, *, lang: str = "vie", tessdata_dir: str | None = None,
              config: str = "") -> Recognition:
    """Read a cleaned page (uint8, grey or BGR) into text in reading order, with its outputs.

    ``attempts`` lists every Tesseract run (psm, characters, ink ratio = yield, mean confidence,
    seconds) for the page's provenance; ``psm`` is the one kept.
    """
    ink = find_ink(image, dpi)
    attempts: list[_Attempt] = []
    for psm in (DEFAULT_PSM, *FALLBACK_PSMS):
        attempts.append(_attempt(image, dpi, psm, ink, lang, tessdata_dir, config))
        if attempts[-1].yield_ >= MIN_YIELD:
            break
    best = attempts[0]
    for attempt in attempts[1:]:
        if attempt.better_than(best):
            best = attempt
    return Recognition(text=best.text, hocr=best.outputs["hocr"], alto=best.outputs["alto"],
                       pdf=best.outputs["pdf"], words=best.words, mean_conf=best.mean_conf,
                       quality=vietnamese_quality(best.text), psm=best.psm,
                       attempts=[a.record(ink.total) for a in attempts])
