"""Page clean-up on rendered Vietnamese pages: real OpenCV, real Tesseract, no mocks."""

from __future__ import annotations

import json

import cv2
import numpy as np
import pytest
import pytesseract
from PIL import Image, ImageChops, ImageDraw
from rapidfuzz.distance import Levenshtein

from luutru.ocr.cleanup import STEPS, CleanupOptions, CleanupResult, clean_page, options_without
from luutru.samples.render import Line, load_font, render_lines

DPI = 150
BODY = [
    Line("ĐẢNG CỘNG SẢN VIỆT NAM", x_mm=None, style="serif-bold"),
    Line("NGHỊ QUYẾT", x_mm=None, style="serif-bold", size_pt=15),
    Line("về công tác kiểm tra, giám sát của Đảng", x_mm=None),
    "Thực hiện Chỉ thị số 48-CT/TW ngày 9-3-2019 của Ban Bí thư,",
    "Ban Thường vụ Tỉnh ủy ban hành nghị quyết về những nhiệm vụ",
    "trọng tâm như sau: nâng cao chất lượng sinh hoạt chi bộ, tăng",
    "cường công tác kiểm tra, giám sát; xây dựng đội ngũ cán bộ có",
    "phẩm chất đạo đức, năng lực ngang tầm nhiệm vụ. Các cấp ủy,",
    "tổ chức đảng quán triệt sâu sắc nội dung nghị quyết, xây dựng",
    "kế hoạch cụ thể để triển khai thực hiện phù hợp với điều kiện",
    "thực tế của địa phương, đơn vị. Định kỳ sơ kết, tổng kết, báo",
    "cáo kết quả về Ban Thường vụ Tỉnh ủy (qua Văn phòng Tỉnh ủy).",
    "Đồng chí Bí thư các huyện ủy, thành ủy trực thuộc chịu trách",
    "nhiệm tổ chức quán triệt và triển khai thực hiện nghị quyết.",
    "Ủy ban Kiểm tra Tỉnh ủy giúp Ban Thường vụ theo dõi, đôn đốc.",
]

# Steps that only matter for real scans; switched off where a test looks at one step alone.
LATE_STEPS = ("illumination", "upscale", "despeckle", "binarize")


@pytest.fixture(scope="module")
def page() -> np.ndarray:
    return np.array(render_lines(BODY, dpi=DPI, top_mm=25))


def _ocr(image: np.ndarray, dpi: int) -> str:
    return pytesseract.image_to_string(image, lang="vie", config=f"--psm 6 --dpi {dpi}")


def _cer(truth: str, text: str) -> float:
    truth, text = " ".join(truth.split()), " ".join(text.split())
    return Levenshtein.distance(truth, text) / len(truth)


def test_steps_are_the_contract_names():
    assert STEPS == ("color", "illumination", "borders", "orientation", "deskew", "upscale",
                     "binarize", "rules", "despeckle")


@pytest.mark.parametrize("angle", [0.7, -0.7, 3.0, -3.0])
def test_deskew_recovers_known_angle(page, angle):
    tilted = np.array(Image.fromarray(page).rotate(angle, resample=Image.BICUBIC, fillcolor=255))
    result = clean_page(tilted, DPI, options_without(*LATE_STEPS))
    assert abs(result.skew - angle) <= 0.2
    straightened = clean_page(result.image, DPI, options_without("orientation", *LATE_STEPS))
    assert abs(straightened.skew) <= 0.2


@pytest.mark.parametrize("clockwise", [90, 180, 270])
def test_orientation_recovers_quarter_turns(page, clockwise):
    turned = np.array(Image.fromarray(page).rotate(-clockwise, expand=True))
    for options in (options_without(*LATE_STEPS),
                    CleanupOptions(disabled=frozenset(LATE_STEPS), osd_fallback=False)):
        result = clean_page(turned, DPI, options)
        assert result.rotation == clockwise
        assert result.image.shape == page.shape
        # the page is back: its ink lies where the upright page's ink lies
        upright_ink = page < 128
        assert (upright_ink & (result.image < 128)).sum() > 0.5 * upright_ink.sum()


