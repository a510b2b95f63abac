"""The embedded default: SQLite FTS5 in ``<archive>/index/search.sqlite``, no server.

FTS5's own ``remove_diacritics`` leaves ``đ`` alone, so text is folded in Python
(:func:`~luutru.index.analysis.fast_fold`) into the ``meta``/``body`` columns and kept exact (lower
case, marks kept) in ``meta_x``/``body_x``. A query term is compiled to ``(folded OR exact)``: the
same rows match, but rows with the exact diacritics score twice. Adjacent words add their bigram the
same way, so the phrase ranks above scattered syllables. The FTS table is contentless; page text is
stored once, zlib-compressed, for snippets (and to delete a unit's old terms on update).

Boilerplate lines go to the ``boiler`` column (low bm25 weight), the signer to ``signer``. FTS5 has
no minimum-should-match and no fuzzy terms: a partial tier counts, per row, how many of the words'
row sets it is in (``GROUP BY … HAVING count(*) >= m``); a fuzzy word is its indexed neighbours one
edit away, looked up in the ``fts5vocab`` table.
"""

from __future__ import annotations

import json
import os
import sqlite3
import zlib
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

from luutru.index.analysis import exact, fast_fold, meta_text, number_key
from luutru.index.backend import (FACET_SIZE, FACETS, SearchBackend, confirm_suggestion, file_stamp,
                                  make_hit, unit_display)
from luutru.index.boilerplate import content_lines, mark_boilerplate
from luutru.index.model import IndexReport, QueryError, SearchRequest, Unit, UnitPage
from luutru.index.organs import organ_facet
from luutru.index.query import (Adjacent, And, AtLeast, Filter, Fuzzy, Not, Or, ParsedQuery,
                                Person, Phrase, Term, Tier, and_parts, near_enough, or_children)
from luutru.index.suggest import edits1
from luutru.textnorm import fold

INDEX_FILE = "search.sqlite"
SCHEMA_VERSION = "5"
ZLIB_LEVEL = 6
# bm25 weights of meta, meta_x, body, body_x, boiler, signer: the catalogue fields outweigh body
# text, boilerplate weighs little.
BM25 = "bm25(fts, 4.0, 4.0, 1.0, 1.0, 0.2, 4.0)"
TEXT = "meta body boiler"  # the folded columns a word is looked for in

# How many times the bigram of two adjacent query words counts (phrase above scattered).
ADJACENT_REPEAT = 4

_SCHEMA = """
CREATE TABLE IF NOT EXISTS info(key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS units(
    rowid INTEGER PRIMARY KEY, uid TEXT NOT NULL UNIQUE, fingerprint TEXT NOT NULL,
    level INTEGER NOT NULL, fonds TEXT, fonds_key TEXT, file TEXT, file_key TEXT,
    type TEXT, type_key TEXT, organ TEXT, organ_key TEXT, organ_raw_key TEXT, number_key TEXT,
    person TEXT, person_key TEXT, place TEXT, place_key TEXT, year INTEGER, date TEXT);
CREATE TABLE IF NOT EXISTS docs(
    rowid INTEGER PRIMARY KEY, meta TEXT NOT NULL, display TEXT NOT NULL, pages TEXT NOT NULL,
    texts BLOB NOT NULL);
CREATE INDEX IF NOT EXISTS units_level ON units(level);
CREATE INDEX IF NOT EXISTS units_number ON units(number_key);
CREATE INDEX IF NOT EXISTS units_date ON units(date);
CREATE VIRTUAL TABLE IF NOT EXISTS fts USING fts5(
    meta, meta_x, body, body_x, boiler, signer, content='',
    tokenize='unicode61 remove_diacritics 0');
CREATE VIRTUAL TABLE IF NOT EXISTS vocab USING fts5vocab(fts, 'row');
"""

