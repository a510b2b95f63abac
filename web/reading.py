"""The search page and the item page; and the two shared lookups every view uses.

:func:`catalog` is the app's catalogue (one :class:`~luutru.web.records.CatalogCache` per app) and
:func:`backend` its search engine (one per app, reopened when ``luutru reindex`` switched the index
under it). Visibility is never decided here: the search backend gets the user's clearance, and
the item page asks :func:`~luutru.web.access.can_see`.
"""

from __future__ import annotations

import html
import logging
import math
import os
import re
import threading
from typing import Any
from urllib.parse import quote, quote_plus, urlencode

from flask import (Blueprint, Flask, abort, current_app, g, render_template, request,
                   url_for)
from markupsafe import Markup, escape

from luutru.access import STRICTEST_LEVEL, opened_despite_mark
from luutru import pagetext
from luutru.archive import Archive, PageRef
from luutru.index.analysis import fast_nfc, number_key
from luutru.index.backend import MATCH_LABELS, SearchBackend, best_snippet_only
from luutru.index import (QueryError, SearchRequest, SearchResult, access_pending, open_backend,
                          update_items)
from luutru.index.registry import backend_class, chosen_engine
from luutru.textnorm import nfc
from luutru.web.access import audit, can_see, current_user
from luutru.web.format import vn_date
from luutru.web.highlight import (Highlights, OriginalHighlights, on_original,
                                  page_highlights, query_words)
from luutru.web.images import KINDS
from luutru.web.records import CatalogCache, CatalogView, item_level

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


INDEX_LOCK = threading.Lock()  # one index writer at a time within this server process
log = logging.getLogger(__name__)


def catalog() -> CatalogView:
    """The catalogue as it is now on disk (re-read only when a catalogue file changed); items
    whose access changed on disk are brought up to date in the search index first."""
    cache = _shared(current_app, CATALOG_KEY, CatalogCache)
    view = cache.get()
    stale = cache.take_stale()
    if stale:
        _catch_up_index(cache, view, stale)
    return view


def _catch_up_index(cache: CatalogCache, view: CatalogView, stale: set[str]) -> None:
    """Index again the items whose level changed, drop those that left the catalogue (their
    catalogue file removed or invalid): synchronously, so search never lags an access change.
    If the index is busy (another process holds its writer), they stay stale and the search
    page checks each hit against the record until a later request catches up."""
    items = [view.items[i] for i in sorted(stale) if i in view.items]
    gone = sorted(i for i in stale if i not in view.items)
    try:
        with INDEX_LOCK:
            engine = backend().get()
            if items:
                update_items(current_app.config["ARCHIVE"], items, engine)
            if gone:
                engine.delete(gone)
    except Exception as exc:  # noqa: BLE001 - the record check on every hit still holds
        log.warning("search index not caught up with %d catalogue changes: %s", len(stale), exc)
        cache.keep_stale(stale)


class LiveBackend:
    """The app's search engine, shared by waitress's threads and reopened after a rebuild.

    ``luutru index`` adds to the index in place (each Tantivy search reloads its reader, SQLite
    sees committed rows), but ``luutru reindex`` builds a new index and switches to it: the
    engine's :meth:`~luutru.index.backend.SearchBackend.generation` tells when to reopen. An
    engine that is not ``thread_safe`` (SQLite) gets one instance per thread.
    """

    def __init__(self, archive: Archive):
        self.archive = archive
        self._lock = threading.Lock()
        self._shared: tuple[tuple, SearchBackend] | None = None
        self._local = threading.local()
        self._engine = backend_class(chosen_engine())
        self._per_thread = not self._engine.thread_safe

    def _stamp(self) -> tuple:
        return self._engine.generation(self.archive)

    def get(self) -> SearchBackend:
        """This thread's backend on the index as it is now (and this process's: an engine
        opened before a fork is never used after it)."""
        stamp = (os.getpid(), self._stamp())
        if self._per_thread:
            held = getattr(self._local, "held", None)
            if held is None or held[0] != stamp:
                if held is not None and held[0][0] == os.getpid():
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


# --- the search page ----------------------------------------------------------------------------

