"""The small value objects the search engines are fed with and answer in.

The index knows nothing of hOCR, XML or page.json: the glue in :mod:`luutru.index.update` turns the
record into :class:`ItemDoc` and :class:`PageDoc`, so each engine can be tested with plain objects.
A *unit* is what one search hit is: a catalogued item with its pages, or a page no item claims.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Iterator
from dataclasses import asdict, dataclass, field
from functools import cached_property
from typing import Any

from luutru.access import (CLEARANCE_NAMES, DO_MAT_LEVEL, RESTRICTED_ACCESS,  # noqa: F401 (re-exported)
                           RESTRICTED_LEVEL, parse_clearance, secrecy_level)
from luutru.errors import LuutruError


class QueryError(LuutruError, ValueError):
    """A query the user typed cannot be understood; the message says why, in plain words."""


@dataclass(frozen=True)
class PageDoc:
    """One page's text. ``key`` is the archive PageRef key ``sha256:index``; ``page`` is ``index``.

    ``level``: the clearance the page needs when no item claims it. The glue that reads the
    archive (:func:`luutru.index.update.iter_page_docs`) sets the strictest: nobody has looked
    at an uncatalogued page's marks. A plain object without it is as open as ``restricted`` says.
    """

    key: str
    source: str
    page: int
    text: str
    fonds: str | None = None
    file: str | None = None
    restricted: bool = False
    level: int | None = None


@dataclass(frozen=True)
class ItemDoc:
    """A catalogued item (văn bản): the fields search filters, ranks and shows."""

    id: str
    so_ky_hieu: str | None = None
    loai_van_ban: str | None = None
    ngay_ban_hanh: str | None = None
    co_quan_ban_hanh: str | None = None
    trich_yeu: str | None = None
    nguoi_ky: str | None = None
    fonds: str | None = None
    file: str | None = None
    source: str | None = None
    first_page: int | None = None
    last_page: int | None = None
    do_mat: str | None = None
    access: str | None = None
    page_keys: tuple[str, ...] = ()
    needs_review: bool = False
    dia_danh: str | None = None
    # luutru.access.item_level of the record (set by the glue that reads the catalogue); a plain
    # object without it is as secret as its do_mat and access say.
    level: int | None = None


@dataclass(frozen=True)
class UnitPage:
    """A page as stored in the index: its text and where it sits."""

    key: str
    source: str
    page: int
    n: int  # 1-based page number within the unit (the document)
    text: str
    boiler: tuple[int, ...] = ()  # lines (0-based) every document repeats: index/boilerplate.py


@dataclass
class Unit:
    """What one hit is: an item with its pages, or a lone page (``item`` is None)."""

    uid: str
    item: ItemDoc | None
    pages: list[UnitPage]
    level: int
    fonds: str | None = None
    file: str | None = None

    @cached_property
    def fingerprint(self) -> str:
        """Changes whenever anything indexed changes, so ``luutru index`` can skip the rest."""
        fields = [vars(self.item) if self.item else None, self.level, self.fonds, self.file,
                  [(p.key, p.source, p.page, p.n, p.boiler) for p in self.pages]]
        digest = hashlib.sha256(json.dumps(fields, ensure_ascii=False, sort_keys=True).encode())
        for page in self.pages:
            digest.update(b"\x1e" + page.text.encode("utf-8"))
        return digest.hexdigest()[:32]

    @property
    def year(self) -> int | None:
        date = self.item.ngay_ban_hanh if self.item else None
        return int(date[:4]) if date and date[:4].isdigit() else None

    @property
    def date(self) -> str | None:
        return self.item.ngay_ban_hanh if self.item else None


def build_units(items: Iterable[ItemDoc], pages: Iterable[PageDoc]) -> Iterator[Unit]:
    """Group pages under the items that claim them; every other page with text is a unit alone."""
    items = list(items)
    owned = {key for item in items for key in item.page_keys}
    claimed: dict[str, PageDoc] = {}
    for page in pages:
        if page.key in owned:
            claimed[page.key] = page
        elif page.text.strip():
            yield Unit(uid=f"page:{page.key}", item=None,
                       pages=[UnitPage(page.key, page.source, page.page, 1, page.text)],
                       level=_page_unit_level(page),
                       fonds=page.fonds, file=page.file)
    for item in items:
        unit_pages = []
        for n, key in enumerate(item.page_keys, start=1):
            page = claimed.get(key)
            index = int(key.rpartition(":")[2]) if key.rpartition(":")[2].isdigit() else n
            unit_pages.append(UnitPage(key, page.source if page else (item.source or ""),
                                       page.page if page else index, n, page.text if page else ""))
        yield Unit(uid=item.id, item=item, pages=unit_pages,
                   level=_item_unit_level(item), fonds=item.fonds, file=item.file)


def _item_unit_level(item: ItemDoc) -> int:
    return item.level if item.level is not None else secrecy_level(item.do_mat, item.access)


def _page_unit_level(page: PageDoc) -> int:
    if page.level is not None:
        return page.level
    return RESTRICTED_LEVEL if page.restricted else 0


SORTS = ("relevance", "date", "oldest")


@dataclass(frozen=True)
class SearchRequest:
    query: str
    clearance: int = 0
    limit: int = 10
    page: int = 1
    sort: str = "relevance"  # or "date" (newest first) or "oldest" (oldest first)
    facets: bool = True

    def __post_init__(self) -> None:
        if self.limit < 1 or self.limit > 1000:
            raise QueryError("limit must be between 1 and 1000")
        if self.page < 1:
            raise QueryError("page numbers start at 1")
        if self.sort not in SORTS:
            raise QueryError("sort must be 'relevance', 'date' or 'oldest'")

    @property
    def offset(self) -> int:
        return (self.page - 1) * self.limit


@dataclass
class SearchResult:
    total: int
    hits: list[dict[str, Any]]
    facets: dict[str, dict[str, int]] = field(default_factory=dict)
    suggestion: str | None = None
    # each tier searched, strictest first: {"kind": exact|partial|fuzzy|person, "total", "label"}
    tiers: list[dict[str, Any]] = field(default_factory=list)
    notices: list[str] = field(default_factory=list)  # why nothing is shown, in Vietnamese
    facet_labels: dict[str, dict[str, str]] = field(default_factory=dict)  # fonds code → name…

    def to_json(self) -> dict[str, Any]:
        data: dict[str, Any] = {"total": self.total, "hits": self.hits, "facets": self.facets}
        if self.suggestion:
            data["suggestion"] = self.suggestion
        data["match"] = self.tiers
        if self.notices:
            data["notices"] = self.notices
        if self.facet_labels:
            data["facet_labels"] = self.facet_labels
        return data


@dataclass
class IndexReport:
    """What ``luutru index`` did: counts, and the documents the engine refused (never dropped)."""

    added: int = 0
    updated: int = 0
    deleted: int = 0
    unchanged: int = 0
    pages: int = 0
    failures: list[dict[str, str]] = field(default_factory=list)

    def to_json(self) -> dict[str, Any]:
        return asdict(self)

    @property
    def exit_code(self) -> int:
        """2 when the engine refused documents (they are listed, a person has to look)."""
        return 2 if self.failures else 0

    def summary_text(self) -> str:
        text = (f"Chỉ mục tìm kiếm: {self.added} mới, {self.updated} cập nhật, {self.deleted} xóa, "
                f"{self.unchanged} không đổi ({self.pages} trang).")
        for failure in self.failures:
            text += f"\n  LỖI chỉ mục {failure['uid']}: {failure['reason']}"
        return text
