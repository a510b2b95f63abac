"""Benchmark of ``luutru verify``: hashing throughput on a generated archive, and faults found.

Generates an archive of ``--pages`` pages (one original per ``--pages-per-original`` pages, each
page with the derived files OCR writes, every file with its checksum as the stages record it),
then

- ``verify`` with 1 and 2 jobs (worker processes): the whole audit (originals + every derived
  file), MB/s and files/s;
- baseline: plain ``hashlib.sha256`` over the same files (the same bytes verify read), on as
  many threads, in the same run: what hashing alone costs on this machine now; ``ratio`` is
  verify's MB/s over the baseline's (1.0: verify costs no more than hashing the bytes; verify
  also reads each file's checksum sidecar, one more open per file);
- injects faults (a flipped byte, a truncation and a deletion in originals and in derived files),
  reports how many ``verify`` found, and puts the bytes back.

    .venv/bin/python bench/verify.py                    # 2,000 pages in a temporary folder
    .venv/bin/python bench/verify.py --large            # 100,000 pages, ~12 GB, kept in
                                                        # /work/bench-verify-100k and reused

``--large`` sizes each file as a 300-dpi bitonal scan makes it (Group 4 TIFF original ~35 KB a
page, cleaned PNG, hOCR, ALTO, one-page and document PDFs), so 100k pages fit in ~12 GB; the
default sizes are those of a greyscale scan. The content is random bytes (hashing does not care),
every original distinct. The archive is generated once (a few minutes) and reused while its
``bench.json`` says it is complete.

The files were just written or read, so they are in the page cache if memory allows: the figures
are hashing (CPU) speed, as on an archive whose disk reads faster than the CPU hashes. A cold
audit on a spinning disk is bounded by the disk instead.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import random
import shutil
import tempfile
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from luutru.archive import Archive, PageRef, checksum_path, dump_json
from luutru.preserve.fixity import iter_originals, verify

# Bytes per file: (original per page, {derived file: size}, document PDF per page).
GREY = (500_000, {"text.txt": 2_000, "ocr.hocr": 40_000, "ocr.alto.xml": 60_000,
                  "ocr.json": 3_000, "clean.png": 100_000, "ocr.pdf": 60_000}, 60_000)
BITONAL = (35_000, {"text.txt": 2_000, "ocr.hocr": 12_000, "ocr.alto.xml": 18_000,
                    "ocr.json": 2_000, "clean.png": 15_000, "ocr.pdf": 20_000}, 20_000)
LARGE_ROOT = Path("/work/bench-verify-100k")
_POOL = random.Random(16).randbytes(1 << 22)  # sliced at random offsets: fast, varied bytes


def _noise(size: int, rng: random.Random) -> bytes:
    out = bytearray()
    while len(out) < size:
        start = rng.randrange(len(_POOL) - 4096)
        out += _POOL[start:start + min(size - len(out), len(_POOL) - start)]
    return bytes(out)


def _write(path: Path, data: bytes) -> None:
    """A file of the record and its checksum beside it, in the format the stages record it
    (:func:`luutru.archive.record_checksum`), without their temporary files and fsyncs: the
    bench makes over a million files and measures reading them."""
    checksum_path(path).write_text(f"{hashlib.sha256(data).hexdigest()} {len(data)}\n",
                                   encoding="ascii")
    path.write_bytes(data)


def generate(root: Path, pages: int, per_original: int, sizes: tuple,
             start: int = 0, done: Callable[[int], None] = lambda count: None) -> Archive:
    """Originals ``start``… of the archive (each the same bytes whenever it is made), calling
    ``done(count)`` every 100 originals: a generation killed part-way is resumed."""
    archive = Archive.open(root)
    original_size, derived, document_size = sizes
    count = max(1, pages // per_original)
    for number in range(start, count):
        rng = random.Random(number)
        data = number.to_bytes(8, "big") + _noise(original_size * per_original, rng)  # distinct
        sha = hashlib.sha256(data).hexdigest()
        path = archive.original_path(sha, ".tif")
        path.parent.mkdir(parents=True, exist_ok=True)
        path.unlink(missing_ok=True)
        path.write_bytes(data)
        path.chmod(0o444)
        indices = list(range(1, per_original + 1))
        for index in indices:
            page_dir = archive.page_dir(PageRef(sha, index))
            page_dir.mkdir(parents=True, exist_ok=True)
            _write(page_dir / "page.json", dump_json({"original": sha, "index": index, "fonds": "F",
                                                      "file": "H", "source": f"F/H/{number}.tif"}).encode())
            for name, size in derived.items():
                _write(page_dir / name, _noise(size, rng))
        _write(archive.document_pdf_path(sha), _noise(document_size * per_original, rng))
        _write(archive.original_record_path(sha), dump_json({
            "sha256": sha, "stored_as": path.name, "format": "tiff", "media_type": "image/tiff",
            "size": len(data), "pages": indices, "page_count": per_original,
            "source": {"path": f"F/H/{number}.tif", "fonds": "F", "file": "H"},
            "ingested_at": "2026-01-01T00:00:00Z"}).encode())
        if (number + 1) % 100 == 0 or number + 1 == count:
            done(number + 1)
    return archive


def generated(root: Path, pages: int, per_original: int, sizes: tuple) -> tuple[Archive, float]:
    """The archive at ``root``: generated, or finished if a generation of the same shape was
    killed part-way, or reused as it is if complete."""
    marker = root / "bench.json"
    shape = {"pages": pages, "per_original": per_original, "sizes": json.loads(json.dumps(sizes))}
    state = json.loads(marker.read_text()) if marker.exists() else {}
    if state.get("shape") != shape:
        shutil.rmtree(root / "archive", ignore_errors=True)
        state = {"shape": shape, "originals_done": 0}
    if state["originals_done"] == max(1, pages // per_original):
        return Archive.open(root / "archive"), 0.0

    def done(count: int) -> None:
        marker.write_text(json.dumps({"shape": shape, "originals_done": count}))
    root.mkdir(parents=True, exist_ok=True)
    started = time.perf_counter()
    archive = generate(root / "archive", pages, per_original, sizes,
                       start=state["originals_done"], done=done)
    return archive, time.perf_counter() - started


def audited_files(archive: Archive) -> list[Path]:
    """Every file verify hashes: originals and every file with a recorded checksum."""
    files = [o.path for o in iter_originals(archive)]
    for directory, _, names in os.walk(archive.root):
        files += [Path(directory) / name for name in names
                  if name.startswith(".") and name.endswith(".sha256")]
    return [f.with_name(f.name[1:-len(".sha256")]) if f.name.endswith(".sha256") else f
            for f in files]


def baseline(files: list[Path], jobs: int) -> tuple[float, int]:
    """Plain hashlib over ``files`` split in ``jobs`` shares, one thread each: seconds, bytes."""
    def digest(share: list[Path]) -> int:
        size = 0
        for path in share:
            with open(path, "rb") as handle:
                hashlib.file_digest(handle, "sha256")
                size += os.fstat(handle.fileno()).st_size
        return size
    started = time.perf_counter()
    with ThreadPoolExecutor(jobs) as pool:
        size = sum(pool.map(digest, [files[i::jobs] for i in range(jobs)]))
    return time.perf_counter() - started, size


def inject(archive: Archive) -> dict[Path, bytes]:
    """Faults of each kind; what each file held before (to put back)."""
    originals = list(iter_originals(archive))
    pages = sorted(archive.pages_dir.glob("*/*/"))
    targets = [originals[0].path, originals[-1].path, pages[0] / "text.txt",
               pages[len(pages) // 2] / "ocr.alto.xml", pages[-1] / "page.json",
               archive.document_pdf_path(originals[1].sha256)]
    before = {path: path.read_bytes() for path in targets}
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
    return before


def put_back(archive: Archive, before: dict[Path, bytes]) -> None:
    originals = {o.path for o in iter_originals(archive)}
    for path, data in before.items():
        if path.exists():
            path.chmod(0o644)
        path.write_bytes(data)
        if path in originals:
            path.chmod(0o444)


def _figures(seconds: float, size: int, files: int) -> dict[str, float]:
    return {"seconds": round(seconds, 2), "files": files, "mb": round(size / 1e6, 1),
            "mb_s": round(size / 1e6 / seconds, 1), "files_s": round(files / seconds)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pages", type=int, default=2000)
    parser.add_argument("--pages-per-original", type=int, default=4)
    parser.add_argument("--large", action="store_true",
                        help=f"100,000 bitonal pages kept (and reused) in {LARGE_ROOT}")
    parser.add_argument("--keep", type=Path, help="Generate here and keep it (default: a temp dir).")
    parser.add_argument("--jobs", type=int, nargs="+", default=[1, 2])
    args = parser.parse_args()
    pages = 100_000 if args.large else args.pages
    root = args.keep or (LARGE_ROOT if args.large else Path(tempfile.mkdtemp(prefix="bench-verify-")))
    try:
        archive, made = generated(root, pages, args.pages_per_original,
                                  BITONAL if args.large else GREY)
        results: dict = {"pages": pages, "archive": str(archive.root),
                         "generated_s": round(made, 1) if made else "reused"}
        files = audited_files(archive)
        for jobs in args.jobs:
            report = verify(archive, jobs=jobs)
            assert not report.problems, report.problems[:3]
            results[f"verify_{jobs}_jobs"] = _figures(report.seconds, report.bytes,
                                                      report.files + report.originals)
            seconds, size = baseline(files, jobs)
            results[f"baseline_hashlib_{jobs}_threads"] = _figures(seconds, size, len(files))
            results[f"ratio_{jobs}_jobs"] = round(seconds / report.seconds, 2)
        before = inject(archive)
        try:
            found = {f.path for f in verify(archive, jobs=max(args.jobs)).problems}
        finally:
            put_back(archive, before)
        injected = {p.relative_to(archive.root).as_posix() for p in before}
        results["faults_injected"] = len(injected)
        results["faults_found"] = len(injected & found)
        results["false_alarms"] = sorted(found - injected)
        print(json.dumps(results, indent=2, ensure_ascii=False))
    finally:
        if args.keep is None and not args.large:
            shutil.rmtree(root, ignore_errors=True)


if __name__ == "__main__":
    main()
