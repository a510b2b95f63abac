"""Probing real scan files: format by content, pages and resolution, and every kind of bad input."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from PIL import ImageFile
from test_ingest_samples import (cut_short, write_bad_table_jpeg, write_corrupt_png, write_empty,
                                 write_encrypted_pdf, write_image, write_image_pdf,
                                 write_not_an_image, write_pdf_with_bad_page, write_png_bomb,
                                 write_short_stream_png, write_text_pdf, write_tiff,
                                 write_tiff_bomb, write_tiff_with_bad_page, write_truncated_jpeg)

from luutru.pageimage import BadInput, estimate_dpi, load_page, probe, sniff_format


@pytest.mark.parametrize("compression, mode", [("group4", "1"), ("tiff_lzw", "L"), ("jpeg", "RGB")])
def test_multipage_tiff_pages_and_resolution(tmp_path, compression, mode):
    found = probe(write_tiff(tmp_path / "doc.tif", 3, compression, mode=mode, dpi=150))
    assert (found.format, found.media_type, found.page_count) == ("tiff", "image/tiff", 3)
    assert [p.index for p in found.pages] == [1, 2, 3]
    assert {(p.dpi, p.dpi_estimated, p.mode) for p in found.pages} == {(150, False, mode)}
    assert found.pages[0].width == 1240 and not found.bad_pages


def test_jpeg_and_png_single_page(tmp_path):
    jpeg = probe(write_image(tmp_path / "a.jpg", "JPEG", dpi=200))
    png = probe(write_image(tmp_path / "b.png", "PNG", dpi=300))
    assert (jpeg.format, jpeg.page_count, jpeg.pages[0].dpi) == ("jpeg", 1, 200)
    assert (png.format, png.media_type, png.pages[0].dpi) == ("png", "image/png", 300)


def test_missing_resolution_is_estimated_from_a4(tmp_path):
    found = probe(write_image(tmp_path / "nodpi.png", "PNG", dpi=None))
    assert found.pages[0].dpi == 150 and found.pages[0].dpi_estimated
    assert estimate_dpi(2480, 3508) == 300 and estimate_dpi(3508, 2480) == 300


def test_image_pdf_resolution_comes_from_the_embedded_scan(tmp_path):
    found = probe(write_image_pdf(tmp_path / "hs.pdf", 2, dpi=120))
    assert (found.format, found.page_count, found.has_text) == ("pdf", 2, False)
    assert {(p.dpi, p.dpi_estimated, p.width) for p in found.pages} == {(120, False, 992)}


@pytest.mark.parametrize("logo", [False, True])
def test_pdf_with_text_layer_is_flagged(tmp_path, logo):
    found = probe(write_text_pdf(tmp_path / "digital.pdf", logo=logo))
    assert found.has_text and found.page_count == 1 and found.text_pages == [1]
    assert found.pages[0].dpi_estimated and (found.pages[0].width, found.pages[0].height) == (2480, 3508)


def test_load_page_decodes_one_page_at_its_resolution(tmp_path):
    pdf = write_image_pdf(tmp_path / "hs.pdf", 3, dpi=100)
    tiff = write_tiff(tmp_path / "doc.tif", 3, "group4")
    rendered = load_page(pdf, "pdf", 2)
    assert rendered.size == (827, 1169)
    assert load_page(pdf, "pdf", 2, dpi=50).size[1] == 585
    frame = load_page(tiff, "tiff", 3)
    assert frame.mode == "1" and frame.size == (827, 1169)


def test_format_comes_from_content_not_name(tmp_path):
    liar = write_image(tmp_path / "scan.tif", "PNG")
    assert sniff_format(liar) == "png" and probe(liar).format == "png"


def test_tiff_with_one_broken_page_keeps_the_good_pages(tmp_path):
    found = probe(write_tiff_with_bad_page(tmp_path / "doc.tif", count=3, bad=2))
    assert [p.index for p in found.pages] == [1, 3]
    assert found.page_count == 3
    assert [(index, reason) for index, reason, _ in found.bad_pages] == [(2, "bad-page")]


@pytest.mark.parametrize("maker, reason", [
    (lambda d: write_empty(d / "empty.tif"), "empty-file"),
    (lambda d: write_truncated_jpeg(d / "cut.jpg"), "truncated-image"),
    (lambda d: write_corrupt_png(d / "bad.png"), "corrupt-image"),
    (lambda d: write_encrypted_pdf(d / "secret.pdf"), "encrypted-pdf"),
    (lambda d: write_encrypted_pdf(d / "restricted.pdf", user_password=""), "encrypted-pdf"),
    (lambda d: write_png_bomb(d / "bomb.png"), "image-too-large"),
    (lambda d: write_tiff_bomb(d / "bomb.tif"), "image-too-large"),
    (lambda d: write_not_an_image(d / "notes.tif"), "unsupported-type"),
])
def test_bad_input_raises_with_reason(tmp_path, maker, reason):
    with pytest.raises(BadInput) as caught:
        probe(maker(tmp_path))
    assert caught.value.reason == reason and caught.value.message


def test_pixel_cap_is_configurable(tmp_path):
    small = write_image(tmp_path / "a.png", "PNG")
    with pytest.raises(BadInput, match="image-too-large"):
        probe(small, max_pixels=10_000)
    with pytest.raises(BadInput, match="image-too-large"):
        probe(write_image_pdf(tmp_path / "a.pdf", 1), max_pixels=10_000)



@pytest.mark.parametrize("compression", ["group4", "tiff_lzw", "jpeg"])
def test_tiff_cut_short_keeps_the_pages_before_the_cut(tmp_path, compression):
    tiff = cut_short(write_tiff(tmp_path / "doc.tif", 3, compression, mode="RGB"), 0.9)
    found = probe(tiff)
    assert [p.index for p in found.pages] == [1, 2]
    assert [(index, reason) for index, reason, _ in found.bad_pages] == [(3, "bad-page")]


def test_pdf_cut_short_is_refused_whole(tmp_path):
    """qpdf would show the surviving pages and silently drop the rest."""
    with pytest.raises(BadInput, match="truncated-image"):
        probe(cut_short(write_image_pdf(tmp_path / "hs.pdf", 3), 0.9))


def test_pdf_with_one_damaged_page_keeps_the_others(tmp_path):
    found = probe(write_pdf_with_bad_page(tmp_path / "hs.pdf", count=3, bad=2))
    assert [p.index for p in found.pages] == [1, 3] and found.page_count == 3
    assert [(index, reason) for index, reason, _ in found.bad_pages] == [(2, "bad-page")]


def cut_or_corrupt_files(folder: Path) -> dict[str, str]:
    """Files cut short and files whole but undecodable, in every raster format, with the reason
    each must get. ``short-stream.png`` is whole but Pillow's error for it says "truncated"."""
    files = {
        "cut.png": (cut_short(write_image(folder / "cut.png", "PNG"), 0.5), "truncated-image"),
        "cut.jpg": (write_truncated_jpeg(folder / "cut.jpg"), "truncated-image"),
        "cut.tif": (cut_short(write_tiff(folder / "cut.tif", 1, "tiff_lzw"), 0.6),
                    "truncated-image"),
        "noise.png": (write_corrupt_png(folder / "noise.png"), "corrupt-image"),
        "short-stream.png": (write_short_stream_png(folder / "short-stream.png"), "corrupt-image"),
        "bad-table.jpg": (write_bad_table_jpeg(folder / "bad-table.jpg"), "corrupt-image"),
        "noise.tif": (write_tiff_with_bad_page(folder / "noise.tif", count=1, bad=1),
                      "corrupt-image"),
    }
    return {name: reason for name, (_, reason) in files.items()}


