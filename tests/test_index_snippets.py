"""Snippets and matching pages: the fast page scan finds exactly what the whole-word pattern finds."""

from __future__ import annotations

import pytest

from luutru.index.model import UnitPage
from luutru.index.query import parse_query
from luutru.index.snippets import page_matches, terms_pattern

TEXT = ("Ban Chấp hành Đảng bộ tỉnh ban hành Nghị quyết về công tác dân vận; toàn Đảng bộ "
        "quán triệt. ban an an toàn, an ninh; Đảng ủy, đảng viên <và> các chi bộ & tổ đảng.")


@pytest.mark.parametrize("query", ["dang", "an", '"an an"', "an*", "ban hanh", '"dang bo"',
                                   "chi bo", "nghi quyet dan van", "toan"])
def test_the_page_scan_finds_what_the_whole_word_pattern_finds(query):
    terms = parse_query(query).positive_terms()
    expected = [m.span() for m in terms_pattern(terms).finditer(TEXT)]
    found = page_matches([UnitPage("k:1", "s.pdf", 1, 1, TEXT)], terms)
    assert expected, query
    assert found[0]["matches"] == len(expected)
    marked = found[0]["snippet"].count("<mark>")
    assert 0 < marked <= len(expected)


def test_a_match_inside_a_word_is_not_one_and_does_not_hide_the_next():
    # "an an" first matches inside "ban an" (not a word start); the real phrase starts one word on
    terms = parse_query('"an an"').positive_terms()
    found = page_matches([UnitPage("k:1", "s.pdf", 1, 1, "ban an an")], terms)
    assert found[0]["matches"] == 1 and found[0]["snippet"] == "ban <mark>an an</mark>"


def test_snippets_escape_page_text_and_mark_only_the_query():
    terms = parse_query("va").positive_terms()
    snippet = page_matches([UnitPage("k:1", "s.pdf", 1, 1, TEXT)], terms)[0]["snippet"]
    assert "&lt;<mark>và</mark>&gt;" in snippet and "&amp;" in snippet
