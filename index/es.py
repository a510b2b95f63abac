"""Elasticsearch backend, for archives past what one laptop's SQLite file serves well.

Stock Elasticsearch 8 only, no plugin: standard tokenizer + lowercase for the exact field,
+ asciifolding with ``preserve_original`` (folds đ) for ``.folded``, + bigram shingles for
``.shingles``. The index is a physical ``<alias>-<timestamp>`` behind the alias ``<alias>``;
``rebuild`` fills a new one and swaps the alias in one atomic ``_aliases`` call.

Everything sent is built by the pure functions at the top (tested as JSON without a server).
Clearance is a ``filter`` on ``level`` inside every search, count and suggestion check, of every
tier: a partial tier is a ``bool`` whose ``should`` words need ``minimum_should_match``, a fuzzy
word a ``multi_match`` with ``fuzziness`` (one edit from four letters on), the person tier the
signer field; each tier's query leaves out what the earlier tiers matched (``must_not``).
"""

from __future__ import annotations

import time
from collections.abc import Iterable, Iterator
from typing import Any
from urllib.parse import urlsplit, urlunsplit

from luutru.index.analysis import exact, fast_fold, meta_text, number_key
from luutru.index.backend import (FACET_SIZE, FACETS, SearchBackend, confirm_suggestion, make_hit,
                                  unit_display)
from luutru.index.boilerplate import content_lines, mark_boilerplate
from luutru.index.model import IndexReport, QueryError, SearchRequest, Unit, UnitPage
from luutru.index.organs import organ_facet
from luutru.index.query import (Adjacent, And, AtLeast, Filter, Fuzzy, Not, Or, ParsedQuery,
                                Person, Phrase, Term, Tier, and_parts, near_enough, or_children)
from luutru.textnorm import fold

DEFAULT_ALIAS = "luutru-units"
MAX_WINDOW = 10_000  # index.max_result_window: deeper pages walk with search_after
DEEP_STEP = 1000
META_BOOST = 4  # catalogue fields over body text (same weights as the embedded engines)
ADJACENT_BOOST = 4.0  # two query words side by side in the text
BOILER_BOOST = 0.2  # a word in a line every document repeats
FUZZY_BOOST = 0.5  # a word one edit away, in a partial match, counts less than the word
FUZZINESS = "AUTO:4,64"  # no edit below four letters, one from four on (never two)
_KEYWORD_FIELDS = {"fonds": "fonds_key", "file": "file_key", "type": "type_key",
                   "organ": "organ_key", "person": "person_key", "place": "place_key",
                   "number": "number_key"}
_FOLDED = [f"meta.folded^{META_BOOST}", "body.folded", f"boiler.folded^{BOILER_BOOST}"]
_EXACT = [f"meta^{META_BOOST}", "body"]


# --- what luutru sends (pure functions) -------------------------------------------------------

def index_settings() -> dict[str, Any]:
    return {
        "number_of_shards": 1,
        "number_of_replicas": 0,
        "analysis": {
            "filter": {
                "vi_folding": {"type": "asciifolding", "preserve_original": True},
                "vi_bigrams": {"type": "shingle", "min_shingle_size": 2, "max_shingle_size": 2,
                               "output_unigrams": False},
            },
            "analyzer": {
                "vi_exact": {"type": "custom", "tokenizer": "standard", "filter": ["lowercase"]},
                "vi_folded": {"type": "custom", "tokenizer": "standard",
                              "filter": ["lowercase", "vi_folding"]},
                "vi_shingles": {"type": "custom", "tokenizer": "standard",
                                "filter": ["lowercase", "asciifolding", "vi_bigrams"]},
            },
        },
    }


def _text_field() -> dict[str, Any]:
    return {"type": "text", "analyzer": "vi_exact",
            "fields": {"folded": {"type": "text", "analyzer": "vi_folded"},
                       "shingles": {"type": "text", "analyzer": "vi_shingles"}}}


