"""Extraction from plain page text (``text.txt`` without hOCR): the rules that do not need geometry."""

from __future__ import annotations

from luutru.catalog.extract import extract_fields
from luutru.catalog.pagelines import parse_text

PAGE_1 = """CÔNG VĂN ĐẾN
Số: 2352
Ngày: 21/02/2025
ĐẢNG BỘ TỈNH THÁI BÌNH
HUYỆN ỦY KIẾN XƯƠNG
*
Số 163-QĐi/HU
MẬT
ĐẢNG CỘNG SẢN VIỆT NAM
Kiến Xương, ngày 19 tháng 01 năm 1997
QUY ĐỊNH
về công tác dân vận của hệ thống chính trị
Thực hiện Chỉ thị số 37-CT/TW ngày 22-9-1996 của Ban Bí thư, Ban
Thường vụ Huyện ủy quy định như sau:"""

PAGE_2 = """2
1. Các cấp ủy thực hiện nghiêm Nghị quyết số 05-NQ/TW.
Nơi nhận:
- Các tổ chức cơ sở đảng,
- Lưu Văn phòng Huyện ủy.
T/M BAN THƯỜNG VỤ
BÍ THƯ
Dương Thị Hồng Tâm"""


def test_fields_from_text_only():
    fields = extract_fields([parse_text(PAGE_1), parse_text(PAGE_2)])
    value = {name: f.value for name, f in fields.items()}
    assert value["so_ky_hieu"] == "163-QĐi/HU"              # not the stamp's 2352
    assert value["ngay_ban_hanh"] == "1997-01-19"            # not the stamp's date
    assert value["loai_van_ban"] == "Quy định"
    assert value["co_quan_ban_hanh"] == "Huyện ủy Kiến Xương"
    assert value["dia_danh"] == "Kiến Xương"
    assert value["do_mat"] == "Mật" and value["do_khan"] is None
    assert value["trich_yeu"] == "về công tác dân vận của hệ thống chính trị"
    assert value["noi_nhan"] == ["Các tổ chức cơ sở đảng", "Lưu Văn phòng Huyện ủy"]
    assert value["the_thuc_ky"] == ["T/M BAN THƯỜNG VỤ"]
    assert value["chuc_vu_nguoi_ky"] == "BÍ THƯ" and value["nguoi_ky"] == "Dương Thị Hồng Tâm"
    assert value["so_ky_hieu_trich_dan"] == ["37-CT/TW", "05-NQ/TW"]
    assert not any(f.review for f in fields.values())


def test_unknown_type_is_kept_for_review_and_missing_fields_are_flagged():
    text = PAGE_1.replace("QUY ĐỊNH", "ĐỀ CƯƠNG")
    fields = extract_fields([parse_text(text)])
    assert fields["loai_van_ban"].value == "Đề cương" and fields["loai_van_ban"].review
    assert fields["nguoi_ky"].value is None and fields["nguoi_ky"].review
    assert fields["noi_nhan"].review
