"""recognize() on rendered pages with real Tesseract: reading order, yield check and fallback."""

from __future__ import annotations

import math

import cv2
import numpy as np
import pytest
from PIL import Image, ImageDraw
from rapidfuzz.distance import Levenshtein

from luutru.ocr.recognize import DEFAULT_PSM, MIN_YIELD, find_ink, recognize, text_yield
from luutru.samples.render import load_font

DPI = 200


def _px(mm: float) -> int:
    return round(mm / 25.4 * DPI)


def draw_page(items: list[tuple[str, float, float, str]], height_mm: float = 170) -> Image.Image:
    """Text placed by (text, centre x mm or -left x mm, top y mm, style) on an A4-wide page."""
    page = Image.new("L", (_px(210), _px(height_mm)), 255)
    draw = ImageDraw.Draw(page)
    for text, x_mm, y_mm, style in items:
        font = load_font(style, round(13 / 72 * DPI))
        width = draw.textlength(text, font=font)
        x = _px(-x_mm) if x_mm < 0 else _px(x_mm) - width / 2
        draw.text((x, _px(y_mm)), text, fill=0, font=font)
    return page


# A Party document's first page: two header blocks side by side, title, body, and the foot with
# "Nơi nhận" left and the signature block right. In the truth's reading order.
PARTY_PAGE = [
    ("TỈNH ỦY THÁI BÌNH", 55, 15, "serif"),
    ("BAN TUYÊN GIÁO", 55, 21, "serif-bold"),
    ("*", 55, 27, "serif"),
    ("Số 120-KH/BTGTU", 55, 32, "serif"),
    ("ĐẢNG CỘNG SẢN VIỆT NAM", 145, 15, "serif-bold"),
    ("Thái Bình, ngày 10 tháng 9 năm 2021", 145, 32, "serif"),
    ("KẾ HOẠCH", 105, 45, "serif-bold"),
    ("kiểm tra, giám sát công tác cải cách hành chính", 105, 51, "serif-bold"),
    ("Thực hiện Nghị quyết Đại hội đại biểu toàn quốc lần thứ XIII của Đảng,", -30, 62, "serif"),
    ("Ban Tuyên giáo Tỉnh ủy Thái Bình ban hành kế hoạch như sau:", -25, 68, "serif"),
    ("Nơi nhận:", -25, 82, "serif-bold"),
    ("- Các ban đảng, Văn phòng Tỉnh ủy,", -25, 88, "serif"),
    ("- Các tổ chức cơ sở đảng,", -25, 94, "serif"),
    ("- Lưu Văn phòng.", -25, 100, "serif"),
    ("T/M BAN THƯỜNG VỤ", 150, 82, "serif-bold"),
    ("PHÓ BÍ THƯ", 150, 88, "serif-bold"),
    ("Nguyễn Văn Hùng", 150, 112, "serif-bold"),
]


@pytest.fixture(scope="module")
def party_page():
    image = np.asarray(draw_page(PARTY_PAGE, height_mm=125))
    return image, recognize(image, DPI)


def test_party_page_reads_in_the_truth_order(party_page):
    _, result = party_page
    lines = result.text.splitlines()
    positions = []
    for text, *_ in PARTY_PAGE:
        if text == "*":  # the header star is one speck; Tesseract may or may not keep it
            continue
        distances = [Levenshtein.normalized_distance(text, line) for line in lines]
        assert min(distances) < 0.15, f"{text!r} not read"
        positions.append(distances.index(min(distances)))
    assert positions == sorted(positions) and len(set(positions)) == len(positions)
    truth = "\n".join(text for text, *_ in PARTY_PAGE)
    assert Levenshtein.distance(result.text, truth) / len(truth) < 0.02


def test_party_page_needs_one_tesseract_run(party_page):
    _, result = party_page
    assert len(result.attempts) == 1
    attempt = result.attempts[0]
    assert attempt["psm"] == result.psm == DEFAULT_PSM
    assert attempt["ink_ratio"] >= MIN_YIELD and attempt["seconds"] > 0


