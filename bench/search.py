"""Benchmark of the search stage: relevance on a corpus with ground truth, speed on synthetic text.

    .venv/bin/python bench/search.py relevance [--corpus ../shared/corpus/dev] [--archive DIR]
                                               [--ocr-cache DIR]
    .venv/bin/python bench/search.py speed [--pages 10000,100000,300000] [--work /tmp/bench-search]

relevance: runs ``luutru run`` on the corpus scans into ``--archive`` (kept and reused; skipped
stages are cheap), indexes it, then for every ground-truth document asks (a) its number as
printed, (b) its number in another spelling, (c) its trích yếu without diacritics, (d) four content
words of its body without diacritics, and reports the share ranked first and the MRR. A hit is the
document when it starts on the document's first page (same source file and page).
It then asks the *forgiving* queries (issue 17), over the corpus and over freshly generated
documents (``--fresh N``, indexed clean): the trích yếu without diacritics, the same with one and
with two syllables corrupted as OCR corrupts them (the syllable and letter confusions measured
between the archive's ``text.txt`` and the truth, printed), and the signer's name; each is
reported as first / top 3 / MRR, before (every word required, as before issue 17) and after
(all tiers) in the same run, with every dev query not ranked first and what ranked above it,
and how many signers' names the catalogue and the OCR text hold (a name in neither cannot be
found). ``--shares 0.5,0.6,0.75`` also measures the partial tier's minimum-should-match share on
the corrupted titles. A fresh corpus with real OCR: ``python -m luutru.samples.make_samples
DIR/scans --seed N --documents 40``, then ``--corpus DIR --archive DIR2``.

speed: builds the embedded index of N synthetic pages (``luutru.samples.documents``), and prints
indexing pages/s, index size vs text size, latency p50/p95/p99 over a fixed query mix (with facets)
and peak memory, next to a naive baseline (SQLite ``LIKE`` scan) in the same run.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import random
import re
import resource
import shutil
import sqlite3
import statistics
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

from luutru.archive import Archive
from luutru.index import SearchBackend, SearchRequest, SqliteBackend, open_backend, update_index
from luutru.index import query as query_module
from luutru.index.analysis import fast_fold, folded_tokens
from luutru.index.backend import only_tiers, sync
from luutru.index.model import ItemDoc, PageDoc, Unit, build_units
from luutru.textnorm import strip_diacritics

HERE = Path(__file__).resolve().parent
DEFAULT_CORPUS = HERE.parent.parent / "shared" / "corpus" / "dev"
FULL_CLEARANCE = 3  # relevance is measured over every document, secret ones included
DEPTH = 50  # ranks beyond this count as not found (reciprocal rank 0)


# --- relevance ----------------------------------------------------------------------------------

def other_spelling(number: str, i: int) -> str:
    """The same number as a person might type it differently (three styles, in turn)."""
    parts = re.split(r"[-/]", number)
    if i % 3 == 0:
        return " ".join(parts)                                  # 43 NQ TU
    if i % 3 == 1:
        swapped = number.translate(str.maketrans("-/", "/-"))    # 43/NQ-TU
        return swapped.lower()
    return "số " + number.lower()                               # số 43-nq/tu


def content_words(text: str, common: set[str], rng: random.Random) -> str:
    words = re.findall(r"[^\W\d_]{2,}", strip_diacritics(text).lower())
    rare = sorted({w for w in words if w not in common}, key=words.index)
    if len(rare) < 4:  # a short body: take its less common words too
        rare += [w for w in sorted(set(words), key=words.index) if w not in rare]
    return " ".join(rng.sample(rare, 4)) if len(rare) >= 4 else " ".join(rare)


def body_text(truth_dir: Path) -> str:
    """The document's text after its header and title (where body paragraphs start)."""
    lines = []
    for page in sorted(truth_dir.glob("page-*.txt")):
        lines += page.read_text(encoding="utf-8").splitlines()
    start = next((i for i, line in enumerate(lines) if len(line) > 40), 0)
    end = next((i for i, line in enumerate(lines) if line.startswith("Nơi nhận")), len(lines))
    return "\n".join(lines[start:end])


def rank_of(backend: SearchBackend, query: str, source: str, first_page: int) -> int | None:
    hits = backend.search(SearchRequest(query, clearance=FULL_CLEARANCE, limit=DEPTH,
                                        facets=False)).hits
    for rank, hit in enumerate(hits, start=1):
        if hit["source"] == source and hit["first_page"] == first_page:
            return rank
    return None


def _scores(ranks: list[int | None]) -> dict:
    n = max(1, len(ranks))
    return {"first": sum(r == 1 for r in ranks) / n, "mrr": sum(1 / r for r in ranks if r) / n,
            "n": len(ranks)}


