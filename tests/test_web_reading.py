"""The reading room's search page, item page, page images and PDFs, through Flask's test client
on the demo archive (real index, real hOCR, real accounts database, real login form)."""

from __future__ import annotations

import io
import json
import re
import shutil
import subprocess

import numpy as np
import pikepdf
import pytest
from lxml import html as lxml_html
from PIL import Image

from luutru import pagetext
from luutru.archive import Archive, PageRef
from luutru.catalog.build import iter_files, iter_items
from luutru.catalog.review import import_review
from luutru.index.update import reindex
from luutru.pageimage import load_page
from luutru.textnorm import fold
from luutru.web.accounts import Accounts
from luutru.web.app import create_app

PASSWORD = "một mật khẩu đủ dài 2024"
NQ_ITEM = "vb-376eefd7a1e39bc2-0001"  # Nghị quyết số 13-NQ/TU, 2 pages, PHONG-12
XSS_QUERIES = ["<script>alert(1)</script>", '"><img src=x onerror=alert(1)>']
USERS = {"ana": ("reader", 0), "mai": ("reader", 1), "thu": ("archivist", 0)}


def _copy_with_users(source: Archive, target) -> Archive:
    shutil.copytree(source.root, target)
    archive = Archive.open(target)
    accounts = Accounts(archive)
    for name, (role, clearance) in USERS.items():
        accounts.add_user(name, PASSWORD, role, clearance)
    return archive


def _app(archive: Archive, **config):
    return create_app(archive, config={"TESTING": True, "LOGIN_RATE_LIMITS": "1000 per minute",
                                       **config})


@pytest.fixture(scope="module")
def reading_archive(demo_archive, tmp_path_factory) -> Archive:
    """The demo archive with three users (a copy: accounts and image caches are written)."""
    return _copy_with_users(demo_archive, tmp_path_factory.mktemp("reading") / "archive")


@pytest.fixture(scope="module")
def app(reading_archive):
    return _app(reading_archive, SEARCH_PER_PAGE=2)


_clients: dict[tuple[int, str], object] = {}


def login(app, name: str):
    """A test client logged in as ``name`` through the login form (one per app and user: each
    login costs an argon2 hash)."""
    if (id(app), name) in _clients:
        return _clients[id(app), name]
    client = _clients[id(app), name] = app.test_client()
    form = client.get("/login").text
    token = re.search(r'name="csrf_token" value="([^"]+)"', form).group(1)
    answer = client.post("/login", data={"username": name, "password": PASSWORD,
                                         "csrf_token": token})
    assert answer.status_code == 302, answer.text
    return client


def page(response):
    assert response.status_code == 200, response.status_code
    return lxml_html.fromstring(response.text)


def demo_item(archive: Archive, predicate):
    from luutru.catalog.build import iter_items
    return next(item for item in iter_items(archive) if predicate(item))


# --- search -------------------------------------------------------------------------------------

def test_search_without_diacritics_finds_nghi_quyet_with_marked_snippets_and_facets(app):
    doc = page(login(app, "ana").get("/search", query_string={"q": "nghi quyet"}))
    total = int(doc.xpath('string(//*[@id="total"])').split()[0])
    assert total >= 2
    titles = doc.xpath('//ol[@id="results"]/li[@class="hit"]//a[@class="hit-title"]')
    assert "Nghị quyết số 13-NQ/TU" in [t.text_content() for t in titles]
    assert titles[0].get("href").startswith("/item/") and "q=nghi+quyet" in titles[0].get("href")
    marks = doc.xpath('//li[@class="hit"]//*[@class="snippet"]/mark')
    assert marks and all(fold(m.text_content()) in ("nghi", "quyet") for m in marks)
    for section in ("fonds", "type", "year", "organ"):
        links = doc.xpath(f'//nav[@id="facets"]//*[contains(@class, "facet-{section}")]//a')
        assert links, section
    page_links = doc.xpath('//li[@class="hit"]//*[@class="hit-pages"]/a/@href')
    assert any(re.search(r"/item/[^?]+\?q=nghi\+quyet#p\d+$", href) for href in page_links)
    thumbs = doc.xpath('//li[@class="hit"]//img[@class="thumb"]')
    assert thumbs and all(t.get("loading") == "lazy" and t.get("width") and t.get("height")
                          for t in thumbs)


def test_the_search_page_asks_only_for_the_snippet_it_shows(reading_archive):
    """best_snippet_only: each hit's snippet and matching pages as a full search gives them,
    without a snippet per page (the page shows only their numbers)."""
    from luutru.index.backend import best_snippet_only
    from luutru.index.model import SearchRequest
    from luutru.index.update import open_backend

    request = SearchRequest("nghi quyet dang", clearance=1, limit=20)
    with open_backend(reading_archive) as engine:
        full = engine.search(request)
        with best_snippet_only():
            lean = engine.search(request)
        again = engine.search(request)
    assert full.hits and any(len(hit["pages"]) > 1 for hit in full.hits)
    assert [h["snippet"] for h in lean.hits] == [h["snippet"] for h in full.hits]
    assert all("<mark>" in h["snippet"] for h in lean.hits if h["pages"])
    assert [[{k: v for k, v in p.items() if k != "snippet"} for p in h["pages"]]
            for h in full.hits] == [h["pages"] for h in lean.hits]
    assert all(p["snippet"] for h in again.hits for p in h["pages"])  # only inside the block


