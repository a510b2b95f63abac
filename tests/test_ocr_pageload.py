"""Loading a PDF page for OCR: a plain scan page is decoded as stored, anything else is rendered."""

from __future__ import annotations

import io
from pathlib import Path

import numpy as np
import pikepdf
import pytest
from pdf2image import convert_from_path
from PIL import Image

from luutru.pageimage import load_page
from luutru.samples.render import render_lines

DPI = 100


def _scan(mode: str) -> Image.Image:
    page = render_lines(["Nghị quyết về công tác xây dựng Đảng"], dpi=DPI, size_mm=(148, 105))
    return page.convert(mode)


def _scan_pdf(path: Path, scan: Image.Image, *, rotate: int = 0, text: bool = False,
              content: str | None = None) -> Path:
    """One page showing ``scan`` (as JPEG) over the whole page at ``DPI``."""
    buffer = io.BytesIO()
    scan.save(buffer, format="JPEG", quality=85)
    pdf = pikepdf.new()
    width, height = scan.width * 72 / DPI, scan.height * 72 / DPI
    image = pdf.make_stream(buffer.getvalue(), Type=pikepdf.Name.XObject,
                            Subtype=pikepdf.Name.Image, Width=scan.width, Height=scan.height,
                            ColorSpace=pikepdf.Name.DeviceRGB if scan.mode == "RGB"
                            else pikepdf.Name.DeviceGray,
                            BitsPerComponent=8, Filter=pikepdf.Name.DCTDecode)
    resources = pikepdf.Dictionary(XObject=pikepdf.Dictionary(Im0=image))
    drawing = content or f"q {width:.2f} 0 0 {height:.2f} 0 0 cm /Im0 Do Q"
    if text:  # an OCR layer: invisible text over the scan
        font = pdf.make_indirect(pikepdf.Dictionary(Type=pikepdf.Name.Font,
                                                    Subtype=pikepdf.Name.Type1,
                                                    BaseFont=pikepdf.Name.Helvetica))
        resources.Font = pikepdf.Dictionary(F1=font)
        drawing += " BT 3 Tr /F1 12 Tf 20 20 Td (Nghi quyet) Tj ET"
    page = pikepdf.Dictionary(Type=pikepdf.Name.Page, MediaBox=[0, 0, width, height],
                              Resources=resources, Contents=pdf.make_stream(drawing.encode()))
    if rotate:
        page.Rotate = rotate
    pdf.pages.append(pikepdf.Page(page))
    pdf.save(path)
    return path


def _rendered(path: Path, dpi: int = DPI) -> Image.Image:
    return convert_from_path(str(path), dpi=dpi, first_page=1, last_page=1)[0]


def _mean_difference(a: Image.Image, b: Image.Image) -> float:
    return float(np.abs(np.asarray(a.convert("L"), float) - np.asarray(b.convert("L"), float)).mean())


@pytest.mark.parametrize("mode", ["RGB", "L"])
def test_a_plain_scan_page_is_its_embedded_image(tmp_path, mode):
    scan = _scan(mode)
    pdf = _scan_pdf(tmp_path / "scan.pdf", scan)
    page = load_page(pdf, "pdf", 1, DPI)
    with pikepdf.open(pdf) as opened:
        stored = pikepdf.PdfImage(next(iter(opened.pages[0].get_images().values()))).as_pil_image()
    assert page.mode == mode and page.size == scan.size == _rendered(pdf).size
    assert np.array_equal(np.asarray(page), np.asarray(stored))
    assert _mean_difference(page, _rendered(pdf)) < 8      # what poppler shows, to JPEG noise


def test_a_turned_page_is_rendered(tmp_path):
    pdf = _scan_pdf(tmp_path / "turned.pdf", _scan("RGB"), rotate=90)
    page = load_page(pdf, "pdf", 1, DPI)
    assert page.size == _rendered(pdf).size and page.width < page.height


def test_a_page_with_text_is_rendered(tmp_path):
    pdf = _scan_pdf(tmp_path / "text.pdf", _scan("RGB"), text=True)
    assert np.array_equal(np.asarray(load_page(pdf, "pdf", 1, DPI)), np.asarray(_rendered(pdf)))


def test_a_scan_drawn_smaller_than_the_page_is_rendered(tmp_path):
    scan = _scan("L")
    width, height = scan.width * 72 / DPI, scan.height * 72 / DPI
    pdf = _scan_pdf(tmp_path / "inset.pdf", scan,
                    content=f"q {width / 2:.2f} 0 0 {height / 2:.2f} 10 10 cm /Im0 Do Q")
    page = load_page(pdf, "pdf", 1, DPI)
    assert page.size == _rendered(pdf).size
    assert np.array_equal(np.asarray(page), np.asarray(_rendered(pdf)))


def test_another_resolution_is_rendered(tmp_path):
    pdf = _scan_pdf(tmp_path / "scan.pdf", _scan("RGB"))
    assert load_page(pdf, "pdf", 1, DPI // 2).size == _rendered(pdf, DPI // 2).size


@pytest.mark.parametrize("compression", ["tiff_lzw", "group4"])
def test_tiff_orientation_tag_is_applied(tmp_path, compression):
    """A scanner that stores the page sideways with Orientation 6 (turn 90° clockwise to view)."""
    stored = Image.new("L", (40, 20), 255)
    stored.paste(0, (0, 0, 10, 10))                       # a mark at the stored top-left
    if compression == "group4":
        stored = stored.convert("1")
    path = tmp_path / "sideways.tif"
    stored.save(path, compression=compression, tiffinfo={274: 6}, dpi=(DPI, DPI))
    page = np.asarray(load_page(path, "tiff", 1).convert("L"))
    assert page.shape == (40, 20)                         # upright: 20 wide, 40 high
    rows, cols = np.nonzero(page == 0)
    assert (rows.max(), cols.min()) == (9, 10)            # the mark is now at the top-right


def test_jpeg_exif_orientation_is_applied(tmp_path):
    """A phone or camera scan stored sideways with EXIF Orientation 6 (turn 90° clockwise)."""
    stored = Image.new("L", (40, 20), 255)
    stored.paste(0, (0, 0, 10, 10))                       # a mark at the stored top-left
    exif = Image.Exif()
    exif[274] = 6
    path = tmp_path / "sideways.jpg"
    stored.save(path, exif=exif.tobytes(), dpi=(DPI, DPI), quality=95)
    page = np.asarray(load_page(path, "jpeg", 1).convert("L"))
    assert page.shape == (40, 20)                         # upright: 20 wide, 40 high
    rows, cols = np.nonzero(page < 128)
    assert rows.max() <= 10 and cols.min() >= 9           # the mark is now at the top-right
