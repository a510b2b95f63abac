"""Extraction rules against misreads Tesseract really made on the dev scans (seal over the
signature, tone marks slipped in the title): each is repaired when the rule is sure, and what is a
guess goes to review."""

from __future__ import annotations

from luutru.catalog.extract import extract_fields
from luutru.catalog.pagelines import parse_text

HEADER = """ĐẢNG BỘ THÀNH PHỐ HẢI PHÒNG
QUẬN ỦY NGÔ QUYỀN
*
Số 1485-CV/QU
ĐẢNG CỘNG SẢN VIỆT NAM
Ngô Quyền, ngày 27 tháng 3 năm 1990
{vv} báo cáo nâng cao chất lượng công tác
tham mưu, phục vụ cấp ủy
Kính gửi: Các ban đảng, đảng đoàn, ban cán sự đảng
Thực hiện Chương trình công tác năm 1990 của Ban Chấp hành Đảng bộ."""

TITLE_PAGE = """ĐẢNG BỘ THÀNH PHỐ HẢI PHÒNG
THÀNH ỦY HẢI PHÒNG
*
Số 64-NQ/TU
ĐẢNG CỘNG SẢN VIỆT NAM
Hải Phòng, ngày 29 tháng 9 năm 1990
NGHỊ QUYẾT
{title}
Thực hiện Chỉ thị của Ban Bí thư, Ban Thường vụ Thành ủy quyết nghị:"""

SIGNED = """1. Các cấp ủy thực hiện nghiêm.
Nơi nhận:
- Các tổ chức cơ sở đảng,
- Lưu Văn phòng Quận ủy.
{block}"""


def _fields(page_1: str, block: str | None = None):
    pages = [parse_text(page_1)]
    if block is not None:
        pages.append(parse_text(SIGNED.format(block=block)))
    return extract_fields(pages)


def test_cong_van_title_after_a_misread_v_v_mark():
    for mark in ("V/v", "VWv", "WVv", "V/%v"):
        fields = _fields(HEADER.format(vv=mark))
        assert fields["loai_van_ban"].value == "Công văn"
        assert fields["trich_yeu"].value == \
            "V/v báo cáo nâng cao chất lượng công tác tham mưu, phục vụ cấp ủy", mark


def test_signer_title_behind_seal_debris_is_read_and_sent_to_review():
    fields = _fields(HEADER.format(vv="V/v"), "T/M BAN THƯỜNG VỤ\n._¬. mm mờ BÍ THƯ\nTrần Văn Hùng")
    assert fields["chuc_vu_nguoi_ky"].value == "BÍ THƯ" and fields["chuc_vu_nguoi_ky"].review
    fields = _fields(HEADER.format(vv="V/v"), "T/M BAN THƯỜNG VỤ\nRƯỚNG BAN\nTrần Văn Hùng")
    assert fields["chuc_vu_nguoi_ky"].value == "TRƯỞNG BAN" and fields["chuc_vu_nguoi_ky"].review


def test_a_deputy_signing_k_t_holds_the_deputy_title():
    # the authority line read with its title glued on and specks between the words; the title
    # line itself lost under the seal
    fields = _fields(HEADER.format(vv="V/v"), "K/LC 5 HÁNH VĂN Ặ PHÒNG Ề\nNguyễn Tiến Chiến")
    assert fields["the_thuc_ky"].value == ["K/T CHÁNH VĂN PHÒNG"] and fields["the_thuc_ky"].review
    assert fields["chuc_vu_nguoi_ky"].value == "PHÓ CHÁNH VĂN PHÒNG"
    assert fields["chuc_vu_nguoi_ky"].review          # the authority line itself was a guess
    fields = _fields(HEADER.format(vv="V/v"), "K/T CHÁNH VĂN PHÒNG\nNguyễn Tiến Chiến")
    assert fields["chuc_vu_nguoi_ky"].value == "PHÓ CHÁNH VĂN PHÒNG"
    assert not fields["chuc_vu_nguoi_ky"].review      # read cleanly: the rule names the title


def test_family_names_misread_by_case_tone_or_one_letter():
    cases = {"NGỘ) DƯống Duy Phúc": ("Dương Duy Phúc", False),
             "“Trình Minh Khánh": ("Trịnh Minh Khánh", False),
             "—= Kguyễn Tiến Chiến": ("Nguyễn Tiến Chiến", True)}
    for line, (name, guessed) in cases.items():
        fields = _fields(HEADER.format(vv="V/v"), f"T/M BAN THƯỜNG VỤ\nBÍ THƯ\n{line}")
        assert fields["nguoi_ky"].value == name
        assert fields["nguoi_ky"].review == guessed, line


def test_title_phrases_with_a_slipped_tone_mark():
    fields = _fields(TITLE_PAGE.format(title="về đấy mạnh sản xuất, thực hiện đường lối đối mới"))
    assert fields["trich_yeu"].value == "về đẩy mạnh sản xuất, thực hiện đường lối đổi mới"
    assert not fields["trich_yeu"].review
    fields = _fields(TITLE_PAGE.format(title="về bảo đảm an ninh Vương thực"))
    assert fields["trich_yeu"].value == "về bảo đảm an ninh Vương thực"   # not guessed …
    assert fields["trich_yeu"].review                                    # … but looked at


