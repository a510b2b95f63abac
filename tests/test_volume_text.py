"""The document body as a volume prints it: paragraphs rebuilt from printed lines, hyphens undone only
where Vietnamese allows, headings and list items kept apart, unreadable OCR marked for the editor."""

from pathlib import Path

import pytest

from luutru import pagetext
from luutru.volume.text import (UNREADABLE_MARK, Line, body_lines, is_unreadable, join_lines,
                                lines_with_geometry, read_page_lines, rebuild_paragraphs)


def lines(*texts: str, sheet: int = 1) -> list[Line]:
    return [Line(text, sheet) for text in texts]


def texts(paragraphs) -> list[str]:
    return [p.text for p in paragraphs]


# --- joining lines ----------------------------------------------------------------------------

@pytest.mark.parametrize("left, right, joined", [
    ("công tác tuyên truyền, vận động đoàn", "viên, hội viên", "công tác tuyên truyền, vận động đoàn viên, hội viên"),
    ("phát triển doanh ng-", "hiệp trên địa bàn", "phát triển doanh nghiệp trên địa bàn"),   # one syllable cut
    ("xây dựng kinh-", "tế địa phương", "xây dựng kinh-tế địa phương"),   # two syllables: old spelling kept
    ("các đoàn thể chính trị -", "xã hội", "các đoàn thể chính trị - xã hội"),          # a dash, not a hyphen
    ("theo Nghị quyết số 19-", "NQ/TW", "theo Nghị quyết số 19-NQ/TW"),                 # a number cut
    ("Trần Văn Tuấn-", "xyz", "Trần Văn Tuấn-xyz"),                                     # no syllable: kept
])
def test_join_lines(left, right, joined):
    assert join_lines(left, right) == joined


# --- paragraphs without geometry (text.txt only) ----------------------------------------------

def test_lines_of_a_paragraph_are_joined_and_sentences_start_paragraphs():
    paras = rebuild_paragraphs(lines(
        "Thực hiện Nghị quyết Đại hội đại biểu toàn quốc lần thứ XII của Đảng, Ban",
        "Thường vụ Tỉnh ủy ban hành kế hoạch như sau:",
        "Các cấp ủy, tổ chức đảng nghiêm túc triển khai",
        "thực hiện.",
    ))
    assert texts(paras) == [
        "Thực hiện Nghị quyết Đại hội đại biểu toàn quốc lần thứ XII của Đảng, Ban Thường vụ Tỉnh ủy "
        "ban hành kế hoạch như sau:",
        "Các cấp ủy, tổ chức đảng nghiêm túc triển khai thực hiện.",
    ]


def test_headings_and_list_items_are_their_own_paragraphs():
    paras = rebuild_paragraphs(lines(
        "I. MỤC ĐÍCH, YÊU CẦU",
        "1. Tăng cường công tác kiểm tra, giám sát việc thực hiện; kịp thời biểu",
        "dương những tập thể có thành tích xuất sắc.",
        "a) Các huyện ủy báo cáo kết quả;",
        "- Lưu ý các đoàn thể chính trị",
        "- xã hội tham gia,",
        "II. TỔ CHỨC THỰC HIỆN",
        "Văn phòng Tỉnh ủy theo dõi.",
    ))
    assert texts(paras) == [
        "I. MỤC ĐÍCH, YÊU CẦU",
        "1. Tăng cường công tác kiểm tra, giám sát việc thực hiện; kịp thời biểu dương những tập thể "
        "có thành tích xuất sắc.",
        "a) Các huyện ủy báo cáo kết quả;",
        "- Lưu ý các đoàn thể chính trị - xã hội tham gia,",   # "- xã hội" continues: no clause ended
        "II. TỔ CHỨC THỰC HIỆN",
        "Văn phòng Tỉnh ủy theo dõi.",
    ]
    assert [p.kind for p in paras] == ["heading", "para", "para", "para", "heading", "para"]


def test_a_wrapped_heading_is_one_heading():
    paras = rebuild_paragraphs(lines("II. HẠN CHẾ, KHUYẾT ĐIỂM", "VÀ NGUYÊN NHÂN", "Một số cấp ủy chưa quan tâm."))
    from luutru.volume.text import _heading_runs
    assert texts(_heading_runs(paras)) == ["II. HẠN CHẾ, KHUYẾT ĐIỂM VÀ NGUYÊN NHÂN",
                                           "Một số cấp ủy chưa quan tâm."]


# --- unreadable passages ----------------------------------------------------------------------

