"""The search stage: a full-text index derived from the record, embedded (Tantivy) or Elasticsearch.

Library API: :func:`update_index` (``luutru index``, part of ``luutru run``), :func:`reindex`,
:func:`search`, :func:`open_backend`. Engines (Tantivy, the embedded default; SQLite FTS5, the
fallback; Elasticsearch, to scale out) implement :class:`SearchBackend` and are fed
:class:`ItemDoc`/:class:`PageDoc` turned into :class:`Unit`\\ s.
"""

from luutru.index.backend import SearchBackend, sync
from luutru.index.es import ElasticsearchBackend
from luutru.index.model import (IndexReport, ItemDoc, PageDoc, QueryError, SearchRequest,
                                SearchResult, Unit, UnitPage, build_units, parse_clearance)
from luutru.index.sqlite import SqliteBackend
from luutru.index.tantivy_backend import TantivyBackend
from luutru.index.update import (access_pending, apply_access_changes, item_levels, iter_units, open_backend,
                                 reindex, search, update_index, update_items)

__all__ = ["ElasticsearchBackend", "IndexReport", "ItemDoc", "PageDoc", "QueryError",
           "SearchBackend", "SearchRequest", "SearchResult", "SqliteBackend", "TantivyBackend", "Unit",
           "UnitPage",
           "build_units",
           "access_pending", "apply_access_changes", "item_levels", "iter_units", "open_backend", "parse_clearance", "reindex", "search", "sync",
           "update_index", "update_items"]
