"""Browse the catalogue: phông → hồ sơ → văn bản, with counts of what the reader may see.

Everything is listed in catalogue order (phông by code, hồ sơ and văn bản as the catalogue
files them, i.e. by tờ), the order an archivist finds them in the stacks.

Only what the current user may see is listed or counted: an item whose level exceeds the user's
clearance is left out, and so is a hồ sơ (or phông) none of whose items the user may see, title
included; its page answers 404 like any unknown address.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from flask import Blueprint, abort, render_template

from luutru.index.model import secrecy_level
from luutru.web.access import can_see
from luutru.web.reading import catalog
from luutru.web.records import CatalogView, item_level

bp = Blueprint("browse", __name__)


@dataclass
class FileEntry:
    record: dict[str, Any]
    items: list[dict[str, Any]]   # the visible ones, in catalogue (tờ) order


@dataclass
class FondsEntry:
    record: dict[str, Any]
    files: list[FileEntry]

    @property
    def item_count(self) -> int:
        return sum(len(f.items) for f in self.files)


def visible(item: dict[str, Any]) -> bool:
    return can_see(item_level(item))


def visible_file(view: CatalogView, record: dict[str, Any]) -> FileEntry | None:
    """The hồ sơ with the items the user may see; None when it must not be shown at all."""
    if not can_see(secrecy_level(None, record.get("access"))):
        return None
    items = [i for i in view.items_of_file(record["fonds_code"], record["code"]) if visible(i)]
    if record["items"] and not items:
        return None
    return FileEntry(record, items)


def visible_fonds(view: CatalogView, code: str) -> FondsEntry | None:
    record = view.fonds.get(code)
    if record is None:
        return None
    files = [entry for file_code in record["files"]
             if (entry := visible_file(view, view.files[(code, file_code)])) is not None]
    return FondsEntry(record, files) if files else None


def vn_date(iso: str | None) -> str:
    """``2019-05-10`` as ``10/05/2019`` (a bare year or year-month stays as it is)."""
    if not iso:
        return ""
    parts = str(iso).split("-")
    return "/".join(reversed(parts)) if len(parts) == 3 else str(iso)


@bp.app_template_filter("vn_date")
def _vn_date_filter(iso: str | None) -> str:
    return vn_date(iso)


@bp.get("/browse")
def index():
    view = catalog()
    tree = [entry for code in view.fonds
            if (entry := visible_fonds(view, code)) is not None]
    return render_template("browse.html", tree=tree)


@bp.get("/browse/<fonds_code>")
def fonds(fonds_code: str):
    entry = visible_fonds(catalog(), fonds_code)
    if entry is None:
        abort(404)
    return render_template("browse_fonds.html", fonds=entry)


@bp.get("/browse/<fonds_code>/<file_code>")
def file(fonds_code: str, file_code: str):
    view = catalog()
    record = view.files.get((fonds_code, file_code))
    entry = visible_file(view, record) if record else None
    if entry is None:
        abort(404)
    return render_template("browse_file.html", fonds=view.fonds.get(fonds_code) or {"code": fonds_code},
                           file=entry)
