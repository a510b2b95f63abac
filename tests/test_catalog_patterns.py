"""Canonical numbers, dates, types and marks (the string rules; OCR'd pages are tested elsewhere)."""

from __future__ import annotations

import pytest

from luutru.catalog.patterns import (canonical_so_ky_hieu, find_so_ky_hieu, mark_of, match_doc_type,
                                     parse_date, type_of_number)


@pytest.mark.parametrize("text, expected", [
    ("Số 08-CTr/TU", "08-CTr/TU"),
    ("Số: 43 - NQ/TW", "43-NQ/TW"),           # OCR spaces around the hyphen
    ("Số 163—QĐi/HU", "163-QĐi/HU"),          # long dash
    ("Số 163-QDi/HU", "163-QĐi/HU"),          # Đ read as D
    ("Số: 07/CT-UBND", "07/CT-UBND"),         # state documents: slash first
    ("Số 120-KH/BTGTU", "120-KH/BTGTU"),
])
def test_numbers_are_recognised_and_canonicalised(text, expected):
    assert canonical_so_ky_hieu(text) == expected


def test_a_bare_registration_number_is_not_a_document_number():
    assert canonical_so_ky_hieu("Số: 2352") is None
    assert canonical_so_ky_hieu("Ngày: 21/02/2025") is None


def test_citations_in_order():
    body = ("Thực hiện Nghị quyết số 05-NQ/TW ngày 29-4-2012 của Bộ Chính trị và Chỉ thị "
            "số 25-CT/TW ngày 11-1-1996, Quyết định số 12/QĐ-UBND")
    assert find_so_ky_hieu(body) == ["05-NQ/TW", "25-CT/TW", "12/QĐ-UBND"]


@pytest.mark.parametrize("text, expected", [
    ("Thái Bình, ngày 26 tháng 12 năm 2012", "2012-12-26"),
    ("Hải Phòng, ngày 05 tháng 3 năm 2008", "2008-03-05"),
    ("ngày 29-4-2012 của Bộ Chính trị", "2012-04-29"),
    ("Ngay 5 thang 11 nam 2021", "2021-11-05"),
    ("ngày 31 tháng 2 năm 2012", None),       # no such day: not a date, not a guess
])
def test_dates_become_iso(text, expected):
    assert parse_date(text) == expected


def test_types_and_marks():
    assert match_doc_type("CHƯƠNG TRÌNH HÀNH ĐỘNG") == "Chương trình hành động"
    assert match_doc_type("QUY ĐỊNH") == "Quy định"
    assert match_doc_type("về công tác dân vận") is None
    assert type_of_number("43-NQ/TW") == "Nghị quyết"
    assert type_of_number("163-QĐi/HU") == "Quy định"
    assert mark_of("TỐI MẬT") == ("do_mat", "Tối mật")
    assert mark_of("MẶT") == ("do_mat", "Mật")         # OCR confuses the marks; fold() does not
    assert mark_of("HỎA TỐC") == ("do_khan", "Hỏa tốc")
    assert mark_of("BÁO CÁO") is None
