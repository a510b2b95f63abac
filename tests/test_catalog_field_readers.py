"""Each field reader's rules, one table per reader, on misreads Tesseract made on the dev scans
(the whole-document cases are in test_catalog_extract_rules.py)."""

from __future__ import annotations

import pytest

from luutru.catalog import citations, header, recipients, signature
from luutru.catalog.pagelines import parse_text

# signature: authority lines, OCR debris in the short prefix tolerated
AUTHORITY = [
    ("_.Tï/M BAN THƯỜNG VỤ", ("T/M", "BAN THƯỜNG VỤ")),
    ("K/T BÍ THƯ", ("K/T", "BÍ THƯ")),
    ("T.L BAN THƯỜNG VỤ", ("T/L", "BAN THƯỜNG VỤ")),
    ("T/UQ CHỦ TỊCH", ("T/UQ", "CHỦ TỊCH")),
    ("BÍ THƯ", None),
    ("Nguyễn Văn A", None),
]
# signature: titles snapped to the known ones (value, known); a cut-off start is never repaired
TITLES = [
    ("BÍ THỰ", ("BÍ THƯ", True)),
    ("BÍTHƯ", ("BÍ THƯ", True)),
    ("PHÓ BÍ THƯ", ("PHÓ BÍ THƯ", True)),
    ("HN PHÓ BÍ THƯ", ("PHÓ BÍ THƯ", False)),
    ("HÁNH VĂN PHÒNG", ("HÁNH VĂN PHÒNG", False)),
]
# signature: family names (text, guessed)
FAMILY_NAMES = [
    ("Trình Văn A", ("Trịnh Văn A", False)),
    ("DƯống Thị C", ("Dương Thị C", False)),
    ("Kguyễn Văn B", ("Nguyễn Văn B", True)),
]
# recipients: stock recipients (value, sure)
STOCK = [
    ("Lưu Văn phòng Quận ủy", ("Lưu Văn phòng Quận ủy", True)),
    ("Ban Thường vụ Tỉnh ủy (để b/c)", ("Ban Thường vụ Tỉnh ủy (để b/c)", True)),
    ("Các đảng ủy trựợ", None),
]
# header: a stamp read one letter wrong (kept for review); an exact one is mark_of's
NEAR_MARKS = [
    ("MẠIT", ("do_mat", "Mật")),
    ("MẬT", None),
    ("TRÍCH YẾU", None),
]


TABLES = [(signature._authority, AUTHORITY), (signature._snap_title, TITLES),
          (signature._fix_family_name, FAMILY_NAMES), (recipients._stock_recipient, STOCK),
          (header._near_mark, NEAR_MARKS)]


@pytest.mark.parametrize("rule, text, expected", [
    pytest.param(rule, text, expected, id=f"{rule.__name__}-{text}")
    for rule, table in TABLES for text, expected in table])
def test_each_reader_rule_table(rule, text, expected):
    assert rule(text) == expected


def test_citations_leave_out_the_documents_own_number():
    page = parse_text("Số 64-NQ/TU\nThực hiện Chỉ thị số 12-CT/TW và Nghị quyết số 05-NQ/TU.")
    found = citations.read_citations([page], "64-NQ/TU")
    assert (found.value, found.pages, found.review) == (["12-CT/TW", "05-NQ/TU"], [1], False)
