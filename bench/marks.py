"""Benchmark of the secrecy/urgency stamp reader (issue 13): are classified documents closed?

    .venv/bin/python bench/marks.py [--corpus ../shared/corpus/dev --corpus ../shared/corpus/dev-forms]
                                    [--variants 48] [--unmarked 24] [--real ../shared/corpus/real]
                                    [--work /tmp/bench-marks] [--seed 13]

Documents: every document of each corpus (truth ``meta.json``: ``do_mat``, ``do_khan``), plus
rendered variants (``samples.stamps``): each of the six marks red or black, framed or not, up to 5°
crooked, faded, half under a seal, in each tier's degradation, and unmarked pages (some with a red
registration stamp ``CÔNG VĂN ĐẾN``). Each corpus is ingested and OCR'd into a work archive, kept
and reused (a later run only fills in ``marks.json`` where it is missing).

Three readings of each document's độ mật / độ khẩn, measured in the same run:

- ``text``: today's text-only extraction (``catalog.extract`` on the page text), the baseline;
- ``marks``: the stamps alone (``marks.json`` of all its pages, ``catalog.secrecy``);
- ``both``: what the catalogue now records (stamps, with the text as second witness).

Reported per kind: recall (classified documents closed: a value, read or unsure), precision of the
exact level (of the values given with no review flag, the share that is the true level), unsure on
unmarked documents, and wrong confident values on unmarked ones. ``--real``: the stamp reader on real
scans (no marks expected): pages with an unsure or read mark, listed. Cost: CPU ms per page of the
reader alone.
"""

from __future__ import annotations

import argparse
import csv
import json
import random
import sys
import time
from collections import defaultdict
from pathlib import Path

import numpy as np

from luutru.archive import Archive, PageRef
from luutru.catalog.extract import extract_fields
from luutru.catalog.model import MACHINE, FieldValue
from luutru.catalog.pagelines import load_page_lines
from luutru.catalog.secrecy import read_page_marks, stamp_fields
from luutru.ingest.batch import ingest_batch
from luutru.ocr.marks import MARKS_FILE, find_marks
from luutru.ocr.pipeline import ocr_archive, page_array
from luutru.pageimage import load_page

HERE = Path(__file__).resolve().parent
SHARED = HERE.parent.parent / "shared" / "corpus"
LEVELS = {"do_mat": ("Mật", "Tối mật", "Tuyệt mật"), "do_khan": ("Khẩn", "Thượng khẩn", "Hỏa tốc")}
METHODS = ("text", "marks", "both")


def prepared(archive_dir: Path, scans: Path, jobs: int, remark: bool) -> Archive:
    """The corpus read into a work archive (kept): ingest and OCR once, marks filled in after
    (``remark``: looked for again, by the reader as it is now)."""
    archive = Archive.open(archive_dir)
    if not any(archive.iter_page_refs()):
        ingest_batch(archive, scans)
    if remark:
        for ref in archive.iter_page_refs():
            (archive.page_dir(ref) / MARKS_FILE).unlink(missing_ok=True)
    ocr_archive(archive, jobs=jobs)
    return archive


def _refs_by_source(archive: Archive) -> dict[str, str]:
    return {record["source"]["path"] if isinstance(record.get("source"), dict) else record.get("source"):
            record["sha256"] for record in archive.iter_original_records()}


def corpus_documents(corpus: Path, archive: Archive) -> list[tuple[dict, list[PageRef]]]:
    """(truth meta, its pages in the archive) for every document of a corpus."""
    shas = _refs_by_source(archive)
    pages: dict[str, list[tuple[int, PageRef]]] = defaultdict(list)
    for row in csv.DictReader(open(corpus / "manifest.csv", encoding="utf-8")):
        sha = shas.get(row["source"])
        if sha:
            pages[row["doc_id"]].append((int(row["page_no"]), PageRef(sha, int(row["page_index"]))))
    documents = []
    for meta_path in sorted((corpus / "truth").glob("*/meta.json")):
        meta = json.loads(meta_path.read_text(encoding="utf-8"))
        refs = [ref for _, ref in sorted(pages.get(meta_path.parent.name, []))]
        if refs:
            documents.append((meta, refs))
    return documents