# Results per page (app config SEARCH_PER_PAGE). Ten, as AtoM shows: each result brings a page
# thumbnail over a slow office network, and a hit (stored text, snippet, page list) is most of a
# results page's work: 20 per page cost a quarter more server time per search.
PER_PAGE = 10
MAX_PAGE = 500
MAX_QUERY = 500
THUMB_WIDTH, THUMB_HEIGHT = 200, 283  # A4 portrait; CSS keeps the real ratio once it loaded
FACETS = (("fonds", "Phông"), ("type", "Loại văn bản"), ("year", "Năm"),
          ("organ", "Cơ quan ban hành"), ("person", "Người ký"),
          ("place", "Địa danh"))  # each also the query filter it adds
_QUERY_ERRORS = [  # QueryError messages (English, for the CLI) said in Vietnamese
    (r"^empty query", "Hãy gõ vài từ, một \"cụm từ\" hoặc một bộ lọc như fonds:PHONG-41."),
    (r"only exclude", "Câu tìm kiếm không thể chỉ có từ loại trừ: hãy thêm một từ cần tìm."),
    (r"^unbalanced '\)'", "Thừa dấu ')' trong câu tìm kiếm."),
    (r"^unclosed '\('", "Thiếu dấu ')' trong câu tìm kiếm."),
    (r"^unclosed quote", "Thiếu dấu ngoặc kép (\") đóng cụm từ."),
    (r"^OR needs", "OR cần có từ ở cả hai bên."),
    (r"^AND needs", "AND cần có từ ở cả hai bên."),
    (r"^NOT needs", "NOT cần một từ hoặc cụm từ theo sau."),
    (r"^NOT cannot be an alternative", "NOT không thể là một vế của OR; hãy viết (a OR b) NOT c."),
    (r"^unknown field (\w+)", "Không có trường lọc {0}: (các trường: fonds, file, type, organ, "
                               "number, year, date)."),
    (r"^(\w+):(\S*) is not a year", "{0}:{1} không phải là năm (bốn chữ số, ví dụ 2012 hoặc "
                                      "2006..2020)."),
    (r"^(\w+):(\S*) is not a (real )?date", "{0}:{1} không phải là ngày (2012, 2012-05 hoặc "
                                            "2012-05-14)."),
    (r"^number:(\S*) does not look", "number:{0} không giống số văn bản (ví dụ 43-NQ/TW)."),
    (r"^(\w+): needs a value", "Bộ lọc {0}: cần một giá trị."),
    (r"^field filter (\w+): must stand outside", "Bộ lọc {0}: phải đứng ngoài dấu ngoặc."),
    (r"^field filter (\w+): cannot follow", "Bộ lọc {0}: không thể đứng sau NOT hoặc OR; "
                                             "hãy viết -{0}:giá trị."),
    (r"^\* must follow", "Dấu * phải đứng ngay sau một từ, như nghi*."),
    (r"phrase\" cannot end with \*", "Cụm từ trong ngoặc kép không thể kết thúc bằng *."),
]


def query_error_text(error: QueryError) -> str:
    """The QueryError in Vietnamese where we know it, else a Vietnamese lead-in and the message."""
    message = str(error)
    for pattern, text in _QUERY_ERRORS:
        match = re.search(pattern, message)
        if match:
            return text.format(*match.groups())
    return f"Không hiểu được câu tìm kiếm: {message}"


_MARK = re.compile(r"(</?mark>)")


def safe_snippet(snippet: str | None) -> Markup:
    """A snippet from the index as HTML that can only contain ``<mark>``: the engine escapes page
    text before marking it, but each piece between marks is unescaped and escaped again here, so
    nothing else can ever pass as markup. A snippet that holds no ``&``, ``<`` or ``>`` but its
    marks (most do) is already that."""
    snippet = snippet or ""
    bare = snippet.replace("<mark>", "").replace("</mark>", "")
    if "<" not in bare and ">" not in bare and "&" not in bare:
        return Markup(snippet)
    parts = []
    for part in _MARK.split(snippet):
        parts.append(part if part in ("<mark>", "</mark>") else str(escape(html.unescape(part))))
    return Markup("".join(parts))


