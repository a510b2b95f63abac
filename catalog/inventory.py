"""The archivist's inventory (mục lục hồ sơ): CSV or XLSX, one row per hồ sơ.

Columns as the corpus' ``inventory.csv``: ``fonds_code, fonds_name, file_code, file_title,
start_date, end_date, pages, shelf, retention``, and optionally ``access`` (mức độ tiếp cận of the
hồ sơ: ``Công khai`` or ``Hạn chế``; the archivist's decision beats the machine's conservative
rule, but ``Công khai`` never opens an item with a secrecy mark of its own) and ``access_policy``
(the phông's policy: ``review-first``, the default, or ``open-unless-marked``; see
``schemas/CATALOG.md``) and ``muc_luc`` (the number of the mục lục hồ sơ that lists the hồ sơ,
e.g. ``1``: hồ sơ numbers are unique within one; a citation quotes it). A bad row is reported with its line number and skipped; the other rows are used.
"""

from __future__ import annotations

import csv
import io
import re
from glob import escape as glob_escape
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from luutru.access import parse_policy
from luutru.archive import Archive, atomic_write_text
from luutru.catalog.model import ACCESS_PUBLIC, ACCESS_RESTRICTED
from luutru.catalog.sheets import read_sheet
from luutru.textnorm import fold, nfc

COLUMNS = ("fonds_code", "fonds_name", "file_code", "file_title", "start_date", "end_date",
           "pages", "shelf", "retention", "access", "access_policy", "muc_luc")
REQUIRED = ("fonds_code", "file_code")
_CODE = re.compile(r"^[^\s/\\]+$")
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")


@dataclass
class InventoryRow:
    line: int
    fonds_code: str
    fonds_name: str | None
    file_code: str
    file_title: str | None
    start_date: str | None
    end_date: str | None
    pages: int | None
    shelf: str | None
    retention: str | None
    access: str | None = None
    access_policy: str | None = None
    muc_luc: str | None = None


@dataclass
class RowError:
    source: str
    line: int
    message: str

    def __str__(self) -> str:
        return f"{self.source}, line {self.line}: {self.message}"


def _date(value: str, column: str) -> str | None:
    if not value:
        return None
    try:
        return date.fromisoformat(value).isoformat()
    except ValueError:
        raise ValueError(f"{column} {value!r} is not an ISO date (YYYY-MM-DD)") from None


_ACCESS = {fold(v).lower(): v for v in (ACCESS_PUBLIC, ACCESS_RESTRICTED)}


def _access(value: str) -> str | None:
    if not value:
        return None
    if fold(value).lower() not in _ACCESS:
        raise ValueError(f"access {value!r} is neither {ACCESS_PUBLIC!r} nor {ACCESS_RESTRICTED!r}")
    return _ACCESS[fold(value).lower()]


def _row(line: int, raw: dict[str, str]) -> InventoryRow:
    clean = {k.strip(): nfc((v or "").strip()) for k, v in raw.items() if k}
    for column, value in clean.items():
        if _CONTROL.search(value):
            raise ValueError(f"{column}: ô có ký tự điều khiển (không in được, không ghi được vào XML)")
    for column in REQUIRED:
        if not clean.get(column):
            raise ValueError(f"{column} is empty")
        if not _CODE.match(clean[column]):
            raise ValueError(f"{column} {clean[column]!r} contains spaces or slashes")
    start, end = _date(clean.get("start_date", ""), "start_date"), _date(clean.get("end_date", ""), "end_date")
    if start and end and start > end:
        raise ValueError(f"start_date {start} is after end_date {end}")
    pages = clean.get("pages") or None
    if pages is not None:
        if not pages.isdigit():
            raise ValueError(f"pages {pages!r} is not a whole number")
        pages = int(pages)
    return InventoryRow(line, clean["fonds_code"], clean.get("fonds_name") or None, clean["file_code"],
                        clean.get("file_title") or None, start, end, pages,
                        clean.get("shelf") or None, clean.get("retention") or None,
                        _access(clean.get("access", "")), parse_policy(clean.get("access_policy")),
                        clean.get("muc_luc") or None)


def read_inventory(path: Path) -> tuple[list[InventoryRow], list[RowError]]:
    """Good rows and the errors of the bad ones (with line numbers); raises on an unreadable file."""
    raw_rows = read_sheet(path)
    if raw_rows and "file_code" not in raw_rows[0][1]:
        raise ValueError(f"{path.name}: no file_code column (expected {', '.join(COLUMNS)})")
    rows, errors = [], []
    for line, raw in raw_rows:
        try:
            rows.append(_row(line, raw))
        except ValueError as exc:
            errors.append(RowError(path.name, line, str(exc)))
    return rows, errors


def store_inventory(archive: Archive, rows: list[InventoryRow], name: str) -> Path:
    """Keep the good rows in the archive (as CSV) so every later build uses them."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(COLUMNS)
    for r in rows:
        writer.writerow([r.fonds_code, r.fonds_name or "", r.file_code, r.file_title or "",
                         r.start_date or "", r.end_date or "", "" if r.pages is None else r.pages,
                         r.shelf or "", r.retention or "", r.access or "", r.access_policy or "",
                         r.muc_luc or ""])
    path = _unique_path(archive.inventories_dir, Path(name).stem, out.getvalue())
    if not path.exists():
        atomic_write_text(path, out.getvalue())
    return path


def _unique_path(directory: Path, stem: str, text: str) -> Path:
    """Where an imported inventory is kept: ``<stem>.csv``, else ``<stem>~002.csv``… when an
    earlier import by that name is there (never replaced: it is the archivist's input). The same
    rows as the latest import of that name are that file (a re-run adds nothing). Names sort in
    import order, so the later import wins (see :func:`load_inventories`)."""
    first = directory / f"{stem}.csv"
    taken = [first] if first.exists() else []
    taken += sorted(directory.glob(f"{glob_escape(stem)}~[0-9][0-9][0-9].csv"))
    if not taken:
        return first
    if taken[-1].read_text(encoding="utf-8") == text:
        return taken[-1]
    return directory / f"{stem}~{len(taken) + 1:03d}.csv"


def load_inventories(archive: Archive) -> tuple[dict[tuple[str, str], InventoryRow], list[RowError]]:
    """Every stored inventory's rows by (fonds, file); later files win over earlier ones."""
    rows: dict[tuple[str, str], InventoryRow] = {}
    errors: list[RowError] = []
    directory = archive.inventories_dir
    for path in sorted(directory.glob("*.csv")) + sorted(directory.glob("*.xlsx")):
        try:
            good, bad = read_inventory(path)
        except (ValueError, OSError, csv.Error) as exc:
            errors.append(RowError(path.name, 0, str(exc)))
            continue
        errors.extend(bad)
        for row in good:
            rows[(row.fonds_code, row.file_code)] = row
    return rows, errors