_FILTER_COLUMNS = {"fonds": "fonds_key", "file": "file_key", "type": "type_key",
                   "organ": "organ_key", "person": "person_key", "place": "place_key",
                   "number": "number_key"}


class SqliteBackend(SearchBackend):
    name = "sqlite"

    def __init__(self, path: Path | str):
        self.path = Path(path)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self.db = _connect(self.path)

    thread_safe = False  # a connection may not cross threads (check_same_thread)

    @classmethod
    def for_archive(cls, archive) -> "SqliteBackend":
        return cls(archive.index_dir / INDEX_FILE)

    @classmethod
    def generation(cls, archive) -> tuple:
        """A rebuild replaces the file."""
        return file_stamp(archive.index_dir / INDEX_FILE)

    def close(self) -> None:
        self.db.close()

    # --- writing ------------------------------------------------------------------------------

    def fingerprints(self) -> dict[str, str]:
        return dict(self.db.execute("SELECT uid, fingerprint FROM units"))

    def upsert(self, units: Iterable[Unit]) -> list[dict[str, str]]:
        with self.db:
            for unit in units:
                old = self.db.execute("SELECT rowid FROM units WHERE uid = ?", (unit.uid,)).fetchone()
                if old:
                    self._remove(old[0])
                _insert(self.db, unit)
        return []

    def delete(self, uids: Iterable[str]) -> None:
        with self.db:
            for uid in uids:
                row = self.db.execute("SELECT rowid FROM units WHERE uid = ?", (uid,)).fetchone()
                if row:
                    self._remove(row[0])

    def _remove(self, rowid: int) -> None:
        meta, pages, texts, signer = self.db.execute(
            "SELECT d.meta, d.pages, d.texts, u.person FROM docs d JOIN units u "
            "ON u.rowid = d.rowid WHERE d.rowid = ?", (rowid,)).fetchone()
        self.db.execute("INSERT INTO fts(fts, rowid, meta, meta_x, body, body_x, boiler, signer) "
                        "VALUES ('delete', ?, ?, ?, ?, ?, ?, ?)",
                        (rowid, *_fts_values(meta, _stored_pages(pages, _unpack(texts)),
                                             signer)))
        self.db.execute("DELETE FROM units WHERE rowid = ?", (rowid,))
        self.db.execute("DELETE FROM docs WHERE rowid = ?", (rowid,))

    def rebuild(self, units: Iterable[Unit]) -> IndexReport:
        """Build ``search.sqlite`` anew beside the old one and rename it over (atomic)."""
        units = mark_boilerplate(units)  # what sync marks, rebuild marks the same way
        fresh = self.path.with_name(f".{self.path.name}.{os.getpid()}.new")
        fresh.unlink(missing_ok=True)
        db = _connect(fresh)
        report = IndexReport()
        try:
            with db:
                for unit in units:
                    _insert(db, unit)
                    report.added += 1
                    report.pages += len(unit.pages)
            db.execute("INSERT INTO fts(fts) VALUES ('optimize')")
            db.commit()
            db.execute("VACUUM")  # drop the pages the merge freed: the index stays small
            db.close()
            self.db.close()
            os.replace(fresh, self.path)
        except BaseException:
            db.close()
            fresh.unlink(missing_ok=True)
            raise
        finally:
            self.db = _connect(self.path)
        return report

    # --- searching ----------------------------------------------------------------------------

    def search(self, request: SearchRequest, suggest: bool = True):
        self._collected = None  # temp.hits holds one tier of this search, never an older one
        return super().search(request, suggest)

    def tier_total(self, parsed: ParsedQuery, tier: Tier, request: SearchRequest,
                   facets: bool) -> tuple[int, dict[str, dict[str, int]]]:
        total = self._collect(parsed, tier, request.clearance)
        return total, self._facets() if facets else {}

    def tier_hits(self, parsed: ParsedQuery, tier: Tier, request: SearchRequest, offset: int,
                  limit: int) -> list[dict[str, Any]]:
        self._collect(parsed, tier, request.clearance)
        order = {"relevance": "score, uid", "oldest": "date IS NULL, date ASC, score, uid"}.get(
            request.sort, "date IS NULL, date DESC, score, uid")
        rows = self.db.execute(f"SELECT rid, score FROM temp.hits ORDER BY {order} LIMIT ? OFFSET ?",
                               (limit, offset)).fetchall()
        scored = parsed.text is not None and request.sort == "relevance"
        return [make_hit(display, pages, parsed, -score if scored else None)
                for (display, pages), (_, score) in zip(self._load(r[0] for r in rows), rows)]

    def _collect(self, parsed: ParsedQuery, tier: Tier, clearance: int) -> int:
        """Put every visible match of ``tier`` (with its score and facet values) in
        ``temp.hits``, unless it holds them already."""
        key = (repr(parsed.filters), repr(tier), clearance)
        if getattr(self, "_collected", None) == key:
            return self._collected_total
        where, params = filter_sql(parsed.filters)
        where.insert(0, "u.level <= ?")
        params.insert(0, clearance)
        if tier.node is None:
            source, params_before = "units u", []
            score = "0.0"
        else:
            narrow, match_params = "", []
            if isinstance(tier.node, (AtLeast, Adjacent, Person)):  # the words, then enough
                matched, match_params = self._rows(tier.node)
                narrow = f"AND +rowid IN ({matched})"  # "+": not a rowid lookup per row
            source = (f"(SELECT rowid AS rid, {BM25} AS score FROM fts WHERE fts MATCH ? "
                      f"{narrow}) m JOIN units u ON u.rowid = m.rid")
            params_before, score = [self._score_match(tier.node)] + match_params, "m.score"
        for earlier in tier.before:
            rows, rows_params = self._rows(earlier)
            where.append(f"u.rowid NOT IN ({rows})")
            params += rows_params
        self.db.execute("DROP TABLE IF EXISTS temp.hits")
        try:
            self.db.execute(
                f"CREATE TEMP TABLE hits AS SELECT u.rowid AS rid, {score} AS score, u.uid, "
                f"u.date, u.fonds, u.type, u.year, u.organ, u.person, u.place FROM {source} "
                f"WHERE {' AND '.join(where)}", params_before + params)
        except sqlite3.OperationalError as error:  # never expected: every token is quoted
            raise QueryError(f"the search engine could not read this query ({error})") from None
        self._collected = key
        self._collected_total = self.db.execute("SELECT count(*) FROM temp.hits").fetchone()[0]
        return self._collected_total

    def _rows(self, node: object) -> tuple[str, list[Any]]:
        """SQL selecting the rowids ``node`` matches: a partial tier's rows are those in enough of
        its words' row sets, an exact tier's of a long query those with enough of its pairs."""
        if isinstance(node, Person):
            return _at_least([_near("signer", s, self._neighbours) for s in node.folded],
                             node.minimum)
        if isinstance(node, Adjacent):
            pairs, params = _at_least([_phrase(TEXT, pair) for pair in node.pairs], node.minimum)
            return (f"SELECT rowid FROM fts WHERE fts MATCH ? AND +rowid IN ({pairs})",
                    [self._match(node.node)] + params)
        if not isinstance(node, AtLeast):
            return "SELECT rowid FROM fts WHERE fts MATCH ?", [self._match(node)]
        required, excluded = and_parts(node.node)
        sql, params = _at_least([self._match(child) for child, _ in required], node.minimum)
        if excluded:
            sql = (f"SELECT rowid FROM ({sql}) WHERE rowid NOT IN "
                   "(SELECT rowid FROM fts WHERE fts MATCH ?)")
            params.append(" OR ".join(self._match(child) for child in excluded))
        return sql, params

    def _match(self, node: object) -> str:
        return compile_match(node, self._neighbours)

    def _score_match(self, node: object) -> str:
        """The MATCH expression whose bm25 ranks a tier's rows: a partial tier's words OR'ed,
        each with its neighbours one edit away (a misread word still adds a little)."""
        if isinstance(node, Adjacent):
            return self._match(node.node)
        if not isinstance(node, AtLeast):
            return self._match(node)
        required, _ = and_parts(node.node)
        parts = [_term_alternatives(child, following) if following else self._match(child)
                 for child, following in required]
        parts += [self._match(Fuzzy(child)) for child, _ in required
                  if isinstance(child, Term) and near_enough(child.folded)]
        return "(" + " OR ".join(parts) + ")"

    def _neighbours(self, folded: str) -> list[str]:
        """Indexed words one edit away from ``folded`` (an OCR slip), most frequent first."""
        if not near_enough(folded):
            return []
        candidates = sorted(edits1(folded))
        marks = ",".join("?" * len(candidates))
        return [term for (term,) in self.db.execute(
            f"SELECT term FROM vocab WHERE term IN ({marks}) ORDER BY doc DESC LIMIT 20",
            candidates)]

    def _load(self, rowids: Iterable[int]) -> Iterator[tuple[dict[str, Any], list[UnitPage]]]:
        for rowid in rowids:
            display, pages, texts = self.db.execute(
                "SELECT display, pages, texts FROM docs WHERE rowid = ?", (rowid,)).fetchone()
            yield json.loads(display), _stored_pages(pages, _unpack(texts))

    def _facets(self) -> dict[str, dict[str, int]]:
        facets = {}
        for name in FACETS:
            rows = self.db.execute(
                f"SELECT {name}, count(*) AS c FROM temp.hits WHERE {name} IS NOT NULL "
                f"GROUP BY {name} ORDER BY c DESC, {name} LIMIT ?", (FACET_SIZE * 5,))
            facets[name] = {str(value): count for value, count in rows}
        return facets

    def suggest(self, request: SearchRequest, parsed: ParsedQuery) -> str | None:
        """"Did you mean": a close word from the index, kept only if the caller may see it."""
        replacements = {}
        for term in parsed.positive_terms():
            if not isinstance(term, Term) or term.prefix or term.folded in replacements:
                continue
            if self._visible(term.folded, request.clearance):
                continue
            candidates = sorted(edits1(term.folded))
            marks = ",".join("?" * len(candidates))
            known = self.db.execute(f"SELECT term FROM vocab WHERE term IN ({marks}) "
                                    "ORDER BY doc DESC LIMIT 5", candidates).fetchall()
            for (candidate,) in known:
                if self._visible(candidate, request.clearance):
                    replacements[term.folded] = candidate
                    break
        return confirm_suggestion(self, request, replacements)

    def _visible(self, folded_term: str, clearance: int) -> bool:
        return self.db.execute(
            "SELECT 1 FROM fts JOIN units u ON u.rowid = fts.rowid "
            "WHERE fts MATCH ? AND u.level <= ? LIMIT 1",
            (f'{{{TEXT}}} : "{folded_term}"', clearance)).fetchone() is not None


