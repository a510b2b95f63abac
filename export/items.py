"""Exports of the catalogue: items as JSONL/CSV/XLSX (the field names score_fields.py reads).

Every export is made for a clearance: :func:`visible_items` and :func:`page_levels` decide what it
may hold, with the rule of ``luutru.access`` (an item it does not cover is left out of the rows
and of every count).
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from luutru.access import DO_MAT_LEVEL, RESTRICTED_LEVEL, STRICTEST_LEVEL, item_level
from luutru.archive import Archive
from luutru.catalog import flat_cell, iter_items, read_page_marks, write_items_xlsx

SCORED_FIELDS = ("source", "first_page", "last_page", "so_ky_hieu", "loai_van_ban", "ngay_ban_hanh",
                 "co_quan_ban_hanh", "trich_yeu", "nguoi_ky", "chuc_vu_nguoi_ky", "the_thuc_ky",
                 "dia_danh", "do_mat", "do_khan", "noi_nhan", "so_ky_hieu_trich_dan", "fonds_code",
                 "file_code")
EXPORT_FIELDS = ("id",) + SCORED_FIELDS + ("needs_review",)


def visible_items(items: Iterable[dict[str, Any]], clearance: int) -> list[dict[str, Any]]:
    """The items (as :func:`luutru.catalog.model.item_dict` gives them) ``clearance`` covers."""
    return [item for item in items if item_level(item) <= clearance]


def page_levels(archive: Archive) -> dict[str, int]:
    """The clearance each read page needs, by page key: its item's level.

    A page no item claims (not catalogued yet, or its catalogue is missing) needs at least the
    first level, and more if a stamp on it was read (unsure: the strictest).
    """
    levels = {key: item_level(item) for item in iter_items(archive) for key in item["pages"]}
    for ref in archive.iter_page_refs():
        if ref.key not in levels:
            levels[ref.key] = max(RESTRICTED_LEVEL, _stamp_level(archive.page_dir(ref)))
    return levels


def _stamp_level(page_dir: Path) -> int:
    """The level the stamps on an unclaimed page call for (an unsure one: the strictest)."""
    level = 0
    for mark in read_page_marks(page_dir) or []:
        if mark.get("status") != "read":
            level = STRICTEST_LEVEL
        elif mark.get("kind") == "secrecy":
            level = max(level, DO_MAT_LEVEL.get(mark.get("level"), STRICTEST_LEVEL))
    return level


def export_row(item: dict[str, Any]) -> dict[str, Any]:
    return {k: item.get(k) for k in EXPORT_FIELDS}


def items_jsonl(items: Iterable[dict[str, Any]]) -> str:
    return "".join(json.dumps(export_row(i), ensure_ascii=False) + "\n" for i in items)


def items_csv(items: Iterable[dict[str, Any]]) -> str:
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=EXPORT_FIELDS, lineterminator="\n")
    writer.writeheader()
    for item in items:
        writer.writerow({k: flat_cell(v) for k, v in export_row(item).items()})
    return out.getvalue()


def items_xlsx(items: Iterable[dict[str, Any]], path: Path) -> None:
    """Values starting with ``= + - @`` stay text (see :func:`luutru.catalog.sheets.write_xlsx`)."""
    write_items_xlsx(items, path, EXPORT_FIELDS)