def test_recognition_carries_outputs_words_and_scores(party_page):
    _, result = party_page
    assert result.hocr.lstrip().startswith(b"<?xml") and b"ocrx_word" in result.hocr
    assert b"alto" in result.alto[:500].lower()
    assert result.pdf.startswith(b"%PDF")
    lines = result.text.splitlines()
    assert [w.text for w in result.words if w.line == 0] == lines[0].split()
    assert max(w.line for w in result.words) == len(lines) - 1
    assert result.mean_conf > 80
    assert result.quality > 0.9


def test_yield_counts_the_ink_words_cover(party_page):
    image, result = party_page
    ink = find_ink(image, DPI)
    assert text_yield(ink, result.words, DPI) > 0.97
    header_only = [w for w in result.words if w.line < 6]
    assert text_yield(ink, header_only, DPI) < 0.6
    assert text_yield(ink, [], DPI) == 0.0


def _ink_by_definition(image: np.ndarray, dpi: int) -> tuple[np.ndarray, ...]:
    """find_ink by its definition: Otsu's ink, every component of the whole page, size-filtered."""
    dark = cv2.threshold(image, 0, 255, cv2.THRESH_BINARY_INV | cv2.THRESH_OTSU)[1]
    _, _, stats, centroids = cv2.connectedComponentsWithStats(dark, connectivity=8)
    mm = dpi / 25.4
    longest = np.maximum(stats[1:, 2], stats[1:, 3])
    keep = (stats[1:, 4] >= 0.04 * mm ** 2) & (longest <= 15 * mm)
    return centroids[1:][keep], stats[1:, 4][keep], stats[1:, :4][keep]


@pytest.mark.parametrize("top, left, width", [(0, 0, 1648), (1, 0, 1651), (2, 5, 1654)],
                         ids=["even", "odd-top", "odd-left"])
@pytest.mark.parametrize("bitonal", [True, False], ids=["black-white", "grey"])
def test_ink_is_that_of_the_whole_page(party_page, top, left, width, bitonal):
    """find_ink labels a squeezed page (blank rows and margins out); same components, same order."""
    image = np.pad(party_page[0], ((top, 0), (left, 0)), constant_values=255)[:, :width]
    image = cv2.threshold(image, 150, 255, cv2.THRESH_BINARY)[1] if bitonal else image
    ink = find_ink(image, DPI)
    centroids, areas, boxes = _ink_by_definition(image, DPI)
    assert len(areas) > 100
    assert np.array_equal(ink.areas, areas) and np.array_equal(ink.boxes, boxes)
    assert np.allclose(ink.centroids, centroids, rtol=0, atol=1e-9)


CONTINUATION_PAGE = [
    ("2", 105, 10, "serif"),
    ("tổ chức thực hiện nghị quyết của Ban Chấp hành Đảng bộ tỉnh về công tác", -25, 22, "serif"),
    ("cán bộ, bảo đảm đúng tiến độ và báo cáo kết quả về Ban Thường vụ.", -25, 28, "serif"),
    ("Các đồng chí Tỉnh ủy viên theo dõi, đôn đốc việc thực hiện.", -25, 34, "serif"),
]


def test_page_number_of_a_continuation_page_is_read():
    # Tesseract's segmentation drops the lone number above the text; it is read apart.
    result = recognize(np.asarray(draw_page(CONTINUATION_PAGE, height_mm=45)), DPI)
    assert b">2<" not in result.hocr     # Tesseract's own reading has no number
    lines = result.text.splitlines()
    assert lines[0] == result.page_number == "2"
    assert lines[1].startswith("tổ chức") and len(lines) == 4
    assert len(result.attempts) == 1


