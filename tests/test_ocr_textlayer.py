"""A born-digital PDF is read from its own text layer; a scan's OCR layer is never trusted.

The born-digital PDF is written by WeasyPrint (text drawn as text, as an e-office export is), the
scan with a text layer by Tesseract's PDF renderer over a page image (as a scanner's OCR does).
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytesseract
import pytest
from PIL import Image, ImageDraw

from luutru import pagetext
from luutru.archive import Archive
from luutru.catalog import build_catalog, iter_items
from luutru.ingest.batch import ingest_batch
from luutru.ocr.alto import validate_alto
from luutru.ocr.pipeline import ocr_archive
from luutru.pageimage import pdf_page_is_born_digital
from luutru.samples.fonts import load_font

HTML = """<html><head><style>
@page { size: A4; margin: 20mm 20mm 20mm 30mm }
body { font-family: 'Liberation Serif'; font-size: 13pt }
table { width: 100% } td { text-align: center; vertical-align: top }
</style></head><body>
<table><tr><td>ỦY BAN NHÂN DÂN<br/><b>TỈNH QUẢNG NGÃI</b></td>
<td><b>CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM</b><br/><b>Độc lập - Tự do - Hạnh phúc</b></td></tr>
<tr><td>Số: 11/TB-UBND</td><td><i>Quảng Ngãi, ngày 08 tháng 01 năm 2025</i></td></tr></table>
<p style="text-align:center"><b>THÔNG BÁO</b><br/><b>Kết luận của Chủ tịch Ủy ban nhân dân tỉnh</b></p>
<p>Ngày 03/01/2025, Chủ tịch Ủy ban nhân dân tỉnh chủ trì họp nghe báo cáo.</p>
</body></html>"""


def _write_pdf(html: str, path: Path) -> None:
    """WeasyPrint in a child process: importing it sets Pillow's LOAD_TRUNCATED_IMAGES for the
    whole process, which would let later tests' truncated scans through."""
    subprocess.run([sys.executable, "-c", "import sys; from weasyprint import HTML; "
                    "HTML(string=sys.stdin.read()).write_pdf(sys.argv[1])", str(path)],
                   input=html, text=True, check=True)


@pytest.fixture(scope="module")
def archive(tmp_path_factory) -> Archive:
    root = tmp_path_factory.mktemp("textlayer")
    folder = root / "scans" / "PHONG-01" / "HS-2025-001"
    folder.mkdir(parents=True)
    _write_pdf(HTML, folder / "born-digital.pdf")
    archive = Archive.open(root / "archive")
    ingest_batch(archive, root / "scans")
    ocr_archive(archive, model="fast")
    return archive


def _scan_with_ocr_layer(path: Path) -> None:
    page = Image.new("RGB", (1240, 1754), "white")
    ImageDraw.Draw(page).text((200, 200), "Số: 11/TB-UBND", font=load_font("serif", 40), fill="black")
    path.write_bytes(pytesseract.image_to_pdf_or_hocr(page, lang="vie", extension="pdf",
                                                      config="--dpi 150"))


def test_born_digital_and_scanned_pages_are_told_apart(archive, tmp_path):
    original = next((archive.root / "originals").glob("*/*.pdf"))
    assert pdf_page_is_born_digital(original, 1)
    _scan_with_ocr_layer(tmp_path / "scan.pdf")
    assert not pdf_page_is_born_digital(tmp_path / "scan.pdf", 1)   # the scanner's layer: not ours


def test_a_born_digital_page_is_its_text_layer(archive):
    page_dir = next((archive.root / "pages").glob("*/0001"))
    text = (page_dir / "text.txt").read_text(encoding="utf-8")
    assert "Số: 11/TB-UBND" in text and "Quảng Ngãi, ngày 08 tháng 01 năm 2025" in text
    provenance = json.loads((page_dir / "ocr.json").read_text(encoding="utf-8"))
    assert provenance["cleanup"]["steps"][0]["name"] == "text-layer"
    assert validate_alto((page_dir / "ocr.alto.xml").read_bytes()) == []
    assert "x_wconf 99" in (page_dir / "ocr.hocr").read_text(encoding="utf-8")
    lines = pagetext.read_page_text(page_dir)       # its lines, boxed, are the text's lines
    assert lines.has_geometry and [line.text for line in lines.lines] == text.splitlines()
    assert {word.conf for word in lines.words} == {99.0}


def test_its_number_and_date_are_read_with_confidence(archive):
    build_catalog(archive)
    (item,) = list(iter_items(archive))
    assert item["so_ky_hieu"] == "11/TB-UBND" and item["ngay_ban_hanh"] == "2025-01-08"
    assert item["co_quan_ban_hanh"] == "Ủy ban nhân dân tỉnh Quảng Ngãi"
    assert not {"so_ky_hieu", "ngay_ban_hanh"} & set(item["needs_review"])
