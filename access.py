"""Who may see what: the clearance levels and the rule that gives each item the level it needs.

One place for the access rules, so the search index, the reading room, the exports and the volumes
decide alike. Levels: 0 none (public), 1 Mật, 2 Tối mật, 3 Tuyệt mật; each clearance includes the
levels below it. Anything unknown or unsure is treated as the strictest level, never as public.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

# Clearance levels: each includes those below it.
CLEARANCE_NAMES = {"none": 0, "mat": 1, "toi-mat": 2, "tuyet-mat": 3}
DO_MAT_LEVEL = {None: 0, "": 0, "Mật": 1, "Tối mật": 2, "Tuyệt mật": 3}
RESTRICTED_ACCESS = "Hạn chế"
# A file with restricted access needs at least the first clearance level.
RESTRICTED_LEVEL = 1
STRICTEST_LEVEL = 3


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


def secrecy_level(do_mat: str | None, access: str | None = None) -> int:
    """Clearance needed to see an item: its độ mật, and at least level 1 if its file is restricted."""
    level = DO_MAT_LEVEL.get((do_mat or "").strip().capitalize() if do_mat else None)
    if level is None:  # an unknown secrecy mark is treated as the strictest, never as public
        level = STRICTEST_LEVEL
    if (access or "").strip().lower() == RESTRICTED_ACCESS.lower():
        level = max(level, RESTRICTED_LEVEL)
    return level


def item_level(item: Mapping[str, Any]) -> int:
    """The clearance an item needs, from the item as :func:`luutru.catalog.model.item_dict` gives it."""
    return secrecy_level(item.get("do_mat"), item.get("access"))