def test_a_year_the_title_cannot_speak_of_goes_to_review():
    fields = _fields(TITLE_PAGE.format(title="sơ kết công tác 6 tháng đầu nặm 1990"))
    assert fields["trich_yeu"].value == "sơ kết công tác 6 tháng đầu năm 1990"
    assert not fields["trich_yeu"].review
    fields = _fields(TITLE_PAGE.format(title="sơ kết công tác 6 tháng đầu năm 1999"))
    assert fields["trich_yeu"].review


def test_specks_inside_the_organ_name():
    page = HEADER.format(vv="V/v").replace("QUẬN ỦY NGÔ QUYỀN", "QUẬN ỦY NGÔ.QUYỀN")
    fields = _fields(page)
    assert fields["co_quan_ban_hanh"].value == "Quận ủy Ngô Quyền" and fields["co_quan_ban_hanh"].review


def test_recipients_with_a_misread_dash_or_a_garbled_end():
    block = "T/M BAN THƯỜNG VỤ\nBÍ THƯ\nTrần Văn Hùng"
    page = SIGNED.format(block=block).replace(
        "- Các tổ chức cơ sở đảng,",
        "¬ Thường trực Thành ủy (để b/c),\n- Các huyện ủy, thành ủy, đảng ủy trựợ.")
    fields = extract_fields([parse_text(HEADER.format(vv="V/v")), parse_text(page)])
    assert fields["noi_nhan"].value == ["Thường trực Thành ủy (để b/c)",
                                        "Các huyện ủy, thành ủy, đảng ủy trực thuộc",
                                        "Lưu Văn phòng Quận ủy"]
    assert fields["noi_nhan"].review            # the garbled line's reading is a guess


def test_a_cited_number_that_cannot_be_read_makes_the_list_unsure():
    body = "\\nĐã ban hành Chương trình hành động số 91-CTr/TÚ ngày 19-12-2020 và số 08-CTr/TU."
    fields = _fields(TITLE_PAGE.format(title="về đẩy mạnh sản xuất") + body.replace("\\n", "\n"))
    assert fields["so_ky_hieu_trich_dan"].value == ["08-CTr/TU"]
    assert fields["so_ky_hieu_trich_dan"].review
    fields = _fields(TITLE_PAGE.format(title="về đẩy mạnh sản xuất") +
                     "\nĐã ban hành Chương trình hành động số 08-CTr/TU.")
    assert fields["so_ky_hieu_trich_dan"].value == ["08-CTr/TU"]
    assert not fields["so_ky_hieu_trich_dan"].review


def test_pho_under_a_stroke_and_a_family_name_glued_to_debris():
    for line in ("“S7 ĐHÓ BÍ THƯ", "_PỊ Ó BÍ THƯ"):
        fields = _fields(HEADER.format(vv="V/v"), f"T/M BAN THƯỜNG VỤ\n{line}\nTrần Văn Hùng")
        assert fields["chuc_vu_nguoi_ky"].value == "PHÓ BÍ THƯ" and fields["chuc_vu_nguoi_ky"].review
    fields = _fields(HEADER.format(vv="V/v"), "T/M BAN THƯỜNG VỤ\n._¬. mm mờ BÍ THƯ\nTrần Văn Hùng")
    assert fields["chuc_vu_nguoi_ky"].value == "BÍ THƯ"       # lower-case debris is not PHÓ
    fields = _fields(HEADER.format(vv="V/v"), "T/M BAN THƯỜNG VỤ\nPHÓ BÍ THƯ\n.„šsNguyễn Thế Hòa")
    assert fields["nguoi_ky"].value == "Nguyễn Thế Hòa"


def test_place_names_spelled_as_the_gazetteer():
    page = HEADER.format(vv="V/v").replace("ĐẢNG BỘ THÀNH PHỐ HẢI PHÒNG", "ĐẢNG BỘ TỈNH THÁI BÌNH") \
        .replace("QUẬN ỦY NGÔ QUYỀN", "HUYỆN ỦY TIỀN HÁI").replace("Ngô Quyền, ngày", "Tiền Hỏi, ngày")
    fields = _fields(page)
    assert fields["co_quan_ban_hanh"].value == "Huyện ủy Tiền Hải"
    assert fields["dia_danh"].value == "Tiền Hải" and fields["dia_danh"].review
    fields = _fields(HEADER.format(vv="V/v").replace("Ngô Quyền, ngày", "Ngo Quyền, ngày"))
    assert fields["dia_danh"].value == "Ngô Quyền"


def test_a_committee_signature_with_a_garbled_title_ending_in_thu():
    fields = _fields(HEADER.format(vv="V/v"), "T/M QUẬN ỦY\n“Zo Si THƯ\n¿Lươ@ Quốc Lộc")
    assert fields["chuc_vu_nguoi_ky"].value == "BÍ THƯ" and fields["chuc_vu_nguoi_ky"].review
    assert fields["nguoi_ky"].review


def test_a_secrecy_stamp_read_one_letter_wrong_is_kept_for_review():
    page = TITLE_PAGE.format(title="về đẩy mạnh sản xuất").replace("Số 64-NQ/TU", "Số 64-NQ/TU\nMẠIT")
    fields = _fields(page)
    assert fields["do_mat"].value == "Mật" and fields["do_mat"].review
    assert fields["loai_van_ban"].value == "Nghị quyết"
    assert _fields(TITLE_PAGE.format(title="về đẩy mạnh sản xuất"))["do_mat"].value is None