def test_upright_page_is_left_alone(page):
    result = clean_page(page, DPI, options_without(*LATE_STEPS))
    assert result.rotation == 0 and abs(result.skew) < 0.1
    assert np.array_equal(result.image, page)


def _seal_page() -> tuple[np.ndarray, str]:
    """A signature block with a red seal drawn over the signer's title and name (BGR)."""
    lines = [Line("T/M BAN THƯỜNG VỤ", x_mm=20, style="serif-bold"),
             Line("PHÓ BÍ THƯ", x_mm=20, style="serif-bold"),
             Line("Nguyễn Văn Hùng", x_mm=20, style="serif-bold"),
             Line("Lưu Văn phòng Tỉnh ủy.", x_mm=20)]
    gray = render_lines(lines, dpi=200, size_mm=(110, 60), top_mm=8)
    seal = Image.new("RGB", gray.size, "white")
    draw = ImageDraw.Draw(seal)
    red = (220, 40, 50)
    centre, radius = (220, 190), 150
    draw.ellipse([centre[0] - radius, centre[1] - radius, centre[0] + radius, centre[1] + radius],
                 outline=red, width=14)
    draw.ellipse([centre[0] - radius + 30, centre[1] - radius + 30, centre[0] + radius - 30,
                  centre[1] + radius - 30], outline=red, width=5)
    draw.regular_polygon((centre, 45), 5, fill=red)
    font = load_font("serif-bold", 30)
    for i, letter in enumerate("ĐẢNG CỘNG SẢN"):
        draw.text((70 + i * 24, 70 + abs(6 - i) * 8), letter, fill=red, font=font)
    # ink absorbs light: the seal darkens the paper, black type under it stays black
    rgb = ImageChops.multiply(Image.merge("RGB", (gray, gray, gray)), seal)
    truth = "\n".join(line.text for line in lines)
    return np.ascontiguousarray(np.array(rgb)[..., ::-1]), truth


def test_red_seal_suppression_lowers_cer():
    image, truth = _seal_page()
    with_seal = clean_page(image, 200, options_without("color"))
    suppressed = clean_page(image, 200)
    cer_with_seal = _cer(truth, _ocr(with_seal.image, with_seal.dpi))
    cer_suppressed = _cer(truth, _ocr(suppressed.image, suppressed.dpi))
    assert cer_suppressed < cer_with_seal
    assert cer_suppressed <= 0.1
    color = next(step for step in suppressed.steps if step.name == "color")
    assert color.effect["stamp_pixels"] > 0.01


def test_grey_seal_over_the_name_goes_and_the_name_is_read():
    """A seal scanned or photocopied in grey is mid-grey, the type over it black: the seal goes,
    the signer's name under it is read."""
    image, truth = _seal_page()
    grey = cv2.cvtColor(image, cv2.COLOR_BGR2GRAY)
    kept = clean_page(grey, 200, options_without("color"))
    suppressed = clean_page(grey, 200)
    color = next(step for step in suppressed.steps if step.name == "color")
    assert color.effect["seals"] == 1 and color.effect["stamp_pixels"] > 0.01
    text = _ocr(suppressed.image, suppressed.dpi)
    assert "Nguyễn Văn Hùng" in text
    assert _cer(truth, text) < _cer(truth, _ocr(kept.image, kept.dpi))


def test_grey_page_without_a_seal_is_left_alone(page):
    result = clean_page(page, DPI, options_without(*LATE_STEPS))
    color = next(step for step in result.steps if step.name == "color")
    assert color.effect["seals"] == 0
    assert np.array_equal(result.image, page)


