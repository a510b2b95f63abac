"""The proofing view in a real browser (Playwright + Debian chromium against ``luutru serve``): an
editor puts a document in the basket, opens it for proofing, clicks a misread word and sees its
box on the scan, corrects it in place, saves and goes on; the volume built afterwards prints the
correction."""

from __future__ import annotations

import shutil
import subprocess

import pytest

from luutru.archive import Archive
from luutru.catalog.build import iter_items
from luutru.volume.build import build_volume, slugify
from luutru.volume.spec import spec_for_items
from test_web_browser import CHROMIUM, CHROMIUM_ARGS, PASSWORD, login_with_keyboard, open_context
from test_web_browser import pytestmark  # noqa: F401 (skipped without Playwright or chromium)
from webserver import add_users, running_server

try:
    from playwright.sync_api import expect, sync_playwright
except ImportError:  # pragma: no cover
    sync_playwright = None

MISREAD, RIGHT = "biếu", "biểu"     # "Đại hội đại biếu toàn quốc" on the demo's 13-NQ/TU


@pytest.fixture(scope="module")
def proof_archive(demo_archive, tmp_path_factory):
    root = tmp_path_factory.mktemp("proof-browser") / "archive"
    shutil.copytree(demo_archive.root, root)
    add_users(root, {"bientap": ("editor", "none")}, PASSWORD)
    return root


def test_editor_corrects_a_word_and_the_volume_prints_it(proof_archive, tmp_path):
    item = next(i for i in iter_items(Archive(proof_archive)) if i["so_ky_hieu"] == "13-NQ/TU")
    with running_server(proof_archive) as server, sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), headless=True,
                                             args=CHROMIUM_ARGS)
        context = open_context(browser, server.url)
        page = context.new_page()
        login_with_keyboard(page, "bientap", PASSWORD)
        page.goto(f"/item/{item['id']}")
        with page.expect_navigation():
            page.locator("form#basket-add [type=submit]").first.click()
        page.goto("/proof")
        expect(page.locator("#proof-progress")).to_contain_text("Đã đối chiếu 0/2 trang")
        with page.expect_navigation():
            page.locator(f"#proof-items tr[data-item='{item['id']}'] a").click()
        editor = page.locator("#proof-text")
        expect(editor).to_be_visible()
        expect(page.locator("#proof-plain")).to_be_hidden()
        assert page.locator("#proof-text .w.low").count() > 0          # unsure words underlined
        word = page.locator("#proof-text .w", has_text=MISREAD).first
        word.click()
        box = page.locator("#word-box")
        expect(box).to_have_class("word-box shown")
        assert float(box.get_attribute("width")) > 0 and float(box.get_attribute("x")) > 0
        assert box.get_attribute("x") == word.get_attribute("data-box").split()[0]
        # Correct it in place: select the word's letters and type the right ones.
        word.evaluate("""w => { const r = document.createRange(); r.selectNodeContents(w);
                               const s = getSelection(); s.removeAllRanges(); s.addRange(r); }""")
        page.keyboard.type(RIGHT)
        assert RIGHT in editor.inner_text()
        with page.expect_navigation():
            page.locator("#proof-save-next").click()
        assert page.url.endswith(f"/proof/{item['id']}/2")
        expect(page.locator(".flash-success")).to_contain_text("Đã lưu bản biên tập trang 1")
        expect(page.locator("#proof-progress")).to_contain_text("đã đối chiếu 1/2 trang")
        context.close()
        browser.close()
    report = build_volume(Archive(proof_archive), spec_for_items([item["id"]], "Tập thử"), tmp_path)
    assert report.proofread_documents == 0 and report.unproofread[0]["sheets"] == [2]
    pdf = tmp_path / f"{slugify('Tập thử')}.pdf"
    text = " ".join(subprocess.run(["pdftotext", str(pdf), "-"], check=True, capture_output=True,
                                   text=True).stdout.split())
    assert f"Đại hội đại {RIGHT} toàn quốc lần thứ XII" in text
    assert f"đại {MISREAD} toàn" not in text
