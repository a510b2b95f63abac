"""Which catalogued items a volume holds: the spec's selection resolved against the record.

The selection is the union of a search query, whole fonds, whole hồ sơ and named items. What the
builder may not see, what falls outside the period and what the spec names but the catalogue does
not hold is left out and counted by reason: an editor must be able to tell why a document they
expected is missing, never find it silently gone.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from luutru.archive import Archive
from luutru.catalog import iter_files, iter_fonds, iter_items
from luutru.access import item_level
from luutru.index.backend import only_tiers
from luutru.index.query import EVERY_WORD
from luutru.index import search
from luutru.volume.spec import VolumeSpec

SEARCH_PAGE = 1000   # the most the search API returns per call

# Why something the selection named is not in the volume (English keys, Vietnamese for people).
CLASSIFIED = "classified"
OUTSIDE_PERIOD = "outside_period"
UNDATED = "undated"
NOT_FOUND = "not_found"
NOT_AN_ITEM = "not_an_item"
REASONS = {
    CLASSIFIED: "cần quyền tiếp cận cao hơn (tài liệu mật hoặc hồ sơ hạn chế)",
    OUTSIDE_PERIOD: "ngày ban hành ngoài khoảng thời gian của tập",
    UNDATED: "chưa rõ ngày ban hành, không xét được khoảng thời gian",
    NOT_FOUND: "không có trong mục lục",
    NOT_AN_ITEM: "trang tìm thấy chưa thuộc văn bản nào trong mục lục",
}


@dataclass
class Selection:
    """The items of the volume in order, the fonds they come from, and what was left out and why.

    ``left_out`` maps a reason to the ids or codes concerned; classified items are only counted
    there (``classified_count``) so the report itself never lists what the builder may not see.
    """

    items: list[dict[str, Any]]
    fonds: dict[str, dict[str, Any]]
    files: dict[str, dict[str, Any]] = field(default_factory=dict)   # "PHONG/HS" → hồ sơ
    left_out: dict[str, list[str]] = field(default_factory=dict)
    classified_count: int = 0
    query_hits: int | None = None      # items the query found (None: no query)

    def left_out_counts(self) -> dict[str, int]:
        counts = {reason: len(ids) for reason, ids in self.left_out.items() if ids}
        if self.classified_count:
            counts[CLASSIFIED] = self.classified_count
        return counts


def _query_item_ids(archive: Archive, query: str, clearance: int) -> tuple[list[str], list[str]]:
    """Item ids the query finds (all result pages), and the ids of hits that are lone pages."""
    items: list[str] = []
    pages: list[str] = []
    page = 1
    while True:
        with only_tiers(EVERY_WORD):  # a volume takes what the query says: no forgiving tier
            result = search(archive, query, clearance=clearance, limit=SEARCH_PAGE, page=page)
        for hit in result.hits:
            (items if hit.get("item") else pages).append(hit.get("item") or hit["id"])
        if len(result.hits) < SEARCH_PAGE or page * SEARCH_PAGE >= result.total:
            return items, pages
        page += 1


def _wanted(spec: VolumeSpec, catalogue: dict[str, dict[str, Any]], query_ids: Iterable[str]
            ) -> tuple[dict[str, dict[str, Any]], list[str]]:
    """The union of everything the spec selects, and the codes it names that the catalogue lacks."""
    chosen: dict[str, dict[str, Any]] = {}
    missing: list[str] = []
    fonds, files = set(spec.fonds), set(spec.files)
    for item in catalogue.values():
        if item["fonds_code"] in fonds or f"{item['fonds_code']}/{item['file_code']}" in files:
            chosen[item["id"]] = item
    known_fonds = {i["fonds_code"] for i in catalogue.values()}
    known_files = {f"{i['fonds_code']}/{i['file_code']}" for i in catalogue.values()}
    missing += [code for code in spec.fonds if code not in known_fonds]
    missing += [code for code in spec.files if code not in known_files]
    for item_id in list(spec.items) + list(query_ids):
        if item_id in catalogue:
            chosen[item_id] = catalogue[item_id]
        elif item_id not in missing:
            missing.append(item_id)
    return chosen, missing


def _date_bounds(value: str | None) -> tuple[dt.date, dt.date] | None:
    """First and last day an ISO date (or ``YYYY-MM`` / ``YYYY``) may stand for; None if unknown."""
    match = re.fullmatch(r"(\d{4})(?:-(\d{2})(?:-(\d{2}))?)?", (value or "").strip())
    if not match:
        return None
    year, month, day = (int(g) if g else None for g in match.groups())
    try:
        if day:
            return dt.date(year, month, day), dt.date(year, month, day)
        if month:
            following = dt.date(year + month // 12, month % 12 + 1, 1)
            return dt.date(year, month, 1), following - dt.timedelta(days=1)
        return dt.date(year, 1, 1), dt.date(year, 12, 31)
    except ValueError:
        return None


def estimated_date(item: dict[str, Any], file: dict[str, Any] | None) -> tuple[dt.date, dt.date] | None:
    """The days the item may date from: its own date, else its hồ sơ's span (an undated document
    lies within the dates of the file that holds it); None if neither is known."""
    bounds = _date_bounds(item.get("ngay_ban_hanh"))
    if bounds is not None or not file:
        return bounds
    first = _date_bounds(file.get("thoi_gian_bat_dau"))
    last = _date_bounds(file.get("thoi_gian_ket_thuc")) or first
    if first is None:
        return last
    return first[0], last[1]


def _file_of(item: dict[str, Any], files: dict[str, dict[str, Any]] | None) -> dict[str, Any] | None:
    if not files:
        return None
    return files.get(f"{item.get('fonds_code')}/{item.get('file_code')}")


def period_reason(item: dict[str, Any], spec: VolumeSpec,
                  files: dict[str, dict[str, Any]] | None = None) -> str | None:
    """Why the item falls outside the spec's period (None if it does not, or there is no period).
    An undated item is judged by its hồ sơ's dates: in when they lie within the period."""
    if spec.period_from is None and spec.period_to is None:
        return None
    bounds = estimated_date(item, _file_of(item, files))
    if bounds is None:
        return UNDATED
    if _date_bounds(item.get("ngay_ban_hanh")) is None:
        inside = ((not spec.period_from or bounds[0] >= spec.period_from)
                  and (not spec.period_to or bounds[1] <= spec.period_to))
        return None if inside else OUTSIDE_PERIOD
    first, last = bounds
    if (spec.period_from and last < spec.period_from) or (spec.period_to and first > spec.period_to):
        return OUTSIDE_PERIOD
    return None


