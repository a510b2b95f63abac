"""Degraded scans: each effect changes the page the way it says, deterministically, and stays readable."""

from __future__ import annotations

import os
import random

import numpy as np
import pytest
from PIL import Image

from luutru.samples import degrade
from luutru.samples.documents import generate_document
from luutru.samples.render import render_page
from test_samples import _bag_cer

DPI = 100


@pytest.fixture(scope="module")
def page():
    doc = generate_document(random.Random(21), pages=1, doc_type="CT")
    return render_page(doc, 1, DPI, seal=True)[0]


def _grey(image: Image.Image) -> np.ndarray:
    return np.asarray(image.convert("L"), dtype=np.float32)


@pytest.mark.parametrize("tier", ["t0", "t1", "t2", "t3"])
def test_tiers_keep_the_page_size_and_are_deterministic(page, tier):
    first, record = degrade.degrade_tier(page, tier, DPI, np.random.default_rng(4), skew_deg=1.0)
    again, _ = degrade.degrade_tier(page, tier, DPI, np.random.default_rng(4), skew_deg=1.0)
    assert first.size == page.size
    assert np.array_equal(np.asarray(first), np.asarray(again))
    assert record == degrade.Degradation(1.0, 0)


def test_worse_tiers_are_darker_and_noisier(page):
    clean = _grey(page)
    office = _grey(degrade.degrade_tier(page, "t1", DPI, np.random.default_rng(1))[0])
    poor = _grey(degrade.degrade_tier(page, "t2", DPI, np.random.default_rng(1))[0])
    blank = clean > 250                          # paper, in the clean page
    assert office[blank].mean() < 250            # tinted
    assert poor[blank].std() > office[blank].std() > clean[blank].std()


def test_binding_shadow_darkens_one_edge(page):
    shaded = _grey(degrade.binding_shadow(page, DPI, "left"))
    assert shaded[:, :5].mean() < 160 and shaded[:, -5:].mean() > 250


def test_dark_border_and_turns(page):
    bordered = _grey(degrade.dark_border(page, DPI, np.random.default_rng(0)))
    edges = [bordered[:2, :], bordered[-2:, :], bordered[:, :2], bordered[:, -2:]]
    assert min(edge.mean() for edge in edges) < 50
    assert degrade.rotate_quarter(page, 90).size == (page.height, page.width)
    assert np.array_equal(np.asarray(degrade.rotate_quarter(degrade.rotate_quarter(page, 180), 180)),
                          np.asarray(page))


def test_lower_resolution_scales_the_page(page):
    low = degrade.resample_dpi(page, DPI, DPI // 2)
    assert low.size == (round(page.width / 2), round(page.height / 2))


def test_office_scan_still_reads_back():
    pytesseract = pytest.importorskip("pytesseract")
    os.environ.setdefault("OMP_THREAD_LIMIT", "1")
    doc = generate_document(random.Random(8), pages=1, doc_type="TB")
    clean, truth = render_page(doc, 1, 200, seal=False)
    scanned, _ = degrade.degrade_tier(clean, "t1", 200, np.random.default_rng(2), skew_deg=0.4)
    assert _bag_cer(pytesseract.image_to_string(scanned, lang="vie"), truth) < 0.06