def test_black_borders_and_punch_holes_become_paper(page):
    height, width = page.shape
    pad = 60
    scan = np.full((height + 2 * pad, width + 2 * pad), 25, np.uint8)     # scanner bed
    scan[pad:pad + height, pad:pad + width] = np.minimum(page, 235)          # slightly grey paper
    hole_centre = (pad + 40, pad + height // 2)
    cv2.circle(scan, hole_centre, 18, 20, -1)                               # 6 mm punch hole
    result = clean_page(scan, DPI, options_without("orientation", "deskew", "illumination",
                                                   "upscale", "despeckle", "binarize"))
    cleaned = result.image
    assert cleaned[:pad].min() >= 200 and cleaned[:, :pad].min() >= 200     # borders gone
    x, y = hole_centre
    assert cleaned[y - 10:y + 10, x - 10:x + 10].min() >= 200               # hole gone
    text_area = (slice(pad + 40, pad + height - 40), slice(pad + 60, pad + width - 60))
    assert np.array_equal(cleaned[text_area], scan[text_area])              # text untouched
    borders = next(step for step in result.steps if step.name == "borders")
    assert borders.effect["holes"] == 1 and borders.effect["border_fraction"] > 0.05


def test_scanner_bed_and_binding_shadow_go_in_the_full_pipeline(page):
    height, width = page.shape
    pad = 60
    scan = np.full((height + 2 * pad, width + 2 * pad), 20, np.uint8)
    shade = np.ones(width, np.float32)
    shade[:120] = np.linspace(0.3, 1.0, 120)                                 # binding shadow
    scan[pad:pad + height, pad:pad + width] = (np.minimum(page, 235) * shade[None, :]).astype(np.uint8)
    result = clean_page(scan, 300, options_without("orientation", "deskew"))
    cleaned = result.image
    assert set(np.unique(cleaned)) <= {0, 255}
    assert (cleaned[:pad] == 255).all() and (cleaned[:, -pad:] == 255).all()
    assert (cleaned[:, :pad + 40] == 0).mean() < 0.001                       # bed and shadow core
    text = (slice(pad + 40, pad + height - 40), slice(pad + 150, pad + width - 60))
    assert abs(int((cleaned[text] == 0).sum()) - int((page[40:height - 40, 150:width - 60] < 128).sum())) \
        < 0.05 * (page < 128).sum()                                           # text kept


def test_uneven_light_is_flattened(page):
    ramp = np.linspace(0.55, 1.0, page.shape[1], dtype=np.float32)[None, :]
    shaded = (page.astype(np.float32) * ramp).astype(np.uint8)
    result = clean_page(shaded, DPI, options_without("upscale", "despeckle", "binarize"))
    paper = result.image[page > 250]
    assert np.percentile(paper, 5) >= 235            # dark side of the page is paper again
    assert result.image[page < 60].mean() < 140      # ink stays ink


def test_salt_and_pepper_is_despeckled(page):
    noisy = page.copy()
    rng = np.random.default_rng(1)
    spots = rng.random(page.shape)
    noisy[spots < 0.01] = 0
    noisy[spots > 0.99] = 255
    result = clean_page(noisy, 300, options_without("orientation", "deskew", "binarize"))
    despeckle = next(step for step in result.steps if step.name == "despeckle")
    assert despeckle.effect["applied"] is True
    stray = (result.image < 128) & (page > 250)
    assert stray.mean() < 0.1 * (spots < 0.01).mean()


def test_isolated_specks_go_and_diacritics_stay(page):
    clean = clean_page(page, 300, options_without("orientation", "deskew", "despeckle"))
    specked = page.copy()
    rng = np.random.default_rng(2)
    blank_rows = np.flatnonzero((page < 128).sum(axis=1) == 0)
    for _ in range(200):      # toner specks, 2–4 px, in the empty space between lines
        y, x = int(rng.choice(blank_rows)), int(rng.integers(20, page.shape[1] - 20))
        specked[y:y + int(rng.integers(2, 5)), x:x + int(rng.integers(2, 5))] = 0
    result = clean_page(specked, 300, options_without("orientation", "deskew"))
    despeckle = next(step for step in result.steps if step.name == "despeckle")
    assert despeckle.effect["specks"] >= 150
    assert despeckle.effect["kept_near_letters"] > 0          # dots and marks of ạ, ệ, ộ …
    letters = clean.image == 0
    assert (result.image[letters] == 0).mean() > 0.99        # every letter keeps its ink
    assert (result.image == 0).sum() < letters.sum() * 1.01  # and the specks are gone


def test_low_resolution_page_is_upscaled(page):
    result = clean_page(page, DPI, options_without("binarize"))
    assert result.dpi == 300
    assert result.image.shape == (page.shape[0] * 2, page.shape[1] * 2)
    at_300 = clean_page(page, 300, options_without("binarize"))
    assert at_300.dpi == 300 and at_300.image.shape == page.shape


@pytest.mark.parametrize("method", ["otsu", "sauvola", "adaptive"])
def test_binarize_methods_give_black_and_white_text(page, method):
    result = clean_page(page, 300, CleanupOptions(binarize_method=method))
    assert set(np.unique(result.image)) <= {0, 255}
    ink = result.image == 0
    assert 0.5 < ink.sum() / (page < 128).sum() < 2.0


@pytest.mark.parametrize("step", STEPS)
def test_each_step_can_be_disabled_and_is_recorded(page, step):
    result = clean_page(page, DPI, options_without(step))
    assert [record.name for record in result.steps] == list(STEPS)
    for record in result.steps:
        json.dumps(record.to_dict())
        if record.name == step:
            assert record.params == {"enabled": False} and record.effect == {"skipped": "disabled"}
        else:
            assert record.params and record.seconds >= 0


def test_everything_disabled_returns_the_page_as_grey(page):
    colour = np.ascontiguousarray(np.stack([page] * 3, axis=-1))
    result = clean_page(colour, DPI, CleanupOptions(disabled=frozenset(STEPS)))
    assert isinstance(result, CleanupResult)
    assert result.image.ndim == 2 and np.array_equal(result.image, page)
    assert (result.dpi, result.rotation, result.skew) == (DPI, 0, 0.0)
    json.dumps(result.provenance())


def test_debug_mode_keeps_every_intermediate_image(page, tmp_path):
    result = clean_page(page, DPI, options_without("despeckle", base=CleanupOptions(debug_dir=tmp_path)))
    written = sorted(path.name for path in tmp_path.iterdir())
    expected = [f"{n:02d}-{name}.png" for n, name in enumerate(STEPS, start=1) if name != "despeckle"]
    assert written == expected
    final = cv2.imread(str(tmp_path / written[-1]), cv2.IMREAD_GRAYSCALE)
    assert np.array_equal(final, result.image)


def test_original_image_is_not_changed(page):
    colour = np.ascontiguousarray(np.stack([page] * 3, axis=-1))
    before = colour.copy()
    clean_page(colour, DPI)
    assert np.array_equal(colour, before)


def test_blank_and_single_channel_pages_pass_through():
    blank = np.full((400, 300, 1), 250, np.uint8)
    result = clean_page(blank, 300)
    assert result.rotation == 0 and result.skew == 0.0
    assert result.image.shape == (400, 300) and (result.image == 255).all()
    assert clean_page(blank, 300, CleanupOptions(disabled=frozenset(STEPS))).image.shape == (400, 300)


def test_bad_input_and_options_are_refused():
    with pytest.raises(ValueError, match="unknown clean-up step"):
        CleanupOptions(disabled=frozenset({"sharpen"}))
    with pytest.raises(ValueError, match="binarize method"):
        CleanupOptions(binarize_method="magic")
    with pytest.raises(ValueError, match="uint8"):
        clean_page(np.zeros((100, 100), np.float32), 300)
    with pytest.raises(ValueError, match="dpi"):
        clean_page(np.zeros((100, 100), np.uint8), 0)


def _stamped_header(colour: tuple[int, int, int]) -> np.ndarray:
    """A left header block with boxed secrecy and urgency marks, in ``colour`` ink (BGR out)."""
    lines = [Line("TỈNH ỦY THÁI BÌNH", x_mm=12), Line("*", x_mm=40), Line("Số 50-KL/TU", x_mm=22),
             *[Line("")] * 5, Line("Thực hiện Chỉ thị của Ban Bí thư,", x_mm=12)]
    gray = render_lines(lines, dpi=300, size_mm=(110, 85), top_mm=8)
    stamps = Image.new("RGB", gray.size, "white")
    draw = ImageDraw.Draw(stamps)
    font = load_font("serif-bold", 56)
    for (x, y), word in (((300, 390), "MẬT"), ((280, 500), "KHẨN")):
        left, top, right, bottom = draw.textbbox((x, y), word, font=font)
        draw.rectangle([left - 12, top - 12, right + 12, bottom + 12], outline=colour, width=4)
        draw.text((x, y), word, fill=colour, font=font)
    rgb = ImageChops.multiply(Image.merge("RGB", (gray, gray, gray)), stamps)
    return np.ascontiguousarray(np.array(rgb)[..., ::-1])


@pytest.mark.parametrize("colour", [(0, 0, 0), (210, 30, 40)], ids=["black", "red"])
def test_boxed_secrecy_marks_are_read(colour):
    """A boxed "MẬT" must reach the text: it is what marks the item classified.

    Red ink of a text stamp stays ink (only round seals become paper), and the box round it is
    removed so Tesseract does not take the word for part of a picture."""
    cleaned = clean_page(_stamped_header(colour), 300)
    text = pytesseract.image_to_string(cleaned.image, lang="vie", config="--psm 4")
    assert "MẬT" in text and "KHẨN" in text
    steps = {step.name: step for step in cleaned.steps}
    assert steps["rules"].effect["rule_pixels"] > 0
    assert steps["color"].effect["stamp_pixels"] == 0.0


def test_rules_step_leaves_letters_alone(page):
    """Vertical strokes of letters (l, I, brackets) are not rules unless they meet a long line."""
    with_rules = clean_page(page, DPI)
    without = clean_page(page, DPI, options_without("rules"))
    assert np.array_equal(with_rules.image, without.image)


def _rules_on_the_whole_page(binary: np.ndarray, dpi: int) -> np.ndarray:
    """The rules step by its definition: both openings of the whole page, the vertical strokes
    kept where they come within 1 mm of a horizontal rule."""
    ink = cv2.threshold(binary, 127, 255, cv2.THRESH_BINARY_INV)[1]
    mm = dpi / 25.4
    horizontal = cv2.morphologyEx(ink, cv2.MORPH_OPEN, np.ones((1, round(7 * mm)), np.uint8))
    vertical = cv2.morphologyEx(ink, cv2.MORPH_OPEN, np.ones((round(4 * mm), 1), np.uint8))
    near = cv2.dilate(horizontal, np.ones((round(mm),) * 2, np.uint8))
    count, labels = cv2.connectedComponents(vertical, connectivity=8)
    touching = np.bincount(labels[near > 0], minlength=count) > 0
    touching[0] = False
    return cv2.max(binary, cv2.max(horizontal, touching[labels].astype(np.uint8) * 255))


def _ruled_page() -> np.ndarray:
    """Text with an underline, a boxed word, a table whose column rules run far from its
    horizontal rules, and a rule at the page's edge; an odd width."""
    page = np.array(render_lines(BODY[:8], dpi=300, size_mm=(150, 200), top_mm=10))[:, :-3]
    page = page.copy()
    cv2.line(page, (300, 330), (1200, 330), 0, 3)                          # underline
    cv2.rectangle(page, (700, 1000), (1000, 1120), 0, 4)                   # box round a word
    for y in (1300, 1360, 1700):                                           # table rows
        cv2.line(page, (200, y), (1500, y), 0, 3)
    for x in (200, 800, 1500):                                             # its long columns
        cv2.line(page, (x, 1300), (x, page.shape[0] - 1), 0, 3)
    cv2.line(page, (0, 1550), (60, 1550), 0, 3)                            # short, at the edge
    return cv2.threshold(page, 127, 255, cv2.THRESH_BINARY)[1]


def test_rules_are_those_of_the_whole_page_definition():
    """The rules step works on a few rows and windows only; it must remove the same pixels."""
    binary = _ruled_page()
    result = clean_page(binary, 300, options_without("orientation", "deskew", "illumination",
                                                     "despeckle"))
    assert np.array_equal(result.image, _rules_on_the_whole_page(binary, 300))
    assert next(s for s in result.steps if s.name == "rules").effect["rule_pixels"] > 10_000


def _specks_by_definition(binary: np.ndarray, dpi: int, reach_mm: float = 1.0) -> np.ndarray:
    """Isolated specks by their definition: half-resolution components no bigger than 0.6 mm
    with no larger mark within ``reach_mm`` (the ellipse), made paper."""
    ink = cv2.threshold(binary, 127, 255, cv2.THRESH_BINARY_INV)[1]
    half = (cv2.resize(ink, None, fx=0.5, fy=0.5, interpolation=cv2.INTER_AREA) > 0).astype(np.uint8)
    count, labels, stats, _ = cv2.connectedComponentsWithStats(half, connectivity=8)
    small = np.maximum(stats[:, 2], stats[:, 3]) <= round(0.6 / 25.4 * dpi / 2)
    small[0] = False
    letters = ((~small)[labels] & (labels > 0)).astype(np.uint8)
    reach = 2 * max(1, round(reach_mm / 25.4 * dpi / 2)) + 1
    near = cv2.dilate(letters, cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (reach, reach)))
    isolated = small & ~(np.bincount(labels[near > 0], minlength=count) > 0)
    remove = cv2.resize(isolated[labels].astype(np.uint8) * 255, binary.shape[::-1],
                        interpolation=cv2.INTER_NEAREST)
    return cv2.max(binary, remove)


