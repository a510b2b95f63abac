"""The archivist's review queue and form, and the basket → volume spec: Flask's test client on a
copy of the demo archive, real accounts, real catalogue writes, real search index."""

from __future__ import annotations

import re

import pytest

from luutru.catalog.build import build_catalog, iter_items
from luutru.index.update import search
from luutru.volume.spec import load_spec
from webusers import client_as, csrf_token, make_app

NQ = "vb-376eefd7a1e39bc2-0001"        # 13-NQ/TU, 10/05/2019; nguoi_ky empty and flagged
KH = "vb-44ac9f2e64b8bb42-0001"        # 292-KH/TU, 14/01/2019
SECRET = "vb-ca20a96466f03ce7-0001"    # PHONG-31, Mật


@pytest.fixture(scope="module")
def app(demo_archive):
    return make_app(demo_archive)


@pytest.fixture
def work_app(demo_archive_copy):
    return make_app(demo_archive_copy)


def _items(archive) -> dict[str, dict]:
    return {i["id"]: i for i in iter_items(archive)}


def _catalog_bytes(archive) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(archive.catalog_dir.glob("*.xml"))}


def _form_data(html: str) -> dict[str, object]:
    """What a browser would post for the review form as it is shown."""
    form = re.search(r'<form id="review-form".*?</form>', html, re.S).group(0)
    data: dict[str, object] = {}
    for name, value in re.findall(r'<input[^>]*name="([^"]+)"[^>]*type="(?:text|hidden)"[^>]*'
                                  r'value="([^"]*)"', form):
        data[name] = value
    for name, value in re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)"', form):
        data[name] = value
    for name, value in re.findall(r'<textarea[^>]*name="([^"]+)"[^>]*>(.*?)</textarea>', form, re.S):
        data[name] = value
    for name, body in re.findall(r'<select[^>]*name="([^"]+)"[^>]*>(.*?)</select>', form, re.S):
        chosen = re.search(r'<option value="([^"]*)" selected>', body)
        data[name] = chosen.group(1) if chosen else ""
    return {k: (v.replace("&#34;", '"').replace("&#39;", "'").replace("&amp;", "&")
                if isinstance(v, str) else v) for k, v in data.items()}


# --- who may review -------------------------------------------------------------------------

def test_readers_get_403(app):
    client = client_as(app, "doc1")
    assert client.get("/review").status_code == 403
    assert client.get(f"/review/{NQ}").status_code == 403
    token = csrf_token(client, "/basket")
    assert client.post(f"/review/{NQ}", data={"csrf_token": token, "nguoi_ky": "X"}).status_code == 403


def test_visitors_are_sent_to_login(app):
    response = client_as(app, None).get("/review")
    assert response.status_code == 302 and "/login" in response.headers["Location"]


def _queue_ids(html: str) -> list[str]:
    return re.findall(r'<tr class="review-row" data-item="([^"]+)">', html)


def test_queue_lists_flagged_items_the_archivist_may_see_in_catalogue_order(app, demo_archive):
    flagged = [i for i in iter_items(demo_archive) if i["needs_review"]]   # catalogue order
    html = client_as(app, "luutru0").get("/review").get_data(as_text=True)
    ids = _queue_ids(html)
    assert ids == [i["id"] for i in flagged if i["fonds_code"] != "PHONG-31"]   # restricted hồ sơ
    assert NQ in ids and 'id="review-queue"' in html
    cleared = _queue_ids(client_as(app, "luutru1").get("/review").get_data(as_text=True))
    assert cleared == [i["id"] for i in flagged] and SECRET in cleared
    for odd in ("99", "0", "abc"):                      # out of range: the nearest page
        html = client_as(app, "luutru0").get(f"/review?page={odd}").get_data(as_text=True)
        assert _queue_ids(html) == ids and 'rel="next"' not in html


def test_form_shows_the_first_page_and_an_input_per_field(app, demo_archive):
    client = client_as(app, "luutru0")
    html = client.get(f"/review/{NQ}").get_data(as_text=True)
    assert re.search(r'<img id="review-image" src="/page/376eefd7[0-9a-f]+/1/image\?size=view"', html)
    data = _form_data(html)
    assert data["so_ky_hieu"] == "13-NQ/TU" and data["ngay_ban_hanh"] == "10/5/2019"
    assert data["do_mat"] == "" and '<option value="Tối mật">' in html
    assert data["noi_nhan"].splitlines()[0] == "Các ban đảng Trung ương"
    flagged = _items(demo_archive)[NQ]["needs_review"]
    assert flagged and re.findall(r'name="confirm" value="([^"]+)"', html) == flagged
    assert client.get(f"/review/{SECRET}").status_code == 404      # clearance 0
    assert client.get("/review/vb-nope").status_code == 404


# --- saving ---------------------------------------------------------------------------------------

def test_saving_writes_an_archivist_value_found_by_search_and_kept_by_catalog_runs(work_app,
                                                                                  demo_archive_copy):
    archive = demo_archive_copy
    client = client_as(work_app, "luutru0")
    data = _form_data(client.get(f"/review/{NQ}").get_data(as_text=True))
    assert search(archive, '"Ngô Đông Hải"').total == 0
    data.update(nguoi_ky="Ngô Đông Hải", confirm=["trich_yeu"])
    response = client.post(f"/review/{NQ}", data=data)
    assert response.status_code == 302 and response.headers["Location"].endswith(f"/review/{NQ}")
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert '<p class="flash flash-success" role="status">Đã lưu.</p>' in page
    item = _items(archive)[NQ]
    assert item["nguoi_ky"] == "Ngô Đông Hải" and item["trich_yeu"]
    assert {"nguoi_ky", "trich_yeu"}.isdisjoint(item["needs_review"])
    assert [h["id"] for h in search(archive, '"Ngô Đông Hải"').hits] == [NQ]   # at once
    entries = work_app.extensions["luutru.accounts"].audit_entries()
    assert any(e.action == "review-save" and e.target == NQ and e.username == "luutru0" for e in entries)
    build_catalog(archive)
    assert _items(archive)[NQ]["nguoi_ky"] == "Ngô Đông Hải"