def test_a_facet_link_narrows_the_query_to_its_count(app):
    client = login(app, "ana")
    doc = page(client.get("/search", query_string={"q": "nghi quyet"}))
    link = doc.xpath('//*[contains(@class, "facet-type")]//a[normalize-space()="Nghị quyết"]')[0]
    count = int(link.getparent().xpath('string(.//*[@class="count"])').strip("()"))
    narrowed = page(client.get(link.get("href")))
    assert narrowed.xpath('string(//input[@id="q"]/@value)') == "nghi quyet"  # not merged in
    assert narrowed.xpath('string(//input[@id="f-type"]/@value)') == "Nghị quyết"
    assert int(narrowed.xpath('string(//*[@id="total"])').split()[0]) == count
    chip = narrowed.xpath('//ul[@id="filter-chips"]/li[@data-filter="type"]')[0]
    assert "Loại văn bản: Nghị quyết" in chip.text_content()
    total = int(doc.xpath('string(//*[@id="total"])').split()[0])
    removed = page(client.get(chip.xpath('string(.//a[@class="chip-remove"]/@href)')))
    assert int(removed.xpath('string(//*[@id="total"])').split()[0]) == total
    assert not removed.xpath('//ul[@id="filter-chips"]')


def test_advanced_search_fields_phong_names_year_facets_and_oldest_first(app, reading_archive):
    client = login(app, "ana")
    doc = page(client.get("/search", query_string={"q": "đảng"}))
    years = [a.text_content().strip() for a in doc.xpath('//*[contains(@class, "facet-year")]//a')]
    assert len(years) >= 2 and years == sorted(years)
    phong = doc.xpath('//select[@id="f-fonds"]/option[@value="PHONG-12"]')[0].text_content()
    assert phong == "PHONG-12 – Phông Tỉnh ủy Thái Bình"
    assert "Phông Tỉnh ủy Thái Bình" in doc.xpath(
        'string(//*[contains(@class, "facet-fonds")])')
    narrowed = page(client.get("/search", query_string={
        "q": "đảng", "fonds": "PHONG-12", "from": "2019", "to": "2019", "sort": "oldest"}))
    dates = [d.text_content() for d in narrowed.xpath('//p[@class="hit-meta"]/span[1]')]
    assert dates and all("2019" in d for d in dates)
    chips = {c.get("data-filter") for c in narrowed.xpath('//ul[@id="filter-chips"]/li')}
    assert chips == {"fonds", "from", "to"}
    assert narrowed.xpath('//details[@id="advanced"]/@open')
    everything = [i for i in iter_items(reading_archive) if i["fonds_code"] == "PHONG-12"
                  and (i.get("ngay_ban_hanh") or "").startswith("2019") and not i.get("do_mat")]
    assert int(narrowed.xpath('string(//*[@id="total"])').split()[0]) <= len(everything)
    oldest = page(client.get("/search", query_string={"q": "đảng", "sort": "oldest"}))
    newest = page(client.get("/search", query_string={"q": "đảng", "sort": "date"}))
    ids = lambda d: [a.get("href") for a in d.xpath('//a[@class="hit-title"]')]
    assert ids(oldest) != ids(newest)
    bad_year = page(client.get("/search", query_string={"q": "đảng", "from": "19x"}))
    assert not bad_year.xpath('//ul[@id="filter-chips"]')


def test_print_view_of_an_item_with_its_citation(app, reading_archive):
    client = login(app, "ana")
    item = page(client.get(f"/item/{NQ_ITEM}"))
    url = item.xpath('string(//a[@id="print-link"]/@href)')
    sheet = page(client.get(url))
    assert sheet.xpath('string(//*[@id="citation"])') == item.xpath('string(//*[@id="citation"])')
    assert sheet.xpath('string(//*[@id="permalink"])') == f"http://localhost/item/{NQ_ITEM}"
    images = sheet.xpath('//img[@class="page-image"]/@src')
    assert len(images) == 2 and all("kind=original" in src for src in images)
    secret = demo_item(reading_archive, lambda i: i.get("do_mat") == "Mật")
    assert client.get(f"/item/{secret['id']}/print").status_code == 404


def test_pagination_and_sort(app):
    client = login(app, "ana")
    first = page(client.get("/search", query_string={"q": "đảng"}))
    assert int(first.xpath('string(//*[@id="total"])').split()[0]) > 2
    assert not first.xpath('//nav[@class="pagination"]//a[@rel="prev"]')
    next_url = first.xpath('//nav[@class="pagination"]//a[@rel="next"]/@href')[0]
    second = page(client.get(next_url))
    assert second.xpath('//nav[@class="pagination"]//a[@rel="prev"]')
    ids = lambda d: [a.get("href") for a in d.xpath('//a[@class="hit-title"]')]
    assert len(ids(first)) == 2 and ids(second) and not set(ids(first)) & set(ids(second))
    by_date = page(client.get("/search", query_string={"q": "đảng", "sort": "date"}))
    assert by_date.xpath('//select[@id="sort"]/option[@selected]/@value') == ["date"]
    dates = [d for d in by_date.xpath('//li[@class="hit"]//*[@class="hit-meta"]/span[1]/text()')]
    years = [int(d.rsplit("/", 1)[1]) for d in dates if d.startswith("Ngày")]
    assert years == sorted(years, reverse=True)


def test_a_hit_found_by_its_fields_alone_shows_its_first_page(app, reading_archive):
    doc = page(login(app, "ana").get("/search", query_string={"q": "number:13-NQ/TU"}))
    first = PageRef.parse(demo_item(reading_archive, lambda i: i["id"] == NQ_ITEM)["pages"][0])
    assert doc.xpath('//li[@class="hit"]//img[@class="thumb"]/@src') == [
        f"/page/{first.sha256}/{first.index}/image?size=thumb"]
    assert not doc.xpath('//li[@class="hit"]//*[@class="hit-pages"]')


