"""Benchmark on real scans: page text, document boundaries and first-page fields.

    .venv/bin/python bench/real.py [--corpus ../shared/corpus/real] [--work /tmp/bench-real]
                                   [--reuse] [--jobs 2] [--no-raw]

What it does, in one work folder (kept, so ``--reuse`` can score a new catalogue on the same OCR):
1. text: ``luutru run`` on the hand-transcribed pages (``pages/scans``), ``luutru export text``,
   scored by ``score_ocr.py``; the same page images through raw ``tesseract IMG stdout -l vie`` in
   the same run, as the baseline. CER and flex-CER overall and per page class (a first page of an
   e-signed copy, a later page, the 1999 typescript), and pages/min of both;
2. items: ``luutru run`` on the scanned and born-digital PDFs (``scans``), ``luutru export items``,
   scored by ``score_real_items.py`` on ``labels.tsv`` (every document its own item; number and date
   right, flagged, wrong or lost), plus per field (number, date, type, issuer) right / flagged /
   wrong / missing and the items made of each file.

``--reuse`` keeps the OCR'd archives of an earlier run and rebuilds only their catalogue: the
way to measure a change to boundaries or fields without reading 80 pages again.
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import re
import shutil
import subprocess
import sys
import time
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
LUUTRU = [sys.executable, "-m", "luutru.cli"]
DEFAULT_CORPUS = REPO.parent / "shared" / "corpus" / "real"      # as bench/fields.py
if not DEFAULT_CORPUS.exists():
    DEFAULT_CORPUS = Path("/work/shared/corpus/real")
TOOLS = DEFAULT_CORPUS.parent.parent / "tools"
LABEL_FIELDS = {"so_ky_hieu": "so_ky_hieu", "ngay_ban_hanh": "ngay_ban_hanh",
                "loai_van_ban": "loai_van_ban", "co_quan_ban_hanh": "co_quan"}


def main() -> int:
    args = _arguments()
    os.environ["OMP_THREAD_LIMIT"] = "1"
    args.work.mkdir(parents=True, exist_ok=True)
    text = text_benchmark(args)
    items = items_benchmark(args)
    if args.json:
        print(json.dumps({"text": text, "items": items}, ensure_ascii=False, indent=1))
    return 0


def _arguments() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--corpus", type=Path, default=DEFAULT_CORPUS)
    parser.add_argument("--tools", type=Path, default=TOOLS)
    parser.add_argument("--work", type=Path, default=Path("/tmp/bench-real"))
    parser.add_argument("--reuse", action="store_true",
                        help="keep the OCR'd archives of the last run; rebuild the catalogue only")
    parser.add_argument("--jobs", type=int, default=2)
    parser.add_argument("--no-raw", action="store_true", help="skip raw Tesseract")
    parser.add_argument("--only", choices=("text", "items"), help="run one half only")
    parser.add_argument("--json", action="store_true", help="also print all figures as JSON")
    return parser.parse_args()


def luutru(*args: str) -> subprocess.CompletedProcess:
    result = subprocess.run([*LUUTRU, *args], capture_output=True, text=True, cwd=REPO.parent)
    if result.returncode not in (0, 2):
        raise SystemExit(f"luutru {' '.join(args)} failed ({result.returncode}):\n"
                         f"{result.stderr[-3000:]}")
    return result


def run_archive(scans: Path, archive: Path, args: argparse.Namespace) -> float:
    """Ingest + OCR + catalogue ``scans`` into ``archive`` (fresh unless --reuse); seconds spent
    (0 when reused: only the catalogue is rebuilt)."""
    if args.reuse and (archive / "pages").exists():
        shutil.rmtree(archive / "catalog", ignore_errors=True)
        luutru("catalog", "-a", str(archive))
        return 0.0
    shutil.rmtree(archive, ignore_errors=True)
    started = time.monotonic()
    luutru("run", str(scans), "-a", str(archive), "--jobs", str(args.jobs))
    return time.monotonic() - started


# --- 1. page text -------------------------------------------------------------------------------

def page_class(doc_id: str) -> str:
    """The kind of real page: the corpus names its pages after document and page."""
    if "1999" in doc_id:
        return "typescript-1999"
    return "first-page" if doc_id.endswith("_p1") else "later-page"


def score_text(args: argparse.Namespace, pred: Path) -> dict:
    out = subprocess.run([sys.executable, str(args.tools / "score_ocr.py"), "--truth",
                          str(args.corpus / "pages"), "--pred", str(pred), "--pred-by-source",
                          "--json"], capture_output=True, text=True, check=True)
    rows = json.loads(out.stdout)["pages"]
    groups: dict[str, list[dict]] = {"all": rows}
    for row in rows:
        groups.setdefault(page_class(row["doc_id"]), []).append(row)
    return {name: {"pages": len(rs),
                   "cer": sum(r["char_edits"] for r in rs) / sum(r["chars"] for r in rs),
                   "flex_cer": sum(r["flex_edits"] for r in rs) / sum(r["chars"] for r in rs)}
            for name, rs in groups.items()}


def raw_tesseract(args: argparse.Namespace, pred: Path) -> float:
    """Each transcribed page image through plain ``tesseract -l vie``; seconds spent."""
    shutil.rmtree(pred, ignore_errors=True)
    with open(args.corpus / "pages" / "manifest.csv", encoding="utf-8") as handle:
        sources = [row["source"] for row in csv.DictReader(handle)]

    def read(source: str) -> None:
        image = args.corpus / "pages" / "scans" / source
        text = subprocess.run(["tesseract", str(image), "stdout", "-l", "vie"],
                              capture_output=True, text=True, check=True).stdout
        target = pred / source / "page-001.txt"
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(text, encoding="utf-8")

    started = time.monotonic()
    with ThreadPoolExecutor(args.jobs) as pool:
        list(pool.map(read, sources))
    return time.monotonic() - started


def text_benchmark(args: argparse.Namespace) -> dict:
    if args.only == "items":
        return {}
    archive, pred = args.work / "pages-archive", args.work / "pages-text"
    seconds = run_archive(args.corpus / "pages" / "scans", archive, args)
    shutil.rmtree(pred, ignore_errors=True)
    luutru("export", "text", str(pred), "--clearance", "tuyet-mat", "-a", str(archive))
    result = {"luutru": score_text(args, pred), "luutru_seconds": seconds}
    if not args.no_raw:
        raw_pred = args.work / "raw-text"
        if not (args.reuse and raw_pred.exists()):
            result["raw_seconds"] = raw_tesseract(args, raw_pred)
        result["raw"] = score_text(args, raw_pred)
    print_text(result)
    return result


def print_text(result: dict) -> None:
    print("Real pages: CER / flex-CER, luutru against raw `tesseract -l vie`")
    print(f"{'class':16} {'pages':>5} {'CER':>8} {'flex':>8} {'raw CER':>8} {'raw flex':>8}")
    for name, ours in result["luutru"].items():
        raw = result.get("raw", {}).get(name, {})
        print(f"{name:16} {ours['pages']:5d} {ours['cer']:8.2%} {ours['flex_cer']:8.2%} "
              f"{raw.get('cer', float('nan')):8.2%} {raw.get('flex_cer', float('nan')):8.2%}")
    pages = result["luutru"]["all"]["pages"]
    if result.get("luutru_seconds") and result.get("raw_seconds"):
        print(f"throughput: luutru run {pages / result['luutru_seconds'] * 60:.1f} pages/min "
              f"(ingest+OCR+catalogue), raw tesseract {pages / result['raw_seconds'] * 60:.1f} "
              f"pages/min")


# --- 2. items and fields ------------------------------------------------------------------------

def _norm(field: str, value: object) -> str:
    text = re.sub(r"\s+", " ", str(value or "")).strip().casefold()
    if field == "co_quan_ban_hanh":
        text = re.sub(r"^[uủỷ]y ban nhân dân", "ubnd", text.replace("uỷ", "ủy"))
    return text


def field_outcomes(labels: list[dict], items: list[dict]) -> dict[str, Counter]:
    """Per field: right, flagged (sent to review, not right), wrong (confident), missing."""
    first = {i["source"]: i for i in items if int(i.get("first_page") or 1) == 1}
    out = {field: Counter() for field in LABEL_FIELDS}
    for label in labels:
        item = first.get(label["source"])
        for field, column in LABEL_FIELDS.items():
            if item is None:
                out[field]["lost"] += 1
            elif _norm(field, item.get(field)) == _norm(field, label[column]):
                out[field]["right"] += 1
            elif field in (item.get("needs_review") or []):
                out[field]["flagged"] += 1
            elif not item.get(field):
                out[field]["missing"] += 1
            else:
                out[field]["wrong"] += 1
    return out


def items_benchmark(args: argparse.Namespace) -> dict:
    if args.only == "text":
        return {}
    archive, pred = args.work / "scans-archive", args.work / "items.jsonl"
    seconds = run_archive(args.corpus / "scans", archive, args)
    luutru("export", "items", str(pred), "--format", "jsonl", "--clearance", "tuyet-mat",
           "-a", str(archive))
    items = [json.loads(line) for line in pred.read_text(encoding="utf-8").splitlines() if line]
    with open(args.corpus / "labels.tsv", encoding="utf-8") as handle:
        labels = list(csv.DictReader(handle, delimiter="\t"))
    print("\nReal scanned files: items, number and date (score_real_items.py)")
    scored = subprocess.run([sys.executable, str(args.tools / "score_real_items.py"),
                             str(args.corpus / "labels.tsv"), str(pred)],
                            capture_output=True, text=True)
    print(scored.stdout.rstrip())
    per_file = Counter(i["source"] for i in items)
    files = sorted({p.relative_to(args.corpus / "scans").as_posix()
                    for p in (args.corpus / "scans").rglob("*.pdf")})
    not_one = {f: per_file.get(f, 0) for f in files if per_file.get(f, 0) != 1}
    print(f"items: {len(items)} from {len(files)} files; files not one item: "
          f"{not_one or 'none'}")
    outcomes = field_outcomes(labels, items)
    print(f"{'field':18} {'right':>5} {'flagged':>7} {'wrong':>5} {'missing':>7} {'lost':>4}")
    for field, counts in outcomes.items():
        print(f"{field:18} {counts['right']:5d} {counts['flagged']:7d} {counts['wrong']:5d} "
              f"{counts['missing']:7d} {counts['lost']:4d}")
    if seconds:
        pages = sum(1 for _ in (archive / "pages").glob("*/*/page.json"))
        print(f"luutru run on the scans: {pages} pages in {seconds:.0f} s "
              f"= {pages / seconds * 60:.1f} pages/min")
    return {"items": len(items), "files": len(files), "not_one_item": not_one,
            "fields": {f: dict(c) for f, c in outcomes.items()},
            "score_real_items": scored.stdout.strip().splitlines()[-1:], "seconds": seconds}


if __name__ == "__main__":
    sys.exit(main())