def marked_text(text: str, pattern: re.Pattern[str] | None) -> Markup:
    """``text`` escaped, with the query's words in ``<mark>``."""
    if pattern is None:
        return escape(text)
    parts, pos = [], 0
    for match in pattern.finditer(text):
        parts += (html.escape(text[pos:match.start()]), "<mark>", html.escape(match.group()),
                  "</mark>")
        pos = match.end()
    parts.append(html.escape(text[pos:]))
    return Markup("".join(parts))


def document_title(loai_van_ban: str | None, so_ky_hieu: str | None) -> str:
    """``Nghị quyết số 13-NQ/TU`` (or as much of it as is known)."""
    if so_ky_hieu:
        return f"{loai_van_ban or 'Văn bản'} số {so_ky_hieu}"
    return loai_van_ban or ""


def _int_arg(name: str, default: int, high: int) -> int:
    value = request.args.get(name, "")
    return min(int(value), high) if value.isdigit() and int(value) >= 1 else default


def _search_path() -> str:
    if "search_path" not in g:
        g.search_path = url_for("reading.search")
    return g.search_path


def search_url(q: str, page: int = 1, sort: str = "relevance") -> str:
    """A search page address. A results page links a hundred of them (facets), so the path is
    built by ``url_for`` once per request and only the query string each time."""
    return _search_url(_search_path(), quote_plus(q), page, sort)


def _search_url(path: str, quoted_q: str, page: int = 1, sort: str = "relevance",
                filters: str | None = None) -> str:
    """``search_url`` from parts already quoted (``quote_plus`` quotes character by character, so
    a facet link appends its quoted clause to the quoted query). The request's filters (the
    advanced-search fields, the chosen facets) go along unless ``filters`` replaces them."""
    url = f"{path}?q={quoted_q}"
    url += g.get("search_filters", "") if filters is None else filters
    if page > 1:
        url += f"&page={page}"
    return url if sort == "relevance" else f"{url}&sort={quote_plus(sort)}"


# --- advanced search: fields, filters and their chips -------------------------------------------

# (URL parameter, label): each becomes a filter of the query language (from/to: one year range).
FILTERS = (("number", "Số, ký hiệu"), ("type", "Loại văn bản"), ("organ", "Cơ quan ban hành"),
           ("person", "Người ký"), ("place", "Địa danh"), ("fonds", "Phông"),
           ("from", "Từ năm"), ("to", "Đến năm"))
SORT_LABELS = {"relevance": "Phù hợp nhất", "date": "Mới nhất trước", "oldest": "Cũ nhất trước"}
_YEAR = re.compile(r"\d{4}")


def request_filters() -> dict[str, str]:
    """The filters asked for in this request's parameters (years must be four digits)."""
    chosen = {}
    for name, _ in FILTERS:
        value = nfc(request.args.get(name, "")).strip()[:200]
        if value and (name not in ("from", "to") or _YEAR.fullmatch(value)):
            chosen[name] = value
    return chosen


def filtered_query(q: str, filters: dict[str, str]) -> str:
    """The query text the engine gets: the words typed, then one clause per filter."""
    clauses = [f"{name}:{_filter_value(value)}" for name, value in filters.items()
               if name not in ("from", "to")]
    if "from" in filters or "to" in filters:
        clauses.append(f"year:{filters.get('from', '')}..{filters.get('to', '')}"
                       if filters.get("from") != filters.get("to") else f"year:{filters['from']}")
    return " ".join(part for part in (q, *clauses) if part)


def _filters_qs(filters: dict[str, str]) -> str:
    return "".join(f"&{name}={quote_plus(value)}" for name, value in filters.items())


def filter_chips(q: str, filters: dict[str, str], sort: str) -> list[dict[str, str]]:
    """One removable chip per filter: its label, its value as people say it, the address
    without it."""
    labels = dict(FILTERS)
    path, quoted_q = _search_path(), quote_plus(q)
    chips = []
    for name, value in filters.items():
        rest = {k: v for k, v in filters.items() if k != name}
        shown = value
        if name == "fonds":
            shown = " – ".join(x for x in (value, fonds_name(value)) if x)
        chips.append({"name": name, "label": labels[name], "value": shown,
                      "url": _search_url(path, quoted_q, sort=sort, filters=_filters_qs(rest))})
    return chips