def probe_reasons(folder: Path, names: list[str]) -> dict[str, str]:
    reasons = {}
    for name in names:
        try:
            probe(folder / name)
            reasons[name] = "accepted"
        except BadInput as exc:
            reasons[name] = exc.reason
    return reasons


@pytest.mark.parametrize("load_truncated", [False, True])
def test_cut_short_or_corrupt_is_read_from_the_file_not_pillow(tmp_path, monkeypatch,
                                                               load_truncated):
    """The reason does not depend on Pillow's wording, nor on its process-wide switch for
    truncated files (which another library in the process may have turned on)."""
    expected = cut_or_corrupt_files(tmp_path)
    monkeypatch.setattr(ImageFile, "LOAD_TRUNCATED_IMAGES", load_truncated)
    assert probe_reasons(tmp_path, list(expected)) == expected
    assert ImageFile.LOAD_TRUNCATED_IMAGES is load_truncated  # the caller's setting is kept


def test_reasons_hold_after_weasyprint_is_imported(tmp_path):
    """Importing WeasyPrint turns LOAD_TRUNCATED_IMAGES on for its process (a volume build
    does): a cut scan is still refused as cut. In a child process, to keep this one clean."""
    expected = cut_or_corrupt_files(tmp_path)
    script = ("import json, sys, weasyprint\n"
              "from PIL import ImageFile\n"
              "assert ImageFile.LOAD_TRUNCATED_IMAGES\n"
              "sys.path.insert(0, sys.argv[1])\n"
              "from test_pageimage import probe_reasons\n"
              "from pathlib import Path\n"
              "print(json.dumps(probe_reasons(Path(sys.argv[2]), sys.argv[3:])))\n")
    done = subprocess.run([sys.executable, "-c", script, str(Path(__file__).parent),
                           str(tmp_path), *expected], capture_output=True, text=True, check=True)
    assert json.loads(done.stdout) == expected
