"""Honest marking of machine-read words (luutru.volume.marking): what is printed as doubtful,
"[chỉ?] bộ", and what the well-read text of the volume confirms."""

from luutru.volume import marking
from luutru.volume.text import Line, is_marked


def doubts(text: str, confs: list[float] | None = None, well_read=frozenset()) -> list[str]:
    tokens = text.split()
    flags = marking.doubtful_words(tokens, confs, None, marking.capitalised_words([text]), well_read)
    return [token for token, flag in zip(tokens, flags) if flag]


def test_slips_of_stock_compounds_and_impossible_dates_are_doubtful():
    assert doubts("sinh hoạt chỉ bộ định kỳ") == ["chỉ"]
    assert doubts("công tác quản Lý tài chính") == ["Lý"]
    assert doubts("Đại hội đại biểu tần thứ XIX") == ["tần"]
    assert doubts("trước ngày 21 tháng 91 năm 1984") == ["91"]
    assert doubts("công tác năm 19960 của Ban") == ["19960"]
    assert doubts("sinh hoạt chi bộ định kỳ") == []


def test_a_typed_l_misread_counts_only_when_the_rest_is_spelled_as_the_compound():
    # "tạo động" is "lạo động" with l: not "lao động"; "tương đương" is not "chất lượng"
    assert doubts("đầu tư nhằm tạo động lực") == []
    assert doubts("có tính chất tương đương") == []
    assert doubts("Vương thực và thực phẩm") == ["Vương"]


def test_a_law_title_and_list_letters_are_not_doubtful():
    assert doubts("theo quy định của Luật giám định tư pháp") == []
    assert doubts("định tại điểm b khoản 1 Điều này") == []
    assert doubts("một trong các điểm a, b, c, d, đ hoặc e của khoản này") == []
    assert doubts("văn bản g gửi các cơ quan") == ["g"]          # a lone consonant still is


def test_an_unsure_word_is_confirmed_by_a_pair_read_surely_elsewhere():
    text = "những hạn chế trên chủ yếu"
    confs = [95.0, 96.0, 25.0, 93.0, 94.0, 95.0]
    assert doubts(text, confs) == ["chế"]
    sure = Line("khắc phục hạn chế yếu kém", 1, word_confs=[96.0, 95.0, 92.0, 91.0, 90.0, 94.0])
    pairs = marking.well_read_pairs([sure])
    assert ("hạn", "chế") in pairs
    assert doubts(text, confs, pairs) == []
    # a pair read surely only once unsure is no evidence: both words must be read surely
    unsure = Line("khắc phục hạn chế", 1, word_confs=[96.0, 95.0, 92.0, 30.0])
    assert ("hạn", "chế") not in marking.well_read_pairs([unsure])


def test_capitals_and_junk_are_never_confirmed():
    # headings: the OCR drops diacritics in capitals consistently, so a pair proves nothing
    pairs = marking.well_read_pairs([Line("I. NỘI DỤNG", 1, word_confs=[95.0, 95.0, 95.0]),
                                     Line("ra quyết định", 1, word_confs=[95.0, 95.0, 95.0])])
    assert pairs == {("ra", "quyết"), ("quyết", "định")}
    assert doubts("NỘI DỤNG HƯỚNG", [95.0, 38.0, 90.0], frozenset({("nội", "dụng")})) == ["DỤNG"]
    # something stuck to the front of a word is a misreading, confirmed or not
    assert doubts("phải ra -quyết định", [95.0, 95.0, 10.0, 95.0], pairs) == ["-quyết"]
    assert doubts("phải ra quyết định", [95.0, 95.0, 10.0, 95.0], pairs) == []


def test_an_editors_text_is_well_read():
    edited = Line("nâng cao chất lượng sinh hoạt chi bộ", 1, proofread=True)
    assert ("chi", "bộ") in marking.well_read_pairs([edited])
    line = Line("sinh hoạt chi bộ", 1, conf=70.0, word_confs=[95.0, 95.0, 20.0, 95.0])
    assert is_marked(line)
    assert not is_marked(line, well_read=marking.well_read_pairs([edited]))


def test_a_comma_parts_the_words_of_a_compound_and_abbreviations_are_taken_as_read():
    assert doubts("của Hội đồng nhân dân tỉnh, Ủy ban nhân dân tỉnh") == []
    assert doubts("Hội đồng định giá tài sản kết. Luận giá") == ["Luận"]   # a speck read as a period
    assert doubts("- CT, PCT UBND tỉnh;", [90.0, 90.0, 90.0, 34.0, 90.0]) == []
    assert doubts("- CT, PCT UBNĐ tỉnh;", [90.0, 90.0, 90.0, 34.0, 90.0]) == ["UBNĐ"]


def test_places_of_the_gazetteer_dates_and_a_paragraphs_last_word_are_taken_as_read():
    assert doubts("Quỳnh Phụ, ngày 06 tháng 3 năm 2016", [29.0] + [95.0] * 7) == []
    assert doubts("Quỳnh Phú, ngày 06", [29.0, 95.0, 95.0, 95.0]) == ["Quỳnh"]    # no such place
    assert doubts("ngày 05 tháng 7 năm 2022", [95.0, 95.0, 6.0, 95.0, 95.0, 95.0]) == []
    assert doubts("ngày 05 thảng 7 năm 2022", [95.0, 95.0, 6.0, 95.0, 95.0, 95.0]) == ["thảng"]
    assert doubts("bỏ.", [96.0]) == []             # the end of a paragraph on a line of its own
    assert doubts("bỏ.", [60.0]) == ["bỏ."]
    assert doubts("h", [93.0]) == ["h"]            # a speck
