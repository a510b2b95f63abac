"""Who may see what: the clearance levels and the rule that gives each item the level it needs.

One place for the access rules, so the search index, the reading room, the exports and the volumes
decide alike. Levels: 0 none (public), 1 Mật, 2 Tối mật, 3 Tuyệt mật; each clearance includes the
levels below it. Anything unknown or unsure is treated as the strictest level, never as public.

Who decides, strongest first (``schemas/CATALOG.md`` "Access" gives the legal basis):

1. an archivist's decision on the item (its own ``muc_do_tiep_can``, or a độ mật they set);
2. the inventory: the hồ sơ's ``muc_do_tiep_can`` (``Công khai`` opens only the items with no
   mark of their own; ``Hạn chế`` needs clearance);
3. a confident mark reading (``do_mat`` read by the machine, not flagged);
4. an unsure reading (``do_mat`` flagged for review) is the strictest level; an item nobody has
   decided on is closed under the fonds' ``review-first`` policy (the default) and open only
   under ``open-unless-marked`` when it carries no mark.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

# Clearance levels: each includes those below it.
CLEARANCE_NAMES = {"none": 0, "mat": 1, "toi-mat": 2, "tuyet-mat": 3}
DO_MAT_LEVEL = {None: 0, "": 0, "Mật": 1, "Tối mật": 2, "Tuyệt mật": 3}
PUBLIC_ACCESS = "Công khai"
RESTRICTED_ACCESS = "Hạn chế"
# A file with restricted access needs at least the first clearance level.
RESTRICTED_LEVEL = 1
STRICTEST_LEVEL = 3

# Per-fonds access policy (fonds field ``chinh_sach_tiep_can``).
REVIEW_FIRST = "review-first"
OPEN_UNLESS_MARKED = "open-unless-marked"
POLICIES = (REVIEW_FIRST, OPEN_UNLESS_MARKED)
DEFAULT_POLICY = REVIEW_FIRST
# Origins of a decision made by a person (see luutru.catalog.model).
PERSON_ORIGINS = ("inventory", "archivist")


def parse_clearance(value: str | int | None) -> int:
    """``none|mat|toi-mat|tuyet-mat`` (or 0..3) → level number."""
    if value is None:
        return 0
    if isinstance(value, int) and value in CLEARANCE_NAMES.values():
        return value
    key = str(value).strip().lower().replace("_", "-")
    if key not in CLEARANCE_NAMES:
        raise ValueError(f"unknown clearance {value!r}; use one of {', '.join(CLEARANCE_NAMES)}")
    return CLEARANCE_NAMES[key]


def parse_policy(value: str | None) -> str | None:
    """A policy name as typed (any case, ``_`` for ``-``), or None when empty; raises ValueError."""
    key = (value or "").strip().lower().replace("_", "-")
    if not key:
        return None
    if key not in POLICIES:
        raise ValueError(f"access policy {value!r} is neither {' nor '.join(POLICIES)}")
    return key


def _is(value: Any, wanted: str) -> bool:
    return (value or "").strip().lower() == wanted.lower() if isinstance(value, str) else False


def secrecy_level(do_mat: str | None, access: str | None = None) -> int:
    """Clearance needed by a độ mật alone, and at least level 1 if its file is restricted."""
    level = DO_MAT_LEVEL.get((do_mat or "").strip().capitalize() if do_mat else None)
    if level is None:  # an unknown secrecy mark is treated as the strictest, never as public
        level = STRICTEST_LEVEL
    if _is(access, RESTRICTED_ACCESS):
        level = max(level, RESTRICTED_LEVEL)
    return level


def mark_level(item: Mapping[str, Any]) -> int:
    """The level the item's own mark asks for: its độ mật, or the strictest when the reading is
    unsure (a stamp seen but not read, a damaged page record) and no person has decided."""
    if item.get("do_mat_unsure") and item.get("do_mat_origin") not in PERSON_ORIGINS:
        return STRICTEST_LEVEL
    return secrecy_level(item.get("do_mat"))


def is_marked(item: Mapping[str, Any]) -> bool:
    """Does the item carry a mark of its own (read, or seen and unsure)?"""
    return mark_level(item) > 0


def item_level(item: Mapping[str, Any]) -> int:
    """The clearance an item needs, from the item as :func:`luutru.catalog.model.item_dict` gives it.

    A dict without the provenance keys (an older caller) is judged by ``do_mat`` and ``access``
    under the default policy, i.e. closed unless a person opened its hồ sơ."""
    mark = mark_level(item)
    decision = item.get("item_access")
    if _is(decision, PUBLIC_ACCESS):       # 1. the archivist opened the item (even a stamped one)
        return 0
    if _is(decision, RESTRICTED_ACCESS):
        return max(mark, RESTRICTED_LEVEL)
    restricted = RESTRICTED_LEVEL if _is(item.get("access"), RESTRICTED_ACCESS) else 0
    if item.get("do_mat_origin") == "archivist":   # 1. the archivist set the độ mật
        return max(mark, restricted)
    if item.get("access_origin", "inventory") in PERSON_ORIGINS and item.get("access"):
        return max(mark, restricted)       # 2. the inventory (or an archivist) decided the hồ sơ
    if item.get("access_policy") == OPEN_UNLESS_MARKED:
        return max(mark, restricted)       # 3. a confident reading, in a fonds known to be public
    return max(mark, RESTRICTED_LEVEL)     # 4. not yet reviewed: closed to readers without clearance


def opened_despite_mark(item: Mapping[str, Any]) -> bool:
    """An archivist opened an item that carries a mark: allowed, audited, shown with a warning."""
    return item_level(item) < mark_level(item)


def file_level(record: Mapping[str, Any]) -> int:
    """The clearance a hồ sơ's own description needs when it holds no item (an inventory row
    whose scans have not come): open only when a person opened it, or its phông is
    ``open-unless-marked``. A hồ sơ with items is shown when one of them may be seen."""
    if _is(record.get("access"), RESTRICTED_ACCESS):
        return RESTRICTED_LEVEL
    if record.get("access") and record.get("access_origin") in PERSON_ORIGINS:
        return 0
    return 0 if record.get("access_policy") == OPEN_UNLESS_MARKED else RESTRICTED_LEVEL
