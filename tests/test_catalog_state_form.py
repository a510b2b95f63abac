"""A state body's e-signed, received copy: whose number and date are they?

The page is drawn like the e-signed copies of a provincial People's Committee: the signing
authority's block at the top right ("Ký bởi", "Thời gian ký: 05.02.2025 15:35:18 +07:00"), a
registry's "ĐẾN" stamp with its own date at the top left, the organ block "ỦY BAN NHÂN DÂN / TỈNH
QUẢNG NGÃI" beside the national motto, and the number and day left blank in the print and written
in by hand (drawn taller, as a pen writes). Read by the real Tesseract; extraction runs on the hOCR.
"""

from __future__ import annotations

from pathlib import Path

import pytesseract
import pytest
from PIL import Image, ImageDraw

from luutru.catalog.extract import extract_fields
from luutru.catalog.handwriting import day_blank, handwritten_day, handwritten_number
from luutru.catalog.pagelines import Line, Word, parse_hocr
from luutru.catalog.patterns import plausible_date
from luutru.samples.fonts import load_font

DPI = 200
PT = DPI / 72
VIOLET, BLUE = (110, 40, 150), (30, 40, 160)


def _text(draw: ImageDraw.ImageDraw, centre_x: float, y: float, text: str, size: float,
          bold: bool = False, fill=(0, 0, 0)) -> float:
    """Draw ``text`` centred on ``centre_x``; returns its right edge."""
    font = load_font("serif-bold" if bold else "serif", round(size * PT))
    width = draw.textlength(text, font=font)
    draw.text((centre_x - width / 2, y), text, font=font, fill=fill)
    return centre_x + width / 2


def _page(day: str, handwritten: bool) -> Image.Image:
    page = Image.new("RGB", (1654, 2339), "white")
    draw = ImageDraw.Draw(page)
    small = load_font("serif", round(9 * PT))
    for i, line in enumerate(("Ký bởi: Ủy ban Nhân dân tỉnh Quảng Ngãi",
                              "Thời gian ký: 05.02.2025 15:35:18 +07:00")):
        draw.text((1020, 40 + i * 36), line, font=small, fill=(0, 0, 0))
    draw.rectangle((130, 30, 560, 170), outline=VIOLET, width=3)       # the registry's stamp
    for i, line in enumerate(("ĐẾN", "Số: 321", "Ngày 06 tháng 02 năm 2025")):
        draw.text((150, 40 + i * 40), line, font=small, fill=VIOLET)
    _text(draw, 380, 230, "ỦY BAN NHÂN DÂN", 13)
    _text(draw, 380, 275, "TỈNH QUẢNG NGÃI", 13, bold=True)
    _text(draw, 1120, 230, "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", 13, bold=True)
    _text(draw, 1120, 275, "Độc lập - Tự do - Hạnh phúc", 14, bold=True)
    _text(draw, 380, 360, "Số:           /TTr-UBND", 14)
    right = _text(draw, 1120, 360, "Quảng Ngãi, ngày           tháng 02 năm 2025", 14)
    body = load_font("serif", round(14 * PT))
    blank = right - draw.textlength("Quảng Ngãi, ngày           tháng 02 năm 2025", font=body) \
        + draw.textlength("Quảng Ngãi, ngày  ", font=body)
    pen = load_font("hand" if handwritten else "serif", round((22 if handwritten else 14) * PT))
    hand = load_font("hand", round(22 * PT))
    draw.text((blank, 360 - (20 if handwritten else 0)), day, font=pen,
              fill=BLUE if handwritten else (0, 0, 0))
    draw.text((268, 340), "12", font=hand, fill=BLUE)                   # the number, by pen
    _text(draw, 827, 470, "TỜ TRÌNH", 14, bold=True)
    _text(draw, 827, 520, "Về việc miễn nhiệm chức danh Ủy viên Ủy ban nhân dân tỉnh", 14, bold=True)
    _text(draw, 827, 640, "Kính gửi: Hội đồng nhân dân tỉnh", 14)
    for i, line in enumerate(("Căn cứ Luật Tổ chức chính quyền địa phương ngày 19 tháng 6 năm 2015;",
                              "Ủy ban nhân dân tỉnh kính trình Hội đồng nhân dân tỉnh xem xét.")):
        draw.text((200, 740 + i * 60), line, font=body, fill=(0, 0, 0))
    return page


