"""Document PDFs hold the original scan (colour, red seal) under Tesseract's invisible words,
placed through the page's recorded geometry; checked on the demo archive with poppler."""

from __future__ import annotations

import html
import re
import subprocess
from pathlib import Path

import numpy as np
import pikepdf
from luutru.archive import Archive, PageRef
from luutru.ocr.pdf import archive_pdf_page, build_document_pdf, made_faithfully
from luutru.ocr.pipeline import build_document_pdfs
from luutru.pageimage import load_page
from PIL import Image

_WORD = re.compile(r'<word xMin="([\d.]+)" yMin="([\d.]+)" xMax="([\d.]+)" yMax="([\d.]+)">'
                   r'([^<]*)</word>')


def _render(pdf: Path, page: int, dpi: int, tmp_path: Path) -> np.ndarray:
    """The page as poppler's cairo renderer draws it at ``dpi`` (RGB)."""
    stem = tmp_path / f"render-{page}"
    subprocess.run(["pdftocairo", "-png", "-r", str(dpi), "-f", str(page), "-l", str(page),
                    "-singlefile", str(pdf), str(stem)], check=True)
    return np.asarray(Image.open(f"{stem}.png").convert("RGB"), dtype=np.int16)


def _scan(archive: Archive, ref: PageRef) -> np.ndarray:
    record = archive.page_record(ref)
    image = load_page(archive.stored_original(ref.sha256), record["format"], ref.index,
                      record["dpi"])
    return np.asarray(image.convert("RGB"), dtype=np.int16)


def _seal_pixels(rgb: np.ndarray) -> int:
    red, green, blue = rgb[..., 0], rgb[..., 1], rgb[..., 2]
    return int(np.count_nonzero((red > 150) & (red - green > 60) & (red - blue > 60)))


def _sealed_colour_page(archive: Archive) -> PageRef:
    """A colour page on which clean-up found (and erased) a red seal."""
    for ref in archive.iter_page_refs():
        page = archive.page_dir(ref)
        text = (page / "ocr.json").read_text(encoding="utf-8")
        if '"seals": 1' in text and '"greyscale": true' not in text \
                and archive.page_record(ref)["format"] in ("jpeg", "tiff"):
            return ref
    raise AssertionError("the demo batch has no sealed colour page")


def test_the_pdf_page_is_the_original_scan_with_its_red_seal(demo_archive, tmp_path):
    ref = _sealed_colour_page(demo_archive)
    pdf = demo_archive.document_pdf_path(ref.sha256)
    dpi = demo_archive.page_record(ref)["dpi"]
    rendered, scan = _render(pdf, ref.index, dpi, tmp_path), _scan(demo_archive, ref)
    assert rendered.shape == scan.shape
    assert np.abs(rendered - scan).mean() < 1.0            # no more than JPEG noise
    assert _seal_pixels(scan) > 1000 and _seal_pixels(rendered) > 0.95 * _seal_pixels(scan)
    clean = np.asarray(Image.open(demo_archive.page_dir(ref) / "clean.png").convert("RGB"),
                       dtype=np.int16)
    assert _seal_pixels(clean) == 0                       # the cleaned page stays for checking OCR


def test_every_demo_pdf_is_faithful_pdfa_and_no_bigger_than_its_scan(demo_archive, tmp_path):
    for record in demo_archive.iter_original_records():
        sha = record["sha256"]
        pdf = demo_archive.document_pdf_path(sha)
        assert made_faithfully(pdf)
        with pikepdf.open(pdf) as document:
            meta = document.open_metadata()
            assert meta["pdfaid:part"] == "2" and meta["pdfaid:conformance"] == "B"
        subprocess.run(["qpdf", "--check", str(pdf)], check=True, capture_output=True)
        assert pdf.stat().st_size <= 1.2 * demo_archive.stored_original(sha).stat().st_size
        first = PageRef(sha, 1)
        rendered = _render(pdf, 1, demo_archive.page_record(first)["dpi"], tmp_path)
        assert np.abs(rendered - _scan(demo_archive, first)).mean() < 1.0, record["source"]


