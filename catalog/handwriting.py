"""Digits written by hand into a printed form's blanks (``Số:  660 /TB-UBND``, ``ngày 24 tháng``).

A registry fills in the number and day by pen after signing, and Tesseract, trained on print,
reads handwriting badly yet sometimes with confidence ("31" as "24"). Handwritten digits stand
taller than the printed ones beside them (a pen's loops against the type's cap height), so a
digit word much taller than the printed digits or capitals of its own line is taken as written
in by hand: its value goes to review whatever Tesseract's confidence.
"""

from __future__ import annotations

import re

import cv2
import numpy as np

from luutru.catalog.digits import DigitReading, glyphs, read_digits
from luutru.catalog.pagelines import Line, PageLines, Word
from luutru.textnorm import fold

# Measured on real e-signed scans (150–300 dpi): handwritten digit words stand 1.2–1.9 times the
# printed year's or symbol's height; printed digits 0.8–1.05 times, up to 1.18 on a blurred
# synthetic scan (a speck joined to a digit): 1.2 keeps those out.
DAY_RATIO = 1.2
NUMBER_RATIO = 1.2
# Printed widths of "ngày" and "tháng" in the date line, in heights of its year (real scans:
# 2.6–2.75 and 3.0–3.2): where OCR glued them to the pen's strokes, the blank starts/ends there.
NGAY_WIDTH = 2.75
THANG_WIDTH = 3.2


def _height(word: Word) -> int:
    return word.box[3] - word.box[1]


def _tallest(words: list[Word]) -> int:
    return max((_height(w) for w in words), default=0)


def handwritten_day(line: Line, month: bool = False) -> bool:
    """The day or month (``month``: the month alone, the words after ``tháng``) of a date line
    is taller than its printed year: written in by hand."""
    if line.box is None or not line.words:
        return False
    years = [w for w in line.words if re.fullmatch(r"\W*(19|20)\d\d\W*", w.text)]
    if not years:
        return False
    year = years[-1]
    before = line.words[:line.words.index(year)]
    if month:
        months = [i for i, w in enumerate(before) if "thang" in fold(w.text).lower()]
        before = before[months[0] + 1:] if months else before
    digits = [w for w in before if re.search(r"\d", w.text)]
    return _tallest(digits) > DAY_RATIO * _height(year)


def handwritten_number(line: Line, digits: str) -> bool:
    """The number's digits stand apart from the printed symbol (``/TB-UBND``) and taller."""
    if line.box is None or not line.words:
        return False
    symbol = [w for w in line.words if re.search(r"[-/][A-ZĐ]{2,}", w.text)]
    own = [w for w in line.words if digits in w.text and w not in symbol]
    if not symbol or not own:
        return False       # "43-NQ/TU" in one word: typed together with its symbol
    return _tallest(own) > NUMBER_RATIO * _height(symbol[0])


def _symbol(line: Line) -> Word | None:
    return next((w for w in line.words if re.search(r"[-/][A-ZĐ]{2,}", w.text)), None)


def number_blank(line: Line) -> tuple[int, int, int, int] | None:
    """Where the pen wrote the number: between the printed ``Số:`` and the symbol (``/TB-UBND``),
    a little above and below the line (a pen's digits stand taller than the type)."""
    symbol = _symbol(line)
    if symbol is None or line.box is None:
        return None
    cap = symbol.box[3] - symbol.box[1]
    first = line.words[0]
    if first is not symbol and not re.search(r"\d", first.text):
        start = first.box[2]                          # "Số:" read as its own word
    else:
        start = first.box[0] + int(1.55 * cap)        # "Số:660" read as one: skip the print
    if symbol.box[0] - start < cap // 2:
        return None
    return start, max(0, line.box[1] - cap // 2), symbol.box[0], line.box[3] + cap // 3


def read_pen_number(page: PageLines, line: Line) -> DigitReading | None:
    """The number written into the blank of ``line`` on the page's cleaned image, read by the
    digit recogniser; None without an image, a blank or digits standing taller than the print."""
    box = number_blank(line)
    if box is None:
        return None
    return _read_blank(page, box, NUMBER_RATIO * _height(_symbol(line)))


def day_blank(line: Line) -> tuple[int, int, int, int] | None:
    """Where the pen wrote the day: between the printed ``ngày`` and ``tháng`` (either may be
    read glued to the pen's strokes: their printed width is then taken from the year's height)."""
    if line.box is None or not line.words:
        return None
    years = [w for w in line.words if re.fullmatch(r"\W*(19|20)\d\d\W*", w.text)]
    day_word = next((w for w in line.words if fold(w.text).lower().startswith("ngay")), None)
    month_word = next((w for w in line.words if "thang" in fold(w.text).lower()), None)
    if not years or day_word is None or month_word is None:
        return None
    size = _height(years[-1])
    alone = fold(day_word.text).lower().rstrip(",") in ("ngay", "ngay:")
    start = day_word.box[2] if alone else day_word.box[0] + int(NGAY_WIDTH * size)
    glued = fold(month_word.text).lower() != "thang"
    end = month_word.box[2] - int(THANG_WIDTH * size) if glued else month_word.box[0]
    if end - start < size // 2:
        return None
    return start, max(0, line.box[1] - size // 2), end, line.box[3] + size // 3


def read_pen_day(page: PageLines, line: Line) -> DigitReading | None:
    """The day written into the date line's blank, read by the digit recogniser; None without an
    image, a blank, or digits standing taller than the printed year."""
    box = day_blank(line)
    if box is None:
        return None
    years = [w for w in line.words if re.fullmatch(r"\W*(19|20)\d\d\W*", w.text)]
    return _read_blank(page, box, DAY_RATIO * _height(years[-1]))


def _read_blank(page: PageLines, box: tuple[int, int, int, int], taller_than: float
                ) -> DigitReading | None:
    if page.image is None:
        return None
    grey = cv2.imread(str(page.image), cv2.IMREAD_GRAYSCALE)
    if grey is None:
        return None
    x0, y0, x1, y1 = box
    ink = ((grey[y0:y1, x0:x1] < 128) * 255).astype(np.uint8)
    if not ink.any() or max((g.shape[0] for g in glyphs(ink)), default=0) <= taller_than:
        return None                                   # printed digits: Tesseract's business
    return read_digits(ink)
