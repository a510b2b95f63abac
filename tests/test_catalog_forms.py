"""A receiving office's registration stamp must not be taken for the document's number or date.

The page is rendered like a real one (samples generator), stamped in its top margin with
``CÔNG VĂN ĐẾN / Số: … / Ngày: …`` and read by the real Tesseract; extraction then runs on the hOCR.
"""

from __future__ import annotations

import random

import pytesseract
import pytest
from PIL import Image, ImageDraw

from luutru.catalog.extract import extract_fields
from luutru.catalog.pagelines import parse_hocr
from luutru.samples.documents import generate_document
from luutru.samples.fonts import load_font
from luutru.samples.render import render_page

DPI = 200


def _stamp(page: Image.Image, lines: list[str]) -> Image.Image:
    """A violet registration stamp in the top-left margin, touching no printed text."""
    draw = ImageDraw.Draw(page)
    font = load_font("serif", round(10 / 72 * DPI))
    x, y = round(35 / 25.4 * DPI), round(2 / 25.4 * DPI)
    step = round(4.4 / 25.4 * DPI)
    width = round(55 / 25.4 * DPI)
    draw.rectangle((x - 12, y - 6, x + width, y + step * len(lines) + 6), outline=(110, 40, 150), width=3)
    for i, text in enumerate(lines):
        draw.text((x, y + i * step), text, fill=(110, 40, 150), font=font)
    return page


@pytest.fixture(scope="module")
def stamped():
    doc = generate_document(random.Random(11), doc_type="CT", fonds="PHONG-12", file="HS-2021-001",
                            year=2021, do_mat=None, do_khan=None, pages=1)
    page, _ = render_page(doc, 1, DPI, seal=False)
    page = _stamp(page, ["CÔNG VĂN ĐẾN", "Số: 2352", "Ngày: 21/02/2025"])
    hocr = pytesseract.image_to_pdf_or_hocr(page, lang="vie", extension="hocr",
                                            config=f"--dpi {DPI}")
    return doc.meta, parse_hocr(hocr)


def test_the_stamp_is_read_by_ocr(stamped):
    _, page = stamped
    assert any("2352" in line.text for line in page.lines)    # the trap is really there


def test_stamp_number_and_date_are_not_the_documents(stamped):
    meta, page = stamped
    fields = extract_fields([page])
    number, day = fields["so_ky_hieu"], fields["ngay_ban_hanh"]
    assert number.value != "2352" and day.value != "2025-02-21"
    assert number.value == meta["so_ky_hieu"] or number.review
    assert day.value == meta["ngay_ban_hanh"] or day.review
    assert fields["loai_van_ban"].value == "Chỉ thị"
