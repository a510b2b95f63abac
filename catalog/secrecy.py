"""An item's độ mật and độ khẩn from the stamps read on all its pages, with its text as second witness.

The stamp reader (:mod:`luutru.ocr.marks`) writes each page's ``marks.json``; here the marks of
every page of an item are combined, the strictest level wins, and the level read from the text
(:mod:`luutru.catalog.extract`) is checked against it:

- a stamp read with confidence gives the value with no review flag;
- an ``unsure`` stamp (a near reading, or a framed/coloured stamp that could not be read) gives
  its best guess — ``Mật`` when it has none — with the review flag: it counts as classified until
  an archivist decides (see ``luutru.access``);
- where the stamps and the text disagree, the stricter value is kept and flagged for review;
- a page read before stamps were looked for (no ``marks.json``) leaves the text's value alone.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

from luutru.archive import PageFiles, read_json
from luutru.catalog.model import DO_KHAN_VALUES, DO_MAT_VALUES, MACHINE, FieldValue

MARKS_FILE = PageFiles.MARKS     # in each page folder, written by the OCR stage

# the field, the stamps' kind, its levels from least to most strict
FIELDS = (("do_mat", "secrecy", DO_MAT_VALUES), ("do_khan", "urgency", DO_KHAN_VALUES))
UNREADABLE_GUESS = "Mật"      # a stamp that could not be read is taken as classified


def read_page_marks(page_dir: Path) -> list[dict[str, Any]] | None:
    """The stamps recorded for a page; None when it was never looked at or the file is unreadable
    (then the text is the only witness, as before stamps were read)."""
    try:
        data = read_json(Path(page_dir) / MARKS_FILE)
    except (OSError, ValueError):
        return None
    if not isinstance(data, dict) or not isinstance(data.get("marks"), list):
        return None
    return [mark for mark in data["marks"] if isinstance(mark, dict)]


def stamp_fields(page_marks: Sequence[list[dict[str, Any]] | None],
                 text_fields: dict[str, FieldValue]) -> dict[str, FieldValue]:
    """``do_mat`` and ``do_khan`` of an item from its pages' marks (in page order; None: never
    looked at) and the values extracted from its text. Fields with no value are left out."""
    out = {}
    for name, kind, levels in FIELDS:
        value = _combine(page_marks, kind, levels, text_fields.get(name))
        if value is not None:
            out[name] = value
    return out


def _stamps_of(page_marks: Sequence[list[dict[str, Any]] | None], kind: str,
               levels: Sequence[str]) -> list[tuple[int, dict[str, Any]]]:
    """(1-based page of the item, mark) for every mark of this kind; an unreadable stamp (no
    kind) counts as a secrecy mark, since a missed secret is the costly mistake."""
    found = []
    for page, marks in enumerate(page_marks, start=1):
        for mark in marks or []:
            mark_kind = mark.get("kind")
            if mark_kind == kind or (mark_kind is None and kind == "secrecy"):
                if mark.get("level") in levels or mark.get("status") == "unsure":
                    found.append((page, mark))
    return found


def _rank(level: str | None, levels: Sequence[str]) -> int:
    return levels.index(level) if level in levels else -1


def _combine(page_marks: Sequence[list[dict[str, Any]] | None], kind: str, levels: Sequence[str],
             text: FieldValue | None) -> FieldValue | None:
    stamps = _stamps_of(page_marks, kind, levels)
    text_level = text.value if text is not None and text.value in levels else None
    if not stamps:
        return text
    text_sure = text_level is not None and not text.review
    guesses = [(mark.get("level") if mark.get("level") in levels else UNREADABLE_GUESS, page, mark)
               for page, mark in stamps]
    level, _, _ = max(guesses, key=lambda g: (_rank(g[0], levels), g[2].get("status") == "read"))
    pages = sorted({page for guess, page, _ in guesses if guess == level})
    confidence = min(float(mark.get("confidence") or 0.0) for guess, _, mark in guesses
                     if guess == level)
    # an unsure stamp stays for a person unless the text read the same mark with confidence;
    # a stamp that could not be read at all always does
    review = any(mark.get("status") != "read" and not (text_sure and mark.get("level") == text_level)
                 for _, _, mark in guesses)
    if text_level and text_level != level:
        review = True                        # two witnesses disagree: a person decides
        if _rank(text_level, levels) > _rank(level, levels):
            level, pages = text_level, list(text.pages)
    return FieldValue(level, MACHINE, round(confidence, 2), pages, review)
