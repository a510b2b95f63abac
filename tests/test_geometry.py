"""A point found on the cleaned page maps back onto the original scan, whatever clean-up did.

The scans are turned a quarter (or upside down), tilted and at low resolution, so clean-up turns,
deskews and enlarges them; a filled mark printed on the page is found on both images and its
place on the clean page, mapped back, must fall on its place on the scan.
"""

from __future__ import annotations

import cv2
import numpy as np
import pytest

from luutru.ocr.cleanup import clean_page
from luutru.geometry import PageGeometry, rotation_matrix
from luutru.samples.render import render_lines

DPI = 150
BODY = ["ĐẢNG CỘNG SẢN VIỆT NAM", "Nghị quyết của Ban Thường vụ Tỉnh ủy",
        "về công tác xây dựng Đảng trong tình hình mới", "Các đồng chí ủy viên thường vụ",
        "phụ trách địa bàn có trách nhiệm tổ chức thực hiện"] * 4
MARK_MM = (3, 7)          # a filled upright bar: bigger than any glyph, not a rule, not a hole


def _page_with_mark() -> np.ndarray:
    page = np.asarray(render_lines(BODY, dpi=DPI, size_mm=(150, 200), top_mm=12)).copy()
    width, height = (round(mm / 25.4 * DPI) for mm in MARK_MM)
    x, y = round(110 / 25.4 * DPI), round(150 / 25.4 * DPI)
    page[y:y + height, x:x + width] = 0
    return page


def _scan(page: np.ndarray, clockwise_quarters: int, tilt_degrees: float) -> np.ndarray:
    turned = np.ascontiguousarray(np.rot90(page, -clockwise_quarters))
    height, width = turned.shape
    matrix = cv2.getRotationMatrix2D((width / 2, height / 2), tilt_degrees, 1.0)
    return cv2.warpAffine(turned, matrix, (width, height), borderValue=255)


def _mark_centre(image: np.ndarray, dpi: float) -> np.ndarray:
    """The centre of the largest dark blob (the mark: the glyphs are far smaller)."""
    dark = (image < 128).astype(np.uint8)
    count, _, stats, centroids = cv2.connectedComponentsWithStats(dark)
    biggest = 1 + int(np.argmax(stats[1:, cv2.CC_STAT_AREA]))
    expected = MARK_MM[0] * MARK_MM[1] * (dpi / 25.4) ** 2
    assert 0.6 * expected < stats[biggest, cv2.CC_STAT_AREA] < 1.5 * expected
    return centroids[biggest]


@pytest.mark.parametrize("quarters, tilt", [(0, 0.0), (1, 1.5), (2, -2.0), (3, 0.8)])
def test_a_mark_on_the_clean_page_maps_back_onto_the_scan(quarters, tilt):
    scan = _scan(_page_with_mark(), quarters, tilt)
    cleaned = clean_page(scan, DPI)
    height, width = cleaned.image.shape[:2]
    geometry = PageGeometry.from_provenance({"cleanup": cleaned.provenance()}, (width, height))

    assert geometry.quarter_turns == quarters     # a clockwise turn is undone counter-clockwise
    assert geometry.scale == pytest.approx(2.0)
    assert geometry.original_size == (scan.shape[1], scan.shape[0])
    found = geometry.to_original(_mark_centre(cleaned.image, cleaned.dpi)[None, :])[0]
    assert np.hypot(*(found - _mark_centre(scan, DPI))) < 2.0      # scan pixels, 150 dpi


def test_a_box_becomes_the_four_corners_of_its_place_on_the_scan():
    geometry = PageGeometry(quarter_turns=1, skew_degrees=0.0, scale=2.0, clean_size=(400, 600))
    assert geometry.original_size == (300, 200)
    # clean (x, y) / 2 is the turned page; turning back: original = (300 - y, x)
    assert geometry.box_to_original((100, 40, 140, 60)) == [(280.0, 50.0), (280.0, 70.0),
                                                            (270.0, 70.0), (270.0, 50.0)]


def test_a_page_without_clean_up_records_maps_to_itself():
    geometry = PageGeometry.from_provenance({}, (800, 1000))
    points = np.array([[10.0, 20.0], [799.0, 999.0]])
    assert np.array_equal(geometry.to_original(points), points)


def test_the_rotation_is_opencvs():
    for degrees in (-3.2, 0.4, 90.0):
        assert np.allclose(rotation_matrix((640.5, 801.0), degrees),
                           cv2.getRotationMatrix2D((640.5, 801.0), degrees, 1.0))