def test_empty_query_shows_the_box_and_browse_link(app):
    doc = page(login(app, "ana").get("/search"))
    assert doc.xpath('//form[@id="search-form"]//input[@id="q"][@name="q"]')
    assert doc.xpath('//label[@for="q"]')
    assert doc.xpath('//a[contains(@href, "/browse")]')
    assert not doc.xpath('//*[@id="results"]') and not doc.xpath('//*[@id="total"]')


def test_query_error_and_spelling_suggestion(app):
    client = login(app, "ana")
    doc = page(client.get("/search", query_string={"q": '"nghị quyết'}))
    assert "ngoặc kép" in doc.xpath('string(//*[@class="query-error"])')
    doc = page(client.get("/search", query_string={"q": "nghi quyett"}))  # one letter off
    assert "khớp gần đúng" in doc.xpath('string(//*[@id="match-kinds"])')
    assert "khớp gần đúng" in doc.xpath('string(//*[@id="results"]//*[@class="match-kind"])')
    doc = page(client.get("/search", query_string={"q": "nghi qyu"}))  # too short to forgive
    suggestion = doc.xpath('//a[@id="suggestion"]')[0]
    assert suggestion.text_content() == "nghi quy"
    assert int(page(client.get(suggestion.get("href"))).xpath(
        'string(//*[@id="total"])').split()[0]) > 0


def test_empty_range_page_past_the_last_and_filters_say_why(app):
    client = login(app, "ana")
    notices = lambda doc: " ".join(doc.xpath('//p[@class="notice"]/text()'))
    doc = page(client.get("/search", query_string={"q": "nghi quyet year:2020..2006"}))
    assert "year:2020..2006 trống" in notices(doc)
    doc = page(client.get("/search", query_string={"q": "nghi quyet", "page": "99"}))
    assert "Trang 99 không có" in notices(doc)
    doc = page(client.get("/search", query_string={"q": "nghi quyet fonds:PHONG-0"}))
    assert "Các bộ lọc đã loại hết kết quả" in notices(doc)


@pytest.mark.parametrize("query", XSS_QUERIES)
def test_markup_in_the_query_is_shown_as_text(app, query):
    response = login(app, "ana").get("/search", query_string={"q": query})
    assert response.status_code == 200
    assert "<script>alert(1)" not in response.text and "<img src=x" not in response.text
    doc = lxml_html.fromstring(response.text)
    assert doc.xpath('string(//input[@id="q"]/@value)') == query
    assert not doc.xpath("//script[not(@src)]") and not doc.xpath("//img[@onerror]")


def test_classified_items_are_not_found_without_clearance(app):
    total = lambda doc: int(doc.xpath('string(//*[@id="total"])').split()[0])
    uncleared = page(login(app, "ana").get("/search", query_string={"q": "thành ủy"}))
    cleared = page(login(app, "mai").get("/search", query_string={"q": "thành ủy"}))
    assert "PHONG-31" not in uncleared.text_content()
    assert "PHONG-31" in cleared.xpath('string(//nav[@id="facets"])')
    assert total(cleared) > total(uncleared)
    assert total(page(login(app, "ana").get("/search", query_string={"q": "fonds:PHONG-31"}))) == 0
    assert total(page(login(app, "mai").get("/search", query_string={"q": "fonds:PHONG-31"}))) == 2


# --- the item page ------------------------------------------------------------------------------

def test_item_page_fields_review_marks_and_citation(app):
    doc = page(login(app, "ana").get(f"/item/{NQ_ITEM}"))
    field = lambda name: doc.xpath(f'string(//dl[@id="fields"]/dd[@data-field="{name}"])').strip()
    assert field("so_ky_hieu") == "13-NQ/TU"
    assert field("loai_van_ban") == "Nghị quyết"
    assert field("ngay_ban_hanh") == "10/5/2019"
    assert field("phong").startswith("PHONG-12") and field("ho_so").startswith("HS-2019-004")
    assert field("to") == "1–2"
    labels = [dt.text_content() for dt in doc.xpath('//dl[@id="fields"]/dt')]
    assert any(l.startswith("Cơ quan ban hành") and "cần kiểm tra" in l for l in labels)
    assert any(l.startswith("Số và ký hiệu") and "cần kiểm tra" not in l for l in labels)
    assert doc.xpath('string(//*[@id="citation"])').startswith(
        "Phông PHONG-12 (Phông Tỉnh ủy Thái Bình), Mục lục số 2, Hồ sơ số HS-2019-004, tờ 1–2, "
        "Nghị quyết số 13-NQ/TU")
    assert doc.xpath('//button[@id="copy-citation"]')
    assert doc.xpath('//a[@id="pdf-download"]/@href') == [f"/document/item/{NQ_ITEM}.pdf"]
    assert doc.xpath('//a[contains(@class, "pdf-file")]/@href') == [
        "/document/376eefd7a1e39bc2196d26a1e6330d887ce73ea8292fbb2d16982bbbf43ed6bd.pdf"]
    assert doc.xpath('//form[@id="basket-add"]//input[@name="item_id"]/@value') == [NQ_ITEM]
    assert len(doc.xpath('//*[@id="ocr-text"]//pre[@class="page-text"]')) == 2
    assert not doc.xpath('//a[@id="review-link"]')
    archivist = page(login(app, "thu").get(f"/item/{NQ_ITEM}"))
    assert archivist.xpath('//a[@id="review-link"]/@href') == [f"/review/{NQ_ITEM}"]


