"""Glue between the record and the engines: read the catalogue and page texts, feed the index.

The index is derived: everything here reads the archive (catalogue items through
:func:`luutru.catalog.iter_items`, page texts from ``pages/<sha>/<NNNN>/text.txt``) and never runs
OCR. A page that an item claims is searched as part of that item; every other page is a unit of
its own, so a page nobody has catalogued yet is still findable.
"""

from __future__ import annotations

import json
import time
from collections.abc import Iterable, Iterator
from typing import Any

from luutru import pagetext
from luutru.archive import Archive, PageRef, atomic_write_text
from luutru.errors import LuutruError
from luutru.index.backend import SearchBackend, sync
from luutru.index.boilerplate import mark_boilerplate
from luutru.access import STRICTEST_LEVEL, item_level
from luutru.index.model import (IndexReport, ItemDoc, PageDoc, SearchRequest, SearchResult, Unit,
                                build_units, parse_clearance)
from luutru.index.registry import open_engine
from luutru.textnorm import nfc


def open_backend(archive: Archive, es_url: str | None = None) -> SearchBackend:
    """The archive's search index (:func:`luutru.index.registry.open_engine`: Elasticsearch when
    ``es_url`` or ``$LUUTRU_ES_URL`` is given, else the embedded engine), with the fonds names."""
    backend = open_engine(archive, es_url)
    backend.fonds_names = _read_fonds_names(archive)
    return backend


FONDS_NAMES = "fonds.json"  # in the index directory: fonds code → name, for the facet


def _read_fonds_names(archive: Archive) -> dict[str, str]:
    try:
        return json.loads((archive.index_dir / FONDS_NAMES).read_text(encoding="utf-8"))
    except (FileNotFoundError, ValueError):
        return {}


def _write_fonds_names(archive: Archive) -> None:
    """The fonds names of the catalogue, shown next to their codes in the fonds facet."""
    try:
        from luutru.catalog.record import read_catalog
    except ImportError:
        return
    names = {fonds.code: fonds.value("ten_phong") for fonds in read_catalog(archive)
             if fonds.value("ten_phong")}
    archive.index_dir.mkdir(parents=True, exist_ok=True)
    atomic_write_text(archive.index_dir / FONDS_NAMES, json.dumps(names, ensure_ascii=False))


def _catalog_items(archive: Archive) -> list[dict[str, Any]]:
    try:
        from luutru.catalog import iter_items
    except ImportError:  # the catalogue stage is not installed: pages alone are still searchable
        return []
    return list(iter_items(archive))


def item_doc(item: dict[str, Any]) -> ItemDoc:
    """The catalogue's item dict (``luutru.catalog.iter_items``) as the index sees it."""
    return ItemDoc(
        id=item["id"], so_ky_hieu=item.get("so_ky_hieu"), loai_van_ban=item.get("loai_van_ban"),
        ngay_ban_hanh=item.get("ngay_ban_hanh"), co_quan_ban_hanh=item.get("co_quan_ban_hanh"),
        trich_yeu=item.get("trich_yeu"), nguoi_ky=item.get("nguoi_ky"),
        fonds=item.get("fonds_code"), file=item.get("file_code"), source=item.get("source"),
        first_page=item.get("first_page"), last_page=item.get("last_page"),
        do_mat=item.get("do_mat"), access=item.get("access"),
        page_keys=tuple(item.get("pages") or ()), needs_review=bool(item.get("needs_review")),
        dia_danh=item.get("dia_danh"), level=item_level(item))


def _read_text(archive: Archive, ref: PageRef) -> str | None:
    text = pagetext.read_text(archive.page_dir(ref))
    return nfc(text) if text is not None else None


def iter_page_docs(archive: Archive, progress: bool = False) -> Iterator[PageDoc]:
    """Every page that has OCR text, in archive order. A page no item claims is indexed alone at
    the strictest level: nobody has looked at its marks (not catalogued yet, or its catalogue
    is lost)."""
    refs: Any = list(archive.iter_page_refs())
    if progress:
        from tqdm import tqdm
        refs = tqdm(refs, desc="index", unit="page")
    for ref in refs:
        text = _read_text(archive, ref)
        if text is None:
            continue
        record = archive.page_record_or_none(ref) or {}  # damaged: a closed lone page too
        yield PageDoc(ref.key, _source(record), ref.index, text, record.get("fonds"),
                      record.get("file"), level=STRICTEST_LEVEL)