def index_mappings() -> dict[str, Any]:
    keyword = {"type": "keyword"}
    properties: dict[str, Any] = {
        "uid": keyword, "kind": keyword, "level": {"type": "integer"},
        "fingerprint": {"type": "keyword", "index": False},
        "number_key": keyword, "year": {"type": "integer"},
        "date": {"type": "date", "format": "strict_date"},
        "meta": _text_field(), "body": _text_field(), "boiler": _text_field(),
        "signer": _text_field(),
        "display": {"type": "object", "enabled": False},
        "pages": {"type": "object", "enabled": False},
    }
    for name in ("fonds", "file", "type", "organ", "person", "place"):
        properties[name] = keyword
        properties[f"{name}_key"] = keyword
    # the text fields are indexed only; _source keeps each page's text once, under pages.
    return {"dynamic": "strict", "_source": {"excludes": ["meta", "body", "boiler", "signer"]},
            "properties": properties}


def unit_document(unit: Unit) -> dict[str, Any]:
    """The JSON document of one unit (its ``_id`` is ``unit.uid``)."""
    item = unit.item
    type_, raw_organ = (item.loai_van_ban, item.co_quan_ban_hanh) if item else (None, None)
    organ, _ = organ_facet(raw_organ)
    person, place = (item.nguoi_ky, item.dia_danh) if item else (None, None)
    split = [content_lines(exact(p.text), p.boiler) for p in unit.pages]
    return {
        "uid": unit.uid, "kind": "item" if item else "page", "level": unit.level,
        "fingerprint": unit.fingerprint,
        "fonds": unit.fonds, "fonds_key": fold(unit.fonds) if unit.fonds else None,
        "file": unit.file, "file_key": fold(unit.file) if unit.file else None,
        "type": type_, "type_key": fold(type_) if type_ else None,
        "organ": organ, "organ_key": sorted({fold(v) for v in (organ, raw_organ) if v}) or None,
        "person": person, "person_key": fold(person) if person else None,
        "place": place, "place_key": fold(place) if place else None,
        "number_key": number_key(item.so_ky_hieu) if item else None,
        "year": unit.year, "date": unit.date,
        "meta": meta_text(item.__dict__) if item else "",
        "body": "\n".join(own for own, _ in split),
        "boiler": "\n".join(rest for _, rest in split if rest),
        "signer": person or "",
        "display": unit_display(unit),
        "pages": [{"key": p.key, "source": p.source, "page": p.page, "n": p.n, "text": p.text,
                   "boiler": list(p.boiler)} for p in unit.pages],
    }


def _match(node: Term | Phrase, fields: list[str], text: str, boost: float = 1.0) -> dict:
    kind = "phrase" if isinstance(node, Phrase) else "best_fields"
    return {"multi_match": {"query": text, "fields": fields, "type": kind, "boost": boost}}


def _leaf(node: Term | Phrase, following: Term | None = None) -> dict[str, Any]:
    """Must match folded; exact diacritics and the bigram with the next word only add score."""
    if isinstance(node, Term) and node.prefix:
        return {"bool": {"should": [{"prefix": {"meta.folded": {"value": node.folded,
                                                                 "boost": META_BOOST}}},
                                    {"prefix": {"body.folded": {"value": node.folded}}}],
                         "minimum_should_match": 1}}
    folded = node.folded if isinstance(node, Term) else " ".join(node.folded)
    exact_text = node.exact if isinstance(node, Term) else " ".join(node.exact)
    should = [_match(node, _EXACT, exact_text, boost=2.0)] if exact_text != folded else []
    if following is not None:
        pair = f"{folded} {following.folded}"
        should.append({"multi_match": {"query": pair, "fields": _FOLDED, "type": "phrase",
                                       "boost": ADJACENT_BOOST}})
        should.append({"match": {"body.shingles": {"query": pair}}})
    must = _match(node, _FOLDED, folded)
    return {"bool": {"must": [must], "should": should}} if should else must


