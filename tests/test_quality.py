"""The Vietnamese quality score: syllable structure, and what it says about real and garbled text."""

from __future__ import annotations

import pytest

from luutru.ocr.quality import is_vietnamese_syllable, vietnamese_quality

VALID = ["nghị", "quyết", "Đảng", "ĐẢNG", "cộng", "sản", "việt", "thành", "ủy", "khuya", "tuyết",
         "xuân", "thuở", "gì", "giữ", "giếng", "quốc", "quỳnh", "kế", "kiến", "ghế", "nghề",
         "hoạch", "khoẻ", "khỏe", "uống", "yêu", "người", "trường", "chuyện", "nước", "oanh", "a"]
INVALID = [
    "đ¡ng",      # a non-letter inside
    "nghịệp",    # two tone marks
    "cảc",       # checked coda c with hỏi
    "tàp",       # checked coda p with huyền
    "kà",        # k only before e, ê, i, y
    "ghà",       # gh only before e, ê, i
    "cêt",       # c never before e, ê, i, y
    "ngiệp",     # ng never before i (ngh)
    "qa",        # q only as qu
    "fêt",       # f is not a Vietnamese letter
    "hoànn",     # impossible coda
    "bcd",       # no vowel
    "thươo",     # no such rhyme
]


@pytest.mark.parametrize("token", VALID)
def test_valid_syllables(token):
    assert is_vietnamese_syllable(token)


@pytest.mark.parametrize("token", INVALID)
def test_invalid_syllables(token):
    assert not is_vietnamese_syllable(token)


REAL_TEXT = """TỈNH ỦY THÁI BÌNH
BAN TUYÊN GIÁO
*
Số 120-KH/BTGTU
ĐẢNG CỘNG SẢN VIỆT NAM
Thái Bình, ngày 10 tháng 9 năm 2021
KẾ HOẠCH
kiểm tra, giám sát đẩy mạnh cải cách hành chính trong các cơ quan đảng năm 2021
Thực hiện Nghị quyết số 43-NQ/TW của Bộ Chính trị, Ban Tuyên giáo Tỉnh ủy Thái Bình
ban hành kế hoạch như sau: a) UBND, HĐND các cấp; b) T/M BAN THƯỜNG VỤ.
"""

GARBAGE = """TỈNH ỦY THẢI BlNH  ĐẢNNG CỘNQ SẢN VlỆT NAM
Thảí Bìmh, ngàỵ 1O thảng 9 nắm 2O21 KỂ HOẠCHH
kíểm tr4, gỉám sảt đầỵ mạnk cảì cách hànk chímh trọng cảc cơ quam đàng
Thựe hiện Nghị quỵết cùả Bộ Chímh trì, Bam Tuỵên gìảo Tỉnk ủỵ Thảí Bình
"""


def test_real_text_scores_high():
    assert vietnamese_quality(REAL_TEXT) > 0.95


def test_ocr_garbage_scores_low():
    assert vietnamese_quality(GARBAGE) < 0.6


def test_numbers_codes_and_abbreviations_are_not_scored():
    assert vietnamese_quality("43-NQ/TW T/M UBND HĐND 2021 12/5/2020 XIII a) b) nghị quyết") == 1.0


def test_nothing_to_score_is_zero():
    assert vietnamese_quality("") == 0.0
    assert vietnamese_quality("2021 — 43-NQ/TW ...") == 0.0


def test_decomposed_input_is_normalised():
    assert is_vietnamese_syllable("nghi\u0323")  # nghị with a combining dot below
