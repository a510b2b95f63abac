"""Browsing phông → hồ sơ → văn bản: counts and lists of only what the user may see."""

from __future__ import annotations

import re

import pytest

from luutru.catalog.review import save_item_values
from webusers import client_as, make_app

RESTRICTED = "PHONG-31"   # hồ sơ HS-1991-011 is "Hạn chế" and holds a "Mật" item: clearance 1 for both


@pytest.fixture(scope="module")
def app(demo_archive):
    return make_app(demo_archive)


def _text(response) -> str:
    assert response.status_code == 200, response.status_code
    return response.get_data(as_text=True)


def _fonds_rows(html: str) -> dict[str, str]:
    tree = re.search(r'<ul id="fonds-tree".*?</ul>', html, re.S).group(0)
    return {code: " ".join(row.split()) for code, row in
            re.findall(r'<li class="fonds" data-fonds="([^"]+)">(.*?)</li>', tree, re.S)}


def test_fonds_tree_counts_what_a_reader_without_clearance_may_see(app):
    rows = _fonds_rows(_text(client_as(app, "doc0").get("/browse")))
    assert set(rows) == {"PHONG-12", "PHONG-52"}
    assert "1 hồ sơ, 3 văn bản" in rows["PHONG-12"] and "1 hồ sơ, 2 văn bản" in rows["PHONG-52"]
    assert "Phông Tỉnh ủy Thái Bình" in rows["PHONG-12"]


def test_clearance_shows_the_restricted_fonds(app):
    rows = _fonds_rows(_text(client_as(app, "doc1").get("/browse")))
    assert set(rows) == {"PHONG-12", "PHONG-31", "PHONG-52"}
    assert "1 hồ sơ, 2 văn bản" in rows[RESTRICTED]


def test_restricted_pages_answer_404_without_clearance(app):
    client = client_as(app, "doc0")
    assert client.get(f"/browse/{RESTRICTED}").status_code == 404
    assert client.get(f"/browse/{RESTRICTED}/HS-1991-011").status_code == 404
    html = client.get("/browse").get_data(as_text=True)
    assert "Hải Phòng" not in html and "HS-1991-011" not in html
    assert client.get("/browse/PHONG-99").status_code == 404


def test_file_page_lists_items_with_vietnamese_dates_and_links(app):
    html = _text(client_as(app, "doc1").get(f"/browse/{RESTRICTED}/HS-1991-011"))
    items = re.findall(r'<li class="item" data-item="([^"]+)">(.*?)</li>', html, re.S)
    assert [i for i, _ in items] == ["vb-a070177c8198eede-0001", "vb-ca20a96466f03ce7-0001"]
    first, second = (" ".join(row.split()) for _, row in items)
    assert 'href="/item/vb-a070177c8198eede-0001"' in first and "ngày 27/2/1991" in first
    assert "Thông báo số 221-TB/BNCTU" in first
    assert "Mật" in second and "tờ 1–2" in second
    assert "Hạn chế" in html and "27/2/1991 – 3/7/1991" in html


def test_fonds_page_lists_its_files(app):
    html = _text(client_as(app, "doc0").get("/browse/PHONG-12"))
    assert 'href="/browse/PHONG-12/HS-2019-004"' in html and "3 văn bản" in html
    assert "Tập văn bản của Tỉnh ủy Thái Bình năm 2019" in html


def test_visitors_without_an_account_are_sent_to_login(app):
    response = client_as(app, None).get("/browse")
    assert response.status_code == 302 and "/login" in response.headers["Location"]


def test_public_reading_room_shows_only_the_public_part(demo_archive):
    app = make_app(demo_archive)
    app.config["PUBLIC"] = True
    rows = _fonds_rows(_text(app.test_client().get("/browse")))
    assert set(rows) == {"PHONG-12", "PHONG-52"}


def test_counts_follow_a_changed_catalogue(demo_archive_copy):
    app = make_app(demo_archive_copy)
    client = client_as(app, "doc0")
    assert "1 hồ sơ, 3 văn bản" in _fonds_rows(_text(client.get("/browse")))["PHONG-12"]
    report = save_item_values(demo_archive_copy, "vb-376eefd7a1e39bc2-0001", {"do_mat": "Mật"})
    assert report.errors == []
    assert "1 hồ sơ, 2 văn bản" in _fonds_rows(_text(client.get("/browse")))["PHONG-12"]
    assert "1 hồ sơ, 3 văn bản" in _fonds_rows(_text(client_as(app, "doc1").get("/browse")))["PHONG-12"]
