"""Where documents start: a new scanned file is a new document unless its page shows otherwise.

The pages are OCR text laid out as Tesseract reads real scans (a state body's header with the
number and day written in by hand, so OCR loses them); rendered end to end in
test_catalog_pipeline.py.
"""

from __future__ import annotations

from luutru.catalog.boundaries import continues_previous, first_page_score, starts_document
from luutru.catalog.pagelines import parse_text

STATE_FIRST_PAGE = """ỦY BAN NHÂN DẪN CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM
TỈNH QUẢNG NGÃI Độc lập - Tự do - Hạnh phúc
Số:0O4 /TTr-UBND
Quảng Ngãi, ngày tháng 01 năm 2025
TỜ TRÌNH
Về việc miễn nhiệm chức danh Ủy viên
Kính gửi: Hội đồng nhân dân tỉnh
Căn cứ Luật Tổ chức chính quyền địa phương ngày 19/6/2015;"""

# A sheet with no header at all (an annex, a table, a letter without the form).
PLAIN_SHEET = """Danh sách các đơn vị tham dự
Sở Tài chính, Sở Xây dựng, Sở Kế hoạch và Đầu tư.
Ban Quản lý Khu kinh tế Dung Quất."""

PAGE_ONE_ENDS_OPEN = """ĐẢNG BỘ TỈNH THÁI BÌNH ĐẢNG CỘNG SẢN VIỆT NAM
Số 12-NQ/TU Thái Bình, ngày 5 tháng 3 năm 2019
NGHỊ QUYẾT
về công tác cán bộ
Ban Thường vụ Tỉnh ủy giao các cấp ủy, tổ chức đảng và các cơ quan"""

RUNS_ON = """có liên quan tổ chức thực hiện nghị quyết này.
Nơi nhận:
- Lưu Văn phòng Tỉnh ủy."""

LATER_PAGE = """2
hướng dẫn các đơn vị thực hiện."""

DRAFT = """HỘI ĐỒNG NHÂN DÂN CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM
TỈNH QUẢNG NGÃI Độc lập - Tự do - Hạnh phúc
Số: /NQ-HĐND Quảng Ngãi, ngày tháng năm 2025
DỰ THẢO
NGHỊ QUYẾT"""


def test_a_new_file_with_a_state_header_is_a_new_document():
    page, previous = parse_text(STATE_FIRST_PAGE), parse_text(RUNS_ON)
    assert first_page_score(page) >= 2.0           # the national motto counts as the Party's name
    assert starts_document(page, previous, new_file=True)


def test_a_new_file_without_a_header_is_still_a_new_document():
    page, previous = parse_text(PLAIN_SHEET), parse_text(PAGE_ONE_ENDS_OPEN)
    assert first_page_score(page) < 2.0
    assert not continues_previous(page, previous)  # no page number, no sentence running on
    assert starts_document(page, previous, new_file=True)


def test_a_new_file_continues_on_positive_evidence_only():
    first = parse_text(PAGE_ONE_ENDS_OPEN)
    # the sentence runs on from the previous file's last page
    assert not starts_document(parse_text(RUNS_ON), first, new_file=True)
    # a printed page number above 1 at the top
    assert not starts_document(parse_text(LATER_PAGE), first, new_file=True)
    # page number 1 is a first page
    assert starts_document(parse_text("1\n" + PLAIN_SHEET), first, new_file=True)
    # after a page that closed its document ("Nơi nhận"), nothing runs on
    assert starts_document(parse_text("các đơn vị thực hiện."), parse_text(RUNS_ON), new_file=True)


def test_inside_a_file_a_header_starts_a_document_and_a_draft_does_not():
    previous = parse_text(RUNS_ON)
    assert starts_document(parse_text(STATE_FIRST_PAGE), previous, new_file=False)
    assert not starts_document(parse_text(PLAIN_SHEET), previous, new_file=False)
    assert not starts_document(parse_text(DRAFT), previous, new_file=False)   # the tờ trình's annex
