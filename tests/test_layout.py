"""hOCR parsing on real Tesseract output, and the reading order of a Party document's blocks."""

from __future__ import annotations

import numpy as np
import pytest

from luutru.ocr.engine import run_tesseract
from luutru.ocr.layout import HocrError, TextLine, Word, lines_to_text, parse_hocr, reading_order
from luutru.samples.render import render_lines


@pytest.fixture(scope="module")
def real_hocr() -> bytes:
    page = render_lines(["ĐẢNG CỘNG SẢN VIỆT NAM", "Thực hiện Nghị quyết số 43-NQ/TW"],
                        dpi=200, size_mm=(210, 50))
    return run_tesseract(np.asarray(page), dpi=200, outputs=("hocr",))["hocr"]


def test_parse_hocr_reads_lines_words_boxes_and_confidences(real_hocr):
    lines = parse_hocr(real_hocr)
    assert [" ".join(w.text for w in line.words) for line in lines] == [
        "ĐẢNG CỘNG SẢN VIỆT NAM", "Thực hiện Nghị quyết số 43-NQ/TW"]
    width, height = round(210 / 25.4 * 200), round(50 / 25.4 * 200)
    for index, line in enumerate(lines):
        x0, y0, x1, y1 = line.bbox
        assert 0 <= x0 < x1 <= width and 0 <= y0 < y1 <= height
        for word in line.words:
            assert word.line == index
            assert 0 <= word.conf <= 100
            assert x0 <= word.bbox[0] < word.bbox[2] <= x1
    assert lines[0].bbox[3] <= lines[1].bbox[1]  # first line above the second


def test_parse_hocr_accepts_str_and_bytes(real_hocr):
    assert lines_to_text(parse_hocr(real_hocr.decode("utf-8"))) == lines_to_text(parse_hocr(real_hocr))


def _hocr_with(doctype: str, word: str) -> bytes:
    return (f'<?xml version="1.0" encoding="UTF-8"?>\n{doctype}\n'
            '<html xmlns="http://www.w3.org/1999/xhtml"><body><div class="ocr_page" title="bbox 0 0 100 50">'
            '<span class="ocr_line" title="bbox 0 0 100 20">'
            f'<span class="ocrx_word" title="bbox 0 0 40 20; x_wconf 90">{word}</span>'
            '</span></div></body></html>').encode("utf-8")


def test_parse_hocr_refuses_entities(tmp_path):
    """Like every XML reader in luutru (luutru.xmlsafe): entities are refused with a clear error."""
    secret = tmp_path / "secret.txt"
    secret.write_text("SECRET", encoding="utf-8")
    doctype = (f'<!DOCTYPE html [<!ENTITY ext SYSTEM "file://{secret}"><!ENTITY big "BIGBIGBIG">]>')
    with pytest.raises(HocrError, match="entities") as refused:
        parse_hocr(_hocr_with(doctype, "a&ext;&big;b"))
    assert "SECRET" not in str(refused.value)


def test_parse_hocr_rejects_broken_input():
    with pytest.raises(HocrError):
        parse_hocr(b"<html><body><span class='ocr_line'>")


def test_lines_to_text_is_nfc():
    decomposed = "Nghi\u0323 quy\u00ea\u0301t"  # combining marks, as some tools emit them
    line = TextLine(words=[Word(decomposed, (0, 0, 10, 10), 90.0, 0, 0)], bbox=(0, 0, 10, 10), block=0)
    assert lines_to_text([line]) == "Nghị quyết"


# --- reading order on line boxes as Tesseract reports them (pixels at 300 dpi, A4) ---------------

def _line(text: str, x0: int, y0: int, x1: int, y1: int, block: int = 0) -> TextLine:
    """A line whose words share its box evenly (enough for the layout logic)."""
    tokens = text.split()
    step = (x1 - x0) / len(tokens)
    words = [Word(t, (round(x0 + i * step), y0, round(x0 + (i + 1) * step - 12), y1), 90.0, 0, block)
             for i, t in enumerate(tokens)]
    return TextLine(words=words, bbox=(x0, y0, x1, y1), block=block)


PARTY_PAGE_TRUTH = [
    "TỈNH ỦY THÁI BÌNH", "BAN TUYÊN GIÁO", "*", "Số 120-KH/BTGTU", "KHẨN",
    "ĐẢNG CỘNG SẢN VIỆT NAM", "Thái Bình, ngày 10 tháng 9 năm 2021",
    "KẾ HOẠCH", "kiểm tra, giám sát công tác cải cách hành chính",
    "Thực hiện Nghị quyết của Tỉnh ủy, Ban Tuyên giáo ban hành kế hoạch",
    "như sau:",
    "Nơi nhận:", "- Các ban đảng, Văn phòng Tỉnh ủy,", "- Lưu Văn phòng.",
    "T/M BAN THƯỜNG VỤ", "PHÓ BÍ THƯ", "Nguyễn Văn Hùng",
]


