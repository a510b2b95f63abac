"""Benchmark of the OCR stage: accuracy per tier, throughput against raw Tesseract, memory.

    .venv/bin/python bench/ocr.py [--corpus DIR] [--per-tier N] [--jobs 2] [--model best]
    .venv/bin/python bench/ocr.py --memory-pages 300        # flat memory on one long PDF

What it does, all in one temporary folder:
1. ingest + OCR the corpus's scans into a fresh archive with ``luutru run --jobs N`` (or, with
   ``--stages``, ``luutru ingest`` then ``luutru ocr --jobs N``), timed as a whole;
2. ``luutru export text`` and ``score_ocr.py --pred-by-source --json``: CER and WER per tier;
3. the same page images through raw ``tesseract IMG stdout -l vie`` (N processes in parallel,
   OMP_THREAD_LIMIT=1), with Debian's model and with the model the pipeline used: pages/min;
4. peak resident memory of a worker (as the pipeline reports it) and of any child process.

The cores are shared, so wall-time ratios move with other people's load between the pipeline run
and the raw runs; the CPU-time ratio (CPU seconds of all processes per page) does not.

``--per-tier N`` takes the scanned files holding N pages or so of each tier (whole files), for
iterating; without it, the whole corpus. The 2 cores are shared: run subsets while iterating.
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
LUUTRU = [sys.executable, "-m", "luutru.cli"]
DEFAULT_CORPUS = Path("/work/shared/corpus/dev")
SCORER = Path("/work/shared/tools/score_ocr.py")
TIERS = ("t0", "t1", "t2", "t3")
TARGET_CER = {"t0": 0.010, "t1": 0.015, "t2": 0.030, "t3": 0.040}


def main() -> int:
    args = _arguments()
    os.environ["OMP_THREAD_LIMIT"] = "1"
    work = Path(tempfile.mkdtemp(prefix="bench-ocr-"))
    try:
        if args.memory_pages:
            return memory_benchmark(work, args)
        return corpus_benchmark(work, args)
    finally:
        if args.keep:
            print(f"kept {work}", file=sys.stderr)
        else:
            shutil.rmtree(work, ignore_errors=True)


def _arguments() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--corpus", type=Path, default=DEFAULT_CORPUS)
    parser.add_argument("--per-tier", type=int, default=0, help="about N pages per tier (0: all)")
    parser.add_argument("--jobs", type=int, default=2)
    parser.add_argument("--model", default=None, help="OCR model (default: luutru's default)")
    parser.add_argument("--stages", action="store_true",
                        help="time `ingest` + `ocr` instead of `luutru run`")
    parser.add_argument("--no-raw", action="store_true", help="skip the raw Tesseract runs")
    parser.add_argument("--no-raw-same-model", action="store_true",
                        help="time raw Tesseract with Debian's model only")
    parser.add_argument("--memory-pages", type=int, default=0,
                        help="instead: OCR one generated PDF of this many pages, report memory")
    parser.add_argument("--keep", action="store_true", help="keep the temporary folder")
    parser.add_argument("--json", action="store_true", help="also print all figures as JSON")
    return parser.parse_args()


# --- corpus subset ------------------------------------------------------------------------------

def read_manifest(corpus: Path) -> list[dict[str, str]]:
    with open(corpus / "manifest.csv", encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


def choose_sources(rows: list[dict[str, str]], per_tier: int) -> set[str]:
    """Whole scanned files, taken in order until each tier has about ``per_tier`` pages."""
    if not per_tier:
        return {row["source"] for row in rows}
    chosen: set[str] = set()
    for tier in TIERS:
        pages = sum(1 for row in rows if row["tier"] == tier and row["source"] in chosen)
        for row in rows:
            if pages >= per_tier:
                break
            if row["tier"] == tier and row["source"] not in chosen:
                chosen.add(row["source"])
                pages += sum(1 for r in rows if r["source"] == row["source"] and r["tier"] == tier)
    return chosen


def subset_corpus(corpus: Path, work: Path, sources: set[str]) -> tuple[Path, Path, int]:
    """A corpus folder (scans + manifest + truth) holding only ``sources``; symlinks, no copies."""
    rows = [row for row in read_manifest(corpus) if row["source"] in sources]
    root = work / "corpus"
    for source in sources:
        link = root / "scans" / source
        link.parent.mkdir(parents=True, exist_ok=True)
        link.symlink_to(corpus / "scans" / source)
    with open(root / "manifest.csv", "w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)
    (root / "truth").symlink_to(corpus / "truth")
    return root, root / "scans", len(rows)


# --- the pipeline -------------------------------------------------------------------------------

def luutru(*args: str, check: bool = True) -> subprocess.CompletedProcess:
    result = subprocess.run([*LUUTRU, *args], capture_output=True, text=True, cwd=REPO)
    if check and result.returncode not in (0, 2):
        raise SystemExit(f"luutru {' '.join(args)} failed ({result.returncode}):\n"
                         f"{result.stderr[-3000:]}")
    return result


def children_cpu() -> float:
    """CPU seconds of every finished descendant: robust to other users of the cores, unlike wall time."""
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def run_pipeline(scans: Path, archive: Path, args: argparse.Namespace) -> tuple[float, dict, str]:
    """Ingest + OCR ``scans``; returns (seconds, OCR summary, how it was run)."""
    model = ["--model", args.model] if args.model else []
    started = time.monotonic()
    if not args.stages and not model:
        result = luutru("run", str(scans), "-a", str(archive), "--jobs", str(args.jobs), "--json",
                        check=False)
        if result.returncode in (0, 2):
            return time.monotonic() - started, json.loads(result.stdout).get("ocr", {}), "run"
        print(f"luutru run failed ({result.returncode}), timing ingest + ocr instead:\n"
              f"{result.stderr[-1500:]}", file=sys.stderr)
        shutil.rmtree(archive, ignore_errors=True)
        started = time.monotonic()
    luutru("ingest", str(scans), "-a", str(archive), "--json")
    result = luutru("ocr", "-a", str(archive), "--jobs", str(args.jobs), "--json", *model)
    return time.monotonic() - started, json.loads(result.stdout), "ingest+ocr"


def score(corpus: Path, archive: Path, work: Path) -> dict:
    pred = work / "pred"
    luutru("export", "text", str(pred), "--clearance", "tuyet-mat", "-a", str(archive), "--json")
    result = subprocess.run([sys.executable, str(SCORER), "--truth", str(corpus), "--pred",
                             str(pred), "--pred-by-source", "--json"],
                            capture_output=True, text=True, check=True)
    return json.loads(result.stdout)


# --- raw tesseract ------------------------------------------------------------------------------

def page_images(archive: Path, folder: Path) -> list[Path]:
    """Every ingested page decoded once to PNG at its own resolution (not timed)."""
    sys.path.insert(0, str(REPO.parent))
    from luutru.archive import Archive
    from luutru.pageimage import load_page

    store = Archive(archive)
    folder.mkdir(parents=True, exist_ok=True)
    paths = []
    for ref in store.iter_page_refs():
        record = store.page_record(ref)
        image = load_page(store.stored_original(ref.sha256), record["format"], ref.index,
                          record.get("dpi"))
        path = folder / f"{ref.sha256[:12]}-{ref.index:04d}.png"
        image.save(path, dpi=(record["dpi"], record["dpi"]))
        paths.append(path)
    return paths


def raw_tesseract(images: list[Path], jobs: int, tessdata_dir: Path | None) -> float:
    """Seconds for ``tesseract IMG stdout -l vie`` over ``images`` in ``jobs`` parallel processes."""
    extra = ["--tessdata-dir", str(tessdata_dir)] if tessdata_dir else []

    def one(path: Path) -> None:
        subprocess.run(["tesseract", str(path), "stdout", "-l", "vie", *extra],
                       capture_output=True, check=True)

    started = time.monotonic()
    with ThreadPoolExecutor(max_workers=jobs) as pool:
        list(pool.map(one, images))
    return time.monotonic() - started


# --- reports ------------------------------------------------------------------------------------

def corpus_benchmark(work: Path, args: argparse.Namespace) -> int:
    sources = choose_sources(read_manifest(args.corpus), args.per_tier)
    corpus, scans, pages = subset_corpus(args.corpus, work, sources)
    archive = work / "archive"
    print(f"corpus {args.corpus} ({'all' if not args.per_tier else f'~{args.per_tier}/tier'}): "
          f"{len(sources)} files, {pages} pages; jobs {args.jobs}", flush=True)
    cpu = children_cpu()
    seconds, ocr, how = run_pipeline(scans, archive, args)
    cpu = children_cpu() - cpu
    model = ocr.get("model", args.model)
    scores = score(corpus, archive, work)
    figures: dict = {"pages": pages, "files": len(sources), "pipeline": how, "model": model,
                     "pipeline_seconds": round(seconds, 1),
                     "pipeline_pages_per_min": round(pages / seconds * 60, 2),
                     "pipeline_cpu_s_per_page": round(cpu / pages, 2),
                     "pages_failed": ocr.get("pages_failed"), "engine": _engine(archive),
                     "peak_rss_worker_mb": ocr.get("peak_rss_mb"),
                     "peak_rss_tesseract_mb": ocr.get("peak_tesseract_rss_mb"),
                     "peak_rss_any_child_mb": round(_children_peak_kb() / 1024, 1),
                     "cer": {}, "wer": {}}
    for tier, tier_scores in [*scores["per_tier"].items(), ("all", scores["overall"])]:
        figures["cer"][tier], figures["wer"][tier] = tier_scores["cer"], tier_scores["wer"]
    figures["missing"] = scores["overall"]["missing"]
    if not args.no_raw:
        _raw_figures(figures, archive, work, args.jobs, model, pages, args.no_raw_same_model)
    _print(figures)
    if args.json:
        print(json.dumps(figures, indent=2))
    return 0


def _raw_figures(figures: dict, archive: Path, work: Path, jobs: int, model: str | None,
                 pages: int, debian_only: bool) -> None:
    from luutru.ocr.models import DEFAULT_MODEL, locate

    images = page_images(archive, work / "pages")
    runs = [("debian", None)]
    location = locate(model or DEFAULT_MODEL)
    if location.tessdata_dir is not None and not debian_only:
        runs.append(("same_model", location.tessdata_dir))
    for name, tessdata_dir in runs:
        cpu = children_cpu()
        seconds = raw_tesseract(images, jobs, tessdata_dir)
        cpu = children_cpu() - cpu
        figures[f"raw_{name}_pages_per_min"] = round(pages / seconds * 60, 2)
        figures[f"raw_{name}_cpu_s_per_page"] = round(cpu / pages, 2)
        figures[f"ratio_vs_raw_{name}"] = round(figures["pipeline_pages_per_min"]
                                                / figures[f"raw_{name}_pages_per_min"], 3)
        figures[f"cpu_ratio_vs_raw_{name}"] = round(figures[f"raw_{name}_cpu_s_per_page"]
                                                    / figures["pipeline_cpu_s_per_page"], 3)


def _engine(archive: Path) -> str:
    """How the pipeline ran Tesseract, as the first page's provenance says."""
    for path in sorted((archive / "pages").glob("*/*/ocr.json")):
        record = json.loads(path.read_text(encoding="utf-8"))
        return f"{record.get('tesseract_version')} ({record.get('tesseract_engine', 'cli')})"
    return "?"