def test_blank_page_has_nothing_to_miss():
    blank = np.full((_px(100), _px(100)), 255, np.uint8)
    result = recognize(blank, DPI)
    assert result.text == "" and result.words == []
    assert len(result.attempts) == 1  # nothing to read: no fallback either


def _seal(page: Image.Image, cx_mm: float, cy_mm: float) -> None:
    """A grey Party seal (two rings, a star, the ring text) as a greyscale scan shows one."""
    draw = ImageDraw.Draw(page)
    cx, cy, radius = _px(cx_mm), _px(cy_mm), _px(18)
    for inset in (0, _px(4)):
        for k in range(6):
            r = radius - inset - k
            draw.ellipse((cx - r, cy - r, cx + r, cy + r), outline=110)
    star = [(cx + _px(6) * math.cos(math.pi / 2 + i * 4 * math.pi / 5),
             cy - _px(6) * math.sin(math.pi / 2 + i * 4 * math.pi / 5)) for i in range(5)]
    draw.polygon(star, fill=110)
    font = load_font("serif", round(9 / 72 * DPI))
    for i, char in enumerate("ĐẢNG CỘNG SẢN VIỆT NAM"):
        angle = math.pi * 0.9 - i * math.pi * 1.8 / 21
        draw.text((cx + (radius - _px(2.5)) * math.cos(angle) - 5,
                   cy - (radius - _px(2.5)) * math.sin(angle) - 8), char, fill=110, font=font)


LAST_PAGE = [
    ("3", 105, 10, "serif"),
    ("Nơi nhận:", -25, 25, "serif-bold"),
    ("- Các đồng chí Thành ủy viên,", -25, 31, "serif"),
    ("- Lưu Văn phòng.", -25, 37, "serif"),
    ("CHÁNH VĂN PHÒNG", 150, 25, "serif-bold"),
    ("Hồ Trọng Nghĩa", 150, 55, "serif-bold"),
]


def test_low_yield_falls_back_and_keeps_the_better_reading():
    # A short last page with a seal over the signature block: the default segmentation takes the
    # block for a picture and drops it, with the page number; the ink left unread triggers psm 6.
    page = draw_page(LAST_PAGE, height_mm=80)
    _seal(page, 140, 42)
    image = np.asarray(page)
    result = recognize(image, DPI)
    first, *fallbacks = result.attempts
    assert first["psm"] == DEFAULT_PSM and first["ink_ratio"] < MIN_YIELD
    assert [a["psm"] for a in fallbacks] == [6]
    assert fallbacks[0]["ink_ratio"] > first["ink_ratio"]
    lines = result.text.splitlines()
    assert lines[0] == "3" and lines.count("3") == 1  # recovered once, in its place at the top
    assert lines[1:4] == ["Nơi nhận:", "- Các đồng chí Thành ủy viên,", "- Lưu Văn phòng."]
    assert lines[-1].endswith("Nghĩa")  # the signer, read through the seal
    assert text_yield(find_ink(image, DPI), result.words, DPI) > first["ink_ratio"]
    assert result.psm == 6  # its outputs (PDF text layer) cover more of the page


def test_an_engine_that_writes_no_hocr_plugs_in(party_page):
    """recognize() takes lines from any OcrEngine; the engine's own files are optional."""
    from luutru.ocr.engines import EngineReading, TesseractEngine

    class LinesOnly:
        """A recogniser that gives lines and nothing else (as a neural engine would)."""
        name = "lines-only"

        def read(self, image, dpi, *, psm, renderings=()) -> EngineReading:
            return EngineReading(TesseractEngine().read(image, dpi, psm=psm).lines)

    image, expected = party_page
    result = recognize(image, DPI, engine=LinesOnly())
    assert result.text == expected.text and result.words
    assert (result.hocr, result.alto, result.pdf) == (b"", b"", b"")
    assert expected.hocr.startswith(b"<?xml") and expected.pdf.startswith(b"%PDF")