def fonds_name(code: str) -> str | None:
    return (catalog().fonds.get(code) or {}).get("ten_phong")


def fonds_choices() -> list[dict[str, str]]:
    """Each phông the user may see something of, with its name, for the advanced-search form
    (a phông holding only classified items is not named to a reader without clearance)."""
    view = catalog()
    levels = _fonds_levels(view)
    return [{"code": code, "name": fonds.get("ten_phong") or ""}
            for code, fonds in sorted(view.fonds.items())
            if code in levels and can_see(levels[code])]


def _fonds_levels(view: CatalogView) -> dict[str, int]:
    """{phông: the lowest clearance any of its items needs}, once per catalogue view."""
    levels = getattr(view, "_fonds_levels", None)
    if levels is None:
        levels = {}
        for record in view.items.values():
            code = record.get("fonds_code")
            levels[code] = min(levels.get(code, 99), item_level(record))
        view._fonds_levels = levels  # the view is replaced, never changed, when the record is
    return levels


def _filter_value(value: str) -> str:
    value = value.replace('"', "")
    return f'"{value}"' if re.search(r"[\s()]", value) else value


def facet_links(q: str, facets: dict[str, dict[str, int]], sort: str,
                labels: dict[str, dict[str, str]] | None = None,
                filters: dict[str, str] | None = None) -> list[dict[str, Any]]:
    """Each facet section with its values (and their labels: a fonds' name, an organ flagged as
    unsure), each linking to the search narrowed to it (a filter chip, not query text); years in
    year order."""
    path, quoted_q = _search_path(), quote_plus(q)
    filters = filters or {}
    sections = []
    for key, label in FACETS:
        values = []
        counts = (facets.get(key) or {}).items()
        if key == "year":
            counts = sorted(counts, key=lambda kv: str(kv[0]))
        for value, count in counts:
            wanted = ({"from": str(value), "to": str(value)} if key == "year"
                      else {key: str(value)})
            active = all(filters.get(k) == v for k, v in wanted.items())
            values.append({"value": value, "count": count, "active": active,
                           "label": (labels or {}).get(key, {}).get(str(value)),
                           "url": _search_url(path, quoted_q, sort=sort,
                                              filters=_filters_qs({**filters, **wanted}))})
        if values:
            sections.append({"key": key, "label": label, "values": values})
    return sections


class _Links:
    """Item and page-image addresses for one request: ``url_for`` once per route, then the ids
    quoted into it (a results page links each hit two or three times)."""

    def __init__(self, q: str):
        marker = "LUUTRU-ID"
        self.item_head, self.item_tail = url_for("reading.item", item_id=marker).split(marker)
        self.image_head, tail = url_for("files.page_image_view", sha=marker, n=0).split(marker)
        self.image_tail = tail.replace("/0/", "/%d/", 1) + "?size="
        self.q = "?" + urlencode({"q": q})

    def item_url(self, item_id: str) -> str:
        return f"{self.item_head}{quote(item_id, safe='')}{self.item_tail}{self.q}"

    def image_url(self, key: str, size: str, kind: str | None = None) -> str:
        ref = PageRef.parse(key)
        url = f"{self.image_head}{quote(ref.sha256, safe='')}{self.image_tail % ref.index}{size}"
        return f"{url}&kind={quote_plus(kind)}" if kind else url


def _hit_views(hits: list[dict[str, Any]], q: str) -> list[dict[str, Any]]:
    links = _Links(q)
    return [hit_view(hit, links) for hit in hits]


