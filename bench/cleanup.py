"""Tuning benchmark for ocr/cleanup.py: CER per tier with each clean-up step on and off.

Loads corpus pages itself (PIL for TIFF/JPEG/PNG, pdf2image for PDF pages at the manifest's dpi),
cleans them with :func:`luutru.ocr.cleanup.clean_page`, runs ``tesseract -l vie`` (pytesseract,
``OMP_THREAD_LIMIT=1``) and scores with the shared ``score_ocr.py --pred-by-source``.

    .venv/bin/python bench/cleanup.py --corpus /work/shared/corpus/dev --per-tier 4 \
        --configs raw,default,no-deskew,binarize=sauvola [--psm 3] [--out /tmp/bench-cleanup]
    .venv/bin/python bench/cleanup.py --geometry       # orientation/skew found vs manifest, no OCR
    .venv/bin/python bench/cleanup.py --speed          # CPU seconds per page of the clean-up

A config is ``raw`` (no clean-up), ``default``, or ``+``-joined changes to the defaults:
``no-<step>``, ``binarize=<method>``, ``blue`` (drop blue ink too), ``reach=<mm>`` (speck reach),
``no-osd``. ``--speed`` times the default clean-up alone (CPU seconds, OSD child included).
Predictions already in ``--out`` are reused (OCR is the slow part); ``--fresh`` redoes them.
A subset (``--per-tier N``) is scored against a filtered copy of the manifest, so pages not run are
not counted as missing.
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import subprocess
import sys
import time
from dataclasses import replace
from pathlib import Path

os.environ.setdefault("OMP_THREAD_LIMIT", "1")

import cv2  # noqa: E402
import numpy as np  # noqa: E402
import pytesseract  # noqa: E402
from pdf2image import convert_from_path  # noqa: E402
from PIL import Image  # noqa: E402

from luutru.ocr.cleanup import CleanupOptions, clean_page  # noqa: E402

SCORER = Path("/work/shared/tools/score_ocr.py")
cv2.setNumThreads(1)   # one core per worker, as the OCR stage runs it; CPU time is what we report


def load_page(scans: Path, source: str, index: int, dpi: int) -> np.ndarray:
    """The page as a decoder gives it: BGR colour or greyscale uint8."""
    path = scans / source
    if path.suffix.lower() == ".pdf":
        image = convert_from_path(path, dpi=dpi, first_page=index, last_page=index)[0]
    else:
        image = Image.open(path)
        image.seek(index - 1)
        image.load()
    if image.mode in ("1", "L", "I", "I;16"):
        return np.array(image.convert("L"))
    array = np.array(image.convert("RGB"))
    return np.ascontiguousarray(array[..., ::-1])


def parse_config(name: str) -> CleanupOptions | None:
    if name == "raw":
        return None
    options = CleanupOptions()
    if name == "default":
        return options
    for part in name.split("+"):
        if part == "no-osd":
            options = replace(options, osd_fallback=False)
        elif part.startswith("no-"):
            options = replace(options, disabled=options.disabled | {part[3:]})
        elif part.startswith("binarize="):
            options = replace(options, binarize_method=part.split("=", 1)[1])
        elif part == "blue":
            options = replace(options, stamp_hues=options.stamp_hues + ("blue",))
        elif part.startswith("reach="):
            options = replace(options, speck_reach_mm=float(part.split("=", 1)[1]))
        else:
            raise SystemExit(f"unknown config part {part!r}")
    return options


def select_rows(corpus: Path, tiers: list[str], per_tier: int) -> list[dict]:
    with open(corpus / "manifest.csv", encoding="utf-8", newline="") as handle:
        rows = [row for row in csv.DictReader(handle) if row["tier"] in tiers]
    if per_tier <= 0:
        return rows
    chosen: list[dict] = []
    for tier in tiers:
        in_tier = [row for row in rows if row["tier"] == tier]
        step = max(1, len(in_tier) // per_tier)
        chosen += in_tier[::step][:per_tier]
    return chosen


def subset_corpus(corpus: Path, rows: list[dict], out: Path) -> Path:
    """A corpus folder whose manifest lists only ``rows`` (truth linked), for the scorer."""
    folder = out / "truth-subset"
    folder.mkdir(parents=True, exist_ok=True)
    with open(folder / "manifest.csv", "w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)
    link = folder / "truth"
    try:
        link.symlink_to(corpus / "truth")
    except FileExistsError:
        pass
    return folder


def run_config(name: str, rows: list[dict], corpus: Path, out: Path, psm: int, fresh: bool = False) -> dict:
    options = parse_config(name)
    pred = out / f"pred-{name}-psm{psm}"
    clean_seconds = ocr_seconds = 0.0
    done = 0
    for row in rows:
        target = pred / row["source"] / f"page-{int(row['page_index']):03d}.txt"
        if target.exists() and not fresh:      # resume: OCR is the slow part
            continue
        done += 1
        dpi = int(row["dpi"])
        image = load_page(corpus / "scans", row["source"], int(row["page_index"]), dpi)
        started = time.process_time()
        if options is not None:
            result = clean_page(image, dpi, options)
            image, dpi = result.image, result.dpi
        clean_seconds += time.process_time() - started
        started = time.perf_counter()
        text = pytesseract.image_to_string(image, lang="vie", config=f"--psm {psm} --dpi {dpi}")
        ocr_seconds += time.perf_counter() - started
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(text, encoding="utf-8")
    scored = json.loads(subprocess.run(
        [sys.executable, str(SCORER), "--truth", str(subset_corpus(corpus, rows, out)), "--pred", str(pred),
         "--pred-by-source", "--json"], check=True, capture_output=True, text=True).stdout)
    return {"config": name, "psm": psm, "pages": len(rows), "overall": scored["overall"]["cer"],
            "tiers": {tier: figures["cer"] for tier, figures in sorted(scored["per_tier"].items())},
            "clean_cpu_s_per_page": clean_seconds / max(done, 1), "ocr_s_per_page": ocr_seconds / max(done, 1)}


def geometry(rows: list[dict], corpus: Path) -> None:
    """Rotation and skew found by clean-up against the manifest's truth; no OCR."""
    options = CleanupOptions(disabled=frozenset({"illumination", "upscale", "despeckle", "binarize"}))
    errors, wrong_turns, seconds = [], 0, 0.0
    step_seconds: dict[str, float] = {}
    for row in rows:
        image = load_page(corpus / "scans", row["source"], int(row["page_index"]), int(row["dpi"]))
        started = time.process_time()
        result = clean_page(image, int(row["dpi"]), options)
        seconds += time.process_time() - started
        orientation = next(step for step in result.steps if step.name == "orientation").effect
        error = result.skew - float(row["skew_deg"])
        errors.append(abs(error))
        wrong = result.rotation != int(row["rotation"])
        wrong_turns += wrong
        print(f"{row['tier']} {row['source']}:{row['page_index']} rot {row['rotation']}->{result.rotation}"
              f"{' WRONG' if wrong else ''} skew {row['skew_deg']}->{result.skew:+.2f} "
              f"{json.dumps(orientation)}")
        for step in result.steps:
            step_seconds[step.name] = step_seconds.get(step.name, 0.0) + step.seconds
    print(f"pages {len(rows)}: wrong rotation {wrong_turns}, skew error mean {np.mean(errors):.3f}° "
          f"max {np.max(errors):.3f}°, {seconds / len(rows):.3f} s/page CPU (up to deskew)")
    print("s/page by step: " + ", ".join(f"{name} {total / len(rows):.3f}" for name, total in step_seconds.items()))