def readings(archive: Archive, refs: list[PageRef]) -> dict[str, dict[str, FieldValue]]:
    """The document's do_mat/do_khan by each method."""
    dirs = [archive.page_dir(ref) for ref in refs]
    lines = [load_page_lines(d) for d in dirs]
    extracted = extract_fields([p for p in lines if p is not None])
    text = {name: FieldValue(e.value, MACHINE, e.confidence, e.pages, e.review)
            for name, e in extracted.items() if name in LEVELS and e.value}
    marks = [read_page_marks(d) or [] for d in dirs]
    return {"text": text, "marks": stamp_fields(marks, {}), "both": stamp_fields(marks, text)}


class Score:
    def __init__(self) -> None:
        self.counts: dict[tuple[str, str], dict[str, int]] = defaultdict(lambda: defaultdict(int))

    def add(self, truth: dict, found: dict[str, dict[str, FieldValue]]) -> None:
        for method in METHODS:
            for field in LEVELS:
                c = self.counts[(method, field)]
                value = found[method].get(field)
                given = value is not None and value.value
                sure = given and not value.review
                if truth.get(field):
                    c["classified"] += 1
                    c["closed"] += bool(given)
                else:
                    c["unmarked"] += 1
                    c["unsure"] += bool(given and value.review)
                    c["wrong_sure"] += bool(sure)
                if sure:
                    c["sure"] += 1
                    c["exact"] += value.value == truth.get(field)

    def table(self, title: str) -> str:
        out = [f"\n{title}", f"{'field':8} {'method':6} {'recall':>14} {'exact level':>14} "
                              f"{'unsure/unmarked':>16} {'wrong sure':>11}"]
        for field in LEVELS:
            for method in METHODS:
                c = self.counts[(method, field)]
                out.append(f"{field:8} {method:6} {_pct(c['closed'], c['classified']):>14} "
                           f"{_pct(c['exact'], c['sure']):>14} {_pct(c['unsure'], c['unmarked']):>16} "
                           f"{c['wrong_sure']:>11}")
        return "\n".join(out)


def _pct(part: int, whole: int) -> str:
    return f"{100 * part / whole:5.1f}% ({part}/{whole})" if whole else "—"


# --- rendered variants --------------------------------------------------------------------------

def make_variants(folder: Path, count: int, unmarked: int, seed: int = 13) -> list[dict]:
    """Rendered single-page documents, each in its own hồ sơ; returns their truths."""
    from luutru.samples.degrade import degrade_tier
    from luutru.samples.documents import generate_document
    from luutru.samples.stamps import BLACK, StampStyle, draw_stamp, render_stamped

    rng = random.Random(seed)
    truths = []
    levels = [(f, level) for f, values in LEVELS.items() for level in values]
    for n in range(count + unmarked):
        field, level = levels[n % len(levels)] if n < count else (None, None)
        tier = ("t0", "t1", "t2", "t3")[n % 4]
        dpi = 200 if tier == "t3" else 240 if tier == "t2" else 300
        style = StampStyle(colour=rng.choice([(205, 38, 38), BLACK]), boxed=rng.random() < 0.7,
                           angle=rng.uniform(-5, 5), fade=rng.choice([0.0, 0.0, 0.4]),
                           seal=rng.random() < 0.25)
        doc = generate_document(random.Random(seed * 1000 + n), doc_type=rng.choice(["NQ", "KH", "BC", "TB"]),
                                pages=1, do_mat=level if field == "do_mat" else None,
                                do_khan=level if field == "do_khan" else None)
        page = render_stamped(doc, 1, dpi, style, seed=n)
        if level is None and rng.random() < 0.5:          # a registration stamp is not a secret
            page = draw_stamp(page, "CÔNG VĂN ĐẾN", (60, 12), dpi, StampStyle(angle=rng.uniform(-3, 3)))
        page, _ = degrade_tier(page, tier, dpi, np.random.default_rng(n))
        target = folder / "PHONG-12" / f"HS-2020-{n:03d}" / f"doc-{n:03d}.png"
        target.parent.mkdir(parents=True, exist_ok=True)
        page.convert("L" if tier == "t2" and n % 8 == 2 else "RGB").save(target, dpi=(dpi, dpi))
        truths.append({"source": str(target.relative_to(folder)), "do_mat": doc.meta["do_mat"],
                       "do_khan": doc.meta["do_khan"], "tier": tier, "style": style.__dict__})
    return truths