def hit_view(hit: dict[str, Any], links: _Links) -> dict[str, Any]:
    """What a result shows, as plain strings for a flat template: title, link, escaped snippet,
    matching pages (one ``<a>`` list, already markup), thumbnail."""
    pages = hit.get("pages") or []
    if hit.get("item"):
        url = links.item_url(hit["item"])
        title = document_title(hit.get("loai_van_ban"), hit.get("so_ky_hieu"))
        href = escape(url)
        page_links = Markup(", ".join(f'<a href="{href}#p{p["n"]:d}">{p["n"]:d}</a>'
                                      for p in pages))
    else:  # a page no item holds yet: its image is all there is to open
        key = hit["id"].removeprefix("page:")
        ref = PageRef.parse(key)
        url = links.image_url(key, "full")
        title = f"Trang {ref.index} của {hit.get('source') or ref.sha256[:12]} (chưa biên mục)"
        page_links = None
    first_key = pages[0]["key"] if pages else _first_page(hit)
    fonds, file = hit.get("fonds"), hit.get("file")
    return {"url": url, "title": title or "Văn bản chưa rõ số, ký hiệu",
            "trich_yeu": hit.get("trich_yeu"), "date": vn_date(hit.get("ngay_ban_hanh")),
            "organ": hit.get("co_quan_ban_hanh"),
            "where": f"{fonds} / {file}" if fonds and file else fonds,
            "do_mat": hit.get("do_mat"), "snippet": safe_snippet(hit.get("snippet")),
            "match_label": MATCH_LABELS.get(hit.get("match")) if hit.get("match") != "exact"
            else None,
            "pages": page_links,
            "thumb": links.image_url(first_key, "thumb") if first_key else None}


def _first_page(hit: dict[str, Any]) -> str | None:
    """The page to show a hit by when no page matched (the query matched its catalogue fields)."""
    if not hit.get("item"):
        return hit["id"].removeprefix("page:")
    record = catalog().item(hit["item"])
    return record["pages"][0] if record and record.get("pages") else None


def _pagination(q: str, page: int, per_page: int, total: int, sort: str) -> dict[str, Any]:
    last = min(MAX_PAGE, max(1, math.ceil(total / per_page)))
    return {"page": page, "last": last, "first": (page - 1) * per_page + 1,
            "prev": search_url(q, min(page - 1, last), sort) if page > 1 else None,
            "next": search_url(q, page + 1, sort) if page < last else None}


@bp.get("/search")
def search():
    q = nfc(request.args.get("q", "")).strip()[:MAX_QUERY]
    page = _int_arg("page", 1, MAX_PAGE)
    sort = request.args.get("sort") if request.args.get("sort") in SORT_LABELS else "relevance"
    filters = request_filters()
    g.search_filters = _filters_qs(filters)
    query = filtered_query(q, filters)
    context: dict[str, Any] = {"q": q, "sort": sort, "error": None, "result": None,
                               "filters": filters, "sort_labels": SORT_LABELS,
                               "chips": filter_chips(q, filters, sort),
                               "fonds_choices": fonds_choices(), "query": query}
    user = current_user()
    per_page = current_app.config.get("SEARCH_PER_PAGE", PER_PAGE)
    if query and user is not None:
        try:
            result = checked_search(SearchRequest(query, clearance=user.clearance,
                                                  limit=per_page, page=page, sort=sort))
        except QueryError as error:
            context["error"] = query_error_text(error)
        else:
            context.update(
                result=result, hits=_hit_views(result.hits, q),
                facets=facet_links(q, result.facets, sort, result.facet_labels, filters),
                pagination=_pagination(q, page, per_page, result.total, sort),
                suggestion_url=search_url(result.suggestion, sort=sort) if result.suggestion
                else None,
                sort_urls={s: search_url(q, 1, s) for s in SORT_LABELS})
    return render_template("search.html", thumb_width=THUMB_WIDTH, thumb_height=THUMB_HEIGHT,
                           **context)


def hit_level(hit: dict[str, Any], view: CatalogView) -> int:
    """The level of a hit by the record as it is now (not by the index, which may lag): an
    item unknown to the catalogue, or a page no item holds, needs the strictest clearance."""
    record = view.item(hit["item"]) if hit.get("item") else None
    return item_level(record) if record is not None else STRICTEST_LEVEL