def _pdf_words(pdf: Path, page: int) -> list[tuple[str, tuple[float, ...]]]:
    out = subprocess.run(["pdftotext", "-bbox", "-f", str(page), "-l", str(page), str(pdf), "-"],
                         capture_output=True, text=True, check=True).stdout
    return [(m[5], tuple(float(v) for v in m.groups()[:4])) for m in _WORD.finditer(out)]


def _page_coverages(archive: Archive, ref: PageRef) -> tuple[list[float], int]:
    """For each ALTO word of the page carried back onto the scan (its slanted box's upright
    bounds), the share of it inside the box poppler selects for the same word; and how many
    words poppler finds on the page."""
    from lxml import etree

    page = archive_pdf_page(archive, ref)
    scale = 72.0 / page.dpi
    words = _pdf_words(archive.document_pdf_path(ref.sha256), ref.index)
    found: dict[str, list[tuple[float, ...]]] = {}
    for text, box in words:
        found.setdefault(text, []).append(box)
    coverages = []
    alto = etree.parse(str(archive.page_dir(ref) / "ocr.alto.xml")).getroot()
    for string in alto.iter("{*}String"):
        x, y = float(string.get("HPOS")), float(string.get("VPOS"))
        corners = np.array(page.geometry.box_to_original(
            (x, y, x + float(string.get("WIDTH")), y + float(string.get("HEIGHT"))))) * scale
        (x0, y0), (x1, y1) = corners.min(axis=0), corners.max(axis=0)
        best = 0.0
        for bx0, by0, bx1, by1 in found.get(html.unescape(string.get("CONTENT")), []):
            inter = max(0, min(x1, bx1) - max(x0, bx0)) * max(0, min(y1, by1) - max(y0, by0))
            best = max(best, inter / ((x1 - x0) * (y1 - y0)))
        coverages.append(best)
    return coverages, len(words)


def test_selected_words_lie_on_the_scan_where_they_are_printed(demo_archive):
    """On every page (turned, deskewed or neither), each word the PDF selects covers the word's
    ALTO box carried back onto the scan, and no word is cut into pieces (a slanted layer made
    poppler split words wherever the baseline moved by half a point)."""
    kinds = set()
    for ref in demo_archive.iter_page_refs():
        geometry = archive_pdf_page(demo_archive, ref).geometry
        kinds.add((geometry.quarter_turns != 0, geometry.skew_degrees != 0))
        coverages, found = _page_coverages(demo_archive, ref)
        assert len(coverages) > 30 and np.mean(coverages) >= 0.9, (ref, np.mean(coverages))
        assert found == len(coverages), ref
    assert {(True, True), (False, True), (False, False)} <= kinds


def test_optimised_mode_is_smaller_and_close_and_old_pdfs_are_rebuilt(demo_archive_copy,
                                                                      tmp_path):
    archive = demo_archive_copy
    ref = _sealed_colour_page(archive)
    pages = [archive_pdf_page(archive, r) for r in archive.iter_page_refs(ref.sha256)]
    faithful = archive.document_pdf_path(ref.sha256)
    small = build_document_pdf(pages, tmp_path / "small.pdf", mode="optimised")
    assert small.pdfa and small.path.stat().st_size <= faithful.stat().st_size
    dpi = archive.page_record(ref)["dpi"]
    rendered = _render(small.path, ref.index, dpi, tmp_path)
    assert np.abs(rendered - _scan(archive, ref)).mean() < 4.0
    build_document_pdf(pages, faithful, mode="clean")      # as an older luutru made it
    assert not made_faithfully(faithful)
    from luutru.ocr.models import DEFAULT_MODEL, locate
    from luutru.ocr.pipeline import OcrOptions
    built = build_document_pdfs(archive, [ref.sha256], locate(DEFAULT_MODEL), OcrOptions())
    assert [b["original"] for b in built] == [ref.sha256] and made_faithfully(faithful)
