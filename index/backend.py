"""The one interface the CLI (and later the reading room) searches through, and what engines share.

An engine stores *units* (:class:`~luutru.index.model.Unit`) and answers a
:class:`~luutru.index.model.SearchRequest` with clearance enforced inside its own query. The
incremental sync, the hit layout and the snippets are the same for every engine and live here.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any

from luutru.index.model import IndexReport, SearchRequest, SearchResult, Unit, UnitPage
from luutru.index.query import ParsedQuery
from luutru.index.snippets import hit_snippet, page_matches
from luutru.index.suggest import replace_terms

FACETS = ("fonds", "type", "year", "organ")
FACET_SIZE = 20


class SearchBackend(ABC):
    """A search engine holding the derived index of one archive."""

    name = "abstract"

    @abstractmethod
    def fingerprints(self) -> dict[str, str]:
        """uid → fingerprint of every unit indexed, so a sync can skip what did not change."""

    @abstractmethod
    def upsert(self, units: Iterable[Unit]) -> list[dict[str, str]]:
        """Add or replace units; return the ones the engine refused (uid + reason)."""

    @abstractmethod
    def delete(self, uids: Iterable[str]) -> None:
        """Remove units (items deleted from the catalogue, pages now inside an item)."""

    @abstractmethod
    def rebuild(self, units: Iterable[Unit]) -> IndexReport:
        """Build a fresh index from ``units`` and switch to it only when complete."""

    @abstractmethod
    def search(self, request: SearchRequest, suggest: bool = True) -> SearchResult:
        """Answer ``request``; never return, count or suggest what its clearance may not see."""

    def close(self) -> None:
        """Release connections."""

    def __enter__(self) -> "SearchBackend":
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def sync(backend: SearchBackend, units: Iterable[Unit], batch: int = 500) -> IndexReport:
    """Bring ``backend`` in line with ``units`` (the record): add, replace, delete; idempotent."""
    known = backend.fingerprints()
    report = IndexReport()
    seen: set[str] = set()
    pending: list[Unit] = []

    def flush() -> None:
        report.failures.extend(backend.upsert(pending))
        pending.clear()

    for unit in units:
        seen.add(unit.uid)
        report.pages += len(unit.pages)
        old = known.get(unit.uid)
        if old == unit.fingerprint:
            report.unchanged += 1
            continue
        if old is None:
            report.added += 1
        else:
            report.updated += 1
        pending.append(unit)
        if len(pending) >= batch:
            flush()
    flush()
    gone = [uid for uid in known if uid not in seen]
    backend.delete(gone)
    report.deleted = len(gone)
    return report


def confirm_suggestion(backend: SearchBackend, request: SearchRequest,
                       replacements: dict[str, str]) -> str | None:
    """The rewritten query, offered only if it finds something at the caller's clearance."""
    if not replacements:
        return None
    suggested = replace_terms(request.query, replacements)
    check = SearchRequest(suggested, request.clearance, limit=1, facets=False)
    return suggested if backend.search(check, suggest=False).total else None


def unit_display(unit: Unit) -> dict[str, Any]:
    """What a hit shows of its unit (as ``luutru export items`` names the fields)."""
    if unit.item is None:
        page = unit.pages[0]
        return {"id": unit.uid, "item": None, "so_ky_hieu": None, "source": page.source,
                "page": page.page, "first_page": page.page, "last_page": page.page,
                "fonds": unit.fonds, "file": unit.file}
    item = unit.item
    return {"id": item.id, "item": item.id, "so_ky_hieu": item.so_ky_hieu,
            "loai_van_ban": item.loai_van_ban, "ngay_ban_hanh": item.ngay_ban_hanh,
            "co_quan_ban_hanh": item.co_quan_ban_hanh, "trich_yeu": item.trich_yeu,
            "source": item.source, "first_page": item.first_page, "last_page": item.last_page,
            "fonds": unit.fonds, "file": unit.file, "do_mat": item.do_mat,
            "needs_review": item.needs_review}


_PAGE_SNIPPETS: ContextVar[bool] = ContextVar("luutru_page_snippets", default=True)


@contextmanager
def best_snippet_only() -> Iterator[None]:
    """Searches in this block (this thread or task) make only the snippet a results page shows,
    the hit's: its matching pages are listed without a snippet each (the CLI's ``--json`` shows
    them; the reading room does not, and a snippet is a third of a hit's cost)."""
    token = _PAGE_SNIPPETS.set(False)
    try:
        yield
    finally:
        _PAGE_SNIPPETS.reset(token)


def make_hit(display: dict[str, Any], pages: list[UnitPage], parsed: ParsedQuery,
             score: float | None) -> dict[str, Any]:
    """One hit: the unit's fields, its matching pages (with snippets, unless
    :func:`best_snippet_only`) and the best snippet."""
    per_page = _PAGE_SNIPPETS.get()
    matches = page_matches(pages, parsed.positive_terms(), snippets=per_page)
    hit = dict(display)
    keys = ("page", "n", "source", "key", "snippet") if per_page else ("page", "n", "source", "key")
    hit["pages"] = [{k: m[k] for k in keys} for m in matches]
    hit["snippet"] = hit_snippet(pages, matches, display.get("trich_yeu"))
    hit["score"] = round(score, 4) if score is not None else None
    return hit