def _children_peak_kb() -> int:
    return int(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)


def _print(figures: dict) -> None:
    print(f"\nmodel {figures['model']}, via `{figures['pipeline']}`, {figures['pages']} pages, "
          f"Tesseract {figures.get('engine', '?')}")
    print(f"{'tier':<5} {'CER':>8} {'target':>8} {'WER':>8}")
    for tier in (*TIERS, "all"):
        if tier in figures["cer"]:
            target = f"{TARGET_CER[tier] * 100:.1f} %" if tier in TARGET_CER else ""
            print(f"{tier:<5} {figures['cer'][tier] * 100:7.2f} % {target:>8} "
                  f"{figures['wer'][tier] * 100:7.2f} %")
    stages = ("ingest, OCR, catalogue, index" if figures["pipeline"] == "run"
              else "ingest, OCR")
    print(f"\npipeline (`luutru {figures['pipeline']}`: {stages}): {figures['pipeline_seconds']} s, "
          f"{figures['pipeline_pages_per_min']} pages/min, failed {figures['pages_failed']}, "
          f"pages without text {figures['missing']}")
    print(f"pipeline CPU: {figures['pipeline_cpu_s_per_page']} s/page (all processes)")
    for name, label in (("debian", "raw tesseract -l vie (Debian fast model)"),
                        ("same_model", "raw tesseract, same model as the pipeline")):
        if f"raw_{name}_pages_per_min" in figures:
            print(f"{label}: {figures[f'raw_{name}_pages_per_min']} pages/min, "
                  f"{figures[f'raw_{name}_cpu_s_per_page']} CPU s/page -> throughput ratio "
                  f"{figures[f'ratio_vs_raw_{name}']} by wall time, "
                  f"{figures[f'cpu_ratio_vs_raw_{name}']} by CPU time (target >= 0.85)")
    print(f"peak RSS: worker {figures['peak_rss_worker_mb']} MB, its tesseract "
          f"{figures['peak_rss_tesseract_mb']} MB, any child of the benchmark "
          f"{figures['peak_rss_any_child_mb']} MB (target <= 500 MB per worker)")


