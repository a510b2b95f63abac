"""The proofing view over a copy of the demo archive: the editor role, the page with its words
underlined and boxed, saving to the editorial layer (who, when), clearance and audit, and an old
accounts store taking the new role."""

import re
import sqlite3

import pytest

from luutru import editorial
from luutru.web.accounts import Accounts
from webusers import PASSWORD, client_as, csrf_token, make_app


@pytest.fixture
def app(demo_archive_copy):
    app = make_app(demo_archive_copy)
    accounts = app.extensions["luutru.accounts"]
    accounts.add_user("bientap", PASSWORD, "editor", 0)
    accounts.add_user("bientap1", PASSWORD, "editor", 1)
    return app


def items(app):
    from luutru.catalog.build import iter_items
    return {i["so_ky_hieu"]: i for i in iter_items(app.config["ARCHIVE"])}


def test_only_editors_and_above_proofread(app):
    item = items(app)["13-NQ/TU"]
    assert client_as(app, "doc0").get(f"/proof/{item['id']}/1").status_code == 403
    assert client_as(app, "bientap").get(f"/proof/{item['id']}/1").status_code == 200
    assert client_as(app, "luutru0").get(f"/proof/{item['id']}/1").status_code == 200
    assert client_as(app, None).get(f"/proof/{item['id']}/1").status_code == 302


def test_page_shows_scan_words_boxes_and_unsure_words(app):
    item = items(app)["13-NQ/TU"]
    client = client_as(app, "bientap")
    html = client.get(f"/proof/{item['id']}/1").get_data(as_text=True)
    sha, index = item["pages"][0].split(":")
    assert f"/page/{sha}/{index}/image?size=view" in html and 'id="word-box"' in html
    boxes = re.findall(r'data-box="(\d+) (\d+) (\d+) (\d+)"', html)
    assert len(boxes) > 50 and all(int(w) > 0 and int(h) > 0 for _, _, w, h in boxes)
    assert 'class="w low"' in html                        # the OCR's unsure words underlined
    assert "Chưa đối chiếu" in html and "đã đối chiếu 0/0 trang" not in html


def test_save_keeps_the_editors_text_beside_the_ocr(app):
    item = items(app)["13-NQ/TU"]
    archive = app.config["ARCHIVE"]
    client = client_as(app, "bientap")
    ocr = editorial.ocr_page_text(archive, item["pages"][0])
    corrected = ocr.replace("Đỉnh Minh Quyết", "Đinh Minh Quyết") + "\nThêm một dòng.[^1]\n[^1]: Chú thích của biên tập.\n"
    token = csrf_token(client, f"/proof/{item['id']}/1")
    response = client.post(f"/proof/{item['id']}/1", data={"text": corrected, "then": "next",
                                                           "csrf_token": token})
    assert response.status_code == 302 and response.headers["Location"].endswith(f"/proof/{item['id']}/2")
    record = editorial.load_record(archive, item["id"])
    page = record.pages[item["pages"][0]]
    assert page.editor == "bientap" and page.at and "Thêm một dòng.[^1]" in page.text
    assert record.notes == {"1": "Chú thích của biên tập."}
    assert editorial.ocr_page_text(archive, item["pages"][0]) == ocr       # the OCR is untouched
    html = client.get(f"/proof/{item['id']}/1").get_data(as_text=True)
    assert "Đã biên tập (bientap" in html and 'class="w low"' not in html
    assert "[^1]: Chú thích của biên tập." in html         # the note comes back to the editor
    refused = client.post(f"/proof/{item['id']}/1", data={"text": "x[^9]", "csrf_token": token})
    assert refused.status_code == 302
    assert "Thêm một dòng" in editorial.load_record(archive, item["id"]).pages[item["pages"][0]].text


def test_classified_needs_clearance_and_is_audited(app):
    secret = next(i for i in items(app).values() if i.get("do_mat") == "Mật")
    assert client_as(app, "bientap").get(f"/proof/{secret['id']}/1").status_code == 404
    client = client_as(app, "bientap1")
    assert client.get(f"/proof/{secret['id']}/1").status_code == 200
    token = csrf_token(client, f"/proof/{secret['id']}/1")
    client.post(f"/proof/{secret['id']}/1", data={"text": "Sửa.", "csrf_token": token})
    entries = app.extensions["luutru.accounts"].audit_entries()
    actions = [(e.action, e.username) for e in entries if e.target == secret["id"]]
    assert ("proof-view", "bientap1") in actions and ("proof-save", "bientap1") in actions


def test_progress_counts_the_baskets_pages(app):
    item = items(app)["13-NQ/TU"]
    client = client_as(app, "bientap")
    token = csrf_token(client, f"/item/{item['id']}")
    client.post("/basket/add", data={"item_id": item["id"], "csrf_token": token})
    html = client.get("/proof").get_data(as_text=True)
    assert "Đã đối chiếu 0/2 trang" in html and item["id"] in html
    client.post(f"/proof/{item['id']}/1", data={"text": "Trang một.", "csrf_token": token})
    assert "Đã đối chiếu 1/2 trang" in client.get("/proof").get_data(as_text=True)
    # "Save and next" on a document's last page goes on to the volume's next document.
    other = items(app)["364-BC/HU"]                                  # dated 2008: listed first
    client.post("/basket/add", data={"item_id": other["id"], "csrf_token": token})
    last = len(other["pages"])
    response = client.post(f"/proof/{other['id']}/{last}",
                           data={"text": "Trang cuối.", "then": "next", "csrf_token": token})
    assert response.headers["Location"].endswith(f"/proof/{item['id']}/2")   # its first page not proofread


def test_an_old_accounts_store_takes_the_editor_role(tmp_path):
    from luutru.archive import Archive
    archive = Archive.open(tmp_path / "archive")
    path = archive.root / "access"
    path.mkdir(mode=0o700)
    db = sqlite3.connect(path / "accounts.sqlite")
    db.executescript("""CREATE TABLE users (
        username TEXT NOT NULL, username_key TEXT NOT NULL UNIQUE,
        role TEXT NOT NULL CHECK (role IN ('reader', 'archivist', 'admin')),
        clearance INTEGER NOT NULL CHECK (clearance BETWEEN 0 AND 3), password_hash TEXT NOT NULL,
        active INTEGER NOT NULL DEFAULT 1, session_version INTEGER NOT NULL DEFAULT 1,
        created TEXT NOT NULL, updated TEXT NOT NULL);
        INSERT INTO users VALUES ('An', 'an', 'admin', 3, 'x', 1, 1, 't', 't');
        PRAGMA user_version=1;""")
    db.close()
    accounts = Accounts(archive)
    accounts.set_role("An", "editor")
    assert accounts.get("An").role == "editor" and accounts.get("An").clearance == 3