def _number_in(number: str, text_path: Path) -> bool:
    """Did OCR read the document's number on its first page (its tokens side by side)?"""
    wanted = " ".join(re.findall(r"[^\W_]+", fast_fold(number)))
    words = " ".join(re.findall(r"[^\W_]+", fast_fold(text_path.read_text("utf-8"))))
    return f" {wanted} " in f" {words} "


def _source_of(record: dict) -> str:
    source = record.get("source")
    return source.get("path") if isinstance(source, dict) else source


def archive_from_ocr_cache(corpus: Path, cache: Path, archive_dir: Path) -> None:
    """The archive made from cached raw Tesseract output (bench/fields.py's layout), catalogued:
    measures search on real OCR text while the OCR stage is too slow to run here."""
    sys.path.insert(0, str(HERE))
    from fields import archive_from_cache

    from luutru.catalog import build_catalog

    archive = Archive.open(archive_dir)
    archive_from_cache(corpus, cache, archive)
    build_catalog(archive)


def relevance(corpus: Path, archive_dir: Path, ocr_cache: Path | None = None,
              fresh: int = 300, shares: list[float] | None = None) -> dict:
    if ocr_cache is not None:
        archive_from_ocr_cache(corpus, ocr_cache, archive_dir)
    elif not (archive_dir / "catalog").exists() or not any((archive_dir / "catalog").iterdir()):
        print(f"running luutru run on {corpus}/scans into {archive_dir} …", file=sys.stderr)
        subprocess.run([str(Path(sys.executable).with_name("luutru")), "run", "-a",
                        str(archive_dir), "--inventory", str(corpus / "inventory.csv"),
                        str(corpus / "scans")], check=False,
                       env={**os.environ, "OMP_THREAD_LIMIT": "1"})
    archive = Archive.open(archive_dir)
    metas = {d.name: json.loads((d / "meta.json").read_text(encoding="utf-8"))
             for d in sorted((corpus / "truth").iterdir())}
    bodies = {doc: body_text(corpus / "truth" / doc) for doc in metas}
    frequency = Counter(w for b in bodies.values()
                        for w in set(re.findall(r"[^\W\d_]+", strip_diacritics(b).lower())))
    common = {w for w, n in frequency.items() if n > len(metas) // 3}
    rng = random.Random(5)
    read = {(_source_of(archive.page_record(ref)), ref.index): archive.page_dir(ref) / "text.txt"
            for ref in archive.iter_page_refs() if (archive.page_dir(ref) / "text.txt").exists()}
    present = [doc for doc, meta in metas.items() if (meta["source"], meta["first_page"]) in read]
    legible = [doc for doc in present if _number_in(
        metas[doc]["so_ky_hieu"], read[(metas[doc]["source"], metas[doc]["first_page"])])]
    ranks: dict[str, list[int | None]] = {"a": [], "b": [], "c": [], "d": []}
    misses: dict[str, list[str]] = {k: [] for k in ranks}
    with open_backend(archive) as backend:
        report_engine = backend.name
        update_index(archive, backend)
        for i, (doc, meta) in enumerate(metas.items()):
            queries = {"a": meta["so_ky_hieu"], "b": other_spelling(meta["so_ky_hieu"], i),
                       "c": strip_diacritics(meta["trich_yeu"]).lower(),
                       "d": content_words(bodies[doc], common, rng)}
            for kind, query in queries.items():
                rank = rank_of(backend, query, meta["source"], meta["first_page"])
                ranks[kind].append(rank)
                if rank != 1:
                    misses[kind].append(f"{doc} {query!r} → rank {rank}")
        syllables, letters = measure_confusions(corpus, read)
        report_confusions = (sum(sum(c.values()) for c in syllables.values()),
                             letters.most_common(12))
        query_rng = random.Random(7)
        dev_cases = [(forgiving_queries(meta, syllables, letters, query_rng),
                      (lambda hit, m=meta: hit["source"] == m["source"]
                       and hit["first_page"] == m["first_page"])) for meta in metas.values()]
        dev_ranks = run_forgiving(backend, dev_cases)
        signed = [i for i, meta in enumerate(metas.values())
                  if meta.get("nguoi_ky") and _name_read(meta, read)]
        catalogued = _names_catalogued(archive, list(metas.values()))
    fresh_backend, cases, remove, fresh_own = fresh_cases(fresh, archive_dir.parent, syllables,
                                                          letters,
                                               "tantivy" if report_engine == "tantivy"
                                               else "sqlite")
    try:
        fresh_ranks = run_forgiving(fresh_backend, cases)
        share_ranks = {}
        for share in shares or ():
            query_module.PARTIAL_SHARE = share
            share_ranks[share] = run_forgiving(fresh_backend, [
                ({k: v for k, v in q.items() if "misread" in k}, is_it) for q, is_it in cases])
    finally:
        fresh_backend.close()
        remove()
    report: dict = {"present": len(present), "legible": len(legible),
                    "confusions": report_confusions, "dev_forgiving": dev_ranks,
                    "signer_read": signed, "signer_catalogued": catalogued, "dev_own": own_titles(list(metas.values())),
                    "fresh_own": fresh_own,
                    "fresh_forgiving": fresh_ranks, "shares": share_ranks}
    index_of = {doc: i for i, doc in enumerate(metas)}
    for kind, values in ranks.items():
        report[kind] = _scores(values)
        report[kind]["present"] = _scores([values[index_of[doc]] for doc in present])
        report[kind]["legible"] = _scores([values[index_of[doc]] for doc in legible])
    report["misses"] = misses
    report["engine"] = report_engine
    return report


# --- forgiving queries: OCR confusions, corrupted titles, signers ------------------------------

def measure_confusions(corpus: Path, read: dict[tuple[str, int], Path]) -> tuple[dict, Counter]:
    """Syllables (folded) OCR read as another, and letters read as another, aligning each page's
    ``text.txt`` with its truth."""
    import csv
    from difflib import SequenceMatcher

    syllables: dict[str, Counter] = {}
    letters: Counter = Counter()
    with open(corpus / "manifest.csv", encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    for row in rows:
        path = read.get((row["source"], int(row["page_index"])))
        truth = corpus / "truth" / row["doc_id"] / f"page-{int(row['page_no']):03d}.txt"
        if path is None or not truth.exists():
            continue
        want = folded_tokens(truth.read_text(encoding="utf-8"))
        got = folded_tokens(path.read_text(encoding="utf-8"))
        matcher = SequenceMatcher(None, want, got, autojunk=False)
        for op, a0, a1, b0, b1 in matcher.get_opcodes():
            if op != "replace" or a1 - a0 != b1 - b0:
                continue
            for w, g in zip(want[a0:a1], got[b0:b1]):
                if w.isalpha() and g.isalpha() and w != g:
                    syllables.setdefault(w, Counter())[g] += 1
                    if len(w) == len(g):
                        letters.update((x, y) for x, y in zip(w, g) if x != y)
    return syllables, letters


def corrupt(words: list[str], count: int, syllables: dict, letters: Counter,
            rng: random.Random) -> list[str]:
    """``words`` with ``count`` syllables misread as OCR misreads them: a syllable seen misread
    takes one of its readings, another one letter swapped for a letter OCR confused it with."""
    out = list(words)
    slots = [i for i, w in enumerate(words) if w.isalpha() and len(w) >= 2]
    seen = [i for i in slots if words[i] in syllables]
    chosen = rng.sample(seen, min(count, len(seen)))
    chosen += rng.sample([i for i in slots if i not in chosen],
                         min(count - len(chosen), len(slots) - len(chosen)))
    for i in chosen:
        word = words[i]
        if word in syllables:
            readings = syllables[word]
            out[i] = rng.choices(list(readings), weights=list(readings.values()))[0]
            continue
        options = [(j, y, n) for (x, y), n in letters.items() for j, ch in enumerate(word)
                   if ch == x and y.isalpha()]
        if options:
            j, y, _ = rng.choices(options, weights=[n for _, _, n in options])[0]
            out[i] = word[:j] + y + word[j + 1:]
    return out


def forgiving_queries(meta: dict, syllables: dict, letters: Counter,
                      rng: random.Random) -> dict[str, str]:
    title = folded_tokens(meta["trich_yeu"] or "")
    queries = {"title": " ".join(title),
               "title, 1 syllable misread": " ".join(corrupt(title, 1, syllables, letters, rng)),
               "title, 2 syllables misread": " ".join(corrupt(title, 2, syllables, letters, rng))}
    if meta.get("nguoi_ky"):
        queries["signer's name"] = meta["nguoi_ky"]
        queries["signer's name without diacritics"] = strip_diacritics(meta["nguoi_ky"])
    return queries


def _name_read(meta: dict, read: dict[tuple[str, int], Path]) -> bool:
    """Did OCR read the signer's name (its syllables side by side, at most one wrong)?"""
    name = folded_tokens(meta["nguoi_ky"])
    words = []
    for page in range(meta["first_page"], meta["last_page"] + 1):
        path = read.get((meta["source"], page))
        words += folded_tokens(path.read_text(encoding="utf-8")) if path else []
    return any(sum(a == b for a, b in zip(name, words[i:i + len(name)])) >= len(name) - 1
               for i in range(len(words)))


def _names_catalogued(archive: Archive, metas: list[dict]) -> list[int]:
    """The documents whose signer the catalogue holds (folded, at most one syllable wrong)."""
    from luutru.index.update import _catalog_items

    names = {(item.get("source"), item.get("first_page")): folded_tokens(item.get("nguoi_ky") or "")
             for item in _catalog_items(archive)}
    found = []
    for i, meta in enumerate(metas):
        want, got = folded_tokens(meta.get("nguoi_ky") or ""), names.get(
            (meta["source"], meta["first_page"]), [])
        if want and len(got) == len(want) and sum(a == b for a, b in zip(want, got)) >= len(want) - 1:
            found.append(i)
    return found


def rank_by(backend: SearchBackend, query: str, is_it) -> tuple[int | None, list[dict]]:
    """The rank of the wanted hit (None beyond ``DEPTH``) and the hits ranked above it."""
    hits = backend.search(SearchRequest(query, clearance=FULL_CLEARANCE, limit=DEPTH,
                                        facets=False)).hits
    rank = next((rank for rank, hit in enumerate(hits, start=1) if is_it(hit)), None)
    return rank, hits[:(rank or DEPTH + 1) - 1]


def run_forgiving(backend: SearchBackend, cases: list[tuple[dict[str, str], object]]) -> dict:
    """Ranks of each query kind, before (exact tier alone) and after (every tier); ``misses``
    lists the queries not ranked first after, with what ranked above."""
    ranks: dict[str, dict[str, list]] = {"before": {}, "after": {}}
    misses: list[str] = []
    for when, tiers in (("before", query_module.EVERY_WORD), ("after", None)):
        for queries, is_it in cases:
            for kind, query in queries.items():
                if tiers:
                    with only_tiers(tiers):
                        rank, above = rank_by(backend, query, is_it)
                else:
                    rank, above = rank_by(backend, query, is_it)
                    if rank != 1:
                        misses.append(f"[{kind}] {query!r} → rank {rank}; above: " + "; ".join(
                            f"{h['match']} {h.get('so_ky_hieu')} {h.get('trich_yeu')!r}"
                            for h in above[:2]))
                ranks[when].setdefault(kind, []).append(rank)
    ranks["misses"] = misses
    return ranks


def forgiving_scores(ranks: list[int | None]) -> dict:
    n = max(1, len(ranks))
    return {"first": sum(r == 1 for r in ranks) / n, "top3": sum(bool(r and r <= 3)
                                                                  for r in ranks) / n,
            "mrr": sum(1 / r for r in ranks if r) / n, "n": len(ranks)}


def fresh_cases(n_docs: int, work: Path, syllables: dict, letters: Counter,
                engine: str) -> tuple[SearchBackend, list, callable, list[int]]:
    """``n_docs`` freshly generated documents (clean text, signers) in an index of their own."""
    from luutru.samples.documents import generate_document

    rng = random.Random(17)
    items, pages, metas = [], [], []
    for i in range(n_docs):
        doc = generate_document(rng)
        meta = doc.meta
        keys = [f"fresh{i}:{n}" for n in range(1, len(doc.pages) + 1)]
        items.append(ItemDoc(id=f"fresh-{i}", so_ky_hieu=meta["so_ky_hieu"],
                             loai_van_ban=meta["loai_van_ban"], ngay_ban_hanh=meta["ngay_ban_hanh"],
                             co_quan_ban_hanh=meta["co_quan_ban_hanh"], trich_yeu=meta["trich_yeu"],
                             nguoi_ky=meta["nguoi_ky"], fonds=meta["fonds_code"],
                             file=meta["file_code"], source=f"fresh-{i}.pdf", first_page=1,
                             last_page=len(keys), do_mat=meta["do_mat"], page_keys=tuple(keys),
                             dia_danh=meta.get("dia_danh")))
        pages += [PageDoc(key, f"fresh-{i}.pdf", n, "\n".join(lines), meta["fonds_code"],
                          meta["file_code"]) for n, (key, lines) in
                  enumerate(zip(keys, doc.pages), start=1)]
        metas.append(meta)
    backend, _, remove = open_engine(engine, work, -n_docs)
    sync(backend, build_units(items, pages))
    query_rng = random.Random(3)
    cases = [(forgiving_queries(meta, syllables, letters, query_rng),
              (lambda hit, i=i: hit["id"] == f"fresh-{i}")) for i, meta in enumerate(metas)]
    return backend, cases, remove, own_titles(metas)


def own_titles(metas: list[dict]) -> list[int]:
    """The documents whose title (folded) no other document has: a query can only tell those."""
    counts = Counter(" ".join(folded_tokens(m["trich_yeu"] or "")) for m in metas)
    return [i for i, m in enumerate(metas) if counts[" ".join(folded_tokens(m["trich_yeu"] or ""))]
            == 1]


def print_forgiving(name: str, ranks: dict, own: list[int], show_misses: bool = False) -> None:
    print(f"  {name}: share first / in the top 3 / MRR, before (every word required) → after")
    for kind in ranks["after"]:
        b, a = forgiving_scores(ranks["before"][kind]), forgiving_scores(ranks["after"][kind])
        print(f"    {kind:34s} first {b['first']:6.1%} → {a['first']:6.1%}   top 3 "
              f"{b['top3']:6.1%} → {a['top3']:6.1%}   MRR {b['mrr']:.3f} → {a['mrr']:.3f}"
              f"   (n={a['n']})")
        if kind.startswith("title"):
            mine = forgiving_scores([ranks["after"][kind][i] for i in own])
            print(f"    {'':34s} over the {len(own)} with a title of their own: first "
                  f"{mine['first']:6.1%}, top 3 {mine['top3']:6.1%}, MRR {mine['mrr']:.3f}")
    for miss in ranks.get("misses", ()) if show_misses else ():
        print(f"      miss {miss}")
    every = [r for values in ranks["after"].values() for r in values]
    before = [r for values in ranks["before"].values() for r in values]
    print(f"    {'all of these':34s} MRR {forgiving_scores(before)['mrr']:.3f} → "
          f"{forgiving_scores(every)['mrr']:.3f}")


# --- speed --------------------------------------------------------------------------------------

def synthetic_docs(n_pages: int, seed: int = 1) -> Iterator[tuple[ItemDoc, list[PageDoc]]]:
    """Items with their pages, from D's generator (one function, so the source can change)."""
    from luutru.samples.documents import generate_corpus_text

    current, pages = None, []
    for page in generate_corpus_text(n_pages, seed):
        if current is not None and page.doc_id != current[0]:
            yield _item(current[0], current[1], pages), pages
            pages = []
        current = (page.doc_id, page.meta)
        pages.append(PageDoc(f"{page.doc_id}:{page.page_no}", f"{page.doc_id}.pdf", page.page_no,
                             page.text, page.meta["fonds_code"], page.meta["file_code"]))
    if current is not None:
        yield _item(current[0], current[1], pages), pages


def _item(doc_id: str, meta: dict, pages: list[PageDoc]) -> ItemDoc:
    return ItemDoc(id=doc_id, so_ky_hieu=meta["so_ky_hieu"], loai_van_ban=meta["loai_van_ban"],
                   ngay_ban_hanh=meta["ngay_ban_hanh"], co_quan_ban_hanh=meta["co_quan_ban_hanh"],
                   trich_yeu=meta["trich_yeu"], fonds=meta["fonds_code"], file=meta["file_code"],
                   source=f"{doc_id}.pdf", first_page=1, last_page=len(pages),
                   do_mat=meta["do_mat"], page_keys=tuple(p.key for p in pages))


class Timed:
    """Wraps the unit stream, so the generator's own time is not counted as indexing time."""

    def __init__(self, n_pages: int):
        self.n_pages = n_pages
        self.producing = 0.0
        self.text_bytes = 0
        self.sample: list[tuple[ItemDoc, list[PageDoc]]] = []

    def units(self) -> Iterator[Unit]:
        docs = synthetic_docs(self.n_pages)
        while True:
            start = time.perf_counter()
            try:
                item, pages = next(docs)
            except StopIteration:
                return
            units = list(build_units([item], pages))
            self.text_bytes += sum(len(p.text.encode("utf-8")) for p in pages)
            if len(self.sample) < 400 and random.random() < 0.05:
                self.sample.append((item, pages))
            self.producing += time.perf_counter() - start
            yield from units


def query_mix(sample: list[tuple[ItemDoc, list[PageDoc]]], per_kind: int = 15) -> list[tuple[str, str]]:
    """A fixed mix: single word, two-syllable word, phrase, filtered, number lookup, folded."""
    rng = random.Random(11)
    mix = []
    for i in range(per_kind):
        item, pages = sample[i % len(sample)]
        words = re.findall(r"[^\W\d_]{2,}", pages[-1].text)
        start = rng.randrange(0, max(1, len(words) - 4))
        mix += [
            ("single word", words[start]),
            ("two-syllable word", f"{words[start]} {words[start + 1]}"),
            ("phrase", f'"{" ".join(words[start:start + 3])}"'),
            ("filtered", f"{words[start]} fonds:{item.fonds} year:2000..2015"),
            ("number lookup", item.so_ky_hieu),
            ("folded", fast_fold(" ".join(words[start + 1:start + 3]))),
            (FALLBACK_KIND, misread(fast_fold(" ".join(words[start:start + 3])))),
        ]
    return mix


FALLBACK_KIND = "fallback tiers"  # a word misread: the partial and fuzzy tiers are searched


def misread(query: str) -> str:
    """One letter of the query's longest word read as another (a→u, as OCR often does)."""
    words = query.split()
    i = max(range(len(words)), key=lambda k: len(words[k]))
    word = words[i]
    j = next((k for k, ch in enumerate(word) if ch in "aeio"), 0)
    words[i] = word[:j] + {"a": "u", "e": "c", "i": "l", "o": "a"}.get(word[j], "q") + word[j + 1:]
    return " ".join(words)


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(q / 100 * (len(ordered) - 1))))]