# --- memory on one long document ----------------------------------------------------------------

def memory_benchmark(work: Path, args: argparse.Namespace) -> int:
    """OCR a short and a long PDF of the same page; peak memory must not grow with the length."""
    rows = []
    for count in sorted({min(20, args.memory_pages), args.memory_pages}):
        scans = work / f"scans-{count}" / "PHONG-1" / "HS-1"
        scans.mkdir(parents=True)
        long_pdf(scans / f"long-{count}.pdf", count)
        archive = work / f"archive-{count}"
        started = time.monotonic()
        luutru("ingest", str(scans.parent.parent), "-a", str(archive), "--json")
        ocr = json.loads(luutru("ocr", "-a", str(archive), "--jobs", str(args.jobs),
                                "--json").stdout)
        seconds = time.monotonic() - started
        rows.append((count, seconds, ocr["peak_rss_mb"], ocr["peak_tesseract_rss_mb"],
                     ocr["pages_done"], ocr["pages_failed"]))
        print(f"{count:4d} pages: {seconds:6.1f} s, worker peak RSS {ocr['peak_rss_mb']} MB, "
              f"tesseract {ocr['peak_tesseract_rss_mb']} MB, done {ocr['pages_done']}, "
              f"failed {ocr['pages_failed']}", flush=True)
    print(f"any child of the benchmark (incl. the luutru main process): "
          f"{_children_peak_kb() / 1024:.1f} MB")
    return 0