def text_query(node: object) -> dict[str, Any]:
    """The Elasticsearch query for a parsed query tree."""
    if isinstance(node, (Term, Phrase)):
        return _leaf(node)
    if isinstance(node, Or):
        return {"bool": {"should": [text_query(c) for c in or_children(node)],
                         "minimum_should_match": 1}}
    if isinstance(node, Adjacent):  # every word, and most of their pairs side by side
        pairs = [{"multi_match": {"query": f"{a} {b}", "fields": _FOLDED, "type": "phrase"}}
                 for a, b in node.pairs]
        return {"bool": {"must": [text_query(node.node)], "filter": [
            {"bool": {"should": pairs, "minimum_should_match": node.minimum}}]}}
    if isinstance(node, Fuzzy):
        return fuzzy_match(node.term.folded, _FOLDED)
    if isinstance(node, Person):
        return {"bool": {"should": [fuzzy_match(s, [f"signer.folded^{META_BOOST}"])
                                    for s in node.folded],
                         "minimum_should_match": node.minimum}}
    if isinstance(node, (And, AtLeast)):
        required, excluded = and_parts(node if isinstance(node, And) else node.node)
        clauses = [_leaf(child, following) if following else text_query(child)
                   for child, following in required]
        minimum = node.minimum if isinstance(node, AtLeast) else None
        body: dict[str, Any] = ({"must": clauses} if minimum is None else
                                {"should": clauses, "minimum_should_match": minimum})
        if excluded:
            body["must_not"] = [text_query(child) for child in excluded]
        if minimum is not None:  # a missing word read one letter off still adds a little
            near = [fuzzy_match(child.folded, _FOLDED, FUZZY_BOOST) for child, _ in required
                    if isinstance(child, Term) and near_enough(child.folded)]
            if near:
                body = {"must": [{"bool": body}], "should": near}
        return {"bool": body}
    if isinstance(node, Not):
        raise QueryError("a query cannot only exclude: add a word to search for before NOT")
    raise TypeError(f"unknown query node {node!r}")


def fuzzy_match(folded: str, fields: list[str], boost: float = 1.0) -> dict[str, Any]:
    """A folded word or one an edit away (``fuzziness``), as OCR misreads a letter."""
    return {"multi_match": {"query": folded, "fields": fields, "fuzziness": FUZZINESS,
                            "prefix_length": 0, "boost": boost}}


def _filter_clause(flt: Filter) -> dict[str, Any]:
    if flt.field in _KEYWORD_FIELDS:
        return {"term": {_KEYWORD_FIELDS[flt.field]: flt.value}}
    bounds = {}
    if flt.low is not None:
        bounds["gte"] = flt.low
    if flt.high is not None:
        bounds["lte"] = flt.high
    return {"range": {flt.field: bounds}}


def query_body(parsed: ParsedQuery, clearance: int, tier: Tier | None = None) -> dict[str, Any]:
    """The ``query`` part of one tier (the exact one by default): text (scored) minus the earlier
    tiers' matches + field filters + clearance (filters, not scored)."""
    text = tier.node if tier is not None else parsed.text
    filters: list[dict] = [{"range": {"level": {"lte": clearance}}}]
    must_not = []
    for flt in parsed.filters:
        (must_not if flt.negate else filters).append(_filter_clause(flt))
    must_not += [text_query(earlier) for earlier in (tier.before if tier is not None else ())]
    boolean: dict[str, Any] = {"filter": filters}
    boolean["must"] = [text_query(text)] if text is not None else [{"match_all": {}}]
    if must_not:
        boolean["must_not"] = must_not
    return {"bool": boolean}


def sort_clause(sort: str) -> list[Any]:
    if sort in ("date", "oldest"):
        order = "desc" if sort == "date" else "asc"
        return [{"date": {"order": order, "missing": "_last"}}, "_score", {"uid": "asc"}]
    return ["_score", {"uid": "asc"}]


def facet_aggs() -> dict[str, Any]:
    return {name: {"terms": {"field": name, "size": FACET_SIZE * 5,
                             "order": [{"_count": "desc"}, {"_key": "asc"}]}}
            for name in FACETS}


def search_body(parsed: ParsedQuery, request: SearchRequest, size: int | None = None,
                offset: int | None = None, search_after: list | None = None,
                facets: bool | None = None, tier: Tier | None = None) -> dict[str, Any]:
    """The whole ``_search`` body for one page of results (of one tier)."""
    body: dict[str, Any] = {
        "query": query_body(parsed, request.clearance, tier),
        "sort": sort_clause(request.sort),
        "size": request.limit if size is None else size,
        "track_total_hits": True,
        "_source": ["display", "pages"],
    }
    if search_after is not None:
        body["search_after"] = search_after
    else:
        body["from"] = request.offset if offset is None else offset
    if request.facets if facets is None else facets:
        body["aggs"] = facet_aggs()
    return body