def test_highlights_stand_on_the_ocr_words_of_the_right_page(app, reading_archive):
    doc = page(login(app, "ana").get(f"/item/{NQ_ITEM}", query_string={"q": "nghi quyet"}))
    layer = doc.xpath('//section[@id="p1"]//div[contains(@class, "page-view")]//svg')[0]
    rects = layer.xpath('.//rect[@class="hl"]')
    assert rects and {fold(r.get("data-word")).strip(",.") for r in rects} <= {"nghi", "quyet"}
    ref = PageRef.parse(demo_item(reading_archive, lambda i: i["id"] == NQ_ITEM)["pages"][0])
    with Image.open(reading_archive.page_dir(ref) / "clean.png") as clean:
        assert layer.get("viewbox") == f"0 0 {clean.width} {clean.height}"
    words = pagetext.read_page_text(reading_archive.page_dir(ref)).words
    title = next(w for w in words if w.text == "NGHỊ")  # the title line, "NGHỊ QUYẾT"
    x0, y0, x1, y1 = title.box
    drawn = {(int(r.get("x")), int(r.get("y")), int(r.get("width")), int(r.get("height")))
             for r in rects}
    assert (x0, y0, x1 - x0, y1 - y0) in drawn
    assert all(0 <= x < clean.width and 0 <= y < clean.height for x, y, _, _ in drawn)
    marks = doc.xpath('//*[@id="ocr-text"]//pre[@data-page="1"]/mark')
    assert marks and {fold(m.text) for m in marks} <= {"nghi", "quyet"}
    original = page(login(app, "ana").get(f"/item/{NQ_ITEM}",
                                          query_string={"q": "nghi quyet", "image": "original"}))
    assert "kind=original" in original.xpath('string(//img[@class="page-image"]/@src)')
    outlines = original.xpath('//section[@id="p1"]//svg//polygon[@class="hl"]')
    assert len(outlines) == len(rects) and not original.xpath("//rect")


def _turned_page(archive: Archive) -> tuple[PageRef, dict]:
    """A demo page clean-up turned upside down and enlarged (a low-resolution PDF page scanned
    upside down)."""
    for ref in archive.iter_page_refs():
        record = json.loads((archive.page_dir(ref) / "ocr.json").read_text(encoding="utf-8"))
        if record["cleanup"]["rotation"] == 180 and record["cleanup"]["dpi"] == 300:
            return ref, record
    raise AssertionError("the demo batch has no page turned 180°")


def test_highlights_on_the_original_scan_stand_where_the_word_is_printed(app, reading_archive):
    ref, _ = _turned_page(reading_archive)
    item = demo_item(reading_archive, lambda i: ref.key in i["pages"])
    words = [w for w in pagetext.read_page_text(reading_archive.page_dir(ref)).words
             if len(w.text) >= 6 and w.text.isalpha()]
    word = max(words, key=lambda w: w.conf)
    n = item["pages"].index(ref.key) + 1
    doc = page(login(app, "mai").get(f"/item/{item['id']}",
                                     query_string={"q": word.text, "image": "original"}))
    layer = doc.xpath(f'//section[@id="p{n}"]//svg')[0]
    record = reading_archive.page_record(ref)
    scan = load_page(reading_archive.stored_original(ref.sha256), record["format"], ref.index,
                     record.get("dpi")).convert("L")
    assert layer.get("viewbox") == f"0 0 {scan.width} {scan.height}"
    outline = next(p for p in layer.xpath('.//polygon[@class="hl"]')
                   if p.get("data-word") == word.text)
    corners = [tuple(map(float, point.split(","))) for point in outline.get("points").split()]
    # upside down: the word's top-left corner on the clean page is its bottom-right on the scan
    (x0, y0), (x2, y2) = corners[0], corners[2]
    assert x0 > x2 and y0 > y2
    ink = np.asarray(scan.crop((round(x2), round(y2), round(x0), round(y0)))) < 128
    assert ink.mean() > 0.08, "the outline should cover the printed word"


def test_highlighted_words_follow_the_query_language(reading_archive):
    from luutru.web.highlight import page_highlights, query_words

    ref = PageRef.parse(demo_item(reading_archive, lambda i: i["id"] == NQ_ITEM)["pages"][0])
    found = page_highlights(reading_archive, ref, query_words('"tài chính" tăng* -đảng'))
    words = {fold(b.word).strip(",.;:") for b in found.boxes}
    assert {"tai", "chinh"} <= words and any(w.startswith("tang") for w in words)
    assert "dang" not in words  # excluded terms are not lit
    for (left, top, width, height), box in zip(found.fractions(), found.boxes):
        assert 0 <= left < 1 and 0 <= top < 1 and 0 < width < 0.5 and 0 < height < 0.1
        assert left == pytest.approx(box.x / found.width)
    assert not page_highlights(reading_archive, ref, query_words("(")).boxes  # a bad query


def test_classified_item_needs_clearance_and_is_audited(app, reading_archive):
    secret = demo_item(reading_archive, lambda i: i.get("do_mat") == "Mật")
    neighbour = demo_item(reading_archive, lambda i: i["fonds_code"] == "PHONG-31"
                          and not i.get("do_mat"))
    assert login(app, "ana").get(f"/item/{secret['id']}").status_code == 404
    assert login(app, "ana").get(f"/item/{neighbour['id']}").status_code == 404
    assert login(app, "ana").get("/item/no-such-item").status_code == 404
    doc = page(login(app, "mai").get(f"/item/{secret['id']}"))
    assert doc.xpath('string(//dd[@data-field="do_mat"])').strip() == "Mật"
    entries = Accounts(reading_archive).audit_entries(limit=20)
    assert any(e.username == "mai" and e.action == "view-item" and e.target == secret["id"]
               for e in entries)


