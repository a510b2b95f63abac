"""The catalogue as the reading room sees it: read once from the XML record, kept in memory,
read again when a catalogue file changes (a ``luutru catalog`` run, a review saved).

Views look items, hồ sơ and phông up here by id instead of parsing XML per request. Visibility is
not decided here: see :mod:`luutru.web.access` and :func:`luutru.access.item_level`.

A catalogue file that is missing or does not validate contributes nothing: its items are unknown,
so their pages are closed (:mod:`luutru.web.files`), never public. When a reload changes an
item's level (a review saved, an inventory imported, ``luutru catalog`` run by another process)
or removes it, the item is remembered as *stale* until the search index has caught up with it
(:mod:`luutru.web.reading` brings it up to date on the next request).
"""

from __future__ import annotations

import logging
import threading
from pathlib import Path
from dataclasses import dataclass, field
from typing import Any

from lxml import etree

from luutru.archive import Archive
from luutru.catalog import (InvalidCatalogError, file_summary, fonds_summary, item_record_dict,
                            read_fonds_file)
from luutru.access import item_level

log = logging.getLogger(__name__)


@dataclass
class CatalogView:
    """Every phông, hồ sơ and văn bản of the catalogue, as the plain dicts the catalogue exports."""

    fonds: dict[str, dict[str, Any]] = field(default_factory=dict)  # code → fonds
    files: dict[tuple[str, str], dict[str, Any]] = field(default_factory=dict)  # (fonds, file) → file
    items: dict[str, dict[str, Any]] = field(default_factory=dict)  # id → item (catalogue order)
    _by_page: dict[str, dict[str, Any]] | None = field(default=None, repr=False)

    def item(self, item_id: str) -> dict[str, Any] | None:
        return self.items.get(item_id)

    def file_of(self, item: dict[str, Any]) -> dict[str, Any] | None:
        return self.files.get((item["fonds_code"], item["file_code"]))

    def items_of_file(self, fonds_code: str, file_code: str) -> list[dict[str, Any]]:
        record = self.files.get((fonds_code, file_code))
        return [self.items[i] for i in record["items"] if i in self.items] if record else []

    def item_of_page(self, page_key: str) -> dict[str, Any] | None:
        """The item that holds the page ``sha256:index`` (built on first use)."""
        if self._by_page is None:
            self._by_page = {key: item for item in self.items.values() for key in item["pages"]}
        return self._by_page.get(page_key)


@dataclass(frozen=True)
class _FondsPart:
    """What one catalogue file (one phông) contributes to the view."""

    stamp: tuple[int, int]
    fonds: dict[str, Any]
    files: dict[tuple[str, str], dict[str, Any]]
    items: dict[str, dict[str, Any]]


def _read_part(path: Path, stamp: tuple[int, int]) -> _FondsPart | None:
    """The fonds file's part, or None (logged) when it cannot be read or does not validate."""
    try:
        fonds = read_fonds_file(path)
    except (OSError, ValueError, InvalidCatalogError, etree.LxmlError) as exc:
        log.warning("catalogue file %s left out (its pages are closed): %s", path.name, exc)
        return None
    files, items = {}, {}
    for record in fonds.files:
        files[(fonds.code, record.code)] = file_summary(fonds, record)
        for item in record.items:
            items[item.id] = item_record_dict(item, record, fonds)
    return _FondsPart(stamp, fonds_summary(fonds), files, items)


def _merge(parts: list[_FondsPart | None]) -> CatalogView:
    view = CatalogView()
    for part in parts:
        if part is None:
            continue
        view.fonds[part.fonds["code"]] = part.fonds
        view.files.update(part.files)
        view.items.update(part.items)
    return view


class CatalogCache:
    """One :class:`CatalogView` per archive, replaced when a catalogue file changes.

    Only the fonds files that changed are parsed again (a review saved touches one), so a large
    catalogue is read in full once, when the server starts.
    """

    def __init__(self, archive: Archive):
        self.archive = archive
        self._lock = threading.Lock()
        self._parts: dict[str, _FondsPart] = {}
        self._stamps: dict[str, tuple[int, int]] | None = None
        self._view = CatalogView()
        self._levels: dict[str, int] | None = None  # item id → level in the current view
        self._stale: set[str] = set()  # items whose index entry may not have caught up

    def _current_stamps(self) -> dict[str, tuple[int, int]]:
        directory = self.archive.catalog_dir
        stamps = {}
        for path in sorted(directory.glob("*.xml")) if directory.is_dir() else []:
            try:
                stat = path.stat()
            except FileNotFoundError:  # replaced between glob and stat: seen next time
                continue
            stamps[path.name] = (stat.st_mtime_ns, stat.st_size)
        return stamps

    def get(self) -> CatalogView:
        stamps = self._current_stamps()
        if stamps != self._stamps:
            with self._lock:
                if stamps != self._stamps:
                    self._reload(stamps)
        return self._view

    def _reload(self, stamps: dict[str, tuple[int, int]]) -> None:
        parts: dict[str, _FondsPart | None] = {}
        for name, stamp in stamps.items():
            old = self._parts.get(name)  # an invalid file (None) is read again, once per change
            parts[name] = old if old is not None and old.stamp == stamp else \
                _read_part(self.archive.catalog_dir / name, stamp)
        self._parts = parts
        self._view = _merge(list(parts.values()))
        self._stamps = stamps
        levels = {item_id: item_level(item) for item_id, item in self._view.items.items()}
        if self._levels is not None:
            self._stale |= {i for i, level in levels.items() if self._levels.get(i) != level}
            self._stale |= set(self._levels) - set(levels)
        self._levels = levels

    def take_stale(self) -> set[str]:
        """Items whose level changed or that left the catalogue since the last call (the caller
        updates the search index, and gives back with :meth:`keep_stale` what it could not)."""
        with self._lock:
            stale, self._stale = self._stale, set()
        return stale

    def has_stale(self) -> bool:
        """Does a change still wait for the search index (its update failed: index busy)?"""
        return bool(self._stale)

    def keep_stale(self, item_ids: set[str]) -> None:
        with self._lock:
            self._stale |= item_ids
