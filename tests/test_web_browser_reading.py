"""The reading room's new pages in a real browser, by keyboard only, at a desktop's 1280 px and a
phone's 390 px: deep zoom over IIIF tiles (pan, zoom, turn, hit boxes), the advanced search with
its filter chips and folded facets, the item's PDF, permalink and print view.

Reuses the server, accounts and browser of :mod:`test_web_browser` (Debian's chromium driven by
Playwright against a running ``luutru serve``).
"""
# The fixtures are imported from test_web_browser: pytest finds them by name in this module, so
# the linter's "unused import" and "redefinition" (a fixture as a test's argument) do not apply.
# ruff: noqa: F401, F811

from __future__ import annotations

import pytest
from test_web_browser import (
    as_user,
    browser,
    catalogue,
    screenshot,
    server,
    sessions,
    unlabelled_controls,
    wait_for_images,
    web_archive,
)

try:
    from playwright.sync_api import expect
except ImportError:  # pragma: no cover - skipped with test_web_browser's marks
    expect = None
from test_web_browser import pytestmark  # the same skip conditions (playwright, chromium)

WIDTHS = [1280, 390]


def _open(as_user, width: int, path: str):
    page = as_user("docgia")
    page.set_viewport_size({"width": width, "height": 900 if width > 600 else 844})
    page.goto(path)
    return page


def _press(page, selector: str, key: str = "Enter") -> None:
    """Move the keyboard focus to ``selector`` and press ``key`` (no mouse anywhere)."""
    page.locator(selector).first.focus()
    page.keyboard.press(key)


def _no_sideways_scroll(page) -> None:
    overflow = page.evaluate("document.scrollingElement.scrollWidth - window.innerWidth")
    assert overflow <= 1, f"the page is {overflow}px wider than the window"


@pytest.fixture(scope="module")
def public_nq(catalogue):
    """A public Nghị quyết with its pages."""
    return next(i for i in catalogue.values() if i.get("loai_van_ban") == "Nghị quyết"
                and not i.get("do_mat") and i.get("access") != "Hạn chế")


@pytest.mark.parametrize("width", WIDTHS)
def test_deep_zoom_pans_zooms_turns_and_keeps_the_hit_boxes(as_user, public_nq, width):
    page = _open(as_user, width, f"/item/{public_nq['id']}?q=nghi+quyet")
    wait_for_images(page, ".page-view img.page-image")
    expect(page.locator(".page-view svg.hl-layer").first).to_be_attached()
    with page.expect_response(lambda r: "/iiif/3/" in r.url and r.url.endswith("default.jpg")
                              and r.status == 200):
        _press(page, "button.deep-zoom")
    viewer = page.locator(".deep-zoom-viewer")
    expect(viewer).to_have_attribute("data-ready", "1")
    expect(viewer.locator("svg.deep-zoom-hits")).to_be_attached()
    assert page.evaluate("document.activeElement.closest('.deep-zoom-viewer') !== null")
    for key in ("+", "ArrowRight", "r"):
        page.keyboard.press(key)
    expect(viewer).to_have_attribute("data-rotation", "90")
    expect(viewer).to_have_attribute("data-loaded", "1")      # every tile in view drawn
    _no_sideways_scroll(page)
    screenshot(page, f"deep-zoom-{width}")
    page.keyboard.press("Escape")
    expect(viewer).to_have_count(0)
    assert page.evaluate("document.activeElement.classList.contains('deep-zoom')")
    expect(page.locator(".page-view img.page-image").first).to_be_visible()


@pytest.mark.parametrize("width", WIDTHS)
def test_advanced_search_chips_and_facets_by_keyboard(as_user, width):
    page = _open(as_user, width, "/search?q=%C4%91%E1%BA%A3ng")
    header = page.locator("header.site").bounding_box()
    assert header["height"] <= (120 if width < 600 else 80), header
    panel = page.locator("details#facets-panel")
    if width < 600:   # facets behind a button, above the results
        assert not panel.evaluate("d => d.open")
        _press(page, "details#facets-panel > summary")
        assert panel.evaluate("d => d.open")
    expect(page.locator("nav#facets .facet-year a").first).to_be_visible()
    years = page.locator("nav#facets .facet-year a").all_inner_texts()
    assert years == sorted(years)
    _press(page, "details#advanced > summary")
    page.locator("#f-from").focus()
    page.keyboard.type("2019")
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.id") == "f-to"
    page.keyboard.type("2019")
    assert unlabelled_controls(page) == []
    with page.expect_navigation():
        page.keyboard.press("Enter")
    chips = page.locator("ul#filter-chips li.chip")
    expect(chips).to_have_count(2)
    expect(page.locator("#total")).to_contain_text("kết quả")
    assert all("2019" in text for text in page.locator("p.hit-meta span:first-child")
               .all_inner_texts())
    _no_sideways_scroll(page)
    screenshot(page, f"search-advanced-{width}")
    with page.expect_navigation():
        _press(page, "ul#filter-chips li[data-filter=from] a.chip-remove")
    expect(chips).to_have_count(1)


@pytest.mark.parametrize("width", WIDTHS)
def test_item_pdf_permalink_and_print_view_by_keyboard(as_user, public_nq, width):
    page = _open(as_user, width, f"/item/{public_nq['id']}")
    permalink = page.locator("a#permalink")
    assert permalink.get_attribute("href").endswith(f"/item/{public_nq['id']}")
    with page.expect_download() as download:
        _press(page, "a#pdf-download")
    name = download.value.suggested_filename
    assert name.endswith(".pdf") and public_nq["so_ky_hieu"].replace("/", "-") in name
    _no_sideways_scroll(page)
    citation = page.locator("#citation").inner_text()
    with page.expect_navigation():
        _press(page, "a#print-link")
    expect(page.locator("#citation")).to_have_text(citation)
    wait_for_images(page, "img.page-image")
    _no_sideways_scroll(page)
    screenshot(page, f"print-{width}")
