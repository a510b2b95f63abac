"""The search engines by name: which one an archive uses, how to open it, when to reopen it.

Every caller (the index commands, the reading room, the volumes) opens the index through
:func:`luutru.index.open_backend` (which comes here) and asks the engine itself what it needs to know (:meth:`SearchBackend.
generation`, :attr:`SearchBackend.thread_safe`); none reads an engine's files.

An engine is a :class:`~luutru.index.backend.SearchBackend` with a ``for_archive`` class method,
registered in :data:`BACKENDS` by name. The built-in ones are registered like any other; a
plugin package registers its own through the ``luutru.search_backends`` entry point group
(``name = "package.module:Class"``) and is then chosen with ``LUUTRU_INDEX_ENGINE=name``.
"""

from __future__ import annotations

import importlib.util
import os
from typing import Any

from luutru.archive import Archive
from luutru.index.backend import SearchBackend
from luutru.plugins import Registry

ENGINE_ENV = "LUUTRU_INDEX_ENGINE"
ES_ENV = "LUUTRU_ES_URL"

BACKENDS: Registry[type[SearchBackend]] = Registry("luutru.search_backends", {
    "tantivy": "luutru.index.tantivy_backend:TantivyBackend",
    "sqlite": "luutru.index.sqlite:SqliteBackend",
    "elasticsearch": "luutru.index.es:ElasticsearchBackend",
})


def backend_class(name: str) -> type[SearchBackend]:
    found = BACKENDS.get(name)
    if found is None:
        raise ValueError(f"{ENGINE_ENV}={name!r}: use one of {', '.join(BACKENDS.names())}")
    return found


def embedded_engine() -> str:
    """``$LUUTRU_INDEX_ENGINE`` (tantivy|sqlite|a plugin), else Tantivy when installed, else SQLite
    FTS5."""
    chosen = (os.environ.get(ENGINE_ENV) or "").strip().lower()
    if chosen:
        if not backend_class(chosen).in_archive:
            raise ValueError(f"{ENGINE_ENV}={chosen!r}: its index is not in the archive; "
                             f"give its address ({ES_ENV} or --es)")
        return chosen
    return "tantivy" if importlib.util.find_spec("tantivy") else "sqlite"


def chosen_engine(es_url: str | None = None) -> str:
    """Elasticsearch when ``es_url`` or ``$LUUTRU_ES_URL`` is given, else the embedded engine."""
    return "elasticsearch" if es_url or os.environ.get(ES_ENV) else embedded_engine()


def open_engine(archive: Archive, es_url: str | None = None) -> SearchBackend:
    """The archive's search index, in the engine :func:`chosen_engine` names."""
    name = chosen_engine(es_url)
    engine: Any = backend_class(name)
    if not engine.in_archive:  # a server: its address
        return engine(es_url or os.environ.get(ES_ENV))
    return engine.for_archive(archive)
