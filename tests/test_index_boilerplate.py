"""Boilerplate lines: the stock lines of Party documents and the lines a fonds repeats."""

from __future__ import annotations

import pytest

from luutru.index.boilerplate import content_lines, is_known, line_key, mark_boilerplate
from luutru.index.model import Unit, UnitPage
from luutru.index.organs import normalise_organ


@pytest.mark.parametrize("line", ["ĐẢNG CỘNG SẢN VIỆT NAM", "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM",
                                  "Độc lập - Tự do - Hạnh phúc", "Nơi nhận:",
                                  "Kính gửi: Ban Tuyên giáo",
                                  "T/M BAN THƯỜNG VỤ", "K/T BÍ THƯ", "*",
                                  "Hải Phòng, ngày 27 tháng 3 năm 2021", "- Lưu VP.",
                                  "ĐẢNG CỘNG SÁN VIỆT NAM"])  # a mark misread: still the motto
def test_stock_lines_are_known(line):
    assert is_known(line_key(line))


@pytest.mark.parametrize("line", ["Thực hiện Nghị quyết số 43-NQ/TW", "Đảng bộ tỉnh họp",
                                  "công tác dân vận"])
def test_document_lines_are_not(line):
    assert not is_known(line_key(line))


def _unit(n: int, fonds: str, body: str) -> Unit:
    text = f"TỈNH ỦY THÁI BÌNH\nBAN TUYÊN GIÁO\nSố {n}-KH/BTGTU\nKẾ HOẠCH\n{body}\n" \
           "Nơi nhận:\n- Các tổ chức cơ sở đảng,\n- Lưu VP."
    return Unit(f"u{n}", None, [UnitPage(f"p{n}:1", "x.pdf", 1, 1, text)], 0, fonds, "HS")


def test_lines_a_fonds_repeats_are_learned_and_kept_for_later(tmp_path):
    repeated = "Quán triệt sâu rộng đến toàn thể cán bộ, đảng viên."  # a body sentence
    words = "an bình cam dâu em giang hà khánh lâm minh".split()
    own_lines = lambda n: "\n".join(f"Nội dung {words[n]} đoạn {k}" for k in "abcde")
    units = [_unit(n, "PHONG-41", f"{own_lines(n)}\n{repeated}") for n in range(10)]
    units.append(_unit(99, "PHONG-17", "Một văn bản của phông khác."))
    store = tmp_path / "boilerplate.json"
    marked = list(mark_boilerplate(units, store=store))
    lines = marked[0].pages[0].text.split("\n")
    boiler = {lines[i] for i in marked[0].pages[0].boiler}
    assert {"TỈNH ỦY THÁI BÌNH", "BAN TUYÊN GIÁO", "Số 0-KH/BTGTU", "KẾ HOẠCH", "Nơi nhận:",
            "- Các tổ chức cơ sở đảng,", "- Lưu VP."} == boiler
    own, rest = content_lines(marked[0].pages[0].text, marked[0].pages[0].boiler)
    assert own == f"{own_lines(0)}\n{repeated}" and "BAN TUYÊN GIÁO" in rest
    lone = marked[-1].pages[0]  # one unit of its fonds: only the stock lines
    assert [lone.text.split("\n")[i] for i in lone.boiler] == ["Nơi nhận:", "- Lưu VP."]
    # indexed again alone (a correction saved in the reading room): the same lines
    again = list(mark_boilerplate([_unit(3, "PHONG-41", "Khác.")], store=store, learning=False))
    assert len(again[0].pages[0].boiler) == 7
    assert mark_boilerplate(marked_iter := mark_boilerplate(units)) is marked_iter


@pytest.mark.parametrize("value, shown, sure", [
    ("Văn phòng Thành ủy Hải. Phòng", "Văn phòng Thành ủy Hải Phòng", True),
    ("Tỉnh ủy Thái Bình", "Tỉnh ủy Thái Bình", True),
    ("Ban Tuyên giáo Tỉnh ủy Thái Binh", "Ban Tuyên giáo Tỉnh ủy Thái Bình", True),
    ("Ban Tuyen giao Tinh uy Thai Bnh Quynh", "Ban Tuyen giao Tinh uy Thai Bnh Quynh", False),
    ("Ban Chấp hành Trung ương", "Ban Chấp hành Trung ương", None),
])
def test_organs_fold_into_the_nearest_known_one_or_are_flagged(value, shown, sure):
    assert normalise_organ(value) == (shown, sure)
