"""A small recogniser for digits written by hand into a form's blanks (``Số:  660 /TB-UBND``,
``ngày 24 tháng 12``).

Tesseract is trained on print and reads a pen's "11" as "44" or "0O4". This recogniser is an SVM
trained in the project on the handwritten digits scikit-learn ships (UCI "Optical Recognition of
Handwritten Digits": 1,797 digits by 43 writers, 8×8), each also slanted, turned, scaled and drawn
thinner or bolder, the way a registry clerk's pen varies. The written digits are cut from the
cleaned page by their connected components, each fitted into the 8×8 grid the way the data set's
digits were, and classified; the string's confidence is that of its least sure digit.

The confidence is calibrated on held-back digits (writers' samples never trained on, augmented
the same way): :data:`CALIBRATION` holds the confidence above which the held-back predictions are
at least 99.5 % right. A value is only trusted above it, and when Tesseract read the same digits
in the same blank (see :func:`luutru.catalog.extract`); otherwise it is the archivist's best guess.

The trained model is cached per user (``$XDG_CACHE_HOME/luutru``, ~1 MB); training takes ~10 s.
"""

from __future__ import annotations

import os
import pickle
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

import cv2
import numpy as np

from luutru.archive import atomic_write_bytes
from luutru.ocr.engines import EngineReading, TextLine, Word

MODEL_VERSION = 1
SEED = 20261207
AUGMENTED_COPIES = 4
TARGET_PRECISION = 0.995
MIN_CONFIDENCE = 0.85          # never trusted below this, whatever the calibration says
MAX_GLYPH_ASPECT = 1.0         # width / height of one handwritten digit stays below this
_GRID = 32                     # the data set's digits were drawn on 32×32 and pooled 4×4 to 8×8
_FIT = 28


@dataclass(frozen=True)
class DigitReading:
    digits: str
    confidence: float          # of the least sure digit
    trusted: bool              # confidence at or above the calibrated threshold


@dataclass
class _Model:
    classifier: Any   # a fitted scikit-learn SVC
    threshold: float           # calibrated on held-back digits
    held_back_accuracy: float


def features(glyph: np.ndarray) -> np.ndarray:
    """A glyph (ink > 0, any size) as the data set's 64 features: fitted into 28 px, centred in
    32×32, each 4×4 block's ink share on a 0..16 scale."""
    ys, xs = np.nonzero(glyph > 60)
    if len(ys) == 0:
        return np.zeros(64)
    crop = glyph[ys.min():ys.max() + 1, xs.min():xs.max() + 1]
    height, width = crop.shape
    scale = _FIT / max(height, width)
    crop = cv2.resize(crop, (max(1, round(width * scale)), max(1, round(height * scale))),
                      interpolation=cv2.INTER_AREA)
    canvas = np.zeros((_GRID, _GRID), np.uint8)
    top, left = (_GRID - crop.shape[0]) // 2, (_GRID - crop.shape[1]) // 2
    canvas[top:top + crop.shape[0], left:left + crop.shape[1]] = crop
    return (canvas.reshape(8, 4, 8, 4).mean(axis=(1, 3)) / 255 * 16).ravel()


def _enlarged(image8: np.ndarray) -> np.ndarray:
    return cv2.resize((image8 / 16.0 * 255).astype(np.uint8), (_GRID, _GRID),
                      interpolation=cv2.INTER_CUBIC)


