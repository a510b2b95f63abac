"""Tuning benchmark for page segmentation and reading order (ocr/layout.py, ocr/recognize.py).

Runs Tesseract once per page and page-segmentation mode, caches its hOCR under ``--cache``
(default /tmp/c2/hocr; the cleaned page images too) so that layout iterations never re-run
Tesseract, then scores predictions per psm with the corpus scorer (CER per tier, over the pages
of the chosen subset):

* ``raw``: Tesseract's own text output (its segmentation and order);
* ``ordered``: our text, built from the hOCR by :func:`luutru.ocr.layout.reading_order`;
* ``denoised``: the same after :func:`~luutru.ocr.layout.drop_noise`;
* ``tidied``: and after :func:`~luutru.ocr.layout.tidy_punctuation` (what ``recognize`` stores);
* ``--simulate``: ``recognize``'s yield check, fallback and merge replayed on the cached hOCR,
  listing the pages read twice;
* ``--recognize``: the whole :func:`luutru.ocr.recognize.recognize` run live (slow), with the
  fallback rate and seconds per page.

    python bench/layout.py --tiers t0,t1,t2,t3 --psm 4 --simulate [--limit 8] [--raw] [--model fast]
    python bench/layout.py --corpus /work/shared/corpus/dev-forms --cache /tmp/c2/hocr-forms ...

Pages go through ``luutru.ocr.cleanup.clean_page`` first, as in the pipeline (``--raw`` skips it),
and are read with the pipeline's default model (``luutru.ocr.models``). Delete the cache when
the clean-up changes, or psm results compared across runs come from different images.
"""

from __future__ import annotations

import argparse
import csv
import json
import subprocess
import sys
import time
from collections import defaultdict
from pathlib import Path

import numpy as np
from PIL import Image

from luutru.ocr.engine import run_tesseract
from luutru.ocr.layout import drop_noise, lines_to_text, parse_hocr, reading_order, tidy_punctuation
from luutru.ocr.models import DEFAULT_MODEL, locate

CORPUS = Path("/work/shared/corpus/dev")
SCORER = Path("/work/shared/tools/score_ocr.py")


def manifest_rows(corpus: Path, tiers: set[str], limit: int | None) -> list[dict]:
    """Manifest rows of the chosen tiers, at most ``limit`` pages per tier."""
    with open(corpus / "manifest.csv", newline="", encoding="utf-8") as handle:
        rows = [row for row in csv.DictReader(handle) if row["tier"] in tiers]
    if limit is None:
        return rows
    per_tier: dict[str, int] = defaultdict(int)
    kept: list[dict] = []
    for row in rows:
        if per_tier[row["tier"]] < limit:
            per_tier[row["tier"]] += 1
            kept.append(row)
    return kept


def load_page(corpus: Path, row: dict) -> np.ndarray:
    """The page as decoded, greyscale or colour (BGR like OpenCV)."""
    path = corpus / "scans" / row["source"]
    index = int(row["page_index"])
    if path.suffix.lower() == ".pdf":
        from pdf2image import convert_from_path
        image = convert_from_path(str(path), dpi=int(row["dpi"]), first_page=index, last_page=index)[0]
    else:
        image = Image.open(path)
        image.seek(index - 1)
    if image.mode in ("1", "L", "I;16"):
        return np.asarray(image.convert("L"))
    return np.asarray(image.convert("RGB"))[:, :, ::-1].copy()


def prepare(image: np.ndarray, dpi: int, clean: bool) -> tuple[np.ndarray, int]:
    if clean:
        from luutru.ocr.cleanup import clean_page
        result = clean_page(image, dpi)
        return result.image, result.dpi
    if image.ndim == 3:
        import cv2
        image = cv2.cvtColor(image, cv2.COLOR_BGR2GRAY)
    return image, dpi


def page_key(row: dict) -> Path:
    return Path(row["source"]) / f"page-{int(row['page_index']):03d}"