def iter_units(archive: Archive, progress: bool = False) -> Iterator[Unit]:
    """Every unit of the archive: each lone page (closed: see :func:`build_units`), then each
    catalogued item with its pages at the level :func:`luutru.access.item_level` gives it."""
    items = [item_doc(i) for i in _catalog_items(archive)]
    return build_units(items, iter_page_docs(archive, progress=progress))


def _source(record: dict[str, Any]) -> str:
    source = record.get("source")
    if isinstance(source, dict):
        source = source.get("path")
    return source or record.get("original", "")


def boilerplate_store(archive: Archive):
    """Where the boilerplate lines learned from the archive are kept (derived, like the index)."""
    archive.index_dir.mkdir(parents=True, exist_ok=True)
    return archive.index_dir / "boilerplate.json"


def update_index(archive: Archive, backend: SearchBackend | None = None,
                 progress: bool = False) -> IndexReport:
    """``luutru index``: add what is new or changed, drop what is gone; safe to run again."""
    own = backend is None
    backend = backend or open_backend(archive)
    _write_fonds_names(archive)
    started = time.time()
    try:
        report = sync(backend, mark_boilerplate(iter_units(archive, progress),
                                                store=boilerplate_store(archive)))
    finally:
        if own:
            backend.close()
    if not report.failures:  # the whole record is in the index: no access change is pending
        _clear_access_pending(archive, started)
    return report


def update_items(archive: Archive, items: Iterable[dict[str, Any]],
                 backend: SearchBackend | None = None) -> IndexReport:
    """Index these catalogue items again (their fields and their pages' text), nothing else.

    An archivist's saved correction must show in search at once; :func:`update_index` reads every
    page of the archive to find what changed (minutes on a large one). Pass every item of the
    hồ sơ when its access may have changed. The pages' lone units are not touched: claiming pages
    happens in ``luutru catalog``, which a full ``luutru index`` follows.
    """
    docs = [item_doc(item) for item in items]
    pages = []
    for key in dict.fromkeys(k for doc in docs for k in doc.page_keys):
        ref = PageRef.parse(key)
        text = _read_text(archive, ref)
        if text is not None:
            record = archive.page_record_or_none(ref) or {}
            pages.append(PageDoc(key, _source(record), ref.index, text, record.get("fonds"),
                                 record.get("file")))
    units = [unit for unit in mark_boilerplate(build_units(docs, pages), learning=False,
                                               store=boilerplate_store(archive))
             if unit.item is not None]
    report = IndexReport(updated=len(units), pages=sum(len(u.pages) for u in units))
    own = backend is None
    backend = backend or open_backend(archive)
    try:
        report.failures.extend(backend.upsert(units))
    finally:
        if own:
            backend.close()
    return report


def reindex(archive: Archive, backend: SearchBackend | None = None,
            progress: bool = False) -> IndexReport:
    """``luutru reindex``: rebuild the whole index from the record, switching only when done."""
    own = backend is None
    backend = backend or open_backend(archive)
    _write_fonds_names(archive)
    started = time.time()
    try:
        report = backend.rebuild(mark_boilerplate(iter_units(archive, progress),
                                                  store=boilerplate_store(archive)))
    finally:
        if own:
            backend.close()
    if not report.failures:
        _clear_access_pending(archive, started)
    return report


def search(archive: Archive, query: str, *, clearance: str | int = "none", limit: int = 10,
           page: int = 1, sort: str = "relevance", backend: SearchBackend | None = None
           ) -> SearchResult:
    """Search the archive's index as a caller with ``clearance`` (none, mat, toi-mat, tuyet-mat),
    each hit checked against the record (:func:`checked_search`)."""
    request = SearchRequest(query, parse_clearance(clearance), limit, page, sort)
    own = backend is None
    backend = backend or open_backend(archive)
    try:
        return checked_search(archive, backend, request)
    finally:
        if own:
            backend.close()


LAGGING_NOTICE = ("Chỉ mục tìm kiếm chưa theo kịp hồ sơ (có tài liệu vừa đổi độ mật hoặc quyền "
                  "truy cập): {count} kết quả bị ẩn và tổng số chỉ tính kết quả hiển thị. "
                  "Cần chạy `luutru index`.")