# --- helpers ----------------------------------------------------------------------------------

def _connect(path: Path) -> sqlite3.Connection:
    """Open (or create) the index; one built by another schema version is dropped (derived data:
    the next ``luutru index`` fills it again)."""
    db = sqlite3.connect(path)
    if _schema_version(db) not in (None, SCHEMA_VERSION):
        db.close()
        for stale in path.parent.glob(path.name + "*"):
            stale.unlink()
        db = sqlite3.connect(path)
    db.execute("PRAGMA page_size = 16384")  # rows of a few KB pack well (no effect once created)
    db.execute("PRAGMA temp_store = MEMORY")
    db.execute("PRAGMA journal_mode = WAL")
    db.executescript(_SCHEMA)
    with db:
        db.execute("INSERT OR IGNORE INTO info VALUES ('schema', ?)", (SCHEMA_VERSION,))
    return db


_PAGE_BREAK = "\x1e"  # record separator between the pages of a unit in ``units.texts``


def _schema_version(db: sqlite3.Connection) -> str | None:
    try:
        row = db.execute("SELECT value FROM info WHERE key = 'schema'").fetchone()
    except sqlite3.OperationalError:  # a new, empty file
        return None
    return row[0] if row else None


def _pack(texts: list[str]) -> bytes:
    return zlib.compress(_PAGE_BREAK.join(texts).encode("utf-8"), ZLIB_LEVEL)


