"""The handwritten-digit recogniser: trained in the project on scikit-learn's bundled digits, its
confidence calibrated on digits it never saw."""

from __future__ import annotations

import numpy as np

from luutru.catalog.digits import calibrated_threshold, held_back_samples, model, read_digits


def test_confidence_is_calibrated_on_held_back_digits():
    trained = model()
    assert trained.held_back_accuracy > 0.95
    # held-back writers' digits, augmented with another seed than the calibration's
    x, y = held_back_samples(seed=7)
    probabilities = trained.classifier.predict_proba(x)
    confident = probabilities.max(axis=1) >= trained.threshold
    right = probabilities.argmax(axis=1) == y
    assert confident.mean() > 0.3                     # a good share is read with confidence
    assert right[confident].mean() >= 0.99            # and those are right


def test_the_threshold_is_where_precision_is_reached():
    confidence = np.array([0.99, 0.98, 0.97, 0.9, 0.8])
    right = np.array([True, True, True, False, True])
    assert calibrated_threshold(confidence, right, precision=1.0) == 0.97
    assert calibrated_threshold(confidence, right, precision=0.8) == 0.8


def test_digits_in_a_region_are_read_left_to_right():
    x, y = held_back_samples(seed=3, copies=0)
    trained = model()
    sure = [i for i in range(len(y)) if trained.classifier.predict_proba(x[i:i + 1]).max() > 0.99]
    first, second = sure[0], next(i for i in sure if y[i] != y[sure[0]])
    glyph = lambda i: np.kron(x[i].reshape(8, 8) / 16 * 255, np.ones((6, 6))).astype(np.uint8)
    region = np.zeros((60, 140), np.uint8)
    region[6:54, 10:58], region[6:54, 80:128] = glyph(first), glyph(second)
    reading = read_digits(region)
    assert reading is not None and reading.digits == f"{y[first]}{y[second]}"


def test_the_digit_reader_is_an_ocr_engine():
    """The digit reader plugs into the OCR stage's seam: an image in, lines of boxed words out."""
    from luutru.catalog.digits import DigitReader
    from luutru.ocr.engines import OcrEngine
    x, y = held_back_samples(seed=3, copies=0)
    trained = model()
    sure = next(i for i in range(len(y)) if trained.classifier.predict_proba(x[i:i + 1]).max() > 0.99)
    page = np.full((80, 120), 255, np.uint8)       # dark ink on light paper, as a cleaned page
    page[16:64, 40:88] = 255 - np.kron(x[sure].reshape(8, 8) / 16 * 255, np.ones((6, 6))).astype(np.uint8)
    engine: OcrEngine = DigitReader()
    lines = engine.read(page, 300, psm=7).lines
    assert [[w.text for w in line.words] for line in lines] == [[str(y[sure])]]
    word = lines[0].words[0]
    assert 40 <= word.bbox[0] < word.bbox[2] <= 88 and 16 <= word.bbox[1] < word.bbox[3] <= 64
    assert 50 < word.conf <= 100                  # the engines' scale, not 0..1
    assert engine.read(np.full((80, 120), 255, np.uint8), 300, psm=7).lines == []
