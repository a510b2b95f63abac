"""The catalogue as the reading room sees it: read once from the XML record, kept in memory,
read again when a catalogue file changes (a ``luutru catalog`` run, a review saved).

Views look items, hồ sơ and phông up here by id instead of parsing XML per request. Visibility is
not decided here: see :mod:`luutru.web.access`.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass, field
from typing import Any

from luutru.archive import Archive
from luutru.catalog.build import iter_files, iter_fonds, iter_items
from luutru.index.model import secrecy_level


@dataclass
class CatalogView:
    """Every phông, hồ sơ and văn bản of the catalogue, as the plain dicts the catalogue exports."""

    fonds: dict[str, dict[str, Any]] = field(default_factory=dict)  # code → fonds
    files: dict[tuple[str, str], dict[str, Any]] = field(default_factory=dict)  # (fonds, file) → file
    items: dict[str, dict[str, Any]] = field(default_factory=dict)  # id → item (catalogue order)

    def item(self, item_id: str) -> dict[str, Any] | None:
        return self.items.get(item_id)

    def file_of(self, item: dict[str, Any]) -> dict[str, Any] | None:
        return self.files.get((item["fonds_code"], item["file_code"]))

    def items_of_file(self, fonds_code: str, file_code: str) -> list[dict[str, Any]]:
        record = self.files.get((fonds_code, file_code))
        return [self.items[i] for i in record["items"] if i in self.items] if record else []

    def item_of_page(self, page_key: str) -> dict[str, Any] | None:
        """The item that holds the page ``sha256:index`` (built on first use)."""
        if not hasattr(self, "_by_page"):
            self._by_page = {key: item for item in self.items.values() for key in item["pages"]}
        return self._by_page.get(page_key)


def item_level(item: dict[str, Any]) -> int:
    """The clearance an item needs (its độ mật; at least Mật in a restricted hồ sơ)."""
    return secrecy_level(item.get("do_mat"), item.get("access"))


def load_catalog(archive: Archive) -> CatalogView:
    view = CatalogView()
    for fonds in iter_fonds(archive):
        view.fonds[fonds["code"]] = fonds
    for record in iter_files(archive):
        view.files[(record["fonds_code"], record["code"])] = record
    for item in iter_items(archive):
        view.items[item["id"]] = item
    return view


class CatalogCache:
    """One :class:`CatalogView` per archive, replaced when the catalogue files change."""

    def __init__(self, archive: Archive):
        self.archive = archive
        self._lock = threading.Lock()
        self._stamp: tuple | None = None
        self._view = CatalogView()

    def _current_stamp(self) -> tuple:
        directory = self.archive.catalog_dir
        if not directory.is_dir():
            return ()
        return tuple(sorted((p.name, p.stat().st_mtime_ns, p.stat().st_size)
                            for p in directory.glob("*.xml")))

    def get(self) -> CatalogView:
        stamp = self._current_stamp()
        if stamp != self._stamp:
            with self._lock:
                if stamp != self._stamp:
                    self._view = load_catalog(self.archive)
                    self._stamp = stamp
        return self._view
