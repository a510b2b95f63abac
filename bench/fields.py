"""Benchmark of the catalogue: document boundaries and fields on a corpus, scored by score_fields.py.

    .venv/bin/python bench/fields.py [--corpus ../shared/corpus/dev] [--work /tmp/bench-fields]
                                     [--ocr-cache DIR] [--review-aware]

Default: runs the real pipeline (``luutru ingest`` + ``luutru ocr``) on the corpus scans into a work
archive (kept and reused between runs), then times ``build_catalog`` alone and scores
``export items``. With ``--ocr-cache DIR`` the archive's pages are made from Tesseract output
already on disk (``DIR/<source>/page-NNN.hocr`` and ``.txt``, as made by a plain ``tesseract -l vie
… txt hocr`` of each page): that measures the catalogue stage on raw Tesseract output while the OCR
stage is not available.
"""

from __future__ import annotations

import argparse
import csv
import hashlib
import json
import shutil
import subprocess
import sys
import time
from pathlib import Path

from luutru.archive import Archive, PageRef, write_json
from luutru.catalog import build_catalog, iter_items
from luutru.export.items import SCORED_FIELDS

HERE = Path(__file__).resolve().parent
DEFAULT_CORPUS = HERE.parent.parent / "shared" / "corpus" / "dev"
SCORER = HERE.parent.parent / "shared" / "tools" / "score_fields.py"


def _sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def archive_from_cache(corpus: Path, cache: Path, archive: Archive) -> None:
    """Page dirs in the archive layout from cached raw Tesseract output (see module docstring)."""
    rows = list(csv.DictReader(open(corpus / "manifest.csv", encoding="utf-8")))
    counts: dict[str, int] = {}
    for r in rows:
        counts[r["source"]] = max(counts.get(r["source"], 0), int(r["page_index"]))
    shas = {src: _sha(corpus / "scans" / src) for src in counts}
    for r in rows:
        src, index = r["source"], int(r["page_index"])
        fonds, file_code = src.split("/")[:2]
        ref = PageRef(shas[src], index)
        page_dir = archive.page_dir(ref)
        cached = cache / src / f"page-{index:03d}"
        if not cached.with_suffix(".txt").exists():
            continue
        page_dir.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(cached.with_suffix(".hocr"), page_dir / "ocr.hocr")
        shutil.copyfile(cached.with_suffix(".txt"), page_dir / "text.txt")
        write_json(page_dir / "page.json", {"original": ref.sha256, "index": index,
                                            "page_count": counts[src], "source": src,
                                            "fonds": fonds, "file": file_code, "dpi": int(r["dpi"])})
        write_json(page_dir / "ocr.json", {"engine": "tesseract (bench cache)"})


def archive_from_pipeline(corpus: Path, archive: Archive) -> None:
    luutru, where = [sys.executable, "-m", "luutru.cli"], ["--archive", str(archive.root)]
    subprocess.run(luutru + ["ingest", *where, str(corpus / "scans"),
                             "--inventory", str(corpus / "inventory.csv")], check=False)
    subprocess.run(luutru + ["ocr", *where], check=False)   # exit 2: some page unreadable


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--corpus", type=Path, default=DEFAULT_CORPUS)
    parser.add_argument("--work", type=Path, default=Path("/tmp/bench-fields"))
    parser.add_argument("--ocr-cache", type=Path)
    parser.add_argument("--review-aware", action="store_true", default=True)
    args = parser.parse_args()
    root = args.work / (args.corpus.name + ("-cache" if args.ocr_cache else ""))
    if args.ocr_cache:
        shutil.rmtree(root, ignore_errors=True)
    archive = Archive.open(root)
    if args.ocr_cache:
        archive_from_cache(args.corpus, args.ocr_cache, archive)
        inventories = archive.root / "inputs" / "inventories"
        inventories.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(args.corpus / "inventory.csv", inventories / "inventory.csv")
    elif not any(archive.iter_page_refs()):
        archive_from_pipeline(args.corpus, archive)
    shutil.rmtree(archive.catalog_dir, ignore_errors=True)
    archive.catalog_dir.mkdir()
    started = time.perf_counter()
    report = build_catalog(archive)
    elapsed = time.perf_counter() - started
    pred = args.work / f"{root.name}-items.jsonl"
    with open(pred, "w", encoding="utf-8") as out:
        for item in iter_items(archive):
            row = {k: item[k] for k in SCORED_FIELDS}
            row["needs_review"] = item["needs_review"]
            out.write(json.dumps(row, ensure_ascii=False) + "\n")
    command = [sys.executable, str(SCORER), "--truth", str(args.corpus), "--pred", str(pred)]
    if args.review_aware:
        command.append("--review-aware")
    subprocess.run(command, check=False)
    print(f"catalogue stage: {report.items} items from {report.pages} pages in {elapsed:.2f} s "
          f"= {report.items / elapsed:.1f} items/s ({report.pages / elapsed:.1f} pages/s); "
          f"{report.needs_review} items need review")


if __name__ == "__main__":
    main()