PENDING_NOTICE = ("Chỉ mục tìm kiếm có thể chưa theo kịp một thay đổi về quyền truy cập: tổng số "
                  "chỉ tính kết quả hiển thị. Cần chạy `luutru index`.")


def checked_search(archive: Archive, backend: SearchBackend, request: SearchRequest) -> SearchResult:
    """The index's answer, each hit checked against the catalogue as it is now.

    The index follows access changes synchronously, but one made while another process held its
    writer, or by hand in the XML, leaves it behind; a script or ``luutru search`` must not show
    or count an item the record now closes. Such items are indexed again and the search asked
    once more, so totals and facets agree; when the index cannot be written, the refused hits
    are dropped, only the hits shown are counted (no facets, no suggestion) and a notice says why.
    A page no item holds is judged at the strictest level, as the index does."""
    result = backend.search(request)
    if not result.hits and not access_pending(archive):
        return result
    levels = item_levels(archive)
    lagging = _refused(result, levels, request.clearance)
    if lagging:
        items = [item for item in _catalog_items(archive) if item["id"] in lagging]
        try:
            refused = update_items(archive, items, backend).failures if items else []
        except LuutruError:                          # another process holds the index's writer
            refused = ["busy"]
        if not refused:
            result = backend.search(request)
            lagging = _refused(result, levels, request.clearance)
    if lagging or access_pending(archive):
        # The index's total and facets may count items the record now closes (on this results
        # page or another): only the hits checked here are counted.
        shown = [hit for hit in result.hits if hit["id"] not in lagging]
        notice = LAGGING_NOTICE.format(count=len(lagging)) if lagging else PENDING_NOTICE
        result = SearchResult(request.offset + len(shown), shown, tiers=result.tiers,
                              notices=[*result.notices, notice])
    return result


def _refused(result: SearchResult, levels: dict[str, int], clearance: int) -> set[str]:
    """Ids of the hits the record does not let ``clearance`` see."""
    return {hit["id"] for hit in result.hits
            if levels.get(hit.get("item") or "", STRICTEST_LEVEL) > clearance}


def item_levels(archive: Archive) -> dict[str, int]:
    """Item id → the level the record gives it now (before an access change, to compare)."""
    return {item["id"]: item_level(item) for item in _catalog_items(archive)}


def apply_access_changes(archive: Archive, before: dict[str, int],
                         backend: SearchBackend | None = None) -> list[str]:
    """Index again, synchronously, every item whose level differs from ``before`` and drop the
    items that left the catalogue, so search follows an access change at once (an inventory
    imported, a decision taken). Returns the ids touched. Nothing to do without an index yet."""
    if backend is None and not any(archive.index_dir.glob("*")):
        return []
    items = _catalog_items(archive)
    changed = [item for item in items if before.get(item["id"]) != item_level(item)]
    gone = sorted(set(before) - {item["id"] for item in items})
    if not changed and not gone:
        return []
    _mark_access_pending(archive)  # first: a failure or a kill -9 below leaves it, fail closed
    own = backend is None
    backend = backend or open_backend(archive)
    try:
        if changed:
            failures = update_items(archive, changed, backend).failures
            if failures:
                raise RuntimeError(f"index refused {len(failures)} items: {failures[0]}")
        if gone:
            backend.delete(gone)
    finally:
        if own:
            backend.close()
    archive.access_pending_path.unlink(missing_ok=True)
    return [item["id"] for item in changed] + gone


def _mark_access_pending(archive: Archive) -> None:
    archive.tmp_dir.mkdir(parents=True, exist_ok=True)
    atomic_write_text(archive.access_pending_path, "")


def _clear_access_pending(archive: Archive, started: float) -> None:
    """A full pass that began after the change was marked has taken it; one that began before
    may have read the catalogue before the change, so the mark stays."""
    try:
        if archive.access_pending_path.stat().st_mtime < started:
            archive.access_pending_path.unlink(missing_ok=True)
    except FileNotFoundError:
        pass


def access_pending(archive: Archive) -> bool:
    """Whether an access change may be missing from the index (see :func:`checked_search`)."""
    return archive.access_pending_path.exists()