def test_markup_in_catalogue_fields_is_inert_and_cites_link_only_visible_items(demo_archive,
                                                                               tmp_path):
    """An archivist's value with markup, saved and re-indexed while the reading room runs (the
    running app sees the rebuilt index), is shown as text everywhere."""
    archive = _copy_with_users(demo_archive, tmp_path / "archive")
    client = login(_app(archive), "ana")
    assert "alert" not in client.get("/search", query_string={"q": "tài chính"}).text
    report_item = demo_item(archive, lambda i: i["so_ky_hieu"] == "364-BC/HU")
    secret = demo_item(archive, lambda i: i.get("do_mat") == "Mật")
    sheet = tmp_path / "review.csv"
    payload = '<img src=x onerror=alert(1)> tài chính "><script>alert(2)</script>'
    sheet.write_text("id,trich_yeu,so_ky_hieu_trich_dan\n"
                     f'{NQ_ITEM},"{payload.replace(chr(34), chr(34) * 2)}",'
                     f'364-BC/HU; {secret["so_ky_hieu"]}; 99-NQ/TW\n', encoding="utf-8")
    assert import_review(archive, sheet).items_changed == 1
    reindex(archive)
    for response in (client.get("/search", query_string={"q": "tài chính"}),
                     client.get(f"/item/{NQ_ITEM}", query_string={"q": "tài chính"})):
        assert response.status_code == 200
        assert "<img src=x" not in response.text and "<script>alert" not in response.text
        assert "&lt;img src=x onerror=alert(1)&gt;" in response.text
    doc = page(client.get(f"/item/{NQ_ITEM}"))
    cites = doc.xpath('//ul[@id="cites"]/li')
    assert [li.text_content() for li in cites] == ["364-BC/HU", secret["so_ky_hieu"], "99-NQ/TW"]
    assert cites[0].xpath("a/@href") == [f"/item/{report_item['id']}"]
    assert not cites[1].xpath("a") and not cites[2].xpath("a")  # classified, unknown
    cited_by = page(client.get(f"/item/{report_item['id']}")).xpath('//ul[@id="cited-by"]//a/@href')
    assert cited_by == [f"/item/{NQ_ITEM}"]
    assert page(login(_app(archive), "mai").get(f"/item/{NQ_ITEM}")).xpath(
        '//ul[@id="cites"]/li[2]/a/@href') == [f"/item/{secret['id']}"]


# --- page images and PDFs -----------------------------------------------------------------------

def _image_url(key: str, **args) -> str:
    ref = PageRef.parse(key)
    query = "&".join(f"{k}={v}" for k, v in args.items())
    return f"/page/{ref.sha256}/{ref.index}/image" + (f"?{query}" if query else "")


def test_thumbnail_view_and_original_images(app, reading_archive):
    client = login(app, "ana")
    key = demo_item(reading_archive, lambda i: i["id"] == NQ_ITEM)["pages"][0]
    thumb = client.get(_image_url(key, size="thumb"))
    assert thumb.status_code == 200 and thumb.mimetype in ("image/png", "image/jpeg")
    assert thumb.headers["Cache-Control"].startswith("private")
    with Image.open(io.BytesIO(thumb.data)) as image:
        assert Image.MIME[image.format] == thumb.mimetype
        assert 150 <= image.width <= 220 and image.height > image.width
    assert client.get(_image_url(key, size="thumb")).data == thumb.data  # cached, same bytes
    assert list((reading_archive.root / "cache" / "web").rglob("*-clean-thumb.*"))
    pdf_page = demo_item(reading_archive, lambda i: i["source"].endswith(".pdf"))["pages"][1]
    original = client.get(_image_url(pdf_page, size="view", kind="original"))
    with Image.open(io.BytesIO(original.data)) as image:
        assert image.width <= 1200 and image.height > image.width


@pytest.mark.parametrize("url", [
    "/page/not-a-sha/1/image", "/page/" + "a" * 64 + "/1/image",
    "/page/" + "A" * 64 + "/1/image", "/document/../../etc/passwd.pdf", "/document/abc.pdf"])
def test_malformed_or_unknown_image_addresses_answer_404(app, url):
    assert login(app, "ana").get(url).status_code == 404


def test_bad_size_page_number_or_kind_answer_404(app, reading_archive):
    client = login(app, "ana")
    key = demo_item(reading_archive, lambda i: i["id"] == NQ_ITEM)["pages"][0]
    ref = PageRef.parse(key)
    assert client.get(_image_url(key, size="huge")).status_code == 404
    assert client.get(_image_url(key, kind="../clean")).status_code == 404
    assert client.get(f"/page/{ref.sha256}/0/image").status_code == 404
    assert client.get(f"/page/{ref.sha256}/-1/image").status_code == 404
    assert client.get(f"/page/{ref.sha256}/99/image").status_code == 404


