"""Benchmark for the searchable PDFs (ocr/pdf.py): size, faithfulness and text placement.

For every original of an archive that `luutru ocr` has read, builds its document PDF in each mode
(``clean``: Tesseract's cleaned page, the baseline; ``faithful``; ``optimised``) into a scratch
folder and reports per mode:

- size per page against the original file's size per page;
- how far a page rendered at the scan's resolution (``pdftocairo``; ``pdftoppm``'s renderer
  shifts images by a fraction of a pixel) is from the scan as decoded
  (mean absolute difference in grey levels 0..255, and PSNR; ``clean`` is not comparable);
- text placement: each word of the page's ALTO (clean pixels) is mapped onto the page through the
  recorded geometry (a slanted quadrilateral on a deskewed page) and compared with where
  ``pdftotext -bbox`` finds the same word in the PDF: mean coverage (share of the ALTO word's
  area inside the PDF's word box: what a selection must cover) and mean intersection over union (lower by construction: the PDF's box is as tall as
  the line's font, the ALTO box as tall as the word's ink), the worst page of each. Words are
  paired in reading order (poppler's against ALTO's), so where poppler reads a slanted page's
  lines out of order a repeated word is paired with the wrong one and counts 0; "placed" pairs
  each ALTO word with the best-covering PDF word of the same text instead (placement alone).

    .venv/bin/python bench/pdf.py ARCHIVE [--limit N] [--modes faithful,optimised,clean]
                                          [--manifest CORPUS/manifest.csv]   (per scan tier)
"""

from __future__ import annotations

import argparse
import csv
import difflib
import html
import re
import subprocess
import sys
import tempfile
from pathlib import Path

import numpy as np
from luutru.archive import Archive, PageRef
from luutru.ocr.pdf import MODES, archive_pdf_page, build_document_pdf
from luutru.pageimage import load_page
from lxml import etree
from PIL import Image

_WORD = re.compile(r'<word xMin="([\d.]+)" yMin="([\d.]+)" xMax="([\d.]+)" yMax="([\d.]+)">'
                   r'([^<]*)</word>')


def pdf_words(pdf: Path, page: int) -> list[tuple[str, tuple[float, float, float, float]]]:
    """Words and their boxes (points, y down) on ``page`` of ``pdf``, as poppler selects them."""
    out = subprocess.run(["pdftotext", "-bbox", "-f", str(page), "-l", str(page), str(pdf), "-"],
                         capture_output=True, text=True, check=True).stdout
    return [(html.unescape(m[5]), tuple(float(v) for v in m.groups()[:4]))
            for m in _WORD.finditer(out)]


def alto_words(path: Path) -> list[tuple[str, tuple[float, float, float, float]]]:
    root = etree.parse(str(path)).getroot()
    words = []
    for string in root.iter("{*}String"):
        x, y = float(string.get("HPOS")), float(string.get("VPOS"))
        words.append((string.get("CONTENT"), (x, y, x + float(string.get("WIDTH")),
                                              y + float(string.get("HEIGHT")))))
    return words


def placement(archive: Archive, ref: PageRef, pdf: Path, page_no: int, mode: str
              ) -> tuple[float, float, int, float]:
    """(mean IoU, mean coverage, words compared, mean coverage paired by place) of the ALTO
    words against the PDF's."""
    page = archive_pdf_page(archive, ref)
    expected = []
    for text, (x0, y0, x1, y1) in alto_words(archive.page_dir(ref) / "ocr.alto.xml"):
        if mode != "clean":
            corners = np.array(page.geometry.box_to_original((x0, y0, x1, y1)))
            scale = 72.0 / page.dpi
        else:
            corners = np.array([[x0, y0], [x1, y0], [x1, y1], [x0, y1]], dtype=float)
            scale = 72.0 / _clean_dpi(archive, ref)
        expected.append((text, corners * scale))
    found = pdf_words(pdf, page_no)
    matcher = difflib.SequenceMatcher(a=[w for w, _ in expected], b=[w for w, _ in found],
                                      autojunk=False)
    ious, coverages = [], []
    for block in matcher.get_matching_blocks():
        for k in range(block.size):
            quad, box = expected[block.a + k][1], found[block.b + k][1]
            inter = polygon_area(clip_to_box(quad, box))
            area_a = polygon_area(quad)
            area_b = (box[2] - box[0]) * (box[3] - box[1])
            ious.append(inter / max(1e-6, area_a + area_b - inter))
            coverages.append(inter / max(1e-6, area_a))
    if not ious:
        return 1.0, 1.0, 0, 1.0
    return float(np.mean(ious)), float(np.mean(coverages)), len(ious), placed(expected, found)


