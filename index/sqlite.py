"""The embedded default: SQLite FTS5 in ``<archive>/index/search.sqlite``, no server.

FTS5's own ``remove_diacritics`` leaves ``đ`` alone, so text is folded in Python
(:func:`~luutru.index.analysis.fast_fold`) into the ``meta``/``body`` columns and kept exact (lower
case, marks kept) in ``meta_x``/``body_x``. A query term is compiled to ``(folded OR exact)``: the
same rows match, but rows with the exact diacritics score twice. Adjacent words add their bigram the
same way, so the phrase ranks above scattered syllables. The FTS table is contentless; page text is
stored once, zlib-compressed, for snippets (and to delete a unit's old terms on update).
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
from luutru.index.backend import (FACET_SIZE, FACETS, SearchBackend, confirm_suggestion, make_hit,
                                  unit_display)
from luutru.index.model import (IndexReport, QueryError, SearchRequest, SearchResult, Unit,
                                UnitPage)
from luutru.index.query import (And, Filter, Not, Or, ParsedQuery, Phrase, Term, and_parts,
                                or_children, parse_query)
from luutru.index.suggest import edits1
from luutru.textnorm import fold

INDEX_FILE = "search.sqlite"
SCHEMA_VERSION = "4"
ZLIB_LEVEL = 6
# bm25 weights of meta, meta_x, body, body_x: the catalogue fields outweigh body text.
BM25 = "bm25(fts, 4.0, 4.0, 1.0, 1.0)"

# How many times the bigram of two adjacent query words counts (phrase above scattered).
ADJACENT_REPEAT = 4

_SCHEMA = """
CREATE TABLE IF NOT EXISTS info(key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS units(
    rowid INTEGER PRIMARY KEY, uid TEXT NOT NULL UNIQUE, fingerprint TEXT NOT NULL,
    level INTEGER NOT NULL, fonds TEXT, fonds_key TEXT, file TEXT, file_key TEXT,
    type TEXT, type_key TEXT, organ TEXT, organ_key TEXT, number_key TEXT,
    year INTEGER, date TEXT);
CREATE TABLE IF NOT EXISTS docs(
    rowid INTEGER PRIMARY KEY, meta TEXT NOT NULL, display TEXT NOT NULL, pages TEXT NOT NULL,
    texts BLOB NOT NULL);
CREATE INDEX IF NOT EXISTS units_level ON units(level);
CREATE INDEX IF NOT EXISTS units_number ON units(number_key);
CREATE INDEX IF NOT EXISTS units_date ON units(date);
CREATE VIRTUAL TABLE IF NOT EXISTS fts USING fts5(
    meta, meta_x, body, body_x, content='', tokenize='unicode61 remove_diacritics 0');
CREATE VIRTUAL TABLE IF NOT EXISTS vocab USING fts5vocab(fts, 'row');
"""

_FILTER_COLUMNS = {"fonds": "fonds_key", "file": "file_key", "type": "type_key",
                   "organ": "organ_key", "number": "number_key"}


class SqliteBackend(SearchBackend):
    name = "sqlite"

    def __init__(self, path: Path | str):
        self.path = Path(path)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self.db = _connect(self.path)

    @classmethod
    def for_archive(cls, archive) -> "SqliteBackend":
        return cls(archive.index_dir / INDEX_FILE)

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
        meta, texts = self.db.execute("SELECT meta, texts FROM docs WHERE rowid = ?",
                                      (rowid,)).fetchone()
        self.db.execute("INSERT INTO fts(fts, rowid, meta, meta_x, body, body_x) "
                        "VALUES ('delete', ?, ?, ?, ?, ?)",
                        (rowid, *_fts_values(meta, _unpack(texts))))
        self.db.execute("DELETE FROM units WHERE rowid = ?", (rowid,))
        self.db.execute("DELETE FROM docs WHERE rowid = ?", (rowid,))

    def rebuild(self, units: Iterable[Unit]) -> IndexReport:
        """Build ``search.sqlite`` anew beside the old one and rename it over (atomic)."""
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

    def optimize(self) -> None:
        with self.db:
            self.db.execute("INSERT INTO fts(fts) VALUES ('optimize')")

    # --- searching ----------------------------------------------------------------------------

    def search(self, request: SearchRequest, suggest: bool = True) -> SearchResult:
        parsed = parse_query(request.query)
        match = compile_match(parsed.text) if parsed.text is not None else None
        try:
            total = self._collect(parsed, match, request.clearance)
        except sqlite3.OperationalError as error:  # never expected: every token is quoted
            raise QueryError(f"the search engine could not read this query ({error})") from None
        order = ("score, uid" if request.sort == "relevance"
                 else "date IS NULL, date DESC, score, uid")
        rows = self.db.execute(f"SELECT rid, score FROM temp.hits ORDER BY {order} LIMIT ? OFFSET ?",
                               (request.limit, request.offset)).fetchall()
        hits = [make_hit(display, pages, parsed, -score if match else None)
                for (display, pages), (_, score) in zip(self._load(r[0] for r in rows), rows)]
        facets = self._facets() if request.facets else {}
        suggestion = None
        if suggest and total == 0 and parsed.text is not None:
            suggestion = self._suggest(request, parsed)
        return SearchResult(total=total, hits=hits, facets=facets, suggestion=suggestion)

    def _collect(self, parsed: ParsedQuery, match: str | None, clearance: int) -> int:
        """Put every visible match (with its score and facet values) in ``temp.hits``."""
        where, params = filter_sql(parsed.filters)
        where.insert(0, "u.level <= ?")
        params.insert(0, clearance)
        if match is None:
            source, params_before = "units u", []
            score = "0.0"
        else:
            source = (f"(SELECT rowid AS rid, {BM25} AS score FROM fts WHERE fts MATCH ?) m "
                      "JOIN units u ON u.rowid = m.rid")
            params_before, score = [match], "m.score"
        self.db.execute("DROP TABLE IF EXISTS temp.hits")
        self.db.execute(
            f"CREATE TEMP TABLE hits AS SELECT u.rowid AS rid, {score} AS score, u.uid, u.date, "
            f"u.fonds, u.type, u.year, u.organ FROM {source} WHERE {' AND '.join(where)}",
            params_before + params)
        return self.db.execute("SELECT count(*) FROM temp.hits").fetchone()[0]

    def _load(self, rowids: Iterable[int]) -> Iterator[tuple[dict[str, Any], list[UnitPage]]]:
        for rowid in rowids:
            display, pages, texts = self.db.execute(
                "SELECT display, pages, texts FROM docs WHERE rowid = ?", (rowid,)).fetchone()
            yield json.loads(display), [UnitPage(*where, text) for where, text
                                        in zip(json.loads(pages), _unpack(texts))]

    def _facets(self) -> dict[str, dict[str, int]]:
        facets = {}
        for name in FACETS:
            rows = self.db.execute(
                f"SELECT {name}, count(*) AS c FROM temp.hits WHERE {name} IS NOT NULL "
                f"GROUP BY {name} ORDER BY c DESC, {name} LIMIT ?", (FACET_SIZE,))
            facets[name] = {str(value): count for value, count in rows}
        return facets

    def _suggest(self, request: SearchRequest, parsed: ParsedQuery) -> str | None:
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
            (f'{{meta body}} : "{folded_term}"', clearance)).fetchone() is not None


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


def _fts_values(meta: str, texts: list[str]) -> tuple[str, str, str, str]:
    body = "\n".join(texts)
    return fast_fold(meta), exact(meta), fast_fold(body), exact(body)


def _insert(db: sqlite3.Connection, unit: Unit) -> None:
    item = unit.item
    texts = [p.text for p in unit.pages]
    meta = meta_text(item.__dict__) if item else ""
    keys = {name: (fold(value) if value else None) for name, value in (
        ("fonds", unit.fonds), ("file", unit.file), ("type", item and item.loai_van_ban),
        ("organ", item and item.co_quan_ban_hanh))}
    cursor = db.execute(
        "INSERT INTO units(uid, fingerprint, level, fonds, fonds_key, file, file_key, type, "
        "type_key, organ, organ_key, number_key, year, date) "
        "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        (unit.uid, unit.fingerprint, unit.level, unit.fonds, keys["fonds"], unit.file,
         keys["file"], item and item.loai_van_ban, keys["type"], item and item.co_quan_ban_hanh,
         keys["organ"], number_key(item.so_ky_hieu) if item else None, unit.year, unit.date))
    db.execute("INSERT INTO docs(rowid, meta, display, pages, texts) VALUES (?, ?, ?, ?, ?)",
               (cursor.lastrowid, meta, json.dumps(unit_display(unit), ensure_ascii=False),
                json.dumps([(p.key, p.source, p.page, p.n) for p in unit.pages],
                           ensure_ascii=False), _pack(texts)))
    db.execute("INSERT INTO fts(rowid, meta, meta_x, body, body_x) VALUES (?, ?, ?, ?, ?)",
               (cursor.lastrowid, *_fts_values(meta, texts)))


def filter_sql(filters: list[Filter]) -> tuple[list[str], list[Any]]:
    """SQL conditions on ``units u`` for the field filters (NULL never matches, never excludes)."""
    where, params = [], []
    for flt in filters:
        if flt.field in _FILTER_COLUMNS:
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
    alternatives = [_phrase("meta body", folded, prefix)]
    if exact_form != folded and not prefix:
        alternatives.append(_phrase("meta_x body_x", exact_form))
    if following is not None:  # bm25 cannot weight one phrase: repeating it counts it again
        alternatives += [_phrase("meta body", folded + (following.folded,))] * ADJACENT_REPEAT
    return alternatives[0] if len(alternatives) == 1 else "(" + " OR ".join(alternatives) + ")"


def compile_match(node: object) -> str:
    """An FTS5 MATCH expression for the parsed query tree (every token quoted)."""
    if isinstance(node, (Term, Phrase)):
        return _term_alternatives(node)
    if isinstance(node, Or):
        return "(" + " OR ".join(compile_match(child) for child in or_children(node)) + ")"
    if isinstance(node, And):
        required, excluded = and_parts(node)
        parts = [_term_alternatives(child, following) if following else compile_match(child)
                 for child, following in required]
        expression = "(" + " AND ".join(parts) + ")"
        if excluded:
            expression += " NOT (" + " OR ".join(compile_match(n) for n in excluded) + ")"
        return "(" + expression + ")"
    if isinstance(node, Not):
        raise QueryError("a query cannot only exclude: add a word to search for before NOT")
    raise TypeError(f"unknown query node {node!r}")
