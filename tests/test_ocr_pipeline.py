"""The OCR stage end to end on a small real archive: ingest rendered pages, read them, check the record."""

from __future__ import annotations

import json
import os
import subprocess

import pikepdf
import pytest
from click.testing import CliRunner
from PIL import Image
from rapidfuzz.distance import Levenshtein

from luutru import pagetext
from luutru.archive import Archive, PageRef, write_json
from luutru.cli import cli
from luutru.ingest import ingest_batch
from luutru.export.text import export_text
from luutru.ocr import OcrOptions, ocr_archive
from luutru.ocr.alto import validate_alto
from luutru.ocr.cleanup import CleanupOptions
from luutru.ocr.models import DATA_DIR_ENV, DEFAULT_MODEL, MODELS, locate
from luutru.ocr.pipeline import is_current
from luutru.samples.render import Line, render_lines

os.environ.setdefault("OMP_THREAD_LIMIT", "1")

DPI = 200
SIZE_MM = (150, 70)
PAGES = [
    [Line("ĐẢNG CỘNG SẢN VIỆT NAM", None, "serif-bold"),
     "Nghị quyết về công tác xây dựng Đảng",
     "Đồng chí Nguyễn Văn Đức phụ trách địa bàn"],
    ["Báo cáo tình hình thực hiện nhiệm vụ",
     "Ủy ban kiểm tra đã họp và thống nhất"],
    ["Chỉ thị về tăng cường lãnh đạo của Đảng",
     "đối với công tác phòng chống tham nhũng"],
]


def _text(lines) -> str:
    return "\n".join(line.text if isinstance(line, Line) else line for line in lines)


def _render(lines) -> Image.Image:
    return render_lines(lines, dpi=DPI, size_mm=SIZE_MM, top_mm=10)


@pytest.fixture(scope="module")
def scans(tmp_path_factory):
    """PHONG-1/HS-1/: a two-page TIFF and a one-page PNG."""
    folder = tmp_path_factory.mktemp("scans")
    target = folder / "PHONG-1" / "HS-1"
    target.mkdir(parents=True)
    first, second, third = (_render(lines) for lines in PAGES)
    first.save(target / "doc-1.tif", save_all=True, append_images=[second], dpi=(DPI, DPI),
               compression="tiff_lzw")
    third.save(target / "doc-2_p001.png", dpi=(DPI, DPI))
    return folder


@pytest.fixture(scope="module")
def read_archive(tmp_path_factory, scans):
    archive = Archive.open(tmp_path_factory.mktemp("arch") / "archive")
    ingest_batch(archive, scans)
    report = ocr_archive(archive, jobs=1)
    return archive, report


def _pages(archive):
    refs = list(archive.iter_page_refs())
    return {(archive.page_record(r)["source"], r.index): r for r in refs}


def test_pages_are_read_under_a_cer_bound(read_archive):
    archive, report = read_archive
    assert len(report.done) == 3 and not report.failed
    pages = _pages(archive)
    expected = {("PHONG-1/HS-1/doc-1.tif", 1): PAGES[0], ("PHONG-1/HS-1/doc-1.tif", 2): PAGES[1],
                ("PHONG-1/HS-1/doc-2_p001.png", 1): PAGES[2]}
    for key, lines in expected.items():
        text = (archive.page_dir(pages[key]) / "text.txt").read_text(encoding="utf-8").strip()
        assert Levenshtein.normalized_distance(text, _text(lines)) < 0.03, text


def test_every_output_is_written_and_alto_validates(read_archive):
    archive, _ = read_archive
    for ref in archive.iter_page_refs():
        page_dir = archive.page_dir(ref)
        for name in ("clean.png", "text.txt", "lines.json", "ocr.hocr", "ocr.alto.xml", "ocr.pdf",
                     "ocr.json"):
            assert (page_dir / name).stat().st_size > 0, name
        alto = (page_dir / "ocr.alto.xml").read_bytes()
        assert validate_alto(alto) == []
        assert b"<fileName>clean.png</fileName>" in alto
        assert b'image "clean.png"' in (page_dir / "ocr.hocr").read_bytes()