def placed(expected: list, found: list) -> float:
    """Mean coverage of each ALTO word by the PDF word of the same text that covers it best."""
    boxes: dict[str, list] = {}
    for text, box in found:
        boxes.setdefault(text, []).append(box)
    shares = []
    for text, quad in expected:
        area = max(1e-6, polygon_area(quad))
        shares.append(max((polygon_area(clip_to_box(quad, box)) / area
                           for box in boxes.get(text, [])), default=0.0))
    return float(np.mean(shares)) if shares else 1.0


def clip_to_box(polygon: np.ndarray, box: tuple[float, ...]) -> np.ndarray:
    """The part of a convex ``polygon`` (n × 2) inside the axis-aligned ``box`` (x0, y0, x1, y1):
    Sutherland–Hodgman, one box edge at a time."""
    points = [tuple(p) for p in polygon]
    edges = [(0, box[0], 1), (0, box[2], -1), (1, box[1], 1), (1, box[3], -1)]
    for axis, limit, sign in edges:
        kept: list[tuple[float, float]] = []
        for i, current in enumerate(points):
            previous = points[i - 1]
            inside_now = sign * (current[axis] - limit) >= 0
            inside_before = sign * (previous[axis] - limit) >= 0
            if inside_now != inside_before:
                t = (limit - previous[axis]) / (current[axis] - previous[axis])
                kept.append((previous[0] + t * (current[0] - previous[0]),
                             previous[1] + t * (current[1] - previous[1])))
            if inside_now:
                kept.append(current)
        points = kept
        if not points:
            break
    return np.array(points, dtype=float).reshape(-1, 2)


def polygon_area(points: np.ndarray) -> float:
    if len(points) < 3:
        return 0.0
    x, y = points[:, 0], points[:, 1]
    return float(abs(np.dot(x, np.roll(y, -1)) - np.dot(y, np.roll(x, -1))) / 2)


def _clean_dpi(archive: Archive, ref: PageRef) -> float:
    with Image.open(archive.page_dir(ref) / "clean.png") as image:
        return float(image.info.get("dpi", (300, 300))[0])


def render_difference(archive: Archive, ref: PageRef, pdf: Path, page_no: int
                      ) -> tuple[float, float]:
    """(mean absolute difference in 0..255 per RGB channel, PSNR dB) between the page rendered
    at the scan's resolution and the scan as decoded."""
    record = archive.page_record(ref)
    scan = load_page(archive.stored_original(ref.sha256), record["format"], ref.index,
                     record.get("dpi"))
    with tempfile.TemporaryDirectory() as tmp:
        subprocess.run(["pdftocairo", "-png", "-r", str(record["dpi"]), "-f", str(page_no), "-l",
                        str(page_no), "-singlefile", str(pdf), f"{tmp}/p"], check=True)
        rendered = np.asarray(Image.open(f"{tmp}/p.png").convert("RGB"), dtype=float)
    original = np.asarray(scan.convert("RGB"), dtype=float)
    height, width = min(rendered.shape[0], original.shape[0]), min(rendered.shape[1],
                                                                   original.shape[1])
    diff = rendered[:height, :width] - original[:height, :width]
    mse = float(np.mean(diff ** 2))
    return float(np.mean(np.abs(diff))), 99.0 if mse == 0 else 10 * np.log10(255 ** 2 / mse)


