"""Exports of the catalogue: items as JSONL/CSV/XLSX (the field names score_fields.py reads)."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from luutru.catalog.sheets import write_xlsx

SCORED_FIELDS = ("source", "first_page", "last_page", "so_ky_hieu", "loai_van_ban", "ngay_ban_hanh",
                 "co_quan_ban_hanh", "trich_yeu", "nguoi_ky", "chuc_vu_nguoi_ky", "the_thuc_ky",
                 "dia_danh", "do_mat", "do_khan", "noi_nhan", "so_ky_hieu_trich_dan", "fonds_code",
                 "file_code")
EXPORT_FIELDS = ("id",) + SCORED_FIELDS + ("needs_review",)
LIST_SEPARATOR = "; "


def export_row(item: dict[str, Any]) -> dict[str, Any]:
    return {k: item.get(k) for k in EXPORT_FIELDS}


def _flat(value: Any) -> Any:
    if isinstance(value, list):
        return LIST_SEPARATOR.join(str(v) for v in value)
    return "" if value is None else value


def items_jsonl(items: Iterable[dict[str, Any]]) -> str:
    return "".join(json.dumps(export_row(i), ensure_ascii=False) + "\n" for i in items)


def items_csv(items: Iterable[dict[str, Any]]) -> str:
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=EXPORT_FIELDS, lineterminator="\n")
    writer.writeheader()
    for item in items:
        writer.writerow({k: _flat(v) for k, v in export_row(item).items()})
    return out.getvalue()


def items_xlsx(items: Iterable[dict[str, Any]], path: Path, columns=EXPORT_FIELDS) -> None:
    """Values starting with ``= + - @`` stay text (see :func:`luutru.catalog.sheets.write_xlsx`)."""
    write_xlsx([list(columns), *([_flat(item.get(k)) for k in columns] for item in items)], path)