def suggest_body(text: str) -> dict[str, Any]:
    """Candidate spellings only; each is checked against the caller's clearance before use."""
    return {"size": 0, "suggest": {"text": fast_fold(text), "words": {
        "term": {"field": "body.folded", "suggest_mode": "missing", "size": 3}}}}


def bulk_actions(index: str, units: Iterable[Unit]) -> Iterator[dict[str, Any]]:
    for unit in units:
        yield {"_op_type": "index", "_index": index, "_id": unit.uid, "_source": unit_document(unit)}


def alias_actions(alias: str, old: list[str], new: str) -> list[dict[str, Any]]:
    """One ``_aliases`` request: move the alias to ``new`` (atomic), drop the old indices."""
    actions: list[dict[str, Any]] = [{"add": {"index": new, "alias": alias, "is_write_index": True}}]
    actions += [{"remove_index": {"index": name}} for name in old if name != new]
    return actions


# --- the backend ------------------------------------------------------------------------------

def connect(url: str):
    """An ``Elasticsearch`` client for ``url``; user:password in the URL becomes basic auth."""
    from elasticsearch import Elasticsearch

    parts = urlsplit(url)
    auth = None
    if parts.username:
        auth = (parts.username, parts.password or "")
        parts = parts._replace(netloc=parts.hostname + (f":{parts.port}" if parts.port else ""))
    return Elasticsearch(urlunsplit(parts), basic_auth=auth, request_timeout=30,
                         retry_on_timeout=True, max_retries=3)


