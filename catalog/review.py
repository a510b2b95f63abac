"""The archivists' review loop: items out to a spreadsheet, corrections back in as archivist values.

Export writes one row per item (those needing review, or all) with the editable fields and a
``needs_review`` column. On import, a cell that differs from the record becomes an archivist value;
a flagged field whose name the archivist removed from ``needs_review`` is confirmed as it stands.
Every value is validated (number, date, marks) and a bad cell is reported with its line number;
the rest of the file is applied. Archivist values survive every later ``luutru catalog`` run.

The reading room's review form saves one item through the same parsing and applying code
(:func:`save_item_values`), but all or nothing: a form is one person's one decision. Both take
the catalogue lock, so a sheet import and a form saved at the same moment both land.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Collection, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

from luutru.archive import Archive, atomic_write_text
from luutru.catalog.build import link_citations
from luutru.catalog.model import (ACCESS_VALUES, ARCHIVIST, DO_KHAN_VALUES, DO_MAT_VALUES, ITEM_FIELD_NAMES,
                                  LIST_FIELDS, FieldValue, Fonds, Item, item_record_dict)
from luutru.catalog.patterns import canonical_so_ky_hieu, parse_date
from luutru.catalog.record import catalog_lock, read_catalog, read_fonds_file, write_fonds
from luutru.catalog.sheets import flat_cell, read_sheet, write_items_xlsx
from luutru.textnorm import fold, nfc

EDITABLE = tuple(name for name in ITEM_FIELD_NAMES if name != "ngon_ngu")
REVIEW_COLUMNS = ("id", "source", "first_page", "last_page", "needs_review") + EDITABLE
# The fields that decide who may see an item: every change is audited with old and new value.
ACCESS_FIELDS = ("do_mat", "muc_do_tiep_can")
# The fields citations are linked by: changing one relinks the whole catalogue.
CITATION_FIELDS = ("so_ky_hieu", "so_ky_hieu_trich_dan")


@dataclass
class ReviewReport:
    rows: int = 0
    items_changed: int = 0
    values_set: int = 0
    confirmed: int = 0
    errors: list[str] = field(default_factory=list)
    field_errors: dict[str, str] = field(default_factory=dict)  # field → reason (the web form)
    # Each change of độ mật or of an item's access decision: item id, field, old, new (audited).
    access_changes: list[tuple[str, str, Any, Any]] = field(default_factory=list)

    def to_json(self) -> dict[str, Any]:
        return dict(self.__dict__)


# --- export ---------------------------------------------------------------------------------------

def review_rows(archive: Archive, everything: bool = False) -> list[dict[str, Any]]:
    rows = []
    for fonds in read_catalog(archive):
        for record in fonds.files:
            for item in record.items:
                if everything or item.needs_review:
                    rows.append(item_record_dict(item, record, fonds))
    return rows


def _cell(value: Any) -> str:
    return str(flat_cell(value))


def export_review(archive: Archive, path: Path, everything: bool = False) -> int:
    """Write the review sheet (CSV or XLSX by ``path``'s suffix); returns the number of rows."""
    rows = review_rows(archive, everything)
    if path.suffix.lower() == ".xlsx":
        write_items_xlsx(rows, path, REVIEW_COLUMNS)
    else:
        out = io.StringIO()
        writer = csv.writer(out, lineterminator="\n")
        writer.writerow(REVIEW_COLUMNS)
        for row in rows:
            writer.writerow([_cell(row.get(c)) for c in REVIEW_COLUMNS])
        atomic_write_text(path, out.getvalue())
    return len(rows)


# --- import ---------------------------------------------------------------------------------------

def _split(text: str) -> list[str]:
    return [nfc(p.strip()) for p in re.split(r"[;\n]", text) if p.strip()]


def parse_value(name: str, text: str) -> Any:
    """An archivist's cell as a field value; raises ValueError with a reason a person can act on."""
    # A browser sends a textarea's lines as CRLF, a spreadsheet cell may hold CR: both are line ends.
    text = nfc((text or "").replace("\r\n", "\n").replace("\r", "\n").strip())
    if _CONTROL.search(text):
        raise ValueError("ô có ký tự điều khiển (không in được, không ghi được vào XML); hãy xoá "
                         "ký tự đó")
    if name in LIST_FIELDS:
        values = _split(text)
        if name == "so_ky_hieu_trich_dan":
            return [_number(v) for v in values]
        return values
    if not text:
        return None
    if name == "so_ky_hieu":
        return _number(text)
    if name == "ngay_ban_hanh":
        iso = _iso_date(text)
        if iso is None:
            raise ValueError(f"{text!r} is not a date (YYYY-MM-DD, DD/MM/YYYY or 'ngày … tháng … năm …')")
        return iso
    if name == "do_mat" and text not in DO_MAT_VALUES:
        raise ValueError(f"{text!r} is not one of {', '.join(DO_MAT_VALUES)} (or empty)")
    if name == "muc_do_tiep_can" and text not in ACCESS_VALUES:
        raise ValueError(f"{text!r} is not one of {', '.join(ACCESS_VALUES)} (or empty)")
    if name == "do_khan" and text not in DO_KHAN_VALUES:
        raise ValueError(f"{text!r} is not one of {', '.join(DO_KHAN_VALUES)} (or empty)")
    return text


# Control characters but tab and line feed (a list cell may hold one value per line).
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")


def unknown_columns(columns: Iterable[str | None]) -> list[str]:
    """Why each column of a review sheet that is not one of :data:`REVIEW_COLUMNS` is refused
    (a misspelled ``do mat`` would otherwise be ignored, and the archivist's values lost)."""
    reasons = []
    for column in columns:
        if column in REVIEW_COLUMNS or column is None or not str(column).strip():
            continue
        guess = next((c for c in REVIEW_COLUMNS if fold(c).replace("_", "") ==
                      fold(str(column)).replace("_", "").replace(" ", "").lower()), None)
        hint = f" (có phải {guess!r}?)" if guess else ""
        reasons.append(f"cột {str(column)!r} không phải cột của bảng rà soát{hint}; không nhập "
                       f"gì từ bảng này. Các cột: {', '.join(REVIEW_COLUMNS)}")
    return reasons


def _iso_date(text: str) -> str | None:
    try:
        return date.fromisoformat(text).isoformat()
    except ValueError:
        return parse_date(text)


def _number(text: str) -> str:
    value = canonical_so_ky_hieu(text)
    if value is None or len(value) < len(re.sub(r"\s", "", text)) - 1:
        raise ValueError(f"{text!r} is not a document number like 43-NQ/TW or 07/CT-UBND")
    return value


def _as_read(name: str, current: FieldValue | None) -> Any:
    """The record's value as it would read back from the sheet (so an untouched cell is no change)."""
    try:
        return parse_value(name, _cell(current.value if current else None))
    except ValueError:
        return current.value if current else None


def parse_values(row: Mapping[str, str]) -> tuple[dict[str, Any], dict[str, str]]:
    """The editable fields present in ``row`` as field values, and a reason per field that is not."""
    values: dict[str, Any] = {}
    errors: dict[str, str] = {}
    for name in EDITABLE:
        if name in row:
            try:
                values[name] = parse_value(name, row[name] or "")
            except ValueError as exc:
                errors[name] = str(exc)
    return values, errors


def _apply_values(item: Item, values: dict[str, Any], confirm: Collection[str],
                  report: ReviewReport) -> bool:
    """A value that differs from the record becomes the archivist's; a flagged field in
    ``confirm`` that the archivist left as it stands becomes the archivist's too."""
    changed = False
    for name in EDITABLE:
        current = item.fields.get(name)
        if name in values and values[name] != _as_read(name, current):
            item.fields[name] = FieldValue(values[name], ARCHIVIST, None, current.pages if current else [])
            report.values_set += 1
            changed = True
            if name in ACCESS_FIELDS:
                report.access_changes.append((item.id, name, current.value if current else None,
                                              values[name]))
        elif name in confirm and current is not None and current.review:
            item.fields[name] = FieldValue(current.value, ARCHIVIST, None, current.pages)
            report.confirmed += 1
            changed = True
            if name in ACCESS_FIELDS:  # an unsure reading confirmed: the item's access changes
                report.access_changes.append((item.id, name, f"{current.value or ''} (chưa chắc)",
                                              current.value))
    return changed


def _apply_row(item: Item, row: dict[str, str], line: int, report: ReviewReport) -> bool:
    """A sheet row: bad cells are reported by line and field, the good ones applied."""
    values, errors = parse_values(row)
    report.errors.extend(f"line {line}, {name}: {reason}" for name, reason in errors.items())
    confirm: set[str] = set()
    if "needs_review" in row:
        still_flagged = set(_split(row.get("needs_review", "").replace(",", ";")))
        confirm = {name for name in EDITABLE
                   if name in row and name not in still_flagged and name not in errors}
    return _apply_values(item, values, confirm, report)


def _write_changed(archive: Archive, catalog: list[Fonds]) -> None:
    """Citations are relinked across the whole catalogue (a new number may link items in another
    fonds); only the fonds whose XML changed are rewritten."""
    link_citations([i for f in catalog for r in f.files for i in r.items])
    for fonds in catalog:
        write_fonds(archive, fonds)


def import_review(archive: Archive, path: Path) -> ReviewReport:
    """Apply a corrected review sheet to the catalogue (see the module docstring)."""
    report = ReviewReport()
    rows = read_sheet(path)
    report.errors = unknown_columns(rows[0][1] if rows else ())
    if report.errors:
        return report
    with catalog_lock(archive):
        catalog = list(read_catalog(archive))
        items = {i.id: i for f in catalog for r in f.files for i in r.items}
        for line, row in rows:
            report.rows += 1
            item_id = (row.get("id") or "").strip()
            if item_id not in items:
                report.errors.append(f"line {line}: no item with id {item_id!r} in the catalogue")
                continue
            if _apply_row(items[item_id], row, line, report):
                report.items_changed += 1
        if report.items_changed:
            _write_changed(archive, catalog)
    return report


def save_item_values(archive: Archive, item_id: str, values: Mapping[str, str],
                     confirmed: Iterable[str] = ()) -> ReviewReport:
    """Save one item's form (the web review page): all or nothing. If any value is invalid, or a
    name is not an editable field, nothing is written and ``report.field_errors`` says why, per
    field. ``confirmed`` names flagged fields the archivist checked as they stand. Only the
    item's fonds is read and rewritten, unless a number it is cited by or cites changed."""
    report = ReviewReport(rows=1)
    parsed, errors = parse_values(values)
    confirm = set(confirmed)
    for name in (set(values) | confirm) - set(EDITABLE):
        errors[name] = f"{name!r} is not an editable field"
    if errors:
        report.field_errors = errors
        report.errors = [f"{name}: {reason}" for name, reason in errors.items()]
        return report
    with catalog_lock(archive):
        fonds = _fonds_holding(archive, item_id)
        item = next((i for r in fonds.files for i in r.items if i.id == item_id), None) if fonds else None
        if item is None:
            report.errors.append(f"no item with id {item_id!r} in the catalogue")
            return report
        numbers = [item.value(name) for name in CITATION_FIELDS]
        if _apply_values(item, parsed, confirm, report):
            report.items_changed = 1
            if numbers != [item.value(name) for name in CITATION_FIELDS]:
                _write_changed(archive, [fonds if f.code == fonds.code else f
                                         for f in read_catalog(archive)])
            else:
                write_fonds(archive, fonds)
    return report


def _fonds_holding(archive: Archive, item_id: str) -> Fonds | None:
    """The fonds whose XML holds the item, parsing only that one file (a big catalogue is
    several seconds to parse whole; finding the id in the bytes is not)."""
    needle = f'id="{item_id}"'.encode()
    for path in archive.fonds_paths():
        if needle in path.read_bytes():
            return read_fonds_file(path)
    return None