def checked_search(request: SearchRequest) -> SearchResult:
    """Search the index after it has caught up with the catalogue (:func:`catalog`), then check
    each hit against the record. A hit the record does not allow means the index lags (a
    change it could not take yet, or one made before this server started): those items are
    indexed again and the search asked once more, so totals and facets agree. While the index
    cannot be written (another process holds it) and some change waits for it, the refused
    hits are dropped and only the hits shown are counted, without facets or suggestion: the
    index's counts may include items the record now closes. Every classified hit shown (its
    snippet is its text) is audited."""
    view = catalog()
    for _attempt in (1, 2):  # once more after indexing what lagged
        with best_snippet_only():  # a hit shows one snippet, its pages only their numbers
            result = backend().search(request)
        lagging = {hit["id"] for hit in result.hits if not can_see(hit_level(hit, view))}
        if not lagging:
            break
        log.warning("search: %d hits refused by the record check (the index lags the "
                    "catalogue)", len(lagging))
        _shared(current_app, CATALOG_KEY, CatalogCache).keep_stale(
            {i for i in lagging if not i.startswith("page:")})
        view = catalog()  # indexes them again
    if (lagging or _shared(current_app, CATALOG_KEY, CatalogCache).has_stale()
            or access_pending(current_app.config["ARCHIVE"])):
        shown = [hit for hit in result.hits if hit["id"] not in lagging]
        result = SearchResult(request.offset + len(shown), shown, {}, None)
    for hit in result.hits:
        if hit_level(hit, view) >= 1:
            audit("view-snippet", hit["id"])
    return result


# --- the item page ------------------------------------------------------------------------------

ITEM_FIELDS = (  # (field, label) in the order an archivist reads a văn bản's description
    ("so_ky_hieu", "Số và ký hiệu"), ("loai_van_ban", "Loại văn bản"),
    ("ngay_ban_hanh", "Ngày ban hành"), ("dia_danh", "Địa danh"),
    ("co_quan_ban_hanh", "Cơ quan ban hành"), ("trich_yeu", "Trích yếu"),
    ("the_thuc_ky", "Thẩm quyền ký"), ("chuc_vu_nguoi_ky", "Chức vụ"), ("nguoi_ky", "Người ký"),
    ("do_mat", "Độ mật"), ("do_khan", "Độ khẩn"), ("noi_nhan", "Nơi nhận"),
    ("ngon_ngu", "Ngôn ngữ"), ("ghi_chu", "Ghi chú"),
)


def item_fields(item: dict[str, Any], view: CatalogView) -> list[dict[str, Any]]:
    """The rows of ``dl#fields``: label, value (text or list), whether it needs review."""
    review = set(item.get("needs_review") or ())
    fonds = view.fonds.get(item.get("fonds_code")) or {}
    record = view.file_of(item) or {}
    first, last = sheets(item, view)
    rows = []
    for name, label in ITEM_FIELDS:
        value = item.get(name)
        if name == "ngay_ban_hanh":
            value = vn_date(value)
        rows.append({"name": name, "label": label, "value": value, "review": name in review})
    rows += [
        {"name": "phong", "label": "Phông", "review": False, "value": " – ".join(
            x for x in (item.get("fonds_code"), fonds.get("ten_phong")) if x)},
        {"name": "ho_so", "label": "Hồ sơ", "review": False, "value": " – ".join(
            x for x in (item.get("file_code"), record.get("tieu_de")) if x)},
        {"name": "to", "label": "Tờ", "review": False, "value": _range_text(first, last)},
        {"name": "access", "label": "Mức độ tiếp cận", "review": False,
         "value": item.get("access") or record.get("access")},
    ]
    return rows


def sheets(item: dict[str, Any], view: CatalogView) -> tuple[int, int]:
    """The item's tờ (folio numbers) in its hồ sơ: continuous in inventory order, each item's
    pages counted on after those of the items before it; an archivist's ``to_so`` wins for its
    item and the count goes on after it."""
    start = 1
    for other in view.items_of_file(item.get("fonds_code"), item.get("file_code")):
        first, last = _folios(other, start)
        if other["id"] == item["id"]:
            return first, last
        start = last + 1
    return _folios(item, 1)


_FOLIOS = re.compile(r"^\s*(\d+)\s*(?:[-–—]\s*(\d+))?\s*$")


def _folios(item: dict[str, Any], start: int) -> tuple[int, int]:
    given = _FOLIOS.match(item.get("to_so") or "")
    if given:
        first = int(given[1])
        return first, max(first, int(given[2] or first))
    return start, start + max(len(item.get("pages") or ()), 1) - 1


def _range_text(first: int, last: int) -> str:
    return str(first) if first == last else f"{first}–{last}"