@pytest.mark.parametrize("crop", [0, 1], ids=["even", "odd"])
@pytest.mark.parametrize("specks", [300, 40_000], ids=["few", "many"])
def test_specks_removed_are_those_of_the_definition(page, crop, specks):
    """Few specks are looked at one by one, many by dilating the page: the same result."""
    binary = cv2.threshold(page, 127, 255, cv2.THRESH_BINARY)[1][crop:, crop:].copy()
    rng = np.random.default_rng(specks)
    ys, xs = rng.integers(0, binary.shape[0] - 3, specks), rng.integers(0, binary.shape[1] - 3, specks)
    for dy in (0, 1):
        binary[ys + dy, xs] = 0
    result = clean_page(binary, DPI, options_without("orientation", "deskew", "illumination",
                                                     "upscale", "rules"))
    assert np.array_equal(result.image, _specks_by_definition(binary, DPI))
    assert next(s for s in result.steps if s.name == "despeckle").effect["specks"] > 0


def test_tiny_text_is_upscaled_whatever_resolution_the_file_states():
    """A 100-dpi page whose file says 300 dpi (a resized photo): its letters are 8 px high."""
    small = np.array(render_lines(BODY, dpi=100, top_mm=25))
    result = clean_page(small, 300, options_without("binarize"))
    upscale = next(step for step in result.steps if step.name == "upscale")
    assert upscale.effect["scaled"] and upscale.effect["by"] == "text height"
    assert result.image.shape[0] > 2.5 * small.shape[0]
    truth = " ".join(line if isinstance(line, str) else line.text for line in BODY)
    assert _cer(truth, _ocr(result.image, result.dpi)) < _cer(truth, _ocr(small, 300))


def test_text_of_a_true_300_dpi_page_is_left_alone(page):
    at_300 = np.array(render_lines(BODY, dpi=300, top_mm=25))
    upscale = next(s for s in clean_page(at_300, 300, options_without("binarize")).steps
                   if s.name == "upscale")
    assert not upscale.effect["scaled"] and upscale.effect["text_px"] >= 25
