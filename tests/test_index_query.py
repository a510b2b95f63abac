"""The query language and the Vietnamese text analysis shared by both engines."""

from __future__ import annotations

import re
import unicodedata

import pytest

from luutru.index.analysis import fast_fold, find_numbers, meta_text, number_key, word_pairs
from luutru.access import parse_clearance, secrecy_level
from luutru.index.model import QueryError
from luutru.index.query import And, Filter, Not, Or, Phrase, Term, parse_query
from luutru.index.suggest import edits1, replace_terms
from luutru.textnorm import fold

VIETNAMESE = ("Đảng ủy Thái Bình nghị quyết Ðại hội (eth) ỦY BAN NHÂN DÂN tỉnh Quảng Ngãi; "
              "Hỏa tốc, Tuyệt mật — người đứng đầu: ữ ự ỹ ỵ ẳ ẵ ặ ổ ỗ ộ ở ỡ ợ")


def _words(text: str) -> list[str]:
    return re.findall(r"[^\W_]+", text)


@pytest.mark.parametrize("text", [VIETNAMESE, unicodedata.normalize("NFD", VIETNAMESE),
                                  "Đảng ủy “Thái Bình” 2010–2015…", "漢字 Ωmega Đảng ủy ß"])
def test_fast_fold_gives_the_words_of_textnorm_fold(text):
    assert _words(fast_fold(text)) == _words(fold(text))


def test_fast_fold_examples():
    assert fast_fold("Đảng ủy") == "dang uy" and fast_fold("ÐẢNG") == "dang"
    assert fast_fold("Số63-HD/VPTU năm2012") == "so 63-hd/vptu nam 2012"  # OCR glued them


@pytest.mark.parametrize("written", ["43-NQ/TW", "43/NQ-TW", "Số 43-NQ/TW", "43 NQ TW", "số 43 nq tw"])
def test_number_key_is_canonical(written):
    assert number_key(written) == "43-nq-tw"


def test_number_key_rejects_non_numbers_and_keeps_years():
    assert number_key("Nghị quyết") is None and number_key(None) is None
    assert number_key("15/2012/NQ-HĐND") == "15-2012-nq-hdnd"


def test_find_numbers_spots_document_numbers_only():
    text = "Thực hiện Nghị quyết số 43-NQ/TW và 12 CT TU năm 2012, PHONG-41"
    assert [text[a:b] for a, b in find_numbers(text)] == ["43-NQ/TW", "12 CT TU"]


def test_meta_text_spells_out_the_citation_form():
    meta = meta_text({"loai_van_ban": "Nghị quyết", "so_ky_hieu": "43-NQ/TW",
                      "trich_yeu": "về công tác dân vận", "co_quan_ban_hanh": "Bộ Chính trị"})
    assert meta.startswith("Nghị quyết số 43-NQ/TW") and "dân vận" in meta


def test_words_are_and_and_keep_exact_forms():
    parsed = parse_query("Nghị quyết dan van")
    assert parsed.text == And((Term("nghi", "nghị"), Term("quyet", "quyết"), Term("dan", "dan"),
                               Term("van", "van")))
    assert parsed.filters == []


def test_phrases_numbers_prefix_and_operators():
    parsed = parse_query('"công tác" (a OR b*) NOT c -"d e" 43 NQ TW')
    assert parsed.text == And((
        Phrase(("cong", "tac"), ("công", "tác")),
        Or((Term("a", "a"), Term("b", "b", prefix=True))),
        Not(Term("c", "c")),
        Not(Phrase(("d", "e"), ("d", "e"))),
        Phrase(("43", "nq", "tw"), ("43", "nq", "tw")),
    ))
    assert parse_query("số 43-NQ/TW").text == And((Term("so", "số"),
                                                   Phrase(("43", "nq", "tw"), ("43", "nq", "tw"))))


def test_positive_terms_skip_excluded_ones():
    parsed = parse_query('dang -uy "dan van" NOT (x OR y)')
    assert parsed.positive_terms() == [Term("dang", "dang"), Phrase(("dan", "van"), ("dan", "van"))]


def test_field_filters():
    parsed = parse_query('fonds:PHONG-41 file:HS-2008-001 type:"Chỉ thị" organ:"Tỉnh ủy" '
                         'number:43/NQ-TW year:2006..2020 -date:2012-02 year:..1990 dang')
    assert parsed.filters == [
        Filter("fonds", "phong-41"), Filter("file", "hs-2008-001"), Filter("type", "chi thi"),
        Filter("organ", "tinh uy"), Filter("number", "43-nq-tw"),
        Filter("year", low=2006, high=2020),
        Filter("date", low="2012-02-01", high="2012-02-29", negate=True),
        Filter("year", low=None, high=1990),
    ]
    assert parsed.text == Term("dang", "dang")
    assert parse_query("year:2012").filters == [Filter("year", low=2012, high=2012)]
    assert parse_query("date:2012-05-14").filters == [Filter("date", low="2012-05-14",
                                                             high="2012-05-14")]


@pytest.mark.parametrize("query, message", [
    ('"dan van', "unclosed quote"), ("(dan", "unclosed '('"), ("dan)", "unbalanced ')'"),
    ("dan OR", "OR needs"), ("AND dan", "AND needs"), ("NOT dan", "cannot only exclude"),
    ("-dan", "cannot only exclude"), ("year:20", "not a year"), ("date:2012-02-30", "real date"),
    ("fond:X", "unknown field"), ("", "empty query"), ("(fonds:X)", "outside parentheses"),
    ("dan OR fonds:X", "cannot follow NOT or OR"), ("fonds:X OR dan", "OR needs words"),
    ("number:abc", "document number"), ('"dan van"*', "cannot end with *"), ("*", "* must follow"),
])
def test_malformed_queries_say_what_is_wrong(query, message):
    with pytest.raises(QueryError, match=message.replace("(", r"\(").replace(")", r"\)")
                       .replace("*", r"\*")):
        parse_query(query)