def _unpack(blob: bytes) -> list[str]:
    return zlib.decompress(blob).decode("utf-8").split(_PAGE_BREAK)


def _stored_pages(pages: str, texts: list[str]) -> list[UnitPage]:
    return [UnitPage(*where[:4], text, tuple(where[4]))
            for where, text in zip(json.loads(pages), texts)]


def _fts_values(meta: str, pages: list[UnitPage], signer: str | None) -> tuple[str, ...]:
    split = [content_lines(p.text, p.boiler) for p in pages]
    body = "\n".join(own for own, _ in split)
    boiler = "\n".join(rest for _, rest in split if rest)
    return (fast_fold(meta), exact(meta), fast_fold(body), exact(body), fast_fold(boiler),
            fast_fold(signer or ""))


def _insert(db: sqlite3.Connection, unit: Unit) -> None:
    item = unit.item
    texts = [p.text for p in unit.pages]
    meta = meta_text(item.__dict__) if item else ""
    organ, _ = organ_facet(item and item.co_quan_ban_hanh)
    person, place = (item.nguoi_ky, item.dia_danh) if item else (None, None)
    keys = {name: (fold(value) if value else None) for name, value in (
        ("fonds", unit.fonds), ("file", unit.file), ("type", item and item.loai_van_ban),
        ("organ", organ), ("organ_raw", item and item.co_quan_ban_hanh), ("person", person),
        ("place", place))}
    cursor = db.execute(
        "INSERT INTO units(uid, fingerprint, level, fonds, fonds_key, file, file_key, type, "
        "type_key, organ, organ_key, organ_raw_key, number_key, person, person_key, place, "
        "place_key, year, date) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        (unit.uid, unit.fingerprint, unit.level, unit.fonds, keys["fonds"], unit.file,
         keys["file"], item and item.loai_van_ban, keys["type"], organ, keys["organ"],
         keys["organ_raw"], number_key(item.so_ky_hieu) if item else None, person,
         keys["person"], place, keys["place"], unit.year, unit.date))
    db.execute("INSERT INTO docs(rowid, meta, display, pages, texts) VALUES (?, ?, ?, ?, ?)",
               (cursor.lastrowid, meta, json.dumps(unit_display(unit), ensure_ascii=False),
                json.dumps([(p.key, p.source, p.page, p.n, p.boiler) for p in unit.pages],
                           ensure_ascii=False), _pack(texts)))
    db.execute("INSERT INTO fts(rowid, meta, meta_x, body, body_x, boiler, signer) "
               "VALUES (?, ?, ?, ?, ?, ?, ?)",
               (cursor.lastrowid, *_fts_values(meta, unit.pages, person)))


