"""Benchmark of ``luutru verify``: hashing throughput on a generated archive, and faults found.

Generates an archive of ``--pages`` pages (one original per ``--pages-per-original`` pages, each
original ``--original-mb`` MB of noise as a scanned TIFF is, each page with the derived files OCR
writes, every file with its checksum as the stages record it), then

- baseline: one thread of ``hashlib.sha256`` over the originals, read in 1 MiB blocks;
- ``verify`` with 1 and 2 threads: the whole audit (originals + every derived file);
- injects faults (a flipped byte, a truncation and a deletion in originals and in derived files)
  and reports how many ``verify`` found.

    .venv/bin/python bench/verify.py --pages 2000 [--original-mb 2] [--keep /tmp/bench-verify]

The files were just written, so they are in the page cache: the figures are hashing (CPU) speed,
as on an archive whose disk reads faster than the CPU hashes. A cold audit on a spinning disk is
bounded by the disk instead.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import shutil
import tempfile
import time
from pathlib import Path

from luutru.archive import Archive, PageRef, dump_json, record_checksum
from luutru.preserve.fixity import iter_originals, verify

DERIVED = {"text.txt": 2_000, "ocr.hocr": 40_000, "ocr.alto.xml": 60_000, "ocr.json": 3_000,
           "clean.png": 100_000, "ocr.pdf": 60_000}


def _write(path: Path, data: bytes) -> None:
    """As a stage writes a file of the record (checksum beside it), without the fsync: the
    bench makes thousands of files and measures reading them."""
    path.parent.mkdir(parents=True, exist_ok=True)
    record_checksum(path, hashlib.sha256(data).hexdigest(), len(data))
    path.write_bytes(data)


def generate(root: Path, pages: int, per_original: int, original_mb: float) -> Archive:
    archive = Archive.open(root)
    rng = os.urandom
    for number in range(max(1, pages // per_original)):
        data = rng(int(original_mb * 1e6)) + number.to_bytes(8, "big")
        sha = hashlib.sha256(data).hexdigest()
        path = archive.original_path(sha, ".tif")
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)
        path.chmod(0o444)
        indices = list(range(1, per_original + 1))
        for index in indices:
            page_dir = archive.page_dir(PageRef(sha, index))
            page_dir.mkdir(parents=True, exist_ok=True)
            _write(page_dir / "page.json", dump_json({"original": sha, "index": index, "fonds": "F",
                                                      "file": "H", "source": f"F/H/{number}.tif"}).encode())
            for name, size in DERIVED.items():
                _write(page_dir / name, rng(size))
        _write(archive.document_pdf_path(sha), rng(60_000 * per_original))
        _write(archive.original_record_path(sha), dump_json({
            "sha256": sha, "stored_as": path.name, "format": "tiff", "media_type": "image/tiff",
            "size": len(data), "pages": indices, "page_count": per_original,
            "source": {"path": f"F/H/{number}.tif", "fonds": "F", "file": "H"},
            "ingested_at": "2026-01-01T00:00:00Z"}).encode())
    return archive


def baseline(archive: Archive) -> tuple[float, int]:
    started, size = time.perf_counter(), 0
    for original in iter_originals(archive):
        digest = hashlib.sha256()
        with open(original.path, "rb") as handle:
            for block in iter(lambda: handle.read(1 << 20), b""):
                digest.update(block)
                size += len(block)
    return time.perf_counter() - started, size


def inject(archive: Archive) -> set[str]:
    originals = list(iter_originals(archive))
    pages = sorted(archive.pages_dir.glob("*/*/"))
    targets = [originals[0].path, originals[-1].path, pages[0] / "text.txt",
               pages[len(pages) // 2] / "ocr.alto.xml", pages[-1] / "page.json",
               archive.document_pdf_path(originals[1].sha256)]
    flip, cut, delete = targets[0::3], targets[1::3], targets[2::3]
    for path in flip:
        path.chmod(0o644)
        data = bytearray(path.read_bytes())
        data[len(data) // 2] ^= 0x40
        path.write_bytes(bytes(data))
    for path in cut:
        path.chmod(0o644)
        path.write_bytes(path.read_bytes()[:-1])
    for path in delete:
        path.unlink()
    return {p.relative_to(archive.root).as_posix() for p in targets}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pages", type=int, default=2000)
    parser.add_argument("--pages-per-original", type=int, default=4)
    parser.add_argument("--original-mb", type=float, default=2.0)
    parser.add_argument("--keep", type=Path, help="Generate here and keep it (default: a temp dir).")
    args = parser.parse_args()
    root = args.keep or Path(tempfile.mkdtemp(prefix="bench-verify-"))
    try:
        started = time.perf_counter()
        archive = generate(root / "archive", args.pages, args.pages_per_original, args.original_mb)
        made = time.perf_counter() - started
        seconds, size = baseline(archive)
        results = {"pages": args.pages, "generated_s": round(made, 1),
                   "baseline_sha256_1_thread_mb_s": round(size / 1e6 / seconds, 1)}
        for jobs in (1, 2):
            report = verify(archive, jobs=jobs)
            assert not report.problems, report.problems[:3]
            results[f"verify_{jobs}_threads"] = {
                "seconds": round(report.seconds, 2), "files": report.files + report.originals,
                "mb": round(report.bytes / 1e6, 1), "mb_s": round(report.megabytes_per_second, 1)}
        injected = inject(archive)
        found = {f.path for f in verify(archive, jobs=2).problems}
        results["faults_injected"] = len(injected)
        results["faults_found"] = len(injected & found)
        results["false_alarms"] = sorted(found - injected)
        print(json.dumps(results, indent=2, ensure_ascii=False))
    finally:
        if args.keep is None:
            shutil.rmtree(root, ignore_errors=True)


if __name__ == "__main__":
    main()
