"""The Tesseract runner: one run, every output, sane PDF image encoding, clear errors."""

from __future__ import annotations

import numpy as np
import pytest
from PIL import Image
from rapidfuzz.distance import Levenshtein

from luutru.ocr.alto import validate_alto
from luutru.ocr.engine import (ENGINE_API, ENGINE_CLI, TesseractFailed, is_bitonal, run_tesseract,
                               tesseract_version)
from luutru.samples.render import render_lines

LINES = ["Nghị quyết về công tác xây dựng Đảng", "Đồng chí Nguyễn Văn Đức phụ trách"]


@pytest.fixture(scope="module")
def page() -> np.ndarray:
    return np.asarray(render_lines(LINES, dpi=200, size_mm=(150, 40), top_mm=8))


def test_one_run_gives_every_output(page):
    out = run_tesseract(page, dpi=200, outputs=("txt", "hocr", "alto", "pdf"))
    text = out["txt"].decode("utf-8").strip()
    assert Levenshtein.normalized_distance(text, "\n".join(LINES)) < 0.05
    assert b"ocrx_word" in out["hocr"]
    assert b"alto/ns-v3#" in out["alto"]
    assert out["pdf"].startswith(b"%PDF")


def test_bitonal_page_is_embedded_small(page):
    binary = np.where(page > 128, 255, 0).astype(np.uint8)
    grey = np.clip(page.astype(int) + 20, 0, 255).astype(np.uint8)  # not bitonal
    small = run_tesseract(binary, dpi=200, outputs=("pdf",))["pdf"]
    large = run_tesseract(grey, dpi=200, outputs=("pdf",))["pdf"]
    assert len(small) < len(large) / 2


def test_is_bitonal():
    assert is_bitonal(Image.fromarray(np.array([[0, 255]], np.uint8), "L"))
    assert not is_bitonal(Image.fromarray(np.array([[0, 128]], np.uint8), "L"))


@pytest.mark.parametrize("engine", [ENGINE_API, ENGINE_CLI])
def test_missing_model_is_a_clear_error(page, engine):
    if engine == ENGINE_API:
        pytest.importorskip("tesserocr")
    with pytest.raises(TesseractFailed, match="nosuchlang"):
        run_tesseract(page, dpi=200, lang="nosuchlang", outputs=("txt",), engine=engine)


def test_unknown_output_is_refused(page):
    with pytest.raises(ValueError, match="unknown"):
        run_tesseract(page, dpi=200, outputs=("docx",))


def test_version():
    assert tesseract_version()[0].isdigit()


def test_both_engines_read_the_same(page):
    """The kept API engine (tesserocr) and the tesseract command give the same outputs."""
    pytest.importorskip("tesserocr")
    api = run_tesseract(page, dpi=200, outputs=("txt", "hocr", "alto", "pdf"), engine=ENGINE_API)
    cli = run_tesseract(page, dpi=200, outputs=("txt", "hocr", "alto", "pdf"), engine=ENGINE_CLI)
    assert Levenshtein.normalized_distance(api["txt"].decode(), cli["txt"].decode()) < 0.02
    for outputs in (api, cli):
        assert outputs["hocr"].count(b"ocrx_word") == cli["hocr"].count(b"ocrx_word")
        assert validate_alto(outputs["alto"]) == []
        assert outputs["pdf"].startswith(b"%PDF")


def test_api_engine_switches_psm_between_pages(page):
    """One kept engine serves every page; the psm of one run does not leak into the next."""
    pytest.importorskip("tesserocr")
    block = run_tesseract(page, dpi=200, psm=6, outputs=("txt",), engine=ENGINE_API)
    single_line = run_tesseract(page, dpi=200, psm=7, outputs=("txt",), engine=ENGINE_API)
    again = run_tesseract(page, dpi=200, psm=6, outputs=("txt",), engine=ENGINE_API)
    assert block["txt"].decode().count("\n") >= 2 > single_line["txt"].decode().strip().count("\n")
    assert again == block


def test_config_settings_reach_the_api_engine(page):
    pytest.importorskip("tesserocr")
    digits = run_tesseract(page, dpi=200, outputs=("txt",), engine=ENGINE_API,
                           config="-c tessedit_char_whitelist=0123456789")
    assert not any(ch.isalpha() for ch in digits["txt"].decode())

