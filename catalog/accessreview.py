"""The archivists' access review: which items wait for a decision, the marks read on their pages,
and the decisions (open, restrict) written to the catalogue as archivist values.

An item waits for a decision while the machine alone decides its access: a mark was read (to be
confirmed), a stamp was seen but not read (unsure: closed at the strictest level), or nobody has
opened it yet under the phông's ``review-first`` policy. The evidence is what the mark reader
wrote per page, ``pages/<sha>/<NNNN>/marks.json`` (each candidate: kind, level, text, confidence,
status read|unsure, its crop image beside it).

A decision is the item's own ``muc_do_tiep_can`` (``Công khai`` opens it, ``Hạn chế`` restricts
it), optionally with its độ mật, set as the archivist's: it beats the inventory and the machine
and survives every later ``luutru catalog`` run. Opening an item that carries a mark is allowed
but reported (``opened_marked``) so that the caller warns and audits it.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from luutru.access import (PERSON_ORIGINS, is_marked, item_level, opened_despite_mark,
                           parse_policy)
from luutru.archive import Archive, PageFiles, PageRef
from luutru.catalog.model import (ACCESS_PUBLIC, ACCESS_RESTRICTED, ARCHIVIST, DO_MAT_VALUES,
                                  FieldValue)
from luutru.catalog.record import catalog_lock, read_catalog, write_fonds
from luutru.catalog.review import ReviewReport, _apply_values, _write_changed

MARKS_FILE = PageFiles.MARKS
CROP_NAME = re.compile(r"mark-[0-9]{1,3}\.png")
DECISIONS = {"open": ACCESS_PUBLIC, "close": ACCESS_RESTRICTED}


@dataclass
class MarkCandidate:
    """One mark the reader found on a page: a secrecy or urgency stamp, read or unsure."""

    page_key: str
    n: int                      # 1-based page of the item
    kind: str
    level: str | None
    text: str
    confidence: float | None
    status: str                 # read | unsure
    crop: str | None            # file name beside marks.json (mark-1.png), checked

    def to_json(self) -> dict[str, Any]:
        return dict(self.__dict__)


@dataclass
class QueueEntry:
    item: dict[str, Any]
    level: int
    reason: str                 # unsure | marked | not-reviewed
    marks: list[MarkCandidate] = field(default_factory=list)

    def to_json(self) -> dict[str, Any]:
        return {"id": self.item["id"], "fonds": self.item["fonds_code"],
                "file": self.item["file_code"], "so_ky_hieu": self.item.get("so_ky_hieu"),
                "do_mat": self.item.get("do_mat"), "level": self.level, "reason": self.reason,
                "marks": [m.to_json() for m in self.marks]}


REASON_TEXT = {"unsure": "dấu mật chưa đọc chắc chắn (coi là Tuyệt mật)",
               "marked": "máy đọc được dấu mật, cần xác nhận",
               "not-reviewed": "chưa ai quyết định mức độ tiếp cận (phông review-first)"}


def page_marks(archive: Archive, page_key: str, n: int) -> list[MarkCandidate]:
    """The candidates of one page's ``marks.json``; an unreadable file is one unsure candidate
    (the reader ran and its result is lost: a person must look)."""
    path = archive.page_dir(PageRef.parse(page_key)) / MARKS_FILE
    if not path.exists():
        return []
    try:
        marks = json.loads(path.read_text(encoding="utf-8")).get("marks") or []
    except (OSError, ValueError, AttributeError):
        return [MarkCandidate(page_key, n, "secrecy", None, "", None, "unsure", None)]
    found = []
    for mark in marks:
        if not isinstance(mark, Mapping):
            continue
        crop = mark.get("crop")
        crop = crop if isinstance(crop, str) and CROP_NAME.fullmatch(crop) else None
        confidence = mark.get("confidence")
        found.append(MarkCandidate(
            page_key, n, str(mark.get("kind") or "secrecy"), mark.get("level"),
            str(mark.get("text") or ""),
            float(confidence) if isinstance(confidence, (int, float)) else None,
            "unsure" if mark.get("status") == "unsure" else "read", crop))
    return found


def decided(item: Mapping[str, Any]) -> bool:
    """Has a person decided this item's access (its own decision, its độ mật, or the hồ sơ's
    access for an item with no mark of its own)?"""
    if item.get("item_access") or item.get("do_mat_origin") == "archivist":
        return True
    return bool(item.get("access")) and item.get("access_origin") in PERSON_ORIGINS \
        and not is_marked(item)


def waiting_reason(item: Mapping[str, Any]) -> str | None:
    """Why the item waits for an access decision, or None when it does not."""
    if decided(item):
        return None
    if item.get("do_mat_unsure"):
        return "unsure"
    if is_marked(item):
        return "marked"
    return "not-reviewed" if item_level(item) > 0 else None


def access_queue(archive: Archive, items: Iterable[Mapping[str, Any]]) -> list[QueueEntry]:
    """The items waiting for a decision (catalogue order), each with its pages' mark candidates."""
    queue = []
    for item in items:
        reason = waiting_reason(item)
        if reason is None:
            continue
        marks = [m for n, key in enumerate(item.get("pages") or (), start=1)
                 for m in page_marks(archive, key, n)]
        queue.append(QueueEntry(dict(item), item_level(item), reason, marks))
    return queue