def test_classified_images_and_pdfs_need_clearance(app, reading_archive):
    secret = demo_item(reading_archive, lambda i: i.get("do_mat") == "Mật")
    key = secret["pages"][0]
    sha = PageRef.parse(key).sha256
    reader, cleared = login(app, "ana"), login(app, "mai")
    for size in ("thumb", "view", "full"):
        assert reader.get(_image_url(key, size=size)).status_code == 404
    assert reader.get(_image_url(key, kind="original")).status_code == 404
    assert reader.get(f"/document/{sha}.pdf").status_code == 404
    assert cleared.get(_image_url(key, size="thumb")).status_code == 200
    pdf = cleared.get(f"/document/{sha}.pdf")
    assert pdf.status_code == 200 and pdf.data.startswith(b"%PDF")
    assert pdf.headers["Cache-Control"] == "no-store"  # nothing classified stays in a cache
    actions = {(e.username, e.action, e.target) for e in Accounts(reading_archive).audit_entries()}
    assert ("mai", "view-page", key) in actions and ("mai", "download-pdf", sha) in actions
    public_sha = PageRef.parse(demo_item(reading_archive, lambda i: i["id"] == NQ_ITEM)
                               ["pages"][0]).sha256
    assert reader.get(f"/document/{public_sha}.pdf").status_code == 200


def test_visitors_without_an_account_are_sent_to_login(app, reading_archive):
    client = app.test_client()
    key = demo_item(reading_archive, lambda i: i["id"] == NQ_ITEM)["pages"][0]
    for url in ("/search?q=nghi", f"/item/{NQ_ITEM}", _image_url(key, size="thumb")):
        assert client.get(url).status_code == 302


def test_one_search_engine_serves_many_threads_and_sees_a_reindex(demo_archive, tmp_path,
                                                                  monkeypatch):
    """SQLite connections cannot cross threads: waitress's threads each get their own, and all
    of them see the index ``luutru reindex`` switched to."""
    from concurrent.futures import ThreadPoolExecutor

    monkeypatch.setenv("LUUTRU_INDEX_ENGINE", "sqlite")
    archive = _copy_with_users(demo_archive, tmp_path / "archive")
    reindex(archive)
    app = _app(archive)
    clients = [login(app, name) for name in USERS]  # ana and thu: clearance 0, mai: 1

    def totals(client) -> list[int]:
        return [int(page(client.get("/search", query_string={"q": q})).xpath(
            'string(//*[@id="total"])').split()[0])
            for q in ("nghi quyet", "đảng", '"hợp tác xã kiểu mới"')]

    with ThreadPoolExecutor(3) as pool:
        before = list(pool.map(totals, clients))
    assert before[0] == before[2] and before[0][0] > 0 and before[1] != before[0]
    with ThreadPoolExecutor(3) as pool:  # each thread now holds its own connection
        assert list(pool.map(totals, clients)) == before
    sheet = tmp_path / "review.csv"
    sheet.write_text(f"id,trich_yeu\n{NQ_ITEM},về xây dựng hợp tác xã kiểu mới\n", encoding="utf-8")
    assert import_review(archive, sheet).items_changed == 1
    reindex(archive)  # a new index file replaces the one the threads hold open
    with ThreadPoolExecutor(3) as pool:
        after = list(pool.map(totals, clients))
    assert [t[2] for t in before] == [0, 0, 0] and [t[2] for t in after] == [1, 1, 1]


def test_a_public_reading_room_shows_anonymous_readers_only_the_public_part(reading_archive):
    client = create_app(reading_archive, public=True, config={"TESTING": True}).test_client()
    secret = demo_item(reading_archive, lambda i: i.get("do_mat") == "Mật")
    doc = page(client.get("/search", query_string={"q": "nghi quyet"}))
    assert doc.xpath('//li[@class="hit"]') and doc.xpath('//a[@id="login-link"]')
    assert page(client.get(f"/item/{NQ_ITEM}")).xpath('//dd[@data-field="so_ky_hieu"]')
    assert client.get(f"/item/{secret['id']}").status_code == 404
    assert client.get(_image_url(secret["pages"][0], size="thumb")).status_code == 404


def test_a_relative_archive_path_serves_images_and_pdfs(reading_archive, monkeypatch):
    """`luutru -a demo/archive serve` (what `make demo` prints) opens the archive by a relative
    path; images and PDFs must still be found after Flask resolves paths against its package."""
    monkeypatch.chdir(reading_archive.root.parent)
    archive = Archive.open(reading_archive.root.name, create=False)
    assert archive.root.is_absolute()
    client = login(_app(archive), "ana")
    key = demo_item(reading_archive, lambda i: i["id"] == NQ_ITEM)["pages"][0]
    image = client.get(_image_url(key, size="view", kind="original"))
    assert image.status_code == 200 and image.mimetype.startswith("image/")
    pdf = client.get(f"/document/{PageRef.parse(key).sha256}.pdf")
    assert pdf.status_code == 200 and pdf.data.startswith(b"%PDF")


# --- one PDF per document -----------------------------------------------------------------------

def _pdf_pages_text(data: bytes, tmp_path) -> list[str]:
    path = tmp_path / "item.pdf"
    path.write_bytes(data)
    text = subprocess.run(["pdftotext", "-layout", str(path), "-"], capture_output=True,
                          text=True, check=True).stdout
    return text.split("\f")[:-1]


def test_an_item_pdf_holds_its_pages_across_files_named_and_described(app, reading_archive,
                                                                       tmp_path):
    client = login(app, "ana")
    spread = demo_item(reading_archive, lambda i: len({k.split(":")[0] for k in i["pages"]}) > 1
                       and not i.get("do_mat"))
    answer = client.get(f"/document/item/{spread['id']}.pdf")
    assert answer.status_code == 200 and answer.data.startswith(b"%PDF")
    number = spread["so_ky_hieu"].replace("/", "-")
    assert answer.headers["Content-Disposition"].endswith(
        f"{number}_{spread['ngay_ban_hanh']}.pdf") or number in answer.headers["Content-Disposition"]
    with pikepdf.open(io.BytesIO(answer.data)) as pdf:
        assert len(pdf.pages) == len(spread["pages"])
        meta = pdf.open_metadata()
        assert meta["pdfaid:part"] == "2"
        assert spread["so_ky_hieu"] in str(meta["dc:title"])
        assert meta["dc:identifier"] == spread["so_ky_hieu"]
        assert "Hồ sơ số " + spread["file_code"] in str(meta["dc:source"])
        assert str(pdf.docinfo["/Title"]) == str(meta["dc:title"])
    texts = _pdf_pages_text(answer.data, tmp_path)
    for key, text in zip(spread["pages"], texts):
        ocr = (reading_archive.page_dir(PageRef.parse(key)) / "text.txt").read_text("utf-8")
        words = set(ocr.split())
        assert len(words & set(text.split())) >= 0.9 * len(words)   # this page, in this place


