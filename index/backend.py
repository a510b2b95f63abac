"""The one interface the CLI (and later the reading room) searches through, and what engines share.

An engine stores *units* (:class:`~luutru.index.model.Unit`) and answers a
:class:`~luutru.index.model.SearchRequest` with clearance enforced inside its own query. The
incremental sync, the hit layout and the snippets are the same for every engine and live here.
"""

from __future__ import annotations

import os
from abc import ABC, abstractmethod
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from pathlib import Path
from typing import Any

from luutru.index.boilerplate import mark_boilerplate
from luutru.index.model import IndexReport, SearchRequest, SearchResult, Unit, UnitPage
from luutru.index.query import (EXACT, FALLBACK_BELOW, FUZZY, MATCH_KINDS, PARTIAL, PERSON,
                                SCATTERED, SEARCHED, Adjacent,
                                ParsedQuery, Tier,
                                parse_query, plan_tiers)
from luutru.index.organs import unsure_label
from luutru.index.snippets import hit_snippet, page_matches
from luutru.index.suggest import replace_terms

FACETS = ("fonds", "type", "year", "organ", "person", "place")
FACET_SIZE = 20
MATCH_LABELS = {  # what the results page says it is showing
    PERSON: "khớp tên người ký",
    EXACT: "khớp đủ mọi từ",
    SCATTERED: "khớp đủ mọi từ nhưng rải rác, không liền nhau",
    PARTIAL: "khớp phần lớn các từ (thiếu một vài từ, có thể do OCR đọc sai, hoặc các từ không "
             "liền nhau)",
    FUZZY: "khớp gần đúng (có chữ sai một ký tự, như OCR hay đọc nhầm)",
}


def file_stamp(path: Path) -> tuple:
    """A file's identity and age, () when there is none: a replaced file has another."""
    try:
        info = os.stat(path)
    except FileNotFoundError:
        return ()
    return (info.st_ino, info.st_mtime_ns)


class SearchBackend(ABC):
    """A search engine holding the derived index of one archive."""

    name = "abstract"
    fonds_names: dict[str, str] = {}  # fonds code → name (set by open_backend), for the facet
    thread_safe = True  # may one instance serve several threads at once?
    in_archive = True   # is the index kept in the archive (else on a server, given by its URL)?

    @classmethod
    def for_archive(cls, archive: Any) -> "SearchBackend":
        """The engine on the archive's own index (under ``archive.index_dir``)."""
        raise NotImplementedError(f"{cls.name} is not kept in the archive")

    @classmethod
    def generation(cls, archive: Any) -> tuple:
        """What changes when ``luutru reindex`` switches the archive's index under its readers,
        who reopen the engine then; () for an engine whose readers follow by themselves."""
        return ()

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

    def search(self, request: SearchRequest, suggest: bool = True) -> SearchResult:
        """Answer ``request``; never return, count or suggest what its clearance may not see.

        The query's tiers (:func:`~luutru.index.query.plan_tiers`) are searched in turn, each only
        while the stricter ones found fewer than ``FALLBACK_BELOW`` documents; the results list
        them in that order, each hit saying which tier (``match``) it came from."""
        return tiered_search(self, request, suggest)

    @abstractmethod
    def tier_total(self, parsed: ParsedQuery, tier: Tier, request: SearchRequest,
                   facets: bool) -> tuple[int, dict[str, dict[str, int]]]:
        """How many visible units ``tier`` matches (and ``FACETS`` counts over them)."""

    @abstractmethod
    def tier_hits(self, parsed: ParsedQuery, tier: Tier, request: SearchRequest, offset: int,
                  limit: int) -> list[dict[str, Any]]:
        """Hits ``offset``… of ``tier`` in the request's order (made by :func:`make_hit`)."""

    @abstractmethod
    def suggest(self, request: SearchRequest, parsed: ParsedQuery) -> str | None:
        """A query one edit away that finds something at the request's clearance, or None."""

    def close(self) -> None:
        """Release connections."""

    def __enter__(self) -> "SearchBackend":
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def sync(backend: SearchBackend, units: Iterable[Unit], batch: int = 500) -> IndexReport:
    """Bring ``backend`` in line with ``units`` (the record): add, replace, delete; idempotent."""
    units = mark_boilerplate(units)
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


_TIERS: ContextVar[tuple[str, ...]] = ContextVar("luutru_tiers", default=SEARCHED)


@contextmanager
def only_tiers(kinds: tuple[str, ...]) -> Iterator[None]:
    """Searches in this block use only these tiers (bench/search.py measures the exact tier
    alone as the baseline of the forgiving ones)."""
    token = _TIERS.set(kinds)
    try:
        yield
    finally:
        _TIERS.reset(token)


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


# --- tiers, facets and messages (the same for every engine) -----------------------------------