def record_source(archive: Archive, sha: str) -> str:
    return (archive.original_record(sha).get("source") or {}).get("path") or sha[:12]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("archive", type=Path)
    parser.add_argument("--limit", type=int, default=0, help="only the first N originals")
    parser.add_argument("--out", type=Path, default=Path("/tmp/bench-pdf"))
    parser.add_argument("--part", default="1/1", help="K/N: every N-th original from the K-th "
                        "(to run a long measurement in N processes)")
    parser.add_argument("--verbose", action="store_true", help="a line per original")
    parser.add_argument("--modes", default=",".join(MODES), help="comma-separated, of "
                        + ", ".join(MODES))
    parser.add_argument("--manifest", type=Path, help="a corpus' manifest.csv: text placement "
                        "per scan tier too")
    args = parser.parse_args(argv)
    archive = Archive.open(args.archive, create=False)
    shas = sorted(r["sha256"] for r in archive.iter_original_records())
    shas = [s for s in shas if all((archive.page_dir(r) / "ocr.json").exists()
                                   for r in archive.iter_page_refs(s))]
    if args.limit:
        shas = shas[:args.limit]
    part, parts = (int(v) for v in args.part.split("/"))
    shas = shas[part - 1::parts]
    args.out.mkdir(parents=True, exist_ok=True)
    tiers = tier_of_page(args.manifest) if args.manifest else {}
    print(f"{len(shas)} originals, {sum(len(list(archive.iter_page_refs(s))) for s in shas)} "
          f"pages; ratio = PDF bytes / original bytes")
    for mode in args.modes.split(","):
        ratios, diffs, psnrs, ious, covers, places, pdfa = [], [], [], [], [], [], 0
        by_tier: dict[str, list[tuple[float, float]]] = {}
        for sha in shas:
            refs = list(archive.iter_page_refs(sha))
            target = args.out / f"{sha}-{mode}.pdf"
            result = build_document_pdf([archive_pdf_page(archive, r) for r in refs], target,
                                        mode=mode)
            pdfa += result.pdfa
            ratios.append(target.stat().st_size / archive.stored_original(sha).stat().st_size)
            for number, ref in enumerate(refs, 1):
                iou, cover, _, place = placement(archive, ref, target, number, mode)
                ious.append(iou)
                covers.append(cover)
                places.append(place)
                tier = tiers.get((record_source(archive, sha), ref.index), "?")
                by_tier.setdefault(tier, []).append((cover, iou))
                if mode != "clean":
                    diff, psnr = render_difference(archive, ref, target, number)
                    diffs.append(diff)
                    psnrs.append(psnr)
            if args.verbose:
                print(f"  {mode} {record_source(archive, sha)}: {len(refs)} pages, ratio "
                      f"{ratios[-1]:.2f}, coverage worst {min(covers[-len(refs):]):.3f}"
                      + (f", |diff| max {max(diffs[-len(refs):]):.2f}" if diffs else ""),
                      flush=True)
        line = (f"{mode:9s} size ratio mean {np.mean(ratios):.2f} max {np.max(ratios):.2f}  "
                f"IoU mean {np.mean(ious):.3f} worst page {np.min(ious):.3f}  "
                f"coverage mean {np.mean(covers):.3f} worst {np.min(covers):.3f} "
                f"(pages < 0.9: {sum(c < 0.9 for c in covers)}; placed: mean "
                f"{np.mean(places):.3f} worst {np.min(places):.3f})  "
                f"PDF/A {pdfa}/{len(shas)}")
        if diffs:
            line += (f"  render |diff| mean {np.mean(diffs):.2f} max {np.max(diffs):.2f}"
                     f"  PSNR min {np.min(psnrs):.1f} dB")
        print(line, flush=True)
        for tier, pages in sorted(by_tier.items()) if tiers else ():
            cover, iou = np.array(pages).T
            print(f"  tier {tier}: {len(pages)} pages, coverage min {cover.min():.3f} mean "
                  f"{cover.mean():.3f}, IoU min {iou.min():.3f} mean {iou.mean():.3f}")
    return 0


def tier_of_page(manifest: Path) -> dict[tuple[str, int], str]:
    """(source path under scans/, page in the file) -> scan tier, from a corpus manifest."""
    with manifest.open(encoding="utf-8") as handle:
        return {(row["source"], int(row["page_index"])): row["tier"]
                for row in csv.DictReader(handle)}


if __name__ == "__main__":
    sys.exit(main())