def _fields(page: Image.Image, folder: Path) -> dict:
    """Fields of the page read by Tesseract, its image kept as the OCR stage keeps clean.png."""
    hocr = pytesseract.image_to_pdf_or_hocr(page, lang="vie", extension="hocr",
                                            config=f"--dpi {DPI}")
    lines = parse_hocr(hocr)
    lines.image = folder / "clean.png"
    page.convert("L").save(lines.image)
    return extract_fields([lines])


@pytest.fixture(scope="module")
def handwritten(tmp_path_factory):
    return _fields(_page("31", handwritten=True), tmp_path_factory.mktemp("form"))


def test_stamp_and_esignature_dates_are_never_the_documents(handwritten):
    day = handwritten["ngay_ban_hanh"]
    assert day.value not in ("2025-02-05", "2025-02-06")
    assert day.review                        # a day written by hand is checked by a person
    number = handwritten["so_ky_hieu"]
    # the digit recogniser's best guess in the blank, with the printed rest of the number; a
    # person confirms it unless it is trusted and right
    assert number.value is not None and number.value.endswith("/TTr-UBND")
    assert number.value == "12/TTr-UBND" or number.review


def test_state_organ_and_type_are_read(handwritten):
    assert handwritten["co_quan_ban_hanh"].value == "Ủy ban nhân dân tỉnh Quảng Ngãi"
    assert handwritten["loai_van_ban"].value == "Tờ trình"


def test_a_printed_day_is_the_documents_date(tmp_path):
    fields = _fields(_page("04", handwritten=False), tmp_path)
    assert fields["ngay_ban_hanh"].value == "2025-02-04"


def _line(*words: tuple[str, int]) -> Line:
    """A line of words (text, height in px) side by side, bottoms aligned."""
    boxes, x = [], 0
    for text, height in words:
        boxes.append(Word(text, (x, 100 - height, x + 20 * len(text), 100), 0.95))
        x += 20 * len(text) + 15
    return Line(" ".join(t for t, _ in words), (0, 30, x, 100), boxes)


def test_digits_taller_than_the_print_beside_them_are_handwritten():
    # heights as measured on real e-signed scans: the pen's "24" 70 px, the printed year 40 px
    assert handwritten_day(_line(("Quảng", 51), ("Ngãi,", 50), ("ngày", 59), ("24", 70),
                                 ("tháng", 52), ("12", 39), ("năm", 38), ("2024", 40)))
    assert not handwritten_day(_line(("Bằng,", 43), ("ngày", 39), ("22", 31), ("tháng", 38),
                                     ("2", 32), ("năm", 29), ("1999", 32)))
    assert handwritten_number(_line(("Số:", 50), ("660", 64), ("/TB-UBND", 40)), "660")
    assert not handwritten_number(_line(("Số:", 32), ("157/", 35), ("QĐ-NĐ-UB", 42)), "157")
    assert not handwritten_number(_line(("Số", 40), ("43-NQ/TU", 40)), "43")


def test_a_year_that_cannot_be_is_a_guess_for_review():
    assert plausible_date("1999-02-22") == ("1999-02-22", True)
    assert plausible_date("4999-02-22") == ("1999-02-22", False)     # "4" for "1": a guess
    assert plausible_date("1005-03-01")[1] is False
    assert plausible_date(None) == (None, True)


def _boxed(rows: list[tuple[str, int, int]]) -> list[Line]:
    """Lines (text, left x, top y) of one line height, words 20 px a letter."""
    lines = []
    for text, x, y in rows:
        words, left = [], x
        for word in text.split():
            words.append(Word(word, (left, y, left + 20 * len(word), y + 40), 0.96))
            left += 20 * len(word) + 15
        lines.append(Line(text, (x, y, left, y + 40), words))
    return lines


