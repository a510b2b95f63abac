"""``Nơi nhận``: the recipient list at the bottom left of the last page, one dash per line, the
stock recipients (``Lưu VP``) spelled as the registry does."""

from __future__ import annotations

import re

from rapidfuzz import fuzz

from luutru.catalog.fieldtext import LIST_MIN_CONF, Extracted, text_key
from luutru.catalog.pagelines import Line
from luutru.catalog.vocab import STOCK_RECIPIENTS

RECIPIENT = re.compile(r"^[.,'`‘’“”_]{0,2}\s?[-–—•·+¬~]")   # the dash, as OCR reads it
_STOCK_BY_KEY: dict[str, str] = {}


def _stock_recipient(text: str) -> tuple[str, bool] | None:
    """(standard recipient, sure) a line reads as, OCR slips fixed: sure when it is unambiguous,
    a guess for a person to confirm when the line's end is garbled (``đảng ủy trựợ``)."""
    if not _STOCK_BY_KEY:
        _STOCK_BY_KEY.update({text_key(r): r for r in STOCK_RECIPIENTS})
    key = text_key(text)
    if key in _STOCK_BY_KEY:
        return _STOCK_BY_KEY[key], True
    scored = sorted(((fuzz.ratio(key, k), r) for k, r in _STOCK_BY_KEY.items()), reverse=True)
    (best, value), (second, _) = scored[0], scored[1]
    if best >= 92 and best - second >= 4:
        return value, True
    return (value, False) if best >= 85 and best - second >= 6 else None


def _clean_item(text: str) -> str:
    text = re.sub(r"^[.,'`‘’“”_]{0,2}\s?[-–—•·*+¬~]\s*", "", text.strip()).strip(" '\"`‘’“”:;")
    return text.rstrip(",.;:").strip()


def read_recipients(anchor: Line, left: list[Line], page_no: int) -> Extracted | None:
    """The list under ``anchor`` (the ``Nơi nhận:`` line) among the lines ``left`` of the
    signature; None when no line there reads as a recipient."""
    recipients = [ln for ln in left if RECIPIENT.match(ln.text.strip())]
    values, confs, guessed = [], [], False
    for line in recipients:
        value = _clean_item(line.text)
        stock = _stock_recipient(value)
        values.append(stock[0] if stock else value)
        confs.append(1.0 if stock and stock[1] else line.conf)
        guessed = guessed or bool(stock and not stock[1])
    if not recipients:
        return None
    conf = min(confs)
    debris = any(len(re.sub(r"\W", "", v)) < 3 for v in values) or _lines_lost(anchor, recipients, left)
    debris = debris or not text_key(values[-1]).startswith("luu") or guessed   # file copy last
    return Extracted([v for v in values if len(re.sub(r"\W", "", v)) >= 3], conf, [page_no],
                     conf < LIST_MIN_CONF or debris)


def _lines_lost(anchor: Line, recipients: list[Line], left: list[Line]) -> bool:
    """A recipient line the OCR dropped or read without its dash leaves a hole in the list."""
    if anchor.box is None or not recipients or recipients[0].box is None:
        return False
    tops = [anchor.box[1]] + [ln.box[1] for ln in recipients]
    pitches = sorted(b - a for a, b in zip(tops, tops[1:]))
    pitch = pitches[len(pitches) // 2]
    if any(b - a > 1.6 * pitch for a, b in zip(tops, tops[1:])):
        return True
    last = recipients[-1].box[3]
    return any(ln not in recipients and ln.box[1] < last and len(text_key(ln.text)) > 3 for ln in left)