def _at_least(matches: list[str], minimum: int) -> tuple[str, list[Any]]:
    """SQL selecting the rowids that at least ``minimum`` of the MATCH expressions find."""
    union = " UNION ALL ".join(["SELECT rowid FROM fts WHERE fts MATCH ?"] * len(matches))
    return (f"SELECT rowid FROM ({union}) GROUP BY rowid HAVING count(*) >= ?",
            list(matches) + [minimum])


def filter_sql(filters: list[Filter]) -> tuple[list[str], list[Any]]:
    """SQL conditions on ``units u`` for the field filters (NULL never matches, never excludes)."""
    where, params = [], []
    for flt in filters:
        if flt.field == "organ":  # as shown in the facet (normalised) or as catalogued
            cond, values = "u.organ_key = ? OR u.organ_raw_key = ?", [flt.value, flt.value]
        elif flt.field in _FILTER_COLUMNS:
            cond, values = f"u.{_FILTER_COLUMNS[flt.field]} = ?", [flt.value]
        else:
            column = "u.year" if flt.field == "year" else "u.date"
            parts, values = [], []
            if flt.low is not None:
                parts.append(f"{column} >= ?")
                values.append(flt.low)
            if flt.high is not None:
                parts.append(f"{column} <= ?")
                values.append(flt.high)
            cond = " AND ".join(parts)
        where.append(f"NOT coalesce(({cond}), 0)" if flt.negate else f"coalesce(({cond}), 0)")
        params.extend(values)
    return where, params