def cached_image(corpus: Path, row: dict, args: argparse.Namespace) -> tuple[np.ndarray, int]:
    """The page as the recogniser sees it (cleaned unless --raw), cached as PNG with its dpi."""
    path = args.cache / ("clean-img" if args.clean else "raw-img") / f"{page_key(row)}.png"
    if path.exists():
        with Image.open(path) as stored:
            return np.asarray(stored), round(stored.info["dpi"][0])
    image, dpi = prepare(load_page(corpus, row), int(row["dpi"]), args.clean)
    path.parent.mkdir(parents=True, exist_ok=True)
    Image.fromarray(image).save(path, dpi=(dpi, dpi))
    return image, dpi


def cached_tesseract(corpus: Path, row: dict, psm: int, args: argparse.Namespace) -> tuple[str, str]:
    """(hOCR, Tesseract's txt) of one page, from the cache or a fresh run."""
    kind = f"{args.model}-{'clean' if args.clean else 'raw'}"
    base = args.cache / kind / f"psm{psm}" / page_key(row)
    hocr_path, txt_path = base.with_suffix(".hocr"), base.with_suffix(".txt")
    if not hocr_path.exists():
        image, dpi = cached_image(corpus, row, args)
        model = locate(args.model)
        outputs = run_tesseract(image, dpi=dpi, psm=psm, lang=model.lang, outputs=("txt", "hocr"),
                                tessdata_dir=str(model.tessdata_dir) if model.tessdata_dir else None)
        base.parent.mkdir(parents=True, exist_ok=True)
        txt_path.write_bytes(outputs["txt"])
        hocr_path.write_bytes(outputs["hocr"])
    return hocr_path.read_text(encoding="utf-8"), txt_path.read_text(encoding="utf-8")


def page_size(hocr: str) -> tuple[int, int]:
    import re
    match = re.search(r"ocr_page.*?bbox 0 0 (\d+) (\d+)", hocr)
    return int(match.group(1)), int(match.group(2))


def write_pred(root: Path, row: dict, text: str) -> None:
    path = root / f"{page_key(row)}.txt"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")


def score(pred: Path, corpus: Path) -> dict:
    out = subprocess.run([sys.executable, str(SCORER), "--truth", str(corpus), "--pred", str(pred),
                          "--pred-by-source", "--json"], check=True, capture_output=True, text=True)
    return json.loads(out.stdout)


def cer_table(result: dict, tiers: list[str]) -> str:
    """Micro-averaged CER per tier over the pages predicted (a subset run leaves others missing)."""
    cells = []
    for tier in tiers:
        rows = [r for r in result["pages"] if r["tier"] == tier and not r["missing"]]
        chars = sum(r["chars"] for r in rows)
        value = sum(r["char_edits"] for r in rows) / chars if chars else None
        cells.append(f"{tier} {value * 100:5.2f}%" if value is not None else f"{tier}   -  ")
    return "  ".join(cells)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--corpus", type=Path, default=CORPUS)
    parser.add_argument("--tiers", default="t0,t1")
    parser.add_argument("--psm", default="3")
    parser.add_argument("--limit", type=int, default=None, help="pages per tier")
    parser.add_argument("--cache", type=Path, default=Path("/tmp/c2/hocr"))
    parser.add_argument("--out", type=Path, default=Path("/tmp/c2/pred"))
    parser.add_argument("--raw", dest="clean", action="store_false",
                        help="skip luutru.ocr.cleanup (t0/t1 pages are straight enough)")
    parser.add_argument("--model", default=DEFAULT_MODEL, help="OCR model (luutru.ocr.models)")
    parser.add_argument("--recognize", action="store_true")
    parser.add_argument("--simulate", action="store_true",
                        help="replay recognize()'s fallback choice on cached hOCR")
    parser.add_argument("--yields", action="store_true", help="with --simulate: each page's yield")
    args = parser.parse_args()
    tiers = args.tiers.split(",")
    rows = manifest_rows(args.corpus, set(tiers), args.limit)
    # Pages not in the subset count as missing; score only on the subset's documents.
    print(f"{len(rows)} pages, tiers {tiers}", file=sys.stderr)
    for psm in [int(p) for p in args.psm.split(",")]:
        started = time.monotonic()
        preds = {name: args.out / f"psm{psm}-{name}" for name in ("raw", "ordered", "denoised", "tidied")}
        for root in preds.values():
            subprocess.run(["rm", "-rf", str(root)], check=True)
        for row in rows:
            hocr, txt = cached_tesseract(args.corpus, row, psm, args)
            width, height = page_size(hocr)
            write_pred(preds["raw"], row, txt)
            lines = parse_hocr(hocr)
            write_pred(preds["ordered"], row, lines_to_text(reading_order(lines, width, height)))
            write_pred(preds["denoised"], row, lines_to_text(reading_order(drop_noise(lines), width, height)))
            tidied = tidy_punctuation(drop_noise(lines))
            write_pred(preds["tidied"], row, lines_to_text(reading_order(tidied, width, height)))
        elapsed = time.monotonic() - started
        for name, root in preds.items():
            result = score(root, args.corpus)
            print(f"psm {psm} {name:9s} {cer_table(result, tiers)}   ({elapsed:.0f}s)")
    if args.simulate:
        simulate_recognize(args, rows, tiers)
    if args.recognize:
        run_recognize(args, rows, tiers)