def speed(rows: list[dict], corpus: Path) -> None:
    """CPU seconds per page of the default clean-up (Tesseract OSD runs in a child: counted too)."""
    import resource

    cpu = osd_pages = 0.0
    step_seconds: dict[str, float] = {}
    for row in rows:
        image = load_page(corpus / "scans", row["source"], int(row["page_index"]), int(row["dpi"]))
        before = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
        result = clean_page(image, int(row["dpi"]))
        after = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
        cpu += sum(a.ru_utime + a.ru_stime - b.ru_utime - b.ru_stime for a, b in zip(after, before))
        osd_pages += "osd" in next(step for step in result.steps if step.name == "orientation").effect
        for step in result.steps:
            step_seconds[step.name] = step_seconds.get(step.name, 0.0) + step.seconds
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"pages {len(rows)}: {cpu / len(rows):.3f} CPU s/page (incl. OSD child), OSD on {osd_pages:.0f} pages, "
          f"peak RSS {peak_mb:.0f} MB")
    print("wall s/page by step: " + ", ".join(f"{name} {total / len(rows):.3f}" for name, total in step_seconds.items()))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--corpus", type=Path, default=Path("/work/shared/corpus/dev"))
    parser.add_argument("--out", type=Path, default=Path("/tmp/bench-cleanup"))
    parser.add_argument("--tiers", default="t0,t1,t2,t3")
    parser.add_argument("--per-tier", type=int, default=0, help="pages per tier (0 = all)")
    parser.add_argument("--configs", default="raw,default")
    parser.add_argument("--psm", type=int, default=3)
    parser.add_argument("--geometry", action="store_true", help="check rotation/skew only")
    parser.add_argument("--speed", action="store_true", help="time the default clean-up only, no OCR")
    parser.add_argument("--fresh", action="store_true", help="redo pages already predicted in --out")
    args = parser.parse_args()
    rows = select_rows(args.corpus, args.tiers.split(","), args.per_tier)
    if args.geometry:
        geometry(rows, args.corpus)
        return 0
    if args.speed:
        speed(rows, args.corpus)
        return 0
    args.out.mkdir(parents=True, exist_ok=True)
    tiers = sorted({row["tier"] for row in rows})
    print(f"{'config':34} {'psm':>3} {'all':>6} " + " ".join(f"{t:>6}" for t in tiers) + "  clean cpu s/p  ocr s/p")
    for name in args.configs.split(","):
        result = run_config(name, rows, args.corpus, args.out, args.psm, args.fresh)
        print(f"{name:34} {args.psm:>3} {result['overall']:6.2%} "
              + " ".join(f"{result['tiers'].get(t, float('nan')):6.2%}" for t in tiers)
              + f"  {result['clean_cpu_s_per_page']:13.3f}  {result['ocr_s_per_page']:7.2f}", flush=True)
        with open(args.out / "results.jsonl", "a", encoding="utf-8") as handle:
            handle.write(json.dumps(result) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