def test_lines_file_holds_the_text_lines_with_word_boxes(read_archive):
    """lines.json is text.txt line for line, each word boxed inside clean.png."""
    archive, _ = read_archive
    for ref in archive.iter_page_refs():
        page_dir = archive.page_dir(ref)
        page = pagetext.decode((page_dir / "lines.json").read_bytes())
        text = (page_dir / "text.txt").read_text(encoding="utf-8")
        assert [line.text for line in page.lines] == [t for t in text.splitlines() if t.strip()]
        assert page.size == Image.open(page_dir / "clean.png").size
        width, height = page.size
        for word in page.words:
            x0, y0, x1, y1 = word.box
            assert 0 <= x0 < x1 <= width and 0 <= y0 < y1 <= height
            assert 0 <= word.conf <= 100
        assert pagetext.read_page_text(page_dir) == page


def test_provenance_records_how_the_page_was_read(read_archive):
    archive, _ = read_archive
    ref = next(archive.iter_page_refs())
    record = json.loads((archive.page_dir(ref) / "ocr.json").read_text(encoding="utf-8"))
    assert record["model"]["name"] == DEFAULT_MODEL
    assert len(record["model"]["sha256"]) == 64
    if MODELS[DEFAULT_MODEL].sha256:
        assert record["model"]["sha256"] == MODELS[DEFAULT_MODEL].sha256
    assert record["tesseract_version"][0].isdigit()
    assert record["tesseract_engine"] in {"tesserocr", "cli"}
    assert [step["name"] for step in record["cleanup"]["steps"]]
    assert record["cleanup"]["dpi"] >= DPI
    assert record["psm"] in {a["psm"] for a in record["attempts"]}
    assert record["mean_conf"] > 70 and record["quality"] > 0.9
    assert record["word_count"] >= 10
    assert set(record["timings"]) >= {"load", "cleanup", "recognize", "write"}


def test_eth_is_repaired_to_d_with_stroke(read_archive):
    archive, _ = read_archive
    for ref in archive.iter_page_refs():
        for name in ("text.txt", "ocr.hocr", "ocr.alto.xml"):
            assert "\u00d0" not in (archive.page_dir(ref) / name).read_text(encoding="utf-8")
    ref = _pages(archive)[("PHONG-1/HS-1/doc-1.tif", 1)]
    assert "ĐẢNG" in (archive.page_dir(ref) / "text.txt").read_text(encoding="utf-8")


def test_searchable_pdf_per_original(read_archive):
    archive, report = read_archive
    assert len(report.documents) == 2 and all(d["pdfa"] for d in report.documents)
    ref = _pages(archive)[("PHONG-1/HS-1/doc-1.tif", 1)]
    path = archive.document_pdf_path(ref.sha256)
    with pikepdf.open(path) as pdf:
        assert len(pdf.pages) == 2
        meta = pdf.open_metadata()
        assert meta["pdfaid:part"] == "2" and meta["pdfaid:conformance"] == "B"
        assert len(pdf.Root.OutputIntents) == 1
    text = subprocess.run(["pdftotext", str(path), "-"], capture_output=True, text=True,
                          check=True).stdout
    assert "xây dựng Đảng" in text and "Ủy ban kiểm tra" in text


def test_export_text_layout(read_archive, tmp_path):
    archive, _ = read_archive
    # not catalogued yet: no item vouches for these pages, so a reader without clearance gets none
    assert export_text(archive, tmp_path, clearance=0) == {"written": 0, "not_read": 0}
    assert not list(tmp_path.rglob("*.txt"))
    counts = export_text(archive, tmp_path, clearance=1)
    assert counts == {"written": 3, "not_read": 0}
    found = sorted(str(p.relative_to(tmp_path)) for p in tmp_path.rglob("*.txt"))
    assert found == ["PHONG-1/HS-1/doc-1.tif/page-001.txt", "PHONG-1/HS-1/doc-1.tif/page-002.txt",
                     "PHONG-1/HS-1/doc-2_p001.png/page-001.txt"]


