"""A page's lines file (lines.json) read back as written, and a page without one read from its text."""

from __future__ import annotations

from luutru import pagetext
from luutru.pagetext import Line, PageText, Word


def _page() -> PageText:
    return PageText([Line((Word("ĐẢNG", (100, 50, 300, 100), 96.5), Word("BỘ", (320, 52, 400, 100), 91.0))),
                     Line((Word("Số", (100, 150, 160, 190), -1.0), Word("43-NQ/TU", (170, 150, 400, 190), 88.0)))],
                    (2480, 3508))


def test_lines_file_round_trips_and_holds_the_text_line_for_line(tmp_path):
    (tmp_path / "lines.json").write_bytes(pagetext.encode(_page()))
    (tmp_path / "text.txt").write_text("ĐẢNG BỘ\nSố 43-NQ/TU\n", encoding="utf-8")
    page = pagetext.read_page_text(tmp_path)
    assert page == _page() and page.has_geometry
    assert [line.text for line in page.lines] == ["ĐẢNG BỘ", "Số 43-NQ/TU"]
    assert page.lines[0].box == (100, 50, 400, 100)
    assert page.lines[0].conf == 93.75 and page.lines[1].conf == 88.0   # unknown (-1) left out


def test_a_page_without_a_sound_lines_file_is_read_from_its_text(tmp_path):
    (tmp_path / "text.txt").write_text("ĐẢNG BỘ\n\n  Số 43-NQ/TU \n", encoding="utf-8")
    for damaged in (None, b'{"version": 1, "lines": [', b'{"width": 9, "height": 9, "lines": [{}]}'):
        if damaged is not None:
            (tmp_path / "lines.json").write_bytes(damaged)
        page = pagetext.read_page_text(tmp_path)
        assert not page.has_geometry and page.words == []
        assert [(line.text, line.box, line.conf) for line in page.lines] == [
            ("ĐẢNG BỘ", None, None), ("Số 43-NQ/TU", None, None)]
    (tmp_path / "text.txt").unlink()
    assert pagetext.read_page_text(tmp_path) is None and pagetext.read_text(tmp_path) is None