def test_garbage_lines_become_one_marker_naming_the_sheet():
    body = lines("Tăng cường công tác kiểm tra, giám sát việc", sheet=2) + [
        Line("ngnrh tthw ccgk ñqrx lllm vvx", 2),
        Line("xqzt ckhh wwn bbr", 2),
        Line("thực hiện ở các tổ chức đảng.", 2),
    ]
    paras = rebuild_paragraphs(body)
    marker = UNREADABLE_MARK.format(sheet=2)
    assert texts(paras) == [f"Tăng cường công tác kiểm tra, giám sát việc {marker} thực hiện ở các tổ chức đảng."]
    assert [kind for _, kind in paras[0].runs] == ["", "unreadable", ""]


def test_unreadable_by_syllables_and_by_confidence():
    assert is_unreadable("ngnrh tthw ccgk ñqrx")
    assert not is_unreadable("Văn phòng Tỉnh ủy theo dõi, đôn đốc, tổng hợp tình hình")
    assert not is_unreadable("Văn phòng Tỉnh ủy theo dõi", conf=90.0)
    # Mostly syllables, but Tesseract was unsure of the words and some are impossible: mark it.
    assert is_unreadable("Tu Tư Ầ ÌNI N SN", conf=12.0)
    assert not is_unreadable("Tu Tư Ầ ÌNI N SN", conf=95.0)
    assert not is_unreadable("1.000.000 đồng 2019", conf=95.0)
    # Read with almost no confidence: garbage even when the letters spell syllables (seen on t2
    # and t3 dev pages), while a real name read at 49 is kept.
    assert is_unreadable("ộ ẦN", conf=2.0) and is_unreadable("si lANG", conf=37.0)
    assert not is_unreadable("Lê Đức Nghĩa", conf=49.25)


def _lines(rows: list[tuple[str, int, int, int]]) -> bytes:
    """A page's lines.json: each row is (text, left x, top y, confidence of every word)."""
    lines = []
    for text, x, y, conf in rows:
        words, cursor = [], x
        for word in text.split():
            width = 28 * len(word)
            words.append(pagetext.Word(word, (cursor, y, cursor + width, y + 50), conf))
            cursor += width + 20
        lines.append(pagetext.Line(tuple(words)))
    return pagetext.encode(pagetext.PageText(lines, (2480, 3508)))


def _page(tmp_path: Path, rows) -> Path:
    page = tmp_path / "0001"
    page.mkdir()
    (page / "text.txt").write_text("\n".join(r[0] for r in rows) + "\n", encoding="utf-8")
    (page / "lines.json").write_bytes(_lines(rows))
    return page


def test_indents_start_paragraphs_and_low_confidence_marks_lines(tmp_path):
    rows = [
        ("Thực hiện kế hoạch của Ban Thường vụ Tỉnh ủy về công tác", 480, 400, 95),
        ("thi đua khen thưởng năm nay", 340, 460, 95),                # paragraph ends without a stop
        ("Huy động sự tham gia của Mặt trận Tổ quốc và các", 480, 520, 93),   # indented: new paragraph
        ("đoàn thể chính trị xã hội cùng nhân dân", 340, 580, 93),
        ("Tu Tư Ầ ÌNI N SN", 340, 640, 11),                              # a seal over the text
        ("trong toàn tỉnh năm nay", 340, 700, 94),
    ]
    page = read_page_lines(_page(tmp_path, rows), sheet=3)
    assert [line.indented for line in page] == [True, False, True, False, False, False]
    assert page[4].conf == pytest.approx(11)
    paras = rebuild_paragraphs(page)
    assert texts(paras) == [
        "Thực hiện kế hoạch của Ban Thường vụ Tỉnh ủy về công tác thi đua khen thưởng năm nay",
        "Huy động sự tham gia của Mặt trận Tổ quốc và các đoàn thể chính trị xã hội cùng nhân dân "
        + UNREADABLE_MARK.format(sheet=3) + " trong toàn tỉnh năm nay",
    ]


def test_an_editors_text_keeps_the_boxes_of_the_lines_it_kept(tmp_path):
    rows = [("Thực hiện kế hoạch của Ban", 480, 400, 95), ("thi đua khen thưởng", 340, 460, 60),
            ("Huy động sự tham gia", 480, 520, 93)]
    page = _page(tmp_path, rows)
    # punctuation added, a blank line and a line inserted: the OCR's lines keep their boxes
    lines = lines_with_geometry("Thực hiện kế hoạch của Ban\n\nthi đua, khen thưởng\n"
                                "một dòng thêm\nHuy động sự tham gia", page)
    assert [line.box[:2] if line.box else None for line in lines] == [
        (480, 400), None, (340, 460), None, (480, 520)]
    assert lines[2].word_confs == [60.0] * 4 and lines[2].word_boxes[0] == (340, 460, 424, 510)
    # a line rewritten in place keeps its line's box; its words, now six, have none of their own
    lines = lines_with_geometry("Thực hiện kế hoạch của Ban\nthi đua khen thưởng năm nay\n"
                                "Huy động sự tham gia", page)
    assert lines[1].box[:2] == (340, 460) and lines[1].conf == 60.0 and lines[1].word_boxes is None