def test_second_run_skips_and_redo_redoes(tmp_path, scans):
    archive = Archive.open(tmp_path / "archive")
    ingest_batch(archive, scans)
    options = OcrOptions()
    first = ocr_archive(archive, options=options)
    assert len(first.done) == 3
    again = ocr_archive(archive, options=options)
    assert len(again.skipped) == 3 and not again.done and not again.documents
    # a page whose provenance is missing (killed mid-page) is the only one read again
    lost = next(archive.iter_page_refs())
    (archive.page_dir(lost) / "ocr.json").unlink()
    resumed = ocr_archive(archive, options=options)
    assert resumed.done == [lost.key] and len(resumed.skipped) == 2
    assert [d["original"] for d in resumed.documents] == [lost.sha256]
    redone = ocr_archive(archive, options=options, redo=True, jobs=2)
    assert len(redone.done) == 3 and len(redone.documents) == 2
    # a page read by older code (an earlier PIPELINE_VERSION) is read again without --redo
    record = json.loads((archive.page_dir(lost) / "ocr.json").read_text(encoding="utf-8"))
    record["settings"]["pipeline"] -= 1
    write_json(archive.page_dir(lost) / "ocr.json", record)
    updated = ocr_archive(archive, options=options)
    assert updated.done == [lost.key] and len(updated.skipped) == 2


def test_other_settings_read_the_page_again(read_archive):
    archive, _ = read_archive
    page_dir = archive.page_dir(next(archive.iter_page_refs()))
    model = locate(DEFAULT_MODEL)
    assert is_current(page_dir, OcrOptions().settings(model))
    assert not is_current(page_dir, OcrOptions(tesseract_config="-c x=1").settings(model))
    no_deskew = OcrOptions(cleanup=CleanupOptions(disabled=frozenset({"deskew"})))
    assert not is_current(page_dir, no_deskew.settings(model))



# --- command line -------------------------------------------------------------------------------

def test_cli_json_and_exit_codes(tmp_path, scans):
    runner = CliRunner()
    root = tmp_path / "archive"
    missing = runner.invoke(cli, ["ocr", "-a", str(tmp_path / "nowhere"), "--json"])
    assert missing.exit_code == 1 and "not a luutru archive" in missing.output

    archive = Archive.open(root)
    ingest_batch(archive, scans)
    # a page whose original was never stored: it fails, the others are read, exit 2
    bogus = PageRef("f" * 64, 1)
    write_json(archive.page_dir(bogus) / "page.json",
               {"original": bogus.sha256, "index": 1, "source": "X/Y/gone.tif", "format": "tiff",
                "dpi": 300})
    result = runner.invoke(cli, ["ocr", "-a", str(root), "--json", "--no-orientation",
                                 "--debug-images"])
    assert result.exit_code == 2, result.output
    summary = json.loads(result.output)
    assert summary["pages_done"] == 3 and summary["pages_failed"] == 1
    assert summary["failed"][0]["source"] == "X/Y/gone.tif"
    assert summary["failed"][0]["reason"] == "ocr-error"
    page_dir = archive.page_dir(_pages_no_bogus(archive))
    record = json.loads((page_dir / "ocr.json").read_text())
    assert "orientation" in record["settings"]["cleanup_disabled"]
    assert any((page_dir / "debug").glob("*.png"))

    export = runner.invoke(cli, ["export", "text", str(tmp_path / "out"), "-a", str(root), "--json"])
    assert export.exit_code == 0 and json.loads(export.output)["written"] == 0   # not catalogued
    export = runner.invoke(cli, ["export", "text", str(tmp_path / "out"), "-a", str(root), "--json",
                                 "--clearance", "mat"])
    assert export.exit_code == 0 and json.loads(export.output)["written"] == 3


def _pages_no_bogus(archive):
    return next(r for r in archive.iter_page_refs() if not r.sha256.startswith("ffff"))


def test_cli_names_the_install_command_when_the_model_is_missing(tmp_path, scans):
    root = tmp_path / "archive"
    ingest_batch(Archive.open(root), scans)
    result = CliRunner().invoke(cli, ["ocr", "-a", str(root), "--model", "best"],
                                env={DATA_DIR_ENV: str(tmp_path / "empty")})
    assert result.exit_code == 1
    assert "python -m luutru.ocr.models install" in result.output
