"""The embedded default: a Tantivy index in ``<archive>/index/tantivy-*``, no server.

Chosen over SQLite FTS5 on the benchmark (bench/search.py): FTS5 scores every matching row, so a
common word in 100k pages costs hundreds of milliseconds, while Tantivy ranks the top hits with
block-max WAND and counts facets from columnar fast fields. Page text goes to Tantivy once, as
NFC; Tantivy's own analysers (registered on every open, :func:`register_analyzers`) cut and fold
it on the writer threads in Rust: ``meta``/``body`` folded (ascii_fold folds đ→d; digits glued to
a word are cut off first, ``Số63`` → ``Số 63``, as ``fast_fold`` does), ``meta_x``/``body_x``
exact (lower case, marks, no positions: only single words are looked up there), which only add
score. Folding in Python was the indexing bottleneck. Queries are folded in Python
(:mod:`luutru.index.query`); a test checks both foldings cut the same words. ``pairs`` holds every
two adjacent folded words as one term (:func:`~luutru.index.analysis.word_pairs`, as
Elasticsearch's ``index_phrases``): adjacent query words add the score of their pair, so phrases
rank above scattered syllables, and a phrase's pairs narrow the documents whose positions are read.

Each page's boilerplate lines (:mod:`luutru.index.boilerplate`) go to ``boiler``, searched like
``body`` but weighing :data:`BOILER_BOOST`; the signer goes to ``person`` too, searched alone by the
person tier of a name-like query and by ``person:``.

``rebuild`` writes a new index directory and switches the ``CURRENT`` pointer file atomically.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import time
from collections.abc import Iterable
from functools import lru_cache
from pathlib import Path
from typing import Any

from luutru.archive import atomic_write_text
from luutru.index.analysis import fast_nfc, meta_text, number_key, split_glued, word_pairs
from luutru.index.backend import (FACET_SIZE, FACETS, SearchBackend, confirm_suggestion, file_stamp,
                                  make_hit, unit_display)
from luutru.index.boilerplate import content_lines, mark_boilerplate
from luutru.index.model import IndexReport, QueryError, SearchRequest, Unit, UnitPage
from luutru.index.organs import organ_facet
from luutru.index.query import (Adjacent, And, AtLeast, Filter, Fuzzy, Not, Or, ParsedQuery,
                                Person, Phrase, Term, Tier, and_parts, near_enough, or_children)
from luutru.index.suggest import edits1
from luutru.textnorm import fold
from luutru.errors import LuutruError

FORMAT = 7  # bump when the schema or a stored field changes: the index is then built anew
INDEX_DIR = f"tantivy-{FORMAT}"
POINTER = "CURRENT"
META_BOOST = 4.0
EXACT_BOOST = 1.0
ADJACENT_BOOST = 4.0
BOILER_BOOST = 0.2  # a word in a line every document repeats
FUZZY_BOOST = 0.5  # a word one edit away counts less than the word itself
WRITER_HEAP = 128_000_000
LOCK_WAIT, LOCK_RETRY = 2.0, 0.05  # seconds: see TantivyBackend._writer
_KEY_FIELDS = {"fonds": "fonds_key", "file": "file_key", "type": "type_key", "organ": "organ_key",
               "person": "person_key", "place": "place_key", "number": "number_key"}
_TEXT_FIELDS = ("meta", "body", "boiler")
_PAGE_BREAK = "\x1e"
FOLDED, EXACT = "vi_folded", "vi_exact"
MAX_TOKEN_BYTES = 40  # longer "words" are OCR noise (Tantivy's default tokenizer drops them too)


class IndexBusy(LuutruError, RuntimeError):
    """Another process holds the index's writer lock."""


def _tantivy():
    import tantivy  # imported here so SQLite/Elasticsearch users do not need it

    return tantivy


def analyzers() -> dict[str, Any]:
    """Tantivy analysers for the folded and the exact text fields."""
    tv = _tantivy()
    def simple():  # runs of letters and digits, as analysis.iter_tokens cuts them
        return (tv.TextAnalyzerBuilder(tv.Tokenizer.simple())
                .filter(tv.Filter.remove_long(MAX_TOKEN_BYTES)).filter(tv.Filter.lowercase()))

    return {FOLDED: simple().filter(tv.Filter.ascii_fold()).build(), EXACT: simple().build()}