def test_clearance_levels_and_secrecy():
    assert [parse_clearance(n) for n in ("none", "mat", "toi-mat", "tuyet-mat")] == [0, 1, 2, 3]
    with pytest.raises(ValueError):
        parse_clearance("secret")
    assert secrecy_level(None) == 0 and secrecy_level("Mật") == 1
    assert secrecy_level("Tối mật") == 2 and secrecy_level("Tuyệt mật") == 3
    assert secrecy_level(None, "Hạn chế") == 1 and secrecy_level("Tuyệt mật", "Hạn chế") == 3
    assert secrecy_level("Cực mật") == 3  # unknown marks are treated as the strictest


def test_suggestion_helpers():
    assert "hoi" in edits1("hoii") and "ho" in edits1("hoi") and "hoi" not in edits1("hoi")
    assert replace_terms("Hội tích năm 2012", {"hoi": "ho"}) == "ho tích năm 2012"


def test_tiers_exact_then_most_words_then_fuzzy():
    from luutru.index.query import (EVERY_WORD, Adjacent, AtLeast, Fuzzy, Person, partial_minimum,
                                    plan_tiers)

    assert [partial_minimum(n) for n in (1, 2, 3, 4, 5, 10)] == [None, None, 2, 3, 3, 6]
    text = parse_query("nang cao chat luong tot -mat").text
    tiers = plan_tiers(parse_query("nang cao chat luong tot -mat"))
    assert [t.kind for t in tiers] == ["exact", "partial", "fuzzy"]
    assert tiers[0].node == Adjacent(text, (("nang", "cao"), ("cao", "chat"), ("chat", "luong"),
                                            ("luong", "tot")), 4)  # PAIRS_SHARE 0.8 of 4
    assert tiers[1].node == AtLeast(text, 3) and tiers[1].before == (tiers[0].node,)
    assert [type(c).__name__ for c in tiers[2].node.children] == ["Fuzzy", "Term", "Fuzzy",
                                                                "Fuzzy", "Term", "Not"]
    assert tiers[2].before == (tiers[0].node, tiers[1].node)
    every_word = plan_tiers(parse_query("nang cao chat luong tot -mat"), EVERY_WORD)  # volumes
    assert [(t.kind, t.node) for t in every_word] == [("exact", tiers[0].node),
                                                      ("scattered", text)]
    four = parse_query("nang cao chat luong")  # four words: every word is the exact tier
    assert [(t.kind, t.node) for t in plan_tiers(four, EVERY_WORD)] == [("exact", four.text)]
    assert plan_tiers(four)[1].node == AtLeast(four.text, 3)
    assert [t.kind for t in plan_tiers(parse_query("dan OR uy"))] == ["exact"]
    assert [t.kind for t in plan_tiers(parse_query("ho tich"))] == ["exact", "fuzzy"]
    assert [t.kind for t in plan_tiers(parse_query("ho to"))] == ["exact"]  # nothing to loosen
    assert plan_tiers(parse_query("nghi"))[1].node == Fuzzy(parse_query("nghi").text)
    named = plan_tiers(parse_query("Đinh Trọng Tiến"))
    assert named[0].kind == "person" and named[0].node == Person(("dinh", "trong", "tien"))
    assert named[1].before == (named[0].node,)


@pytest.mark.parametrize("query, name", [
    ("Đinh Trọng Tiến", ("dinh", "trong", "tien")),
    ('"Bui Thi Hong Lan"', ("bui", "thi", "hong", "lan")),
    ("Lương Quốc Lộc year:2010", ("luong", "quoc", "loc")), ("đinh trọng tiến", None),
    ("Tiến", None), ("Nguyen Van A B C", None), ("Đảng AND Bộ", None), ("ĐẢNG ỦY", None),
])
def test_name_like_queries(query, name):
    assert parse_query(query).name == name


@pytest.mark.parametrize("text", [VIETNAMESE, "Số63-HD/VPTU năm2012 ĐẢNG ỦY 2a3 a1b2",
                                  "Đảng ủy “Thái Bình” 2010–2015… ơ ư Ơ Ư"])
def test_tantivy_analysers_cut_the_words_queries_are_folded_to(text):
    """Tantivy folds page text in Rust, queries are folded in Python: their words must agree."""
    pytest.importorskip("tantivy")
    from luutru.index.analysis import exact_tokens, fast_nfc, folded_tokens, split_glued
    from luutru.index.tantivy_backend import EXACT, FOLDED, analyzers

    engine = analyzers()
    prepared = split_glued(fast_nfc(text))  # what unit_fields hands to Tantivy
    assert engine[FOLDED].analyze(prepared) == folded_tokens(text)
    assert engine[EXACT].analyze(prepared) == exact_tokens(split_glued(text))
    words = engine[FOLDED].analyze(prepared)  # a phrase's pairs must be the indexed pairs
    assert word_pairs(text).split() == [f"{a}_{b}" for a, b in zip(words, words[1:])]


def test_word_pairs_join_adjacent_folded_words_across_punctuation():
    assert word_pairs("Kế hoạch, cán bộ.\nĐảng") == "ke_hoach hoach_can can_bo bo_dang"
    assert word_pairs("Đảng") == "" and word_pairs("") == ""