def tiered_search(engine: SearchBackend, request: SearchRequest, suggest: bool = True
                  ) -> SearchResult:
    parsed = parse_query(request.query)
    searched: list[tuple[Tier, int]] = []
    facets: dict[str, dict[str, int]] = {}
    found = 0
    tiers = plan_tiers(parsed, _TIERS.get())
    scattered = any(isinstance(t.node, Adjacent) for t in tiers)  # left to the partial tier
    for tier in tiers:
        if tier.kind == FUZZY and found >= FALLBACK_BELOW or \
                tier.kind == PARTIAL and found >= FALLBACK_BELOW and not scattered:
            break
        total, counts = engine.tier_total(parsed, tier, request, request.facets)
        searched.append((tier, total))
        found += total
        for name, values in counts.items():
            merged = facets.setdefault(name, {})
            for value, count in values.items():
                merged[value] = merged.get(value, 0) + count
    hits: list[dict[str, Any]] = []
    start = 0
    for tier, total in searched:  # the requested window, across the tiers in order
        offset = max(0, request.offset - start)
        want = request.limit - len(hits)
        if want > 0 and total and offset < total:
            for hit in engine.tier_hits(parsed, tier, request, offset, want):
                hit["match"] = tier.kind
                hit["score"] = tier_score(tier.kind, hit["score"])
                hits.append(hit)
        start += total
    shown = tidy_facets(facets) if request.facets else {}
    result = SearchResult(total=found, hits=hits, facets=shown,
                          facet_labels=facet_labels(shown, engine.fonds_names),
                          tiers=[{"kind": t.kind, "total": n, "label": MATCH_LABELS[t.kind]}
                                 for t, n in searched if n or t.kind == EXACT])
    if suggest and found == 0 and parsed.text is not None:
        result.suggestion = engine.suggest(request, parsed)
    result.notices = notices(engine, parsed, request, result)
    return result


def tier_score(kind: str, score: float | None) -> float | None:
    """An engine's score moved into its tier's band, so every tier scores below the one before:
    the fuzzy tier in [0, 1), the partial in [1, 2), the scattered in [2, 3), the exact in
    [3, 4), the person in [4, 5)."""
    if score is None:
        return None
    band = len(MATCH_KINDS) - 1 - MATCH_KINDS.index(kind)
    return round(band + max(score, 0.0) / (1.0 + max(score, 0.0)), 4)


def tidy_facets(facets: dict[str, dict[str, int]]) -> dict[str, dict[str, int]]:
    """The ``FACET_SIZE`` largest values of each facet, most documents first; years by year."""
    tidy = {}
    for name, values in facets.items():
        top = sorted(values.items(), key=lambda kv: (-kv[1], kv[0]))[:FACET_SIZE]
        if name == "year":
            top.sort(key=lambda kv: kv[0])
        tidy[name] = dict(top)
    return tidy


def facet_labels(facets: dict[str, dict[str, int]], fonds_names: dict[str, str]
                 ) -> dict[str, dict[str, str]]:
    """Labels for facet values that need more than the value: a fonds code with its name, an
    organ only close to a known one (flagged for an archivist to correct)."""
    labels = {"fonds": {code: f"{code} — {fonds_names[code]}" for code in facets.get("fonds", {})
                        if fonds_names.get(code)},
              "organ": {value: label for value in facets.get("organ", {})
                        if (label := unsure_label(value))}}
    return {name: values for name, values in labels.items() if values}


def notices(engine: SearchBackend, parsed: ParsedQuery, request: SearchRequest,
            result: SearchResult) -> list[str]:
    """Why a search shows nothing, said in Vietnamese: an empty range, a page past the last,
    filters that leave nothing of what the words found."""
    said = []
    for flt in parsed.filters:
        if flt.field in ("year", "date") and flt.low is not None and flt.high is not None \
                and flt.low > flt.high and not flt.negate:
            said.append(f"Khoảng {flt.field}:{flt.low}..{flt.high} trống: mốc đầu sau mốc cuối "
                        f"(có phải bạn muốn {flt.field}:{flt.high}..{flt.low}?).")
    if result.total and not result.hits:
        last = -(-result.total // request.limit)
        said.append(f"Trang {request.page} không có: {result.total} kết quả chỉ đủ "
                    f"{last} trang ({request.limit} kết quả mỗi trang).")
    if not result.total and parsed.filters and parsed.text is not None and not said:
        unfiltered = ParsedQuery(parsed.text, [], parsed.name)
        exact = plan_tiers(unfiltered, (PERSON, EXACT, SCATTERED))
        found = sum(engine.tier_total(unfiltered, tier, request, False)[0] for tier in exact
                    if tier.kind in (PERSON, EXACT, SCATTERED))
        if found:
            said.append(f"Các bộ lọc đã loại hết kết quả: bỏ bộ lọc thì có {found} văn bản "
                        "khớp các từ đã tìm.")
    elif not result.total and parsed.filters and parsed.text is None and not said:
        said.append("Không có văn bản nào (mà bạn được xem) khớp các bộ lọc đã chọn.")
    return said
