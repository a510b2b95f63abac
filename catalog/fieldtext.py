"""What the catalogue's field readers share: the value they give, how sure it must be, and how
they compare text (:mod:`luutru.catalog.extract` puts the readers together)."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from rapidfuzz import fuzz

from luutru.catalog.pagelines import Line, PageLines
from luutru.textnorm import fold

# Below these word confidences a value goes to review (digits are unforgiving: 1/7, 0/6, 3/8).
DIGITS_MIN_CONF = 0.80
TEXT_MIN_CONF = 0.60
LIST_MIN_CONF = 0.85     # one misread recipient is a wrong list
PROSE_MIN_CONF = 0.85    # trích yếu and names: one wrong tone mark is a wrong value
# On a poor scan (mean word confidence below this) Tesseract is confidently wrong more often:
# prose values then need near-certain words.
POOR_PAGE_CONF = 0.935
POOR_PAGE_PROSE_CONF = 0.97
POOR_PAGE_DIGITS_CONF = 0.93


def prose_floor(page: PageLines) -> float:
    return POOR_PAGE_PROSE_CONF if page.mean_conf < POOR_PAGE_CONF else PROSE_MIN_CONF


@dataclass
class Extracted:
    value: Any
    confidence: float = 1.0
    pages: list[int] = field(default_factory=list)  # 1-based pages of the item
    review: bool = False


SO_LINE = re.compile(r"^s[o0ô6]\b|^s[o0]\s*\d")


def text_key(text: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"[^a-z0-9/ ]", " ", fold(text))).strip()


def similar(a: str, b: str) -> float:
    return fuzz.ratio(text_key(a), text_key(b)) / 100


def is_upper(text: str) -> bool:
    letters = [c for c in text if c.isalpha()]
    return len(letters) >= 2 and sum(c.isupper() for c in letters) >= 0.8 * len(letters)


def on_left(line: Line, page: PageLines) -> bool:
    return line.box is not None and page.width and (line.box[0] + line.box[2]) / 2 < page.width / 2


def on_right(line: Line, page: PageLines) -> bool:
    return line.box is not None and page.width and (line.box[0] + line.box[2]) / 2 >= page.width / 2


_VIETNAMESE = re.compile(r"^[\sA-Za-z0-9ĐđÀ-ỹ.,;:()/\-–'\"]*$")
_FOREIGN = set("ñÑïÏÿŸçÇşŞœŒæÆøØåÅäÄëËöÖüÜßĩ"[:-1]) - set("Ĩĩ")


def is_vietnamese(text: str) -> bool:
    """Only letters Vietnamese uses (OCR reads ``ñải`` for ``Hải``)."""
    return not any(ch in _FOREIGN for ch in text) and bool(_VIETNAMESE.match(text))