def test_an_invalid_date_is_refused_with_nothing_written_and_values_kept(work_app, demo_archive_copy):
    archive = demo_archive_copy
    before = _catalog_bytes(archive)
    client = client_as(work_app, "luutru0")
    data = _form_data(client.get(f"/review/{NQ}").get_data(as_text=True))
    data.update(nguoi_ky="Ngô Đông Hải", ngay_ban_hanh="31/02/2019")
    response = client.post(f"/review/{NQ}", data=data)
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    errors = re.findall(r'<div class="field[^"]*" data-field="([^"]+)">(?:(?!</div>).)*class="field-error"',
                        html, re.S)
    assert errors == ["ngay_ban_hanh"]
    assert 'class="flash flash-error"' in html
    kept = _form_data(html)
    assert kept["ngay_ban_hanh"] == "31/02/2019" and kept["nguoi_ky"] == "Ngô Đông Hải"
    assert _catalog_bytes(archive) == before


def test_catalogue_text_is_rendered_inert(work_app, demo_archive_copy):
    attack = '<script>alert(1)</script><img src=x onerror=alert(2)>"'
    client = client_as(work_app, "luutru0")
    data = _form_data(client.get(f"/review/{KH}").get_data(as_text=True))
    data["trich_yeu"], data["nguoi_ky"] = attack, attack
    assert client.post(f"/review/{KH}", data=data).status_code == 302
    assert _items(demo_archive_copy)[KH]["trich_yeu"] == attack
    for path in (f"/review/{KH}", "/browse/PHONG-12/HS-2019-004", "/review"):
        html = client.get(path).get_data(as_text=True)
        assert "<script>alert" not in html and "<img src=x" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in client.get(f"/review/{KH}").get_data(as_text=True)


def test_a_post_without_csrf_token_is_refused(work_app, demo_archive_copy):
    assert work_app.config.get("WTF_CSRF_ENABLED", True)
    before = _catalog_bytes(demo_archive_copy)
    client = client_as(work_app, "luutru0")
    response = client.post(f"/review/{NQ}", data={"nguoi_ky": "Ngô Đông Hải"})
    assert response.status_code == 400 and "biểu mẫu" in response.get_data(as_text=True)
    assert _catalog_bytes(demo_archive_copy) == before


# --- the basket -----------------------------------------------------------------------------------

def _add(client, item_id: str):
    return client.post("/basket/add", data={"item_id": item_id,
                                            "csrf_token": csrf_token(client, "/basket")})


def test_basket_lists_visible_items_in_date_order_and_gives_a_spec(app, demo_archive, tmp_path):
    # 364-BC/HU sits in an image-only PDF whose bytes (so whose SHA-256 and item id) follow the
    # PDF and JPEG encoders' versions: looked up by its number, not named by id.
    BC = next(i["id"] for i in iter_items(demo_archive) if i["so_ky_hieu"] == "364-BC/HU")
    client = client_as(app, "doc0")
    for item_id in (NQ, BC, KH):
        response = _add(client, item_id)
        assert response.status_code == 302 and response.headers["Location"].endswith(f"/item/{item_id}")
    assert _add(client, SECRET).status_code == 404                  # not visible: as if unknown
    html = client.get("/basket").get_data(as_text=True)
    listed = re.findall(r'<li class="item" data-item="([^"]+)">', html)
    assert listed == [BC, KH, NQ] and 'id="volume-spec-form"' in html and 'id="basket-items"' in html
    response = client.get("/basket/spec.yaml", query_string={"title": "Văn kiện Đảng bộ tỉnh Thái Bình",
                                                             "from": "1/1/2008", "to": ""})   # as a reader types it
    assert response.status_code == 200
    assert response.headers["Content-Type"] == "text/yaml; charset=utf-8"
    assert response.headers["Content-Disposition"].startswith("attachment;")
    path = tmp_path / "spec.yaml"
    path.write_bytes(response.data)
    spec = load_spec(path)
    assert spec.title == "Văn kiện Đảng bộ tỉnh Thái Bình" and spec.items == (BC, KH, NQ)
    assert str(spec.period_from) == "2008-01-01" and spec.period_to is None


def test_basket_remove_and_spec_without_title(app):
    client = client_as(app, "doc0")
    _add(client, NQ)
    _add(client, KH)
    token = csrf_token(client, "/basket")
    assert client.post("/basket/remove", data={"item_id": NQ, "csrf_token": token}).status_code == 302
    html = client.get("/basket").get_data(as_text=True)
    assert re.findall(r'<li class="item" data-item="([^"]+)">', html) == [KH]
    response = client.get("/basket/spec.yaml", query_string={"title": " "})
    assert response.status_code == 302
    assert "Cần nhập tên tập văn kiện." in client.get("/basket").get_data(as_text=True)


def test_basket_hides_items_the_user_may_no_longer_see(app):
    cleared = client_as(app, "doc1")
    _add(cleared, SECRET)
    assert SECRET in cleared.get("/basket").get_data(as_text=True)
    accounts = app.extensions["luutru.accounts"]
    accounts.set_clearance("doc1", 0)
    try:
        again = client_as(app, "doc1")
        with cleared.session_transaction() as old, again.session_transaction() as new:
            new["basket"] = old["basket"]
        assert SECRET not in again.get("/basket").get_data(as_text=True)
    finally:
        accounts.set_clearance("doc1", 1)