def _party_page_lines() -> list[TextLine]:
    """The page's lines in an order Tesseract produces: header rows glued across the gutter."""
    return [
        TextLine(words=_line("TỈNH ỦY THÁI BÌNH", 380, 236, 1000, 300).words
                 + _line("ĐẢNG CỘNG SẢN VIỆT NAM", 1290, 240, 2150, 300).words,
                 bbox=(380, 236, 2150, 300), block=0),
        _line("BAN TUYÊN GIÁO", 440, 310, 930, 370, block=0),
        _line("*", 675, 380, 700, 410, block=0),
        TextLine(words=_line("Số 120-KH/BTGTU", 420, 440, 950, 500).words
                 + _line("Thái Bình, ngày 10 tháng 9 năm 2021", 1280, 445, 2200, 505).words,
                 bbox=(420, 440, 2200, 505), block=0),
        _line("KHẨN", 600, 520, 780, 580, block=1),
        _line("KẾ HOẠCH", 1080, 700, 1400, 765, block=2),
        _line("kiểm tra, giám sát công tác cải cách hành chính", 700, 780, 1780, 845, block=2),
        _line("Thực hiện Nghị quyết của Tỉnh ủy, Ban Tuyên giáo ban hành kế hoạch", 295, 950, 2190, 1012,
              block=3),
        _line("như sau:", 295, 1030, 520, 1090, block=3),
        # Tesseract often reads the signature block first (it starts a little higher).
        _line("T/M BAN THƯỜNG VỤ", 1400, 1195, 2000, 1255, block=5),
        _line("PHÓ BÍ THƯ", 1530, 1265, 1870, 1325, block=5),
        _line("Nơi nhận:", 295, 1200, 520, 1250, block=4),
        _line("- Các ban đảng, Văn phòng Tỉnh ủy,", 295, 1260, 1320, 1310, block=4),
        _line("- Lưu Văn phòng.", 295, 1320, 720, 1370, block=4),
        _line("Nguyễn Văn Hùng", 1480, 1600, 1930, 1660, block=6),
    ]


def test_reading_order_of_a_party_page():
    ordered = reading_order(_party_page_lines(), 2480, 3508)
    assert lines_to_text(ordered).splitlines() == PARTY_PAGE_TRUTH


def test_reading_order_does_not_depend_on_input_order():
    lines = _party_page_lines()
    assert lines_to_text(reading_order(lines[::-1], 2480, 3508)).splitlines() == PARTY_PAGE_TRUTH


def test_skewed_foot_blocks_that_touch_stay_apart():
    # On a skewed scan a long recipient line reaches under the signature block's first letters.
    lines = [
        _line("Nơi nhận:", 359, 1902, 600, 1960),
        _line("K/T CHÁNH VĂN PHÒNG", 1380, 1880, 2105, 1940),
        _line("PHÓ CHÁNH VĂN PHÒNG", 1390, 1960, 2121, 2020),
        _line("- Các tổ chức cơ sở đảng,", 363, 1990, 1000, 2049),
        _line("- Các huyện ủy, thành ủy, đảng ủy trực thuộc,", 366, 2108, 1414, 2175),
        _line("- Lưu Văn phòng.", 369, 2245, 763, 2294),
        _line("Phan Thanh Khánh", 1484, 2347, 2034, 2429),
    ]
    assert lines_to_text(reading_order(lines, 2480, 3508)).splitlines() == [
        "Nơi nhận:", "- Các tổ chức cơ sở đảng,", "- Các huyện ủy, thành ủy, đảng ủy trực thuộc,",
        "- Lưu Văn phòng.", "K/T CHÁNH VĂN PHÒNG", "PHÓ CHÁNH VĂN PHÒNG", "Phan Thanh Khánh"]


def test_justified_body_line_is_not_split():
    wide = TextLine(words=[Word("một", (300, 0, 400, 60), 90, 0, 0), Word("hai", (450, 0, 540, 60), 90, 0, 0),
                           Word("ba", (590, 0, 660, 60), 90, 0, 0)], bbox=(300, 0, 660, 60), block=0)
    assert lines_to_text(reading_order([wide], 2480, 3508)) == "một hai ba"


def test_empty_page():
    assert reading_order([], 2480, 3508) == []
    assert lines_to_text([]) == ""