@dataclass
class DecisionReport(ReviewReport):
    items: list[str] = field(default_factory=list)          # the items decided
    opened_marked: list[str] = field(default_factory=list)  # opened although they carry a mark


def decide_access(archive: Archive, item_ids: Iterable[str], decision: str,
                  do_mat: str | None = "") -> DecisionReport:
    """Open (``decision="open"``) or restrict (``"close"``) these items, as the archivist's
    values; ``do_mat`` (one of Mật, Tối mật, Tuyệt mật, or None for "no mark") is set too
    unless it is ``""``. Unknown ids are reported, the others decided; all under the lock."""
    if decision not in DECISIONS:
        raise ValueError(f"decision {decision!r} is neither open nor close")
    if do_mat not in ("", None) and do_mat not in DO_MAT_VALUES:
        raise ValueError(f"{do_mat!r} is not one of {', '.join(DO_MAT_VALUES)}")
    wanted = list(dict.fromkeys(item_ids))
    values: dict[str, Any] = {"muc_do_tiep_can": DECISIONS[decision]}
    if do_mat != "":
        values["do_mat"] = do_mat
    report = DecisionReport()
    with catalog_lock(archive):
        catalog = list(read_catalog(archive))
        items = {i.id: (i, r, f) for f in catalog for r in f.files for i in r.items}
        for item_id in wanted:
            report.rows += 1
            if item_id not in items:
                report.errors.append(f"no item with id {item_id!r} in the catalogue")
                continue
            item, _record, _fonds = items[item_id]
            if _apply_values(item, values, (), report):
                report.items_changed += 1
            report.items.append(item_id)
        if report.items_changed:
            _write_changed(archive, catalog)
    return report


def note_opened_marked(report: DecisionReport, after: Mapping[str, Mapping[str, Any]]) -> None:
    """Fill ``report.opened_marked`` from the items as they read now (``after``: id → item)."""
    report.opened_marked = [i for i in report.items
                            if i in after and opened_despite_mark(after[i])]


def file_item_ids(items: Iterable[Mapping[str, Any]], fonds_code: str, file_code: str) -> list[str]:
    """Every item of one hồ sơ (a decision for the whole hồ sơ at once)."""
    return [i["id"] for i in items
            if i.get("fonds_code") == fonds_code and i.get("file_code") == file_code]


def set_fonds_policy(archive: Archive, fonds_code: str, policy: str) -> str | None:
    """Set a phông's access policy as the archivist's value; returns the policy it had."""
    policy = parse_policy(policy)
    with catalog_lock(archive):
        fonds = next((f for f in read_catalog(archive) if f.code == fonds_code), None)
        if fonds is None:
            raise ValueError(f"no fonds {fonds_code!r} in the catalogue")
        old = fonds.value("chinh_sach_tiep_can")
        fonds.fields["chinh_sach_tiep_can"] = FieldValue(policy, ARCHIVIST)
        write_fonds(archive, fonds)
    return old