def latencies(run, mix: list[tuple[str, str]], repeat: int = 1) -> dict:
    """Wall-clock and CPU-time percentiles: on a shared machine the CPU time of each query is
    what it would take on an idle core, the wall time includes waiting for one."""
    times: dict[str, list[float]] = {}
    cpu: list[float] = []
    for _ in range(repeat):
        for kind, query in mix:
            start, start_cpu = time.perf_counter(), time.process_time()
            run(query)
            cpu.append((time.process_time() - start_cpu) * 1000)
            times.setdefault(kind, []).append((time.perf_counter() - start) * 1000)
    every = [t for kind, values in times.items() for t in values if kind != FALLBACK_KIND]
    summary = {"all": {"p50": percentile(every, 50), "p95": percentile(every, 95),
                       "p99": percentile(every, 99), "n": len(every)},
               "cpu": {"p50": percentile(cpu, 50), "p95": percentile(cpu, 95),
                       "p99": percentile(cpu, 99)}}
    for kind, values in times.items():
        summary[kind] = {"p50": statistics.median(values), "p95": percentile(values, 95),
                         "p99": percentile(values, 99)}
    return summary


def like_baseline(work: Path, n_pages: int, mix: list[tuple[str, str]]) -> dict:
    """The naive way: folded page text in a plain table, every word a LIKE '%w%' scan."""
    path = work / "like.sqlite"
    path.unlink(missing_ok=True)
    db = sqlite3.connect(path)
    db.execute("CREATE TABLE pages(doc TEXT, fonds TEXT, year INT, text TEXT)")
    start = time.perf_counter()
    with db:
        for item, pages in synthetic_docs(n_pages):
            year = int(item.ngay_ban_hanh[:4])
            db.executemany("INSERT INTO pages VALUES (?, ?, ?, ?)",
                           [(item.id, item.fonds, year, fast_fold(p.text)) for p in pages])
    build = time.perf_counter() - start

    def run(query: str) -> None:
        words = re.findall(r"[^\W_]+", fast_fold(re.sub(r"\w+:\S+", "", query)))
        where = " AND ".join("text LIKE ?" for _ in words) or "1"
        params = [f"%{w}%" for w in words]
        db.execute(f"SELECT count(DISTINCT doc) FROM pages WHERE {where}", params).fetchone()
        db.execute(f"SELECT doc FROM pages WHERE {where} LIMIT 10", params).fetchall()

    sample = mix[: max(6, len(mix) // 5)]
    result = latencies(run, sample)
    db.close()
    return {"build_s": build, "size_bytes": path.stat().st_size, "latency_ms": result}


def open_engine(engine: str, work: Path, n_pages: int):
    """A fresh embedded backend of ``engine`` under ``work``, and a function giving its size."""
    if engine == "tantivy":
        from luutru.index.tantivy_backend import TantivyBackend

        directory = work / f"tantivy-{n_pages}"
        shutil.rmtree(directory, ignore_errors=True)
        backend = TantivyBackend(directory)
        return backend, backend.size_bytes, lambda: shutil.rmtree(directory, ignore_errors=True)
    for leftover in work.glob(f"search-{n_pages}.sqlite*"):
        leftover.unlink()
    backend = SqliteBackend(work / f"search-{n_pages}.sqlite")

    def size() -> int:
        return sum(p.stat().st_size for p in work.glob(f"search-{n_pages}.sqlite*"))

    def remove() -> None:
        for leftover in work.glob(f"search-{n_pages}.sqlite*"):
            leftover.unlink()

    return backend, size, remove


def speed(n_pages: int, work: Path, baseline: bool, engine: str) -> dict:
    work.mkdir(parents=True, exist_ok=True)
    backend, size_of, remove = open_engine(engine, work, n_pages)
    timed = Timed(n_pages)
    start, cpu = time.perf_counter(), time.process_time()
    backend.rebuild(timed.units())
    elapsed, cpu_used = time.perf_counter() - start, time.process_time() - cpu
    indexing = elapsed - timed.producing
    size = size_of()
    mix = query_mix(timed.sample)
    backend.search(SearchRequest("đảng viên"))  # warm the page cache once
    cpu = time.process_time()
    result = latencies(lambda q: backend.search(SearchRequest(q)), mix, repeat=2)
    query_cpu_ms = (time.process_time() - cpu) * 1000 / result["all"]["n"]
    backend.close()
    report = {"engine": engine, "pages": n_pages, "indexing_pages_per_s": n_pages / indexing,
              "indexing_s": indexing, "generation_s": timed.producing,
              "indexing_cpu_pages_per_s": n_pages / max(1e-9, cpu_used - timed.producing),
              "text_bytes": timed.text_bytes, "index_bytes": size,
              "index_vs_text": size / timed.text_bytes, "latency_ms": result,
              "query_cpu_ms": query_cpu_ms, "load_average": os.getloadavg()[0],
              "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}
    if baseline:
        report["like_baseline"] = like_baseline(work, n_pages, mix)
    remove()
    return report


def print_speed(report: dict) -> None:
    lat = report["latency_ms"]
    print(f"\n== {report['pages']:,} pages, embedded {report['engine']} "
          f"(load average {report['load_average']:.1f} on {os.cpu_count()} cores) ==")
    print(f"indexing: {report['indexing_pages_per_s']:,.0f} pages/s wall "
          f"({report['indexing_s']:.1f} s; text generation {report['generation_s']:.1f} s not counted), "
          f"{report['indexing_cpu_pages_per_s']:,.0f} pages/s per CPU second of this process")
    print(f"text {report['text_bytes'] / 1e6:,.1f} MB, index {report['index_bytes'] / 1e6:,.1f} MB "
          f"= {report['index_vs_text']:.2f}× the text")
    print(f"latency over {lat['all']['n']} queries with facets (the fallback tiers' queries "
          f"apart): p50 {lat['all']['p50']:.1f} ms, "
          f"p95 {lat['all']['p95']:.1f} ms, p99 {lat['all']['p99']:.1f} ms")
    cpu = lat["cpu"]
    print(f"  CPU time per query: p50 {cpu['p50']:.1f} ms, p95 {cpu['p95']:.1f} ms, "
          f"p99 {cpu['p99']:.1f} ms (mean {report['query_cpu_ms']:.1f} ms)")
    for kind, values in lat.items():
        if kind not in ("all", "cpu"):
            print(f"  {kind:18s} p50 {values['p50']:7.1f} ms   p95 {values['p95']:7.1f} ms"
                  f"   p99 {values['p99']:7.1f} ms")
    print(f"peak memory (RSS of this process so far): {report['peak_rss_mb']:.0f} MB")
    if "like_baseline" in report:
        base = report["like_baseline"]
        b = base["latency_ms"]["all"]
        print(f"LIKE baseline: build {base['build_s']:.1f} s, {base['size_bytes'] / 1e6:.1f} MB, "
              f"p50 {b['p50']:.0f} ms, p95 {b['p95']:.0f} ms, p99 {b['p99']:.0f} ms "
              f"({b['n']} queries)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    sub = parser.add_subparsers(dest="command", required=True)
    rel = sub.add_parser("relevance")
    rel.add_argument("--corpus", type=Path, default=DEFAULT_CORPUS)
    rel.add_argument("--archive", type=Path, default=Path("/tmp/bench-search/dev-archive"))
    rel.add_argument("--ocr-cache", type=Path,
                     help="Build the archive from cached Tesseract output instead of luutru run "
                          "(DIR/<source>/page-NNN.txt and .hocr, as bench/fields.py reads).")
    rel.add_argument("--fresh", type=int, default=300,
                     help="Freshly generated documents to ask the forgiving queries of too.")
    rel.add_argument("--shares", default="",
                     help="Partial-tier minimum-should-match shares to compare, e.g. 0.5,0.6,0.75.")
    spd = sub.add_parser("speed")
    spd.add_argument("--pages", default="10000,100000")
    spd.add_argument("--work", type=Path, default=Path("/tmp/bench-search"))
    spd.add_argument("--engine", default="tantivy,sqlite",
                     help="Embedded engines to compare, comma-separated [tantivy,sqlite].")
    spd.add_argument("--no-baseline", action="store_true")
    spd.add_argument("--json", type=Path, help="Also write the figures to this file.")
    args = parser.parse_args()
    if args.command == "relevance":
        report = relevance(args.corpus, args.archive, args.ocr_cache, args.fresh,
                           [float(x) for x in args.shares.split(",")] if args.shares else None)
        print(f"relevance on {args.corpus} ({report['a']['n']} documents, clearance tuyet-mat, "
              f"engine {report['engine']}):")
        names = {"a": "number as printed", "b": "number, other spelling",
                 "c": "trích yếu without diacritics", "d": "4 body words without diacritics"}
        print(f"  {report['present']} of them have their first page OCR'd in the archive; "
              f"scores over all / over those")
        for kind, name in names.items():
            every, present = report[kind], report[kind]["present"]
            print(f"  ({kind}) {name:32s} first {every['first']:6.1%} / {present['first']:6.1%}"
                  f"   MRR {every['mrr']:.3f} / {present['mrr']:.3f}")
        for kind in ("a", "b"):
            legible = report[kind]["legible"]
            print(f"  ({kind}) over the {report['legible']} documents whose number OCR read: "
                  f"first {legible['first']:.1%}, MRR {legible['mrr']:.3f}")
        for kind, misses in report["misses"].items():
            for miss in misses:
                print(f"  miss ({kind}) {miss}")
        seen, common = report["confusions"]
        print(f"\nOCR confusions measured (text.txt vs truth): {seen} syllables misread; "
              "letters most often: " + ", ".join(f"{a}→{b} ({n})" for (a, b), n in common))
        print_forgiving(f"dev corpus ({report['a']['n']} documents, real OCR)",
                        report["dev_forgiving"], report["dev_own"], show_misses=True)
        signed = report["signer_read"]
        after = report["dev_forgiving"]["after"]["signer's name"]
        with_name = [after[i] for i in signed if i < len(after)]
        print(f"    signer's name, over the {len(signed)} documents whose signature OCR read "
              f"(its syllables in the OCR text, at most one wrong): top 3 "
              f"{forgiving_scores(with_name)['top3']:.1%}"
              f", MRR {forgiving_scores(with_name)['mrr']:.3f}")
        in_catalogue = report["signer_catalogued"]
        n_signed = sum(1 for _ in after)
        in_neither = n_signed - len(set(signed) | set(in_catalogue))
        print(f"    signer's name in the catalogue for {len(in_catalogue)}, in the OCR text for "
              f"{len(signed)}, in neither (no text the system has holds it) for {in_neither} "
              f"of {n_signed}")
        print_forgiving(f"fresh documents ({args.fresh}, clean text)", report["fresh_forgiving"],
                        report["fresh_own"])
        for share, ranks in report["shares"].items():
            values = [r for v in ranks["after"].values() for r in v]
            scores = forgiving_scores(values)
            print(f"  partial share {share}: misread titles top 3 {scores['top3']:.1%}, "
                  f"MRR {scores['mrr']:.3f}")
        return
    all_reports = []
    for engine in args.engine.split(","):
        reports = []
        for n in (int(x) for x in args.pages.split(",")):
            report = speed(n, args.work, baseline=not args.no_baseline and engine == args.engine
                           .split(",")[0], engine=engine)
            print_speed(report)
            reports.append(report)
        all_reports += reports
        growth(reports)
    if args.json:
        args.json.write_text(json.dumps(all_reports, indent=2))


def growth(reports: list[dict]) -> None:
    if len(reports) > 1:
        print(f"\nCPU-time p95 growth ({reports[0]['engine']}): " + ", ".join(
            f"{r['pages']:,} pages {r['latency_ms']['cpu']['p95']:.1f} ms" for r in reports))
        print(f"\np95 growth ({reports[0]['engine']}): " + ", ".join(f"{r['pages']:,} pages {r['latency_ms']['all']['p95']:.1f} ms"
                                          for r in reports))
        first, last = reports[0], reports[-1]
        slope = ((last["latency_ms"]["all"]["p95"] / first["latency_ms"]["all"]["p95"]) ** (
            1 / max(1e-9, math.log10(last["pages"] / first["pages"]))))
        estimate = last["latency_ms"]["all"]["p95"] * slope ** math.log10(
            1_000_000 / last["pages"])
        if last["pages"] < 1_000_000:
            print(f"1,000,000 pages ({last['engine']}): p95 ≈ {estimate:.0f} ms (ESTIMATED by "
                  f"extrapolating the measured growth per ×10 pages, {slope:.2f}×; not measured)")


if __name__ == "__main__":
    main()