def long_pdf(path: Path, pages: int) -> None:
    """A scanned-looking PDF: one rendered 200-dpi A6 page image, shown on ``pages`` pages."""
    import pikepdf
    from PIL import Image

    from luutru.samples.render import render_lines

    lines = ["ĐẢNG CỘNG SẢN VIỆT NAM", "Nghị quyết về công tác xây dựng Đảng",
             "Đồng chí Nguyễn Văn Đức phụ trách địa bàn"]
    image: Image.Image = render_lines(lines, dpi=200, size_mm=(148, 105))  # A6: OCR is quick
    jpeg = work_jpeg(image)
    pdf = pikepdf.new()
    width_pt, height_pt = image.width * 72 / 200, image.height * 72 / 200
    xobject = pikepdf.Stream(pdf, jpeg, Type=pikepdf.Name.XObject, Subtype=pikepdf.Name.Image,
                             Width=image.width, Height=image.height,
                             ColorSpace=pikepdf.Name.DeviceGray, BitsPerComponent=8,
                             Filter=pikepdf.Name.DCTDecode)
    content = f"q {width_pt:.2f} 0 0 {height_pt:.2f} 0 0 cm /Im0 Do Q".encode()
    for _ in range(pages):
        page = pikepdf.Dictionary(Type=pikepdf.Name.Page,
                                  MediaBox=[0, 0, width_pt, height_pt],
                                  Resources=pikepdf.Dictionary(
                                      XObject=pikepdf.Dictionary(Im0=xobject)),
                                  Contents=pikepdf.Stream(pdf, content))
        pdf.pages.append(pikepdf.Page(page))
    pdf.save(path)


def work_jpeg(image) -> bytes:
    import io
    buffer = io.BytesIO()
    image.save(buffer, format="JPEG", quality=90, dpi=(200, 200))
    return buffer.getvalue()


if __name__ == "__main__":
    sys.exit(main())