# --- where the body lies ----------------------------------------------------------------------

ITEM = {"loai_van_ban": "Nghị quyết", "trich_yeu": "về tăng cường công tác kiểm tra, giám sát của cấp ủy"}


def test_body_cut_between_trich_yeu_and_noi_nhan_and_page_numbers_dropped():
    page1 = lines("TỈNH ỦY THÁI BÌNH", "*", "Số 13-NQ/TU", "ĐẢNG CỘNG SẢN VIỆT NAM",
                  "Thái Bình, ngày 10 tháng 5 năm 2019", "NGHỊ QUYẾT",
                  "về tăng cường công tác kiểm tra, giám sát", "của cấp ủy",
                  "Ban Thường vụ Tỉnh ủy ban hành nghị quyết", "như sau:", sheet=1)
    page2 = lines("2", "1. Các cấp ủy nghiêm túc thực hiện.", "Nơi nhận:", "- Lưu Văn phòng.",
                  "T/M BAN THƯỜNG VỤ", "BÍ THƯ", sheet=2)
    body, found = body_lines(page1 + page2, ITEM)
    assert found
    assert [line.text for line in body] == ["Ban Thường vụ Tỉnh ủy ban hành nghị quyết", "như sau:",
                                            "1. Các cấp ủy nghiêm túc thực hiện."]


def test_cong_van_body_starts_after_kinh_gui_and_falls_back_to_whole_text():
    cong_van = lines("HUYỆN ỦY THỦY NGUYÊN", "Số 646-CV/HU", "V/v triển khai công tác",
                     "Thủy Nguyên, ngày 24 tháng 12 năm 2007", "Kính gửi: Các ban đảng",
                     "Thực hiện Nghị quyết, Ban Thường vụ đề nghị:", "T/M BAN THƯỜNG VỤ")
    body, found = body_lines(cong_van, {"loai_van_ban": "Công văn", "trich_yeu": "V/v triển khai công tác"})
    assert found and [line.text for line in body] == ["Thực hiện Nghị quyết, Ban Thường vụ đề nghị:"]
    odd = lines("Một trang không có tiêu đề", "và không có ngày tháng.")
    body, found = body_lines(odd, ITEM)
    assert not found and [line.text for line in body] == ["Một trang không có tiêu đề", "và không có ngày tháng."]


def test_list_number_read_as_its_own_line_is_put_back():
    body, _ = body_lines(lines("Thái Bình, ngày 1 tháng 2 năm 1991", "1", "Văn phòng theo dõi.", "2",
                               "Ban Tuyên giáo chủ trì."), ITEM)
    assert texts(rebuild_paragraphs(body)) == ["1 Văn phòng theo dõi.", "2 Ban Tuyên giáo chủ trì."]


def test_without_catalogue_type_the_title_after_the_date_is_still_cut():
    page = lines("THÀNH ỦY.", "Số 76-KL/TÏU", "Hải Phòng, ngày 27 tháng 11 năm. 1983", "KẾT LUẬN",
                 "của Ban Thường vụ Thành ủy về công tác thi đua, khen", "; thưởng",
                 "Thực hiện Chỉ thị số 19-CT/TW, Ban Thường vụ ban hành kết luận:")
    body, found = body_lines(page, {"loai_van_ban": None, "trich_yeu": None})
    assert found and [line.text for line in body] == ["Thực hiện Chỉ thị số 19-CT/TW, Ban Thường vụ ban hành kết luận:"]


def test_a_page_without_ocr_text_is_marked_not_skipped(demo_archive_copy):
    from luutru.archive import PageRef
    from luutru.catalog.build import iter_items
    from luutru.volume.text import document_text

    item = next(i for i in iter_items(demo_archive_copy) if i["so_ky_hieu"] == "13-NQ/TU")
    assert len(item["pages"]) == 2
    whole = document_text(demo_archive_copy, item)
    assert whole.unreadable == 0 and whole.body_found
    for name in ("text.txt", "lines.json"):      # the OCR's text of the second page is lost
        (demo_archive_copy.page_dir(PageRef.parse(item["pages"][1])) / name).unlink()
    cut = document_text(demo_archive_copy, item)
    assert cut.missing_sheets == [2] and cut.unreadable == 1
    assert cut.paragraphs[-1].text == UNREADABLE_MARK.format(sheet=2)
    assert len(cut.paragraphs) < len(whole.paragraphs)
