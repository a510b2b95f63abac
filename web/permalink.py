"""Addresses a researcher can cite: ``/item/<id>`` and ``/item/<id>/page/<n>``, for good.

An item id names the item's first page (``vb-<sha256[:16]>-<page>``, :func:`luutru.catalog.build.
item_id`), so an id retired by re-cataloguing (an archivist moved a document boundary) still
says which page it began on: its address is sent on (301) to the item that holds that page now,
and its page ``n`` to the page that followed it. Nothing needs to be remembered, and it survives
any number of re-cataloguings. An item the user may not see answers 404, moved or not.
"""

from __future__ import annotations

import re
from typing import Any

from flask import Blueprint, abort, redirect, url_for

from luutru.access import item_level
from luutru.web.access import can_see
from luutru.web.reading import catalog
from luutru.web.records import CatalogView

bp = Blueprint("permalink", __name__)

_ITEM_ID = re.compile(r"vb-([0-9a-f]{16})-(\d{4,})")


def holder_of(view: CatalogView, item_id: str, offset: int = 0) -> tuple[dict[str, Any], int] | None:
    """(the item now holding page ``offset`` after the first page of the retired id ``item_id``,
    that page's 1-based number in it), or None."""
    match = _ITEM_ID.fullmatch(item_id)
    if not match:
        return None
    prefix, first = match[1], int(match[2])
    for key, item in _pages_by_prefix(view).get(prefix, {}).items():
        index = key.rsplit(":", 1)[1]
        if int(index) == first + offset:
            return item, item["pages"].index(key) + 1
    return None


def _pages_by_prefix(view: CatalogView) -> dict[str, dict[str, dict[str, Any]]]:
    """{sha256[:16]: {page key: item}}, built once per catalogue view."""
    cached = getattr(view, "_pages_by_prefix", None)
    if cached is None:
        cached = {}
        for item in view.items.values():
            for key in item["pages"]:
                cached.setdefault(key[:16], {})[key] = item
        view._pages_by_prefix = cached  # the view is replaced, not changed, when the record is
    return cached


def moved(item_id: str):
    """The redirect for a retired item id, or 404."""
    found = holder_of(catalog(), item_id)
    if found is None or not can_see(item_level(found[0])):
        abort(404)
    return redirect(url_for("reading.item", item_id=found[0]["id"]), code=301)


@bp.get("/item/<item_id>/page/<int:n>")
def page(item_id: str, n: int):
    """Page ``n`` of an item: its place on the item page."""
    view = catalog()
    record = view.item(item_id)
    if record is not None:
        if not can_see(item_level(record)) or not 1 <= n <= len(record["pages"]):
            abort(404)
        return redirect(url_for("reading.item", item_id=item_id, _anchor=f"p{n}"))
    found = holder_of(view, item_id, n - 1) if n >= 1 else None
    if found is None or not can_see(item_level(found[0])):
        abort(404)
    return redirect(url_for("permalink.page", item_id=found[0]["id"], n=found[1]), code=301)
