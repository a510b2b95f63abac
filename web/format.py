"""How the reading room writes values for a Vietnamese reader (one place, so every page agrees)."""

from __future__ import annotations


def vn_date(iso: str | None) -> str:
    """``2019-05-10`` → ``10/5/2019``, as Vietnamese documents write dates; ``2019-05`` →
    ``5/2019``; a bare year or anything else is kept as it is."""
    if not iso:
        return ""
    parts = str(iso).split("-")
    if len(parts) == 3 and all(p.isdigit() for p in parts):
        return f"{int(parts[2])}/{int(parts[1])}/{parts[0]}"
    if len(parts) == 2 and all(p.isdigit() for p in parts):
        return f"{int(parts[1])}/{parts[0]}"
    return str(iso)
