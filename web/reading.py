"""The search page and the item page; and the two shared lookups every view uses.

:func:`catalog` is the app's catalogue (one :class:`~luutru.web.records.CatalogCache` per app) and
:func:`backend` its search engine (one per app, reopened when ``luutru reindex`` switched the index
under it). Visibility is never decided here: the search backend gets the user's clearance, and
the item page asks :func:`~luutru.web.access.can_see`.
"""

from __future__ import annotations

import os
import threading
from typing import Any

from flask import Blueprint, Flask, current_app

from luutru.archive import Archive
from luutru.index.backend import SearchBackend
from luutru.index.model import SearchRequest, SearchResult
from luutru.index.es import ES_ENV
from luutru.index.update import embedded_engine, open_backend
from luutru.web.records import CatalogCache, CatalogView

bp = Blueprint("reading", __name__)

CATALOG_KEY = "luutru.catalog"
SEARCH_KEY = "luutru.search"
_SETUP_LOCK = threading.Lock()


# --- the app's catalogue and search engine ------------------------------------------------------

def _shared(app: Flask, key: str, make) -> Any:
    """``app.extensions[key]``, made once even when two threads ask at the same time."""
    found = app.extensions.get(key)
    if found is None:
        with _SETUP_LOCK:
            found = app.extensions.get(key)
            if found is None:
                found = app.extensions[key] = make(app.config["ARCHIVE"])
    return found


def catalog() -> CatalogView:
    """The catalogue as it is now on disk (re-read only when a catalogue file changed)."""
    return _shared(current_app, CATALOG_KEY, CatalogCache).get()


class LiveBackend:
    """The app's search engine, shared by waitress's threads and reopened after a rebuild.

    ``luutru index`` adds to the index in place (each Tantivy search reloads its reader, SQLite
    sees committed rows), but ``luutru reindex`` builds a new index and switches to it: the
    Tantivy ``CURRENT`` pointer or the SQLite file is replaced, so the stamp of those files tells
    when to reopen. Tantivy and Elasticsearch backends are safe to share between threads; a SQLite
    connection is not (``check_same_thread``), so SQLite gets one connection per thread.
    """

    def __init__(self, archive: Archive):
        self.archive = archive
        self._lock = threading.Lock()
        self._shared: tuple[tuple, SearchBackend] | None = None
        self._local = threading.local()
        self._per_thread = not os.environ.get(ES_ENV) and embedded_engine() == "sqlite"

    def _stamp(self) -> tuple:
        stamp = []
        for path in (*sorted(self.archive.index_dir.glob("tantivy-*/CURRENT")),
                     self.archive.index_dir / "search.sqlite"):
            try:
                info = os.stat(path)
            except FileNotFoundError:
                continue
            stamp.append((path.name, info.st_ino, info.st_mtime_ns))
        return tuple(stamp)

    def get(self) -> SearchBackend:
        """This thread's backend on the index as it is now."""
        stamp = self._stamp()
        if self._per_thread:
            held = getattr(self._local, "held", None)
            if held is None or held[0] != stamp:
                if held is not None:
                    held[1].close()
                held = self._local.held = (stamp, open_backend(self.archive))
            return held[1]
        held = self._shared
        if held is None or held[0] != stamp:
            with self._lock:
                held = self._shared
                if held is None or held[0] != stamp:
                    held = self._shared = (stamp, open_backend(self.archive))
        return held[1]

    def search(self, request: SearchRequest) -> SearchResult:
        return self.get().search(request)


def backend() -> LiveBackend:
    """The app's search engine (call ``.search(SearchRequest(...))``)."""
    return _shared(current_app, SEARCH_KEY, LiveBackend)


@bp.get("/search")
def search():
    return "search"