def _number(so_ky_hieu: str | None) -> tuple[int, str]:
    match = re.match(r"\s*(\d+)", so_ky_hieu or "")
    return (int(match.group(1)) if match else 1 << 30, so_ky_hieu or "")


def chronological_key(item: dict[str, Any], files: dict[str, dict[str, Any]] | None = None) -> tuple:
    """Date (an undated document's: its hồ sơ's span, after the dated ones of the same start),
    then the document's number, then its id; documents with no date at all go last."""
    own = _date_bounds(item.get("ngay_ban_hanh"))
    bounds = estimated_date(item, _file_of(item, files))
    return (bounds is None, (bounds or (dt.date.max,))[0], own is None,
            (bounds or (dt.date.max, dt.date.max))[1], _number(item.get("so_ky_hieu")), item["id"])


def select_items(archive: Archive, spec: VolumeSpec, clearance: int = 0) -> Selection:
    """Resolve ``spec``'s selection as a builder with ``clearance`` (0..3) may see it."""
    catalogue = {item["id"]: item for item in iter_items(archive)}
    query_ids, page_hits = _query_item_ids(archive, spec.query, clearance) if spec.query else ([], [])
    chosen, missing = _wanted(spec, catalogue, query_ids)
    selection = Selection(items=[], fonds={f["code"]: f for f in iter_fonds(archive)},
                          files={f"{f['fonds_code']}/{f['code']}": f for f in iter_files(archive)},
                          left_out={NOT_FOUND: missing, NOT_AN_ITEM: page_hits},
                          query_hits=len(query_ids) if spec.query else None)
    for item in chosen.values():
        if item_level(item) > clearance:
            selection.classified_count += 1
            continue
        reason = period_reason(item, spec, selection.files)
        if reason:
            selection.left_out.setdefault(reason, []).append(item["id"])
        else:
            selection.items.append(item)
    if spec.items_order:
        order = {item_id: i for i, item_id in enumerate(spec.items)}
        selection.items.sort(key=lambda item: order.get(item["id"], len(order)))
    else:
        selection.items.sort(key=lambda item: chronological_key(item, selection.files))
    selection.left_out = {reason: ids for reason, ids in selection.left_out.items() if ids}
    return selection