def test_an_item_of_a_whole_hoso_scan_gets_only_its_own_pages(app, reading_archive):
    client = login(app, "ana")
    items = [i for i in iter_items(reading_archive) if i["source"].endswith(".pdf")
             and not i.get("do_mat") and i.get("access") != "Hạn chế"]
    shared = [i for i in items if sum(j["source"] == i["source"] for j in items) > 1][0]
    answer = client.get(f"/document/item/{shared['id']}.pdf")
    with pikepdf.open(io.BytesIO(answer.data)) as pdf:
        assert len(pdf.pages) == len(shared["pages"])
    sha = PageRef.parse(shared["pages"][0]).sha256
    whole = client.get(f"/document/{sha}.pdf")
    with pikepdf.open(io.BytesIO(whole.data)) as pdf:
        assert len(pdf.pages) > len(shared["pages"])


def test_a_classified_item_pdf_needs_clearance_and_is_audited(app, reading_archive):
    secret = demo_item(reading_archive, lambda i: i.get("do_mat") == "Mật")
    url = f"/document/item/{secret['id']}.pdf"
    assert login(app, "ana").get(url).status_code == 404
    assert login(app, "ana").get("/document/item/vb-nothing.pdf").status_code == 404
    assert login(app, "mai").get(url).status_code == 200
    actions = {(e.username, e.action, e.target) for e in Accounts(reading_archive).audit_entries()}
    assert ("mai", "download-item-pdf", secret["id"]) in actions


# --- citation: folio numbers, the archival reference, permalinks -------------------------------

def _folio_field(client, item_id: str) -> str:
    return page(client.get(f"/item/{item_id}")).xpath(
        'string(//dl[@id="fields"]/dd[@data-field="to"])').strip()


def _folio_range(text: str) -> tuple[int, int]:
    first, _, last = text.partition("–")
    return int(first), int(last or first)


def test_folio_numbers_run_on_through_a_hoso_across_its_scanned_files(app, reading_archive):
    client = login(app, "mai")
    by_file: dict[tuple[str, str], list[dict]] = {}
    for item in iter_items(reading_archive):
        by_file.setdefault((item["fonds_code"], item["file_code"]), []).append(item)
    checked = 0
    for items in by_file.values():
        expected = 1
        for item in items:
            first, last = _folio_range(_folio_field(client, item["id"]))
            assert (first, last) == (expected, expected + len(item["pages"]) - 1), item["id"]
            expected = last + 1
            checked += 1
    assert checked >= 5 and any(len({i["source"] for i in items}) > 1
                                for items in by_file.values())


def test_an_archivists_folio_numbers_win_and_the_count_goes_on_after_them(demo_archive,
                                                                         tmp_path):
    archive = _copy_with_users(demo_archive, tmp_path / "archive")
    items = [i for i in iter_items(archive) if i["file_code"] == "HS-2019-004"]
    sheet = tmp_path / "review.csv"
    sheet.write_text(f"id,to_so\n{items[0]['id']},7–9\n", encoding="utf-8")
    assert import_review(archive, sheet).items_changed == 1
    client = login(_app(archive, REPOSITORY="Kho Lưu trữ Tỉnh ủy Thái Bình"), "ana")
    assert _folio_field(client, items[0]["id"]) == "7–9"
    assert _folio_range(_folio_field(client, items[1]["id"]))[0] == 10
    citation = page(client.get(f"/item/{items[0]['id']}")).xpath('string(//*[@id="citation"])')
    assert citation.startswith("Kho Lưu trữ Tỉnh ủy Thái Bình, Phông PHONG-12 (")
    # the hồ sơ's mục lục (the demo inventory's muc_luc column) stands before its number
    muc_luc = next(f for f in iter_files(archive) if f["code"] == "HS-2019-004")["muc_luc_so"]
    assert muc_luc and f", Mục lục số {muc_luc}, Hồ sơ số HS-2019-004, tờ 7–9, " in citation


def test_the_citation_leaves_out_values_waiting_for_review(app, reading_archive):
    item = demo_item(reading_archive, lambda i: "co_quan_ban_hanh" in i["needs_review"]
                     and i["co_quan_ban_hanh"] and not i.get("do_mat"))
    citation = page(login(app, "ana").get(f"/item/{item['id']}")).xpath(
        'string(//*[@id="citation"])')
    assert f" của {item['co_quan_ban_hanh']}" not in citation and ", tờ " in citation