def _augmented(glyph: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """The glyph as another pen might write it: slanted, turned, scaled, thinner or bolder."""
    turn = cv2.getRotationMatrix2D((_GRID / 2, _GRID / 2), rng.uniform(-12, 12), rng.uniform(0.85, 1.1))
    turn[0, 1] += rng.uniform(-0.35, 0.2)
    out = cv2.warpAffine(glyph, turn, (_GRID, _GRID), borderValue=0)
    stroke = rng.integers(0, 3)
    if stroke:
        operation = cv2.dilate if stroke == 1 else cv2.erode
        out = operation(out, np.ones((2, 2), np.uint8))
    return out


def _samples(images: np.ndarray, labels: np.ndarray, copies: int,
             rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    rows, targets = [], []
    for image, label in zip(images, labels):
        glyph = _enlarged(image)
        for version in [glyph] + [_augmented(glyph, rng) for _ in range(copies)]:
            rows.append(features(version))
            targets.append(label)
    return np.array(rows), np.array(targets)


def calibrated_threshold(confidence: np.ndarray, right: np.ndarray,
                         precision: float = TARGET_PRECISION) -> float:
    """The lowest confidence above which held-back predictions are at least ``precision`` right."""
    order = np.argsort(-confidence)
    hits = np.cumsum(right[order]) / np.arange(1, len(order) + 1)
    good = np.nonzero(hits >= precision)[0]
    if not len(good):
        return 1.0
    return float(confidence[order][good[-1]])


def _split() -> tuple[tuple[np.ndarray, np.ndarray], tuple[np.ndarray, np.ndarray]]:
    """(training, held back) digits of the data set: a quarter is never trained on."""
    from sklearn.datasets import load_digits
    from sklearn.model_selection import train_test_split

    data = load_digits()
    a, b, c, d = train_test_split(data.images, data.target, test_size=0.25, random_state=SEED,
                                  stratify=data.target)
    return (a, c), (b, d)


def held_back_samples(seed: int, copies: int = 2) -> tuple[np.ndarray, np.ndarray]:
    """Features and labels of the held-back digits, each also augmented ``copies`` times."""
    _, (images, labels) = _split()
    return _samples(images, labels, copies, np.random.default_rng(seed))


def train() -> _Model:
    """Train on three quarters of the digits, calibrate on the quarter held back."""
    from sklearn.calibration import CalibratedClassifierCV
    from sklearn.svm import SVC

    (train_images, train_labels), _ = _split()
    x, y = _samples(train_images, train_labels, AUGMENTED_COPIES, np.random.default_rng(SEED))
    # Platt scaling fitted on folds the SVM did not see: probabilities, not raw margins
    classifier = CalibratedClassifierCV(SVC(gamma="scale", C=10), method="sigmoid", cv=3,
                                        ensemble=False).fit(x, y)
    hx, hy = held_back_samples(SEED)
    probabilities = classifier.predict_proba(hx)
    right = probabilities.argmax(axis=1) == hy
    threshold = max(MIN_CONFIDENCE, calibrated_threshold(probabilities.max(axis=1), right))
    return _Model(classifier, threshold, float(right.mean()))


def _cache_path() -> Path:
    root = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache")
    return root / "luutru" / f"handwritten-digits-v{MODEL_VERSION}.pickle"


@lru_cache(maxsize=1)
def model() -> _Model:
    """The trained recogniser: from the user's cache, else trained now and cached."""
    path = _cache_path()
    try:
        with open(path, "rb") as handle:
            return pickle.load(handle)
    except (OSError, pickle.UnpicklingError, EOFError, AttributeError):
        pass
    trained = train()
    try:
        atomic_write_bytes(path, pickle.dumps(trained))
    except OSError:
        pass                    # a read-only home: train again next time
    return trained


def glyphs(ink: np.ndarray) -> list[np.ndarray]:
    """The written digits in a region (ink > 0), left to right: connected components at least
    half as tall as the tallest, pieces of one digit (a broken stroke) joined."""
    count, _, stats, _ = cv2.connectedComponentsWithStats(ink, connectivity=8)
    boxes = [list(stats[i][:4]) for i in range(1, count) if stats[i][4] >= 30]
    if not boxes:
        return []
    tallest = max(b[3] for b in boxes)
    boxes = sorted((b for b in boxes if b[3] >= 0.45 * tallest), key=lambda b: b[0])
    joined: list[list[int]] = []
    for x, y, w, h in boxes:
        if joined and x < joined[-1][0] + 0.6 * joined[-1][2]:
            px, py, pw, ph = joined[-1]
            x0, y0 = min(px, x), min(py, y)
            joined[-1] = [x0, y0, max(px + pw, x + w) - x0, max(py + ph, y + h) - y0]
        else:
            joined.append([x, y, w, h])
    return [ink[y:y + h, x:x + w] for x, y, w, h in joined]


def read_digits(ink: np.ndarray) -> DigitReading | None:
    """The digits written in ``ink`` (a region of the page, ink > 0), or None if there are none."""
    found = glyphs(ink)
    if not found or len(found) > 5:
        return None
    trained = model()
    probabilities = trained.classifier.predict_proba(np.array([features(g) for g in found]))
    digits = "".join(str(int(d)) for d in probabilities.argmax(axis=1))
    confidence = float(probabilities.max(axis=1).min())
    # a glyph wider than tall is digits written in one stroke ("99"): not cut, never trusted
    joined = any(g.shape[1] > MAX_GLYPH_ASPECT * g.shape[0] for g in found)
    return DigitReading(digits, confidence, confidence >= trained.threshold and not joined)


class DigitReader:
    """The digit reader as an OCR engine (:class:`luutru.ocr.engines.OcrEngine`): a region of a
    cleaned page in (dark ink on light paper), one line of one word out, its confidence 0..100."""

    name = "handwritten-digits"

    def read(self, image: np.ndarray, dpi: int, *, psm: int = 7,
             renderings: Sequence[str] = ()) -> EngineReading:
        grey = cv2.cvtColor(image, cv2.COLOR_BGR2GRAY) if image.ndim == 3 else image
        ink = ((grey < 128) * 255).astype(np.uint8)
        reading = read_digits(ink)
        if reading is None:
            return EngineReading([])
        ys, xs = np.nonzero(ink)
        box = (int(xs.min()), int(ys.min()), int(xs.max()) + 1, int(ys.max()) + 1)
        word = Word(reading.digits, box, round(reading.confidence * 100, 2), line=0, block=0)
        return EngineReading([TextLine([word], box, block=0)])