class ElasticsearchBackend(SearchBackend):
    name = "elasticsearch"
    in_archive = False

    def __init__(self, url: str | None = None, alias: str = DEFAULT_ALIAS, client=None,
                 max_retries: int = 5, initial_backoff: float = 1.0):
        self.client = client if client is not None else connect(url)
        self.alias = alias
        self.max_retries = max_retries
        self.initial_backoff = initial_backoff

    def close(self) -> None:
        self.client.close()

    # --- indices --------------------------------------------------------------------------

    def _current(self) -> list[str]:
        if not self.client.indices.exists_alias(name=self.alias):
            return []
        return sorted(self.client.indices.get_alias(name=self.alias).body)

    def _create(self) -> str:
        name = f"{self.alias}-{time.strftime('%Y%m%d%H%M%S')}-{time.monotonic_ns() % 10**6:06d}"
        self.client.indices.create(index=name, settings=index_settings(), mappings=index_mappings())
        return name

    def _ensure(self) -> None:
        if not self._current():
            new = self._create()
            self.client.indices.update_aliases(actions=alias_actions(self.alias, [], new))

    def drop(self) -> None:
        """Delete the alias and its indices (tests and ``reindex`` clean-up)."""
        for name in self._current():
            self.client.indices.delete(index=name)

    # --- writing --------------------------------------------------------------------------

    def fingerprints(self) -> dict[str, str]:
        from elasticsearch import helpers

        self._ensure()
        return {hit["_source"]["uid"]: hit["_source"]["fingerprint"]
                for hit in helpers.scan(self.client, index=self.alias,
                                        query={"_source": ["uid", "fingerprint"]})}

    def _bulk(self, actions: Iterable[dict[str, Any]]) -> list[dict[str, str]]:
        """Bulk with retries and exponential back-off; what still fails is reported, not lost."""
        from elasticsearch import helpers

        failures = []
        for ok, info in helpers.streaming_bulk(
                self.client, actions, chunk_size=200, max_retries=self.max_retries,
                initial_backoff=self.initial_backoff, max_backoff=60,
                retry_on_status=(429, 502, 503, 504), raise_on_error=False,
                raise_on_exception=False, yield_ok=False):
            if not ok:
                op = next(iter(info.values()))
                failures.append({"uid": str(op.get("_id")), "reason": str(op.get("error"))[:500]})
        return failures

    def upsert(self, units: Iterable[Unit]) -> list[dict[str, str]]:
        self._ensure()
        failures = self._bulk(bulk_actions(self.alias, units))
        self.client.indices.refresh(index=self.alias)
        return failures

    def delete(self, uids: Iterable[str]) -> None:
        actions = [{"_op_type": "delete", "_index": self.alias, "_id": uid} for uid in uids]
        if actions:
            self._bulk(actions)
            self.client.indices.refresh(index=self.alias)

    def rebuild(self, units: Iterable[Unit]) -> IndexReport:
        units = mark_boilerplate(units)  # what sync marks, rebuild marks the same way
        old = self._current()
        new = self._create()
        report = IndexReport()

        def counted() -> Iterator[Unit]:
            for unit in units:
                report.added += 1
                report.pages += len(unit.pages)
                yield unit

        report.failures = self._bulk(bulk_actions(new, counted()))
        if report.failures:  # keep serving the old index; the new one is incomplete
            self.client.indices.delete(index=new)
            return report
        self.client.indices.refresh(index=new)
        self.client.indices.update_aliases(actions=alias_actions(self.alias, old, new))
        return report

    # --- searching ------------------------------------------------------------------------

    def tier_total(self, parsed: ParsedQuery, tier: Tier, request: SearchRequest,
                   facets: bool) -> tuple[int, dict[str, dict[str, int]]]:
        response = self._search(search_body(parsed, request, size=0, offset=0, facets=facets,
                                            tier=tier))
        counts = {}
        for name in FACETS if facets else ():
            buckets = response["aggregations"][name]["buckets"]
            counts[name] = {str(b["key"]): b["doc_count"] for b in buckets}
        return response["hits"]["total"]["value"], counts

    def tier_hits(self, parsed: ParsedQuery, tier: Tier, request: SearchRequest, offset: int,
                  limit: int) -> list[dict[str, Any]]:
        scored = parsed.text is not None and request.sort == "relevance"
        return [make_hit(h["_source"]["display"], _pages(h["_source"]["pages"]), parsed,
                         h.get("_score") if scored else None)
                for h in self._page(parsed, request, tier, offset, limit)]

    def _search(self, body: dict[str, Any]) -> dict[str, Any]:
        from elasticsearch import BadRequestError

        self._ensure()
        try:
            return self.client.search(index=self.alias, body=body)
        except BadRequestError as error:
            raise QueryError(f"Elasticsearch could not run this query ({error.message})") from None

    def _page(self, parsed: ParsedQuery, request: SearchRequest, tier: Tier, offset: int,
              limit: int) -> list[dict]:
        if offset + limit <= MAX_WINDOW:
            body = search_body(parsed, request, size=limit, offset=offset, facets=False, tier=tier)
            return self._search(body)["hits"]["hits"]
        # Deep page: walk the same sort order with search_after (uid breaks ties, so it is stable).
        after, skipped = None, 0
        while True:
            wanted = offset - skipped
            size = limit if wanted <= 0 else min(DEEP_STEP, wanted)
            body = search_body(parsed, request, size=size, offset=0, search_after=after,
                               facets=False, tier=tier)
            page = self._search(body)["hits"]["hits"]
            if wanted <= 0 or not page:
                return page if wanted <= 0 else []
            skipped += len(page)
            after = page[-1]["sort"]

    def suggest(self, request: SearchRequest, parsed: ParsedQuery) -> str | None:
        response = self._search(suggest_body(request.query))
        replacements = {}
        for entry in response.get("suggest", {}).get("words", []):
            for option in entry["options"]:
                if self._visible(option["text"], request.clearance):
                    replacements[fast_fold(entry["text"])] = option["text"]
                    break
        return confirm_suggestion(self, request, replacements)

    def _visible(self, folded_term: str, clearance: int) -> bool:
        query = {"bool": {"must": [{"multi_match": {"query": folded_term, "fields": _FOLDED}}],
                          "filter": [{"range": {"level": {"lte": clearance}}}]}}
        return self.client.count(index=self.alias, query=query)["count"] > 0


def _pages(stored: list[dict[str, Any]]) -> list[UnitPage]:
    return [UnitPage(p["key"], p["source"], p["page"], p["n"], p["text"],
                     tuple(p.get("boiler", ()))) for p in stored]