def repository() -> str | None:
    """The archive's name for citations (``LUUTRU_REPOSITORY``, e.g. Kho Lưu trữ Tỉnh ủy …)."""
    return current_app.config.get("REPOSITORY") or None


def citation(item: dict[str, Any], view: CatalogView, repository: str | None = None) -> str:
    """The archival reference a researcher copies into a footnote, in the usual order:
    repository, phông, mục lục số, hồ sơ số, tờ, then the document. Values still waiting for an archivist's
    check (an OCR misreading) are left out rather than quoted."""
    fonds = view.fonds.get(item.get("fonds_code")) or {}
    unsure = set(item.get("needs_review") or ())
    value = lambda name: None if name in unsure else item.get(name)
    first, last = sheets(item, view)
    parts = [repository] if repository else []
    if item.get("fonds_code"):
        name = fonds.get("ten_phong")
        parts.append(f"Phông {item['fonds_code']}" + (f" ({name})" if name else ""))
    inventory_list = (view.file_of(item) or {}).get("muc_luc_so") if item.get("file_code") else None
    if inventory_list:
        parts.append(f"Mục lục số {inventory_list}")
    if item.get("file_code"):
        parts.append(f"Hồ sơ số {item['file_code']}")
    parts.append(f"tờ {_range_text(first, last)}")
    document = value("loai_van_ban") or "Văn bản"
    if value("so_ky_hieu"):
        document += f" số {item['so_ky_hieu']}"
    if value("ngay_ban_hanh"):
        document += f" ngày {vn_date(item['ngay_ban_hanh'])}"
    if value("co_quan_ban_hanh"):
        document += f" của {item['co_quan_ban_hanh']}"
    if value("trich_yeu"):
        document += f" {item['trich_yeu']}"
    parts.append(document)
    return ", ".join(parts) + "."


def _item_label(item: dict[str, Any]) -> str:
    return document_title(item.get("loai_van_ban"), item.get("so_ky_hieu")) or item["id"]


def citation_links(item: dict[str, Any], view: CatalogView) -> tuple[list[dict], list[dict]]:
    """``cites`` (numbers the text cites: linked when they resolve to an item the user may see,
    plain text otherwise) and ``cited by`` (only items the user may see: an invisible one's
    number would reveal that it exists)."""
    visible = {}
    for target in item.get("cites") or ():
        other = view.item(target)
        if other is not None and can_see(item_level(other)):
            visible[number_key(other.get("so_ky_hieu")) or target] = other
    cites, linked = [], set()
    for number in item.get("so_ky_hieu_trich_dan") or ():
        other = visible.get(number_key(number))
        cites.append({"text": number, "url": url_for("reading.item", item_id=other["id"])
                      if other else None})
        if other:
            linked.add(other["id"])
    for other in visible.values():
        if other["id"] not in linked:
            cites.append({"text": _item_label(other),
                          "url": url_for("reading.item", item_id=other["id"])})
    cited_by = []
    for source in item.get("cited_by") or ():
        other = view.item(source)
        if other is not None and can_see(item_level(other)):
            cited_by.append({"text": _item_label(other), "trich_yeu": other.get("trich_yeu"),
                             "url": url_for("reading.item", item_id=other["id"])})
    return cites, cited_by


def page_views(item: dict[str, Any], q: str, kind: str) -> list[dict[str, Any]]:
    """Each page: image links, its OCR text with the query's words marked, and the word boxes to
    highlight over the image shown, as markup made here so the template only places it."""
    archive: Archive = current_app.config["ARCHIVE"]
    wanted = query_words(q)
    links = _Links(q)
    pages = []
    for n, key in enumerate(item.get("pages") or (), start=1):
        ref = PageRef.parse(key)
        text = _page_text(archive, ref)
        layer = None
        if wanted and wanted.pattern.search(text):
            layer = _highlight_layer(archive, ref, wanted, kind)
        pages.append({"n": n, "text": marked_text(text, wanted.pattern),
                      "permalink": url_for("permalink.page", item_id=item["id"], n=n),
                      "iiif": url_for("iiif.info", ident=f"{ref.sha256}-{ref.index}-{kind}"),
                      "view": links.image_url(key, "view", kind),
                      "full": links.image_url(key, "full", kind),
                      "view_box": layer[0] if layer else None,
                      "boxes": layer[2] if layer else 0,
                      "rects": layer[1] if layer else None})
    return pages