def test_permalinks_to_items_and_pages_survive_a_retired_id(app, reading_archive):
    client = login(app, "ana")
    doc = page(client.get(f"/item/{NQ_ITEM}"))
    assert doc.xpath('//a[@id="permalink"]/@href') == [f"http://localhost/item/{NQ_ITEM}"]
    assert doc.xpath('//button[@id="copy-permalink"]')
    assert doc.xpath('//section[@id="p2"]//a[@class="page-permalink"]/@href') == [
        f"/item/{NQ_ITEM}/page/2"]
    answer = client.get(f"/item/{NQ_ITEM}/page/2")
    assert answer.status_code == 302 and answer.location == f"/item/{NQ_ITEM}#p2"
    assert client.get(f"/item/{NQ_ITEM}/page/3").status_code == 404
    # Re-cataloguing made page 2 part of the item that begins on page 1: the id that named a
    # document beginning on page 2 leads there, and its first page to page 2.
    retired = NQ_ITEM[:-4] + "0002"
    moved = client.get(f"/item/{retired}")
    assert moved.status_code == 301 and moved.location == f"/item/{NQ_ITEM}"
    moved_page = client.get(f"/item/{retired}/page/1")
    assert moved_page.status_code == 301 and moved_page.location == f"/item/{NQ_ITEM}/page/2"
    assert client.get("/item/vb-0000000000000000-0001").status_code == 404
    secret = demo_item(reading_archive, lambda i: i.get("do_mat") == "Mật")
    assert client.get(f"/item/{secret['id'][:-4]}{int(secret['id'][-4:]) + 1:04d}/page/1"
                      ).status_code == 404 or len(secret["pages"]) == 1


# --- IIIF: image tiles and the manifest ---------------------------------------------------------

def test_iiif_image_service_serves_tiles_behind_the_access_check(app, reading_archive):
    client = login(app, "ana")
    ref = PageRef.parse(demo_item(reading_archive, lambda i: i["id"] == NQ_ITEM)["pages"][0])
    ident = f"{ref.sha256}-{ref.index}-original"
    info = client.get(f"/iiif/3/{ident}/info.json")
    assert info.status_code == 200 and info.mimetype == "application/ld+json"
    body = info.get_json()
    record = reading_archive.page_record(ref)
    assert (body["width"], body["height"]) == (record["width"], record["height"])
    assert body["type"] == "ImageService3" and body["profile"] == "level1"
    assert body["id"] == f"http://localhost/iiif/3/{ident}"
    tile = client.get(f"/iiif/3/{ident}/512,1024,512,512/256,/0/default.jpg")
    assert tile.status_code == 200 and tile.mimetype == "image/jpeg"
    with Image.open(io.BytesIO(tile.data)) as image:
        assert image.size == (256, 256) and image.mode == "RGB"      # the colour scan
    again = client.get(f"/iiif/3/{ident}/512,1024,512,512/256,/0/default.jpg")
    assert again.data == tile.data
    assert list((reading_archive.root / "cache" / "iiif").rglob("256,.jpg"))
    full = client.get(f"/iiif/3/{ident}/full/max/0/default.jpg")
    with Image.open(io.BytesIO(full.data)) as image:
        assert image.size == (record["width"], record["height"])
    for bad in ("full/max/90/default.jpg", "full/max/0/gray.jpg", "full/9999,/0/default.jpg",
                "a,b,c,d/max/0/default.jpg", "full/,/0/default.jpg"):
        assert client.get(f"/iiif/3/{ident}/{bad}").status_code == 400, bad
    secret = PageRef.parse(demo_item(reading_archive, lambda i: i.get("do_mat") == "Mật")
                           ["pages"][0])
    secret_ident = f"{secret.sha256}-{secret.index}-original"
    assert client.get(f"/iiif/3/{secret_ident}/info.json").status_code == 404
    assert client.get(f"/iiif/3/{secret_ident}/full/max/0/default.jpg").status_code == 404
    assert login(app, "mai").get(f"/iiif/3/{secret_ident}/info.json").status_code == 200
    assert client.get(f"/iiif/3/{'a' * 64}-1-original/info.json").status_code == 404


def test_iiif_manifest_per_item(app, reading_archive, tmp_path):
    client = login(app, "ana")
    answer = client.get(f"/iiif/item/{NQ_ITEM}/manifest.json")
    assert answer.status_code == 200
    manifest = answer.get_json()
    assert manifest["type"] == "Manifest" and manifest["label"]["vi"][0].startswith("Nghị quyết")
    assert len(manifest["items"]) == 2
    assert "Hồ sơ số HS-2019-004" in manifest["requiredStatement"]["value"]["vi"][0]
    for canvas in manifest["items"]:
        body = canvas["items"][0]["items"][0]["body"]
        assert (body["width"], body["height"]) == (canvas["width"], canvas["height"])
        service = body["service"][0]["id"].removeprefix("http://localhost")
        assert client.get(service + "/info.json").get_json()["width"] == canvas["width"]
    secret = demo_item(reading_archive, lambda i: i.get("do_mat") == "Mật")
    assert client.get(f"/iiif/item/{secret['id']}/manifest.json").status_code == 404
    # IIIF's own Python models, generated from the Presentation 3 JSON schema, accept it
    from iiif_prezi3 import Manifest
    assert len(Manifest(**manifest).items) == 2


def test_iiif_manifest_validates_against_the_published_schema(app):
    """Validated offline by the IIIF presentation validator's own JSON schema (vendored in
    schemas/iiif), which refuses what a viewer could not read."""
    from luutru.web.iiif import manifest_problems

    manifest = login(app, "ana").get(f"/iiif/item/{NQ_ITEM}/manifest.json").get_json()
    assert manifest_problems(manifest) == []
    unsized = json.loads(json.dumps(manifest))
    del unsized["items"][0]["height"]                    # a canvas needs both dimensions
    plain_label = {**manifest, "label": "Nghị quyết"}    # labels are language maps
    assert manifest_problems(unsized) and manifest_problems(plain_label)