def simulate_recognize(args: argparse.Namespace, rows: list[dict], tiers: list[str]) -> None:
    """recognize()'s choice (yield check, fallback, better reading) replayed on cached hOCR."""
    from luutru.ocr import recognize as rec
    root = args.out / "recognize-sim"
    subprocess.run(["rm", "-rf", str(root)], check=True)
    fallbacks = []
    for row in rows:
        image, dpi = cached_image(args.corpus, row, args)
        ink = rec.find_ink(image, dpi)
        hocr, _ = cached_tesseract(args.corpus, row, rec.DEFAULT_PSM, args)
        attempts = [rec.attempt_from_hocr({"hocr": hocr.encode("utf-8")}, rec.DEFAULT_PSM, ink, dpi)]
        if attempts[0].yield_ < rec.MIN_YIELD:
            for psm in rec.FALLBACK_PSMS:
                hocr, _ = cached_tesseract(args.corpus, row, psm, args)
                attempts.append(rec.attempt_from_hocr({"hocr": hocr.encode("utf-8")}, psm, ink, dpi))
        reading = rec.combine(attempts, ink)
        if len(attempts) > 1:
            fallbacks.append(f"{row['tier']} {page_key(row)} " + " ".join(
                f"psm{a.psm}:{a.yield_:.2f}" for a in attempts) + f" -> outputs psm{reading.kept.psm}")
        if args.yields:
            print(f"{row['tier']} {page_key(row)} yield psm{attempts[0].psm} {attempts[0].yield_:.3f}")
        write_pred(root, row, reading.text)
    print("\n".join(fallbacks))
    print(f"recognize (sim) {cer_table(score(root, args.corpus), tiers)}   "
          f"fallback {len(fallbacks)}/{len(rows)} pages")


def run_recognize(args: argparse.Namespace, rows: list[dict], tiers: list[str]) -> None:
    from luutru.ocr.recognize import recognize
    root = args.out / "recognize"
    subprocess.run(["rm", "-rf", str(root)], check=True)
    fallbacks, seconds = 0, 0.0
    for row in rows:
        image, dpi = cached_image(args.corpus, row, args)
        started = time.monotonic()
        model = locate(args.model)
        result = recognize(image, dpi, lang=model.lang,
                           tessdata_dir=str(model.tessdata_dir) if model.tessdata_dir else None)
        seconds += time.monotonic() - started
        fallbacks += len(result.attempts) > 1
        write_pred(root, row, result.text)
    print(f"recognize       {cer_table(score(root, args.corpus), tiers)}   "
          f"fallback {fallbacks}/{len(rows)} pages, {seconds / max(1, len(rows)):.1f} s/page")


if __name__ == "__main__":
    main()
