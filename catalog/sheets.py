"""Spreadsheets archivists exchange with luutru: CSV (UTF-8) or XLSX, first row = column names."""

from __future__ import annotations

import csv
import io
from datetime import date
from pathlib import Path


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
