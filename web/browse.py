"""Browse the catalogue: phông → hồ sơ → văn bản, with counts of what the reader may see.

Everything is listed in catalogue order (phông by code, hồ sơ and văn bản as the catalogue
files them, i.e. by tờ), the order an archivist finds them in the stacks.

Only what the current user may see is listed or counted: an item whose level exceeds the user's
clearance is left out, and so is a hồ sơ (or phông) none of whose items the user may see, title
included; its page answers 404 like any unknown address.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass
from typing import Any

from flask import Blueprint, abort, current_app, render_template

from luutru.access import file_level
from luutru.web.access import can_see, current_user
from luutru.web.reading import catalog
from luutru.web.records import CatalogView, item_level

bp = Blueprint("browse", __name__)
TREE_KEY = "luutru.browse.trees"


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
    items = [i for i in view.items_of_file(record["fonds_code"], record["code"]) if visible(i)]
    if items or (not record["items"] and can_see(file_level(record))):
        return FileEntry(record, items)
    return None


def visible_fonds(view: CatalogView, code: str) -> FondsEntry | None:
    record = view.fonds.get(code)
    if record is None:
        return None
    files = [entry for file_code in record["files"]
             if (entry := visible_file(view, view.files[(code, file_code)])) is not None]
    return FondsEntry(record, files) if files else None


class TreeCache:
    """The visible tree per clearance, for the catalogue view it was built from: on a big
    catalogue a tree is tens of thousands of visibility checks, the same for every user of one
    clearance, and the view is replaced (so the cache dropped) whenever the catalogue changes."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._view: CatalogView | None = None
        self._trees: dict[int, dict[str, FondsEntry]] = {}

    def get(self, view: CatalogView, clearance: int) -> dict[str, FondsEntry]:
        with self._lock:
            if self._view is not view:
                self._view, self._trees = view, {}
            tree = self._trees.get(clearance)
        if tree is None:
            tree = {code: entry for code in view.fonds
                    if (entry := visible_fonds(view, code)) is not None}
            with self._lock:
                if self._view is view:
                    self._trees[clearance] = tree
        return tree


def visible_tree() -> dict[str, FondsEntry]:
    """Phông code → what of it the current user may see (only phông with something visible)."""
    cache = current_app.extensions.setdefault(TREE_KEY, TreeCache())
    user = current_user()
    return cache.get(catalog(), user.clearance if user else -1)


@bp.get("/browse")
def index():
    return render_template("browse.html", tree=list(visible_tree().values()))


@bp.get("/browse/<fonds_code>")
def fonds(fonds_code: str):
    entry = visible_tree().get(fonds_code)
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