def register_analyzers(index) -> None:
    """Analysers are not stored in the index: every opened index needs them."""
    for name, analyzer in analyzers().items():
        index.register_tokenizer(name, analyzer)


def build_schema():
    tv = _tantivy()
    builder = tv.SchemaBuilder()
    builder.add_text_field("uid", stored=True, tokenizer_name="raw")
    builder.add_text_field("fingerprint", stored=True, tokenizer_name="raw")
    builder.add_integer_field("level", indexed=True, fast=True)
    builder.add_integer_field("year", indexed=True, fast=True)
    builder.add_integer_field("date", indexed=True, fast=True)  # yyyymmdd, 0 when unknown
    for name in ("fonds", "type", "organ", "person", "place"):
        builder.add_text_field(name, tokenizer_name="raw", fast=True)
    for name in _KEY_FIELDS.values():
        builder.add_text_field(name, tokenizer_name="raw")
    for name in ("meta", "body", "boiler", "signer"):
        builder.add_text_field(name, stored=False, tokenizer_name=FOLDED)
    for name in ("meta_x", "body_x"):  # only single words are looked up there: no positions
        builder.add_text_field(name, stored=False, tokenizer_name=EXACT, index_option="freq")
    builder.add_text_field("pairs", stored=False, tokenizer_name="whitespace", index_option="freq")
    for name in ("display", "texts"):  # stored, not searched
        builder.add_bytes_field(name, stored=True)
    return builder.build()


def _date_number(date: str | None) -> int:
    digits = (date or "").replace("-", "")
    return int(digits) if len(digits) == 8 and digits.isdigit() else 0


def unit_fields(unit: Unit) -> dict[str, Any]:
    """The fields of one unit's Tantivy document."""
    item = unit.item
    texts = [p.text for p in unit.pages]
    split = [content_lines(p.text, p.boiler) for p in unit.pages]
    body = split_glued(fast_nfc("\n".join(own for own, _ in split)))
    boiler = split_glued(fast_nfc("\n".join(rest for _, rest in split if rest)))
    meta = split_glued(meta_text(item.__dict__)) if item else ""
    type_, organ = (item.loai_van_ban, item.co_quan_ban_hanh) if item else (None, None)
    person, place = (item.nguoi_ky, item.dia_danh) if item else (None, None)
    organ_value, _ = organ_facet(organ)
    display = {"display": unit_display(unit), "pages": [(p.key, p.source, p.page, p.n, p.boiler)
                                                        for p in unit.pages]}
    fields = {
        "uid": unit.uid, "fingerprint": unit.fingerprint, "level": unit.level,
        "year": unit.year or 0, "date": _date_number(unit.date),
        "meta": meta, "meta_x": meta, "body": body, "body_x": body, "boiler": boiler,
        "signer": person or "",
        # no pair across meta, body and boilerplate
        "pairs": word_pairs(meta) + "\n" + word_pairs(body) + "\n" + word_pairs(boiler),
        "display": json.dumps(display, ensure_ascii=False).encode("utf-8"),
        "texts": _PAGE_BREAK.join(texts).encode("utf-8"),  # the doc store compresses it
    }
    for name, value in (("fonds", unit.fonds), ("type", type_), ("organ", organ_value),
                        ("person", person), ("place", place)):
        if value:
            fields[name] = value
    keys = {"fonds_key": unit.fonds, "file_key": unit.file, "type_key": type_,
            "person_key": person, "place_key": place}
    for name, value in keys.items():
        if value:
            fields[name] = _key_fold(value)
    organ_keys = {_key_fold(v) for v in (organ, organ_value) if v}
    if organ_keys:
        fields["organ_key"] = sorted(organ_keys)
    if item and number_key(item.so_ky_hieu):
        fields["number_key"] = number_key(item.so_ky_hieu)
    return fields


