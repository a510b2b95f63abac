"""Benchmark for ingest: time to store a corpus batch, time of a re-run, and whether every page of
the manifest came out with the right source, position and resolution.

    .venv/bin/python bench/ingest.py --corpus /work/shared/corpus/dev [--out /tmp/bench-ingest]

The archive is made fresh in ``--out`` (deleted first). Prints one JSON object.
"""

from __future__ import annotations

import argparse
import csv
import json
import shutil
import time
from pathlib import Path

from luutru.archive import Archive
from luutru.ingest import ingest_batch


def timed_ingest(archive: Archive, scans: Path, inventory: Path | None) -> tuple[float, dict]:
    start = time.perf_counter()
    report = ingest_batch(archive, scans, inventory=inventory)
    return time.perf_counter() - start, report.to_json()


def manifest_agreement(archive: Archive, manifest: Path) -> dict[str, int]:
    """Pages of the manifest found at (source, page_index), and how many have its dpi."""
    pages = {(r["source"], r["index"]): r
             for r in (archive.page_record(ref) for ref in archive.iter_page_refs())}
    found = dpi_right = 0
    rows = list(csv.DictReader(manifest.open(encoding="utf-8")))
    for row in rows:
        page = pages.get((row["source"], int(row["page_index"])))
        found += page is not None
        dpi_right += page is not None and page["dpi"] == int(row["dpi"])
    return {"manifest_pages": len(rows), "pages_found": found, "dpi_right": dpi_right,
            "pages_in_archive": len(pages)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--corpus", type=Path, default=Path("/work/shared/corpus/dev"))
    parser.add_argument("--out", type=Path, default=Path("/tmp/bench-ingest"))
    args = parser.parse_args()
    shutil.rmtree(args.out, ignore_errors=True)
    archive = Archive.open(args.out / "archive")
    scans = args.corpus / "scans"
    inventory = args.corpus / "inventory.csv"
    size = sum(p.stat().st_size for p in scans.rglob("*") if p.is_file())

    first_s, first = timed_ingest(archive, scans, inventory if inventory.exists() else None)
    again_s, again = timed_ingest(archive, scans, None)
    result = {
        "files": len(first["ingested"]) + len(first["quarantined"]) + len(first["duplicates"]),
        "megabytes": round(size / 1e6, 1), "ingest_s": round(first_s, 2),
        "pages_per_s": round(first["pages_added"] / first_s, 1),
        "rerun_s": round(again_s, 2), "rerun_added": again["pages_added"] + len(again["ingested"]),
        "quarantined": first["quarantine_reasons"], "warnings": first["warnings"],
        **manifest_agreement(archive, args.corpus / "manifest.csv"),
    }
    print(json.dumps(result, ensure_ascii=False, indent=2))


if __name__ == "__main__":
    main()
