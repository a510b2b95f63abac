"""Spreadsheets archivists exchange with luutru: CSV (UTF-8) or XLSX, first row = column names."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Sequence
from datetime import date
from pathlib import Path
from typing import Any

from luutru.archive import atomic_write_bytes

# A cell starting with one of these is a formula to Excel or LibreOffice (``=HYPERLINK(…)``,
# ``+cmd|…``, ``-2+3``, ``@SUM(…)``): a value read from a scan must never run as one.
FORMULA_STARTS = ("=", "+", "-", "@")
LIST_SEPARATOR = "; "   # a list value (several recipients) in one cell


def _cell(value) -> str:
    if value is None:
        return ""
    if isinstance(value, date):
        return value.isoformat()[:10]
    return str(value)


def read_sheet(path: Path) -> list[tuple[int, dict[str, str]]]:
    """(line number, row) pairs; XLSX through openpyxl (which uses defusedxml when installed)."""
    if path.suffix.lower() in (".xlsx", ".xlsm"):
        from openpyxl import load_workbook
        sheet = load_workbook(path, read_only=True, data_only=True).active
        rows = list(sheet.iter_rows(values_only=True))
        if not rows:
            return []
        header = [str(h or "").strip() for h in rows[0]]
        return [(n, {h: _cell(v) for h, v in zip(header, row)})
                for n, row in enumerate(rows[1:], start=2) if any(v not in (None, "") for v in row)]
    reader = csv.DictReader(io.StringIO(path.read_text(encoding="utf-8-sig")))
    return [(reader.line_num, row) for row in reader]


def flat_cell(value: Any) -> Any:
    """A value as one cell: a list joined by ``LIST_SEPARATOR``, None as ''."""
    if isinstance(value, list):
        return LIST_SEPARATOR.join(str(v) for v in value)
    return "" if value is None else value


def write_items_xlsx(items: Iterable[dict[str, Any]], path: Path, columns: Sequence[str]) -> None:
    """One row per item, ``columns`` its fields (values starting ``= + - @`` stay text)."""
    write_xlsx([list(columns), *([flat_cell(item.get(k)) for k in columns] for item in items)], path)


def write_xlsx(rows: Iterable[Sequence[Any]], path: Path, title: str = "items") -> None:
    """Write ``rows`` (the first one the column names) as an XLSX sheet, atomically, every text
    cell stored as text: a value starting with ``= + - @`` is shown as typed, never evaluated."""
    from openpyxl import Workbook
    book = Workbook()
    sheet = book.active
    sheet.title = title
    for row in rows:
        sheet.append(list(row))
        for cell in sheet[sheet.max_row]:
            if isinstance(cell.value, str):
                cell.data_type = "s"  # openpyxl stores a string starting "=" as a formula
                if cell.value.startswith(FORMULA_STARTS):
                    cell.quotePrefix = True  # and the spreadsheet keeps it text when edited
    out = io.BytesIO()
    book.save(out)
    atomic_write_bytes(path, out.getvalue())