class TantivyBackend(SearchBackend):
    name = "tantivy"

    def __init__(self, directory: Path | str):
        self.directory = Path(directory)
        self.directory.mkdir(parents=True, exist_ok=True)
        self.schema = build_schema()
        current = self._current()
        self._use(self._open(current), current)

    @classmethod
    def for_archive(cls, archive) -> "TantivyBackend":
        """The archive's index; one of an older format is dropped (``luutru index`` refills it)."""
        for stale in archive.index_dir.glob("tantivy*"):
            if stale.name != INDEX_DIR and stale.is_dir():
                shutil.rmtree(stale, ignore_errors=True)
        return cls(archive.index_dir / INDEX_DIR)

    @classmethod
    def generation(cls, archive) -> tuple:
        """A rebuild writes a new index beside the old one and moves the ``CURRENT`` pointer."""
        return file_stamp(archive.index_dir / INDEX_DIR / POINTER)

    # --- index directories ----------------------------------------------------------------

    def _current(self) -> Path:
        pointer = self.directory / POINTER
        if pointer.exists():
            return self.directory / pointer.read_text(encoding="utf-8").strip()
        first = self.directory / "v1"
        first.mkdir(exist_ok=True)
        atomic_write_text(pointer, "v1\n")
        return first

    def _open(self, path: Path):
        tv = _tantivy()
        path.mkdir(parents=True, exist_ok=True)
        if tv.Index.exists(str(path)):
            index = tv.Index.open(str(path))
        else:
            index = tv.Index(self.schema, path=str(path), reuse=False)
        register_analyzers(index)
        return index

    def _use(self, index, path: Path) -> None:
        self.index = index
        self._meta = path / "meta.json"
        self._meta_seen: tuple | None = None

    def _searcher(self):
        """A searcher on the last commit, whoever made it. Tantivy's ``reload`` reads its
        ``meta.json`` again (a third of a millisecond, every search); a commit replaces that file,
        so its inode and time say when a reload is due."""
        try:
            info = os.stat(self._meta)
            stamp: tuple | None = (info.st_ino, info.st_mtime_ns, info.st_size)
        except FileNotFoundError:
            stamp = None
        if stamp is None or stamp != self._meta_seen:
            self.index.reload()
            self._meta_seen = stamp
        return self.index.searcher()

    # --- writing ----------------------------------------------------------------------------

    def fingerprints(self) -> dict[str, str]:
        searcher = self._searcher()
        if searcher.num_docs == 0:
            return {}
        result = searcher.search(_tantivy().Query.all_query(), limit=searcher.num_docs)
        found = {}
        for _, address in result.hits:
            doc = searcher.doc(address)
            found[doc["uid"][0]] = doc["fingerprint"][0]
        return found

    def _writer(self, index, threads: int = 1):
        """The index's one writer. Another process may hold it for a moment (two archivists'
        saves in two reading-room processes, each a fraction of a second), so it is asked for
        again for up to ``LOCK_WAIT`` seconds; a ``luutru index`` holding it longer is reported."""
        deadline = time.monotonic() + LOCK_WAIT
        while True:
            try:
                return index.writer(heap_size=WRITER_HEAP, num_threads=threads)
            except ValueError as error:
                if "LockBusy" not in str(error):
                    raise
            if time.monotonic() >= deadline:
                raise IndexBusy("another luutru process is writing this search index; "
                                "try again when it has finished")
            time.sleep(LOCK_RETRY)

    def _write(self, index, units: Iterable[Unit], replace: bool) -> int:
        tv = _tantivy()
        writer = self._writer(index, threads=1 if replace else 2)
        count = 0
        try:
            for unit in units:
                if replace:
                    writer.delete_documents_by_term("uid", unit.uid)
                writer.add_document(tv.Document(**unit_fields(unit)))
                count += 1
            writer.commit()
        except BaseException:
            writer.rollback()
            raise
        finally:
            writer.wait_merging_threads()
        return count

    def upsert(self, units: Iterable[Unit]) -> list[dict[str, str]]:
        self._write(self.index, units, replace=True)
        return []

    def delete(self, uids: Iterable[str]) -> None:
        uids = list(uids)
        if not uids:
            return
        writer = self._writer(self.index)
        try:
            for uid in uids:
                writer.delete_documents_by_term("uid", uid)
            writer.commit()
        finally:
            writer.wait_merging_threads()

    def rebuild(self, units: Iterable[Unit]) -> IndexReport:
        """Fill a fresh directory, then point ``CURRENT`` at it (atomic); drop the old one."""
        units = mark_boilerplate(units)  # what sync marks, rebuild marks the same way
        old = self._current()
        name = f"v{time.strftime('%Y%m%d%H%M%S')}-{time.monotonic_ns() % 10**6:06d}"
        fresh = self.directory / name
        report = IndexReport()

        def counted():
            for unit in units:
                report.pages += len(unit.pages)
                yield unit

        try:
            index = self._open(fresh)
            report.added = self._write(index, counted(), replace=False)
        except BaseException:
            shutil.rmtree(fresh, ignore_errors=True)
            raise
        atomic_write_text(self.directory / POINTER, name + "\n")
        self._use(index, fresh)
        shutil.rmtree(old, ignore_errors=True)
        return report

    def size_bytes(self) -> int:
        return sum(p.stat().st_size for p in self._current().rglob("*") if p.is_file())

    # --- searching ----------------------------------------------------------------------------

    def tier_hits(self, parsed: ParsedQuery, tier: Tier, request: SearchRequest, offset: int,
                  limit: int) -> list[dict[str, Any]]:
        """Top hits from the scored query without counting (Tantivy can then skip documents that
        cannot reach the top)."""
        tv = _tantivy()
        searcher = self._searcher()
        order = ({"order_by_field": "date", "order": tv.Order.Desc} if request.sort == "date"
                 else {"order_by_field": "date", "order": tv.Order.Asc}
                 if request.sort == "oldest" else {})
        result = searcher.search(self.compile(parsed, request.clearance, tier=tier), limit=limit,
                                 count=False, offset=offset, **order)
        hits = []
        for score, address in result.hits:
            doc = searcher.doc(address)
            stored = json.loads(doc["display"][0].decode("utf-8"))
            texts = doc["texts"][0].decode("utf-8").split(_PAGE_BREAK)
            pages = [UnitPage(*where[:4], text, tuple(where[4]))
                     for where, text in zip(stored["pages"], texts)]
            relevance = score if parsed.text is not None and request.sort == "relevance" else None
            hits.append(make_hit(stored["display"], pages, parsed, relevance))
        return hits

    def tier_total(self, parsed: ParsedQuery, tier: Tier, request: SearchRequest,
                   facets: bool) -> tuple[int, dict[str, dict[str, int]]]:
        """The total and facets from one aggregation over the matching query, which leaves out
        the score-only clauses (phrase bonuses cost position reads)."""
        matching = self.compile(parsed, request.clearance, bonus=False, tier=tier)
        return self._count(self._searcher(), matching, facets)

    def _count(self, searcher, matching, facets: bool) -> tuple[int, dict[str, dict[str, int]]]:
        """Matching units and, if asked, the facet counts. Every unit has a ``year`` (0 when
        unknown), so with facets the year buckets and the documents left out of them add up to
        the total, with no pass of its own; without, the units' ``level`` values are counted."""
        if not facets:
            result = searcher.aggregate(matching, {"total": {"value_count": {"field": "level"}}})
            return int(result["total"]["value"]), {}
        result = searcher.aggregate(matching, {name: {"terms": {"field": name,
                                                                "size": FACET_SIZE * 5}}
                                               for name in FACETS})
        years = result["year"]
        total = sum(b["doc_count"] for b in years["buckets"]) + years["sum_other_doc_count"]
        counts = {name: {_key(b["key"]): b["doc_count"] for b in result[name]["buckets"]
                         if not (name == "year" and not b["key"])} for name in FACETS}
        return int(total), counts

    def suggest(self, request: SearchRequest, parsed: ParsedQuery) -> str | None:
        searcher = self._searcher()
        replacements = {}
        for term in parsed.positive_terms():
            if not isinstance(term, Term) or term.prefix or term.folded in replacements:
                continue
            if self._visible(searcher, term.folded, request.clearance):
                continue
            frequency = {c: sum(searcher.doc_freq(f, c) for f in _TEXT_FIELDS)
                         for c in edits1(term.folded)}
            known = sorted((c for c, n in frequency.items() if n), key=lambda c: -frequency[c])
            for candidate in known[:5]:
                if self._visible(searcher, candidate, request.clearance):
                    replacements[term.folded] = candidate
                    break
        return confirm_suggestion(self, request, replacements)

    def _visible(self, searcher, folded_term: str, clearance: int) -> bool:
        tv = _tantivy()
        query = tv.Query.boolean_query([
            (tv.Occur.Must, self._any(_TEXT_FIELDS, [folded_term])),
            (tv.Occur.Must, self._clearance(clearance))])
        return searcher.search(query, limit=1, count=True).count > 0

    # --- query compilation ----------------------------------------------------------------

    def compile(self, parsed: ParsedQuery, clearance: int, bonus: bool = True,
                tier: Tier | None = None):
        """The Tantivy query of one tier (the exact one by default): scored text, minus the
        earlier tiers' matches, plus filters and clearance that add no score.

        ``bonus=False`` leaves out the clauses that only add score (exact diacritics, adjacent
        words): the same documents match, for counting them.
        """
        tv = _tantivy()
        text = tier.node if tier is not None else parsed.text
        clauses = [(tv.Occur.Must, self._clearance(clearance))]
        for flt in parsed.filters:
            occur = tv.Occur.MustNot if flt.negate else tv.Occur.Must
            clauses.append((occur, tv.Query.const_score_query(self._filter(flt), 0.0)))
        if text is not None:
            clauses.append((tv.Occur.Must, self._text(text, bonus)))
        else:
            clauses.append((tv.Occur.Must, tv.Query.all_query()))
        for earlier in tier.before if tier is not None else ():
            clauses.append((tv.Occur.MustNot, self._text(earlier, False)))
        return tv.Query.boolean_query(clauses)

    def _clearance(self, clearance: int):
        tv = _tantivy()
        return tv.Query.const_score_query(tv.Query.range_query(
            self.schema, "level", tv.FieldType.Integer, 0, clearance), 0.0)

    def _filter(self, flt: Filter):
        tv = _tantivy()
        if flt.field in _KEY_FIELDS:
            return tv.Query.term_query(self.schema, _KEY_FIELDS[flt.field], flt.value)
        if flt.field == "year":
            low, high = flt.low or 0, flt.high or 9999
        else:
            low, high = _date_number(flt.low) or 1, _date_number(flt.high) or 99991231
        return tv.Query.range_query(self.schema, flt.field, tv.FieldType.Integer, low, high)

    def _any(self, fields: tuple[str, ...], tokens: list[str], prefix: bool = False):
        """Tokens (a word or a phrase) in any of the fields: meta boosted, body, boilerplate
        weighing little."""
        tv = _tantivy()
        alternatives = []
        for field, boost in zip(fields, (META_BOOST, 1.0, BOILER_BOOST)):
            if prefix:
                query = tv.Query.regex_query(self.schema, field, re.escape(tokens[0]) + ".*")
            elif len(tokens) == 1:
                query = tv.Query.term_query(self.schema, field, tokens[0])
            else:
                query = tv.Query.boolean_query([(tv.Occur.Must, tv.Query.phrase_query(
                    self.schema, field, list(tokens)))] + self._phrase_pairs(tokens))
            alternatives.append((tv.Occur.Should, tv.Query.boost_query(query, boost)))
        return tv.Query.boolean_query(alternatives)

    def _leaf(self, node: Term | Phrase, following: Term | None = None, bonus: bool = True):
        tv = _tantivy()
        folded = [node.folded] if isinstance(node, Term) else list(node.folded)
        exact_tokens = [node.exact] if isinstance(node, Term) else list(node.exact)
        prefix = isinstance(node, Term) and node.prefix
        matching = self._any(_TEXT_FIELDS, folded, prefix)
        if not bonus:
            return matching
        clauses = [(tv.Occur.Must, matching)]
        if exact_tokens != folded and not prefix:  # per word: a phrase check costs twice
            clauses += [(tv.Occur.Should, tv.Query.boost_query(
                self._any(("meta_x", "body_x"), [token]), EXACT_BOOST))
                for token, plain in zip(exact_tokens, folded) if token != plain]
        if following is not None:
            clauses.append((tv.Occur.Should, tv.Query.boost_query(
                self._pair(folded[-1], following.folded), ADJACENT_BOOST)))
        return tv.Query.boolean_query(clauses)

    def _fuzzy_only(self, folded: str):
        tv = _tantivy()
        return tv.Query.boolean_query([(tv.Occur.Should, tv.Query.boost_query(
            tv.Query.fuzzy_term_query(self.schema, field, folded, 1, True, False),
            FUZZY_BOOST * boost)) for field, boost in zip(_TEXT_FIELDS, (META_BOOST, 1.0,
                                                                         BOILER_BOOST))])

    def _fuzzy(self, folded: str, fields: tuple[str, ...]):
        """``folded`` in any of ``fields``, or (from four letters on) a word one edit away,
        scored below the word itself."""
        tv = _tantivy()
        alternatives = [(tv.Occur.Should, self._any(fields, [folded]))]
        if near_enough(folded):
            alternatives += [(tv.Occur.Should, tv.Query.boost_query(
                tv.Query.fuzzy_term_query(self.schema, field, folded, 1, True, False),
                FUZZY_BOOST * boost)) for field, boost in zip(fields, (META_BOOST, 1.0,
                                                                       BOILER_BOOST))]
        return tv.Query.boolean_query(alternatives)

    def _pair(self, first: str, second: str):
        return _tantivy().Query.term_query(self.schema, "pairs", f"{first}_{second}")

    def _phrase_pairs(self, folded: list[str]) -> list:
        """A phrase's adjacent pairs as required, score-free clauses: Tantivy intersects from the
        rarest, so the phrase's positions are read only in documents that hold all its pairs
        (under a union it would not: a union reads ahead in every branch)."""
        tv = _tantivy()
        return [(tv.Occur.Must, tv.Query.const_score_query(self._pair(first, second), 0.0))
                for first, second in zip(folded, folded[1:])]

    def _text(self, node: object, bonus: bool = True):
        tv = _tantivy()
        if isinstance(node, (Term, Phrase)):
            return self._leaf(node, bonus=bonus)
        if isinstance(node, Or):
            return tv.Query.boolean_query([(tv.Occur.Should, self._text(c, bonus))
                                           for c in or_children(node)])
        if isinstance(node, (And, AtLeast)):
            required, excluded = and_parts(node if isinstance(node, And) else node.node)
            minimum = node.minimum if isinstance(node, AtLeast) else None
            occur = tv.Occur.Must if minimum is None else tv.Occur.Should
            clauses = [(occur, self._leaf(child, following, bonus) if following
                        else self._text(child, bonus)) for child, following in required]
            clauses += [(tv.Occur.MustNot, self._text(child, False)) for child in excluded]
            query = tv.Query.boolean_query(clauses, minimum_number_should_match=minimum)
            if minimum is None or not bonus:
                return query
            # a partial match: a missing word read one letter off still adds a little
            near = [(tv.Occur.Should, self._fuzzy_only(child.folded)) for child, _ in required
                    if isinstance(child, Term) and near_enough(child.folded)]
            return tv.Query.boolean_query([(tv.Occur.Must, query)] + near)
        if isinstance(node, Adjacent):  # every word, most pairs side by side (score-free)
            pairs = tv.Query.boolean_query([(tv.Occur.Should, self._pair(a, b))
                                            for a, b in node.pairs],
                                           minimum_number_should_match=node.minimum)
            return tv.Query.boolean_query([(tv.Occur.Must, self._text(node.node, bonus)),
                                           (tv.Occur.Must, tv.Query.const_score_query(pairs, 0.0))])
        if isinstance(node, Fuzzy):
            return self._fuzzy(node.term.folded, _TEXT_FIELDS)
        if isinstance(node, Person):
            return tv.Query.boolean_query([(tv.Occur.Should, self._fuzzy(syllable, ("signer",)))
                                           for syllable in node.folded],
                                          minimum_number_should_match=node.minimum)
        if isinstance(node, Not):
            raise QueryError("a query cannot only exclude: add a word to search for before NOT")
        raise TypeError(f"unknown query node {node!r}")


_key_fold = lru_cache(maxsize=4096)(fold)  # fonds, file, type, organ: few values, many units


def _key(value: Any) -> str:
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)