def _highlight_layer(archive: Archive, ref: PageRef, wanted, kind: str) -> tuple[str, Markup, int] | None:
    """(SVG viewBox, shapes, how many words) over the clean image or the original scan."""
    highlights = page_highlights(archive, ref, wanted)
    if not highlights:
        return None
    if kind == "clean":
        return highlights.view_box, _rects(highlights), len(highlights.boxes)
    placed = on_original(archive, ref, highlights)
    if placed is None:
        return None
    return placed.view_box, _outlines(placed), len(placed.outlines)


def _rects(highlights: Highlights) -> Markup:
    """The SVG rectangles over the page image, one per highlighted word."""
    return Markup("".join(
        f'<rect class="hl" x="{b.x:d}" y="{b.y:d}" width="{b.width:d}" height="{b.height:d}" '
        f'data-word="{html.escape(b.word)}"></rect>' for b in highlights.boxes))


def _outlines(placed: OriginalHighlights) -> Markup:
    """The SVG quadrilaterals over the original scan (a deskewed word lies slanted there)."""
    return Markup("".join(
        '<polygon class="hl" points="' + " ".join(f"{x:.1f},{y:.1f}" for x, y in corners)
        + f'" data-word="{html.escape(word)}"></polygon>' for word, corners in placed.outlines))


def _page_text(archive: Archive, ref: PageRef) -> str:
    return fast_nfc(pagetext.read_text(archive.page_dir(ref)) or "")


def visible_item(item_id: str) -> tuple[CatalogView, dict[str, Any]]:
    """The catalogue and the item, or 404 when there is no such item or the user may not see
    it (the same answer, so an id says nothing of what it names)."""
    view = catalog()
    record = view.item(item_id)
    if record is None or not can_see(item_level(record)):
        abort(404)
    return view, record


@bp.get("/item/<item_id>/print")
def item_print(item_id: str):
    """The item as a sheet to print: citation and permalink first, then its description and
    its page images (the original scans)."""
    view, record = visible_item(item_id)
    if item_level(record) >= 1:
        audit("view-item", item_id, "print")
    links = _Links("")
    return render_template(
        "item_print.html", item=record, title=_item_label(record),
        fields=item_fields(record, view), citation=citation(record, view, repository()),
        permalink=url_for("reading.item", item_id=item_id, _external=True),
        images=[links.image_url(key, "view", "original") for key in record.get("pages") or ()])


@bp.get("/item/<item_id>")
def item(item_id: str):
    view = catalog()
    record = view.item(item_id)
    if record is None:
        from luutru.web.permalink import moved  # an id retired by re-cataloguing
        return moved(item_id)
    if not can_see(item_level(record)):
        abort(404)
    if item_level(record) >= 1:
        audit("view-item", item_id)
    q = nfc(request.args.get("q", "")).strip()[:MAX_QUERY]
    kind = request.args.get("image") if request.args.get("image") in KINDS else "clean"
    cites, cited_by = citation_links(record, view)
    originals = list(dict.fromkeys(PageRef.parse(k).sha256 for k in record.get("pages") or ()))
    user = current_user()
    return render_template(
        "item.html", item=record, q=q, kind=kind, fields=item_fields(record, view),
        pages=page_views(record, q, kind), cites=cites, cited_by=cited_by,
        citation=citation(record, view, repository()), title=_item_label(record),
        permalink=url_for("reading.item", item_id=item_id, _external=True),
        manifest=url_for("iiif.manifest", item_id=item_id),
        print_url=url_for("reading.item_print", item_id=item_id),
        pdfs=[url_for("files.document_pdf", sha=sha) for sha in originals],
        item_pdf=url_for("itempdf.item_pdf_view", item_id=item_id),
        kind_urls={k: url_for("reading.item", item_id=item_id, q=q or None, image=k)
                   for k in KINDS},
        back_url=search_url(q) if q else None, opened_marked=opened_despite_mark(record),
        archivist=user is not None and user.has_role("archivist"))