# --- query compilation ------------------------------------------------------------------------

def _phrase(columns: str, tokens: Iterable[str], prefix: bool = False) -> str:
    return f'{{{columns}}} : "{" ".join(tokens)}"' + (" *" if prefix else "")


def _term_alternatives(node: Term | Phrase, following: Term | None = None) -> str:
    """Folded match, OR'ed with what only boosts: exact diacritics, the bigram with the next word."""
    if isinstance(node, Term):
        folded, exact_form = (node.folded,), (node.exact,)
    else:
        folded, exact_form = node.folded, node.exact
    prefix = isinstance(node, Term) and node.prefix
    alternatives = [_phrase(TEXT, folded, prefix)]
    if exact_form != folded and not prefix:
        alternatives.append(_phrase("meta_x body_x", exact_form))
    if following is not None:  # bm25 cannot weight one phrase: repeating it counts it again
        alternatives += [_phrase(TEXT, folded + (following.folded,))] * ADJACENT_REPEAT
    return alternatives[0] if len(alternatives) == 1 else "(" + " OR ".join(alternatives) + ")"


def _near(columns: str, folded: str, neighbours) -> str:
    """``folded`` or one of its indexed neighbours one edit away, in ``columns``."""
    words = [folded] + [w for w in (neighbours(folded) if neighbours else []) if w != folded]
    return "(" + " OR ".join(_phrase(columns, [w]) for w in words) + ")"


def compile_match(node: object, neighbours=None) -> str:
    """An FTS5 MATCH expression for the parsed query tree (every token quoted); ``neighbours``
    gives a fuzzy word's indexed neighbours. A partial tier (:class:`AtLeast`) is not an FTS5
    expression: :meth:`SqliteBackend._rows` counts its words instead."""
    if isinstance(node, (Term, Phrase)):
        return _term_alternatives(node)
    if isinstance(node, Fuzzy):
        return _near(TEXT, node.term.folded, neighbours)
    if isinstance(node, (AtLeast, Adjacent)):
        raise TypeError("a partial or adjacent tier is rows counted, not one MATCH expression")
    if isinstance(node, Person):  # the syllables it may match (SqliteBackend._rows counts them)
        return "(" + " OR ".join(_near("signer", s, neighbours) for s in node.folded) + ")"
    if isinstance(node, Or):
        return "(" + " OR ".join(compile_match(child, neighbours)
                                 for child in or_children(node)) + ")"
    if isinstance(node, And):
        required, excluded = and_parts(node)
        parts = [_term_alternatives(child, following) if following
                 else compile_match(child, neighbours) for child, following in required]
        expression = "(" + " AND ".join(parts) + ")"
        if excluded:
            expression += " NOT (" + " OR ".join(compile_match(n, neighbours)
                                                 for n in excluded) + ")"
        return "(" + expression + ")"
    if isinstance(node, Not):
        raise QueryError("a query cannot only exclude: add a word to search for before NOT")
    raise TypeError(f"unknown query node {node!r}")