def test_a_certified_copy_block_is_not_the_documents():
    from luutru.catalog.pagelines import PageLines
    first = PageLines(_boxed([
        ("SAO Y BẢN CHÍNH", 1300, 40), ("Số: 05/SY-VP", 1300, 90),
        ("Quảng Ngãi, ngày 10 tháng 02 năm 2025", 1300, 140),
        ("ỦY BAN NHÂN DÂN", 200, 260), ("CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", 1000, 260),
        ("TỈNH QUẢNG NGÃI", 200, 310), ("Độc lập - Tự do - Hạnh phúc", 1050, 310),
        ("Số: 07/CT-UBND", 220, 380), ("Quảng Ngãi, ngày 20 tháng 3 năm 2018", 1000, 380),
        ("CHỈ THỊ", 1100, 480), ("Về việc tăng cường công tác thi hành án", 700, 540),
        ("Nơi nhận:", 200, 1800), ("CHỦ TỊCH", 1500, 1800), ("- Như trên;", 200, 1850),
        ("- Lưu: VT.", 200, 1900), ("Trần Ngọc Căng", 1450, 2100),
        ("SAO Y BẢN CHÍNH", 200, 2500), ("Nơi nhận:", 200, 2600), ("CHÁNH VĂN PHÒNG", 1400, 2600),
        ("- Sở Tư pháp;", 200, 2650), ("Nguyễn Văn Bình", 1400, 2900)]), 2480, 3508)
    fields = extract_fields([first])
    assert fields["so_ky_hieu"].value == "07/CT-UBND"
    assert fields["ngay_ban_hanh"].value == "2018-03-20"
    assert fields["nguoi_ky"].value == "Trần Ngọc Căng"          # not the copying office's
    assert fields["chuc_vu_nguoi_ky"].value == "CHỦ TỊCH"


def test_each_scanned_file_of_a_ho_so_is_its_own_item(tmp_path):
    """Two one-page scans of e-signed forms in one hồ sơ: their header is a state body's, their
    number and day handwritten, so no Party header is recognised; each file is still one item."""
    from luutru.archive import Archive
    from luutru.catalog import build_catalog, iter_items
    from luutru.ingest.batch import ingest_batch
    from luutru.ocr.pipeline import ocr_archive

    folder = tmp_path / "scans" / "PHONG-01" / "HS-2025-001"
    folder.mkdir(parents=True)
    for name, day in (("01_TTr.pdf", "31"), ("575_UB.pdf", "04")):
        _page(day, handwritten=True).convert("L").save(folder / name, resolution=DPI)
    archive = Archive.open(tmp_path / "archive")
    ingest_batch(archive, tmp_path / "scans")
    ocr_archive(archive, model="fast")
    build_catalog(archive)
    items = sorted((i["source"].rsplit("/", 1)[-1], i["first_page"]) for i in iter_items(archive))
    assert items == [("01_TTr.pdf", 1), ("575_UB.pdf", 1)]


def test_the_day_blank_lies_between_ngay_and_thang_even_when_glued():
    alone = _line(("Quảng", 51), ("Ngãi,", 50), ("ngày", 50), ("24", 70), ("tháng", 52),
                  ("12", 39), ("năm", 38), ("2024", 40))
    ngay, thang = alone.words[2], alone.words[4]
    box = day_blank(alone)
    assert box is not None and box[0] == ngay.box[2] and box[2] == thang.box[0]
    # (the helper draws 20 px a letter: a year 25 px high gives the print's proportions)
    glued = _line(("Quảng", 32), ("Ngãi,", 31), ("ngàyÂDtháng", 36), ("01", 25), ("năm", 24),
                  ("2025", 25))
    box = day_blank(glued)
    word = glued.words[2]
    # the printed "ngày" and "tháng" are cut off the glued word by their widths in year heights
    assert box is not None and word.box[0] < box[0] < box[2] < word.box[2]
    assert handwritten_day(alone) and not handwritten_day(alone, month=True)