# --- real scans ---------------------------------------------------------------------------------

def real_pages(archive: Archive) -> tuple[list[tuple[str, list]], float]:
    """The reader alone on every page: (source and page, marks) for pages with a mark; CPU ms/page."""
    flagged, spent, pages = [], 0.0, 0
    for ref in archive.iter_page_refs():
        record = archive.page_record(ref)
        image = page_array(load_page(archive.stored_original(ref.sha256), record["format"], ref.index,
                                     record.get("dpi")))
        started = time.process_time()
        marks = find_marks(image, int(record["dpi"]))
        spent += time.process_time() - started
        pages += 1
        if marks:
            flagged.append((f"{record.get('source')} p{ref.index}",
                            [(m.level, m.status, m.text) for m in marks]))
    return flagged, 1000 * spent / max(1, pages)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--corpus", type=Path, action="append")
    parser.add_argument("--variants", type=int, default=48)
    parser.add_argument("--unmarked", type=int, default=24)
    parser.add_argument("--real", type=Path, default=SHARED / "real")
    parser.add_argument("--work", type=Path, default=Path("/tmp/bench-marks"))
    parser.add_argument("--seed", type=int, default=13,
                        help="render another set of variants (held out from the default 13)")
    parser.add_argument("--jobs", type=int, default=1)
    parser.add_argument("--remark", action="store_true",
                        help="look for the stamps again in the kept work archives")
    args = parser.parse_args(argv)
    corpora = args.corpus or [SHARED / "dev", SHARED / "dev-forms"]
    total = Score()
    for corpus in corpora:
        score = Score()
        archive = prepared(args.work / corpus.name, corpus / "scans", args.jobs, args.remark)
        for meta, refs in corpus_documents(corpus, archive):
            found = readings(archive, refs)
            score.add(meta, found)
            total.add(meta, found)
        print(score.table(f"corpus {corpus.name}"))
    if args.variants or args.unmarked:
        name = "variants" if args.seed == 13 else f"variants-{args.seed}"
        folder = args.work / f"{name}-scans"
        truths_path = args.work / f"{name}.json"
        if not truths_path.exists():
            truths_path.parent.mkdir(parents=True, exist_ok=True)
            truths_path.write_text(json.dumps(make_variants(folder, args.variants, args.unmarked,
                                                            args.seed), ensure_ascii=False),
                                   encoding="utf-8")
        truths = json.loads(truths_path.read_text(encoding="utf-8"))
        archive = prepared(args.work / name, folder, args.jobs, args.remark)
        shas = _refs_by_source(archive)
        score = Score()
        per_tier: dict[str, Score] = defaultdict(Score)
        for truth in truths:
            found = readings(archive, [PageRef(shas[truth["source"]], 1)])
            score.add(truth, found)
            total.add(truth, found)
            per_tier[truth["tier"]].add(truth, found)
        print(score.table(f"rendered variants ({len(truths)} documents)"))
        for tier in sorted(per_tier):
            print(per_tier[tier].table(f"  variants, tier {tier}"))
    print(total.table("all documents"))
    if args.real and (args.real / "scans").exists():
        archive = Archive.open(args.work / "real")
        if not any(archive.iter_page_refs()):
            ingest_batch(archive, args.real / "scans")
        flagged, cost = real_pages(archive)
        pages = sum(1 for _ in archive.iter_page_refs())
        print(f"\nreal scans: {len(flagged)} of {pages} pages with a mark; reader {cost:.0f} CPU ms/page")
        for where, marks in flagged:
            print(f"  {where}: {marks}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
