"""The archivists' review loop: items out to a spreadsheet, corrections back in as archivist values.

Export writes one row per item (those needing review, or all) with the editable fields and a
``needs_review`` column. On import, a cell that differs from the record becomes an archivist value;
a flagged field whose name the archivist removed from ``needs_review`` is confirmed as it stands.
Every value is validated (number, date, marks) and a bad cell is reported with its line number;
the rest of the file is applied. Archivist values survive every later ``luutru catalog`` run.
"""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

from luutru.archive import Archive, atomic_write_text
from luutru.catalog.build import link_citations
from luutru.catalog.export import LIST_SEPARATOR, items_xlsx
from luutru.catalog.model import (ARCHIVIST, DO_KHAN_VALUES, DO_MAT_VALUES, ITEM_FIELD_NAMES,
                                  LIST_FIELDS, FieldValue, item_dict)
from luutru.catalog.patterns import canonical_so_ky_hieu, parse_date
from luutru.catalog.record import read_catalog, write_fonds
from luutru.catalog.sheets import read_sheet
from luutru.textnorm import nfc

EDITABLE = tuple(name for name in ITEM_FIELD_NAMES if name != "ngon_ngu")
REVIEW_COLUMNS = ("id", "source", "first_page", "last_page", "needs_review") + EDITABLE


@dataclass
class ReviewReport:
    rows: int = 0
    items_changed: int = 0
    values_set: int = 0
    confirmed: int = 0
    errors: list[str] = field(default_factory=list)

    def to_json(self) -> dict[str, Any]:
        return dict(self.__dict__)


# --- export ---------------------------------------------------------------------------------------

def review_rows(archive: Archive, everything: bool = False) -> list[dict[str, Any]]:
    rows = []
    for fonds in read_catalog(archive):
        for record in fonds.files:
            for item in record.items:
                if everything or item.needs_review:
                    rows.append(item_dict(item, record.value("muc_do_tiep_can")))
    return rows


def _cell(value: Any) -> str:
    if isinstance(value, list):
        return LIST_SEPARATOR.join(str(v) for v in value)
    return "" if value is None else str(value)


def export_review(archive: Archive, path: Path, everything: bool = False) -> int:
    """Write the review sheet (CSV or XLSX by ``path``'s suffix); returns the number of rows."""
    rows = review_rows(archive, everything)
    if path.suffix.lower() == ".xlsx":
        items_xlsx(rows, path, REVIEW_COLUMNS)
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
    text = nfc((text or "").strip())
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
    if name == "do_khan" and text not in DO_KHAN_VALUES:
        raise ValueError(f"{text!r} is not one of {', '.join(DO_KHAN_VALUES)} (or empty)")
    return text


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


def _apply_row(item, row: dict[str, str], line: int, report: ReviewReport) -> bool:
    changed = False
    still_flagged = set(_split(row.get("needs_review", "").replace(",", ";")))
    for name in EDITABLE:
        if name not in row:
            continue
        try:
            value = parse_value(name, row[name] or "")
        except ValueError as exc:
            report.errors.append(f"line {line}, {name}: {exc}")
            continue
        current = item.fields.get(name)
        if value != _as_read(name, current):
            item.fields[name] = FieldValue(value, ARCHIVIST, None, current.pages if current else [])
            report.values_set += 1
            changed = True
        elif current is not None and current.review and name not in still_flagged \
                and "needs_review" in row:
            item.fields[name] = FieldValue(current.value, ARCHIVIST, None, current.pages)
            report.confirmed += 1
            changed = True
    return changed


def import_review(archive: Archive, path: Path) -> ReviewReport:
    """Apply a corrected review sheet to the catalogue (see the module docstring)."""
    report = ReviewReport()
    catalog = list(read_catalog(archive))
    items = {i.id: (f, i) for f in catalog for r in f.files for i in r.items}
    touched = set()
    for line, row in read_sheet(path):
        report.rows += 1
        item_id = (row.get("id") or "").strip()
        if item_id not in items:
            report.errors.append(f"line {line}: no item with id {item_id!r} in the catalogue")
            continue
        fonds, item = items[item_id]
        if _apply_row(item, row, line, report):
            report.items_changed += 1
            touched.add(fonds.code)
    if touched:
        link_citations([i for _, i in items.values()])
    for fonds in catalog:
        if touched:
            write_fonds(archive, fonds)
    return report
