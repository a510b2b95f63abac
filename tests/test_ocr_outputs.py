"""ALTO and hOCR finishing (NFC, Ð→Đ, image name, schema) and the document PDF builder."""

from __future__ import annotations

import subprocess

import numpy as np
import pytest

from luutru.ocr.alto import InvalidAlto, finish_alto, validate_alto
from luutru.ocr.engine import run_tesseract
from luutru.ocr.pdf import build_document_pdf
from luutru.ocr.pipeline import finish_hocr
from luutru.samples.render import render_lines


@pytest.fixture(scope="module")
def outputs() -> dict[str, bytes]:
    page = np.asarray(render_lines(["Đảng bộ tỉnh Thái Bình"], dpi=200, size_mm=(120, 25),
                                   top_mm=6))
    return run_tesseract(page, dpi=200, outputs=("hocr", "alto", "pdf"))


def test_alto_from_tesseract_validates_offline(outputs):
    assert validate_alto(outputs["alto"]) == []


def test_finish_alto_repairs_eth_and_names_the_image(outputs):
    eth = outputs["alto"].decode("utf-8").replace("Đảng", "\u00d0a\u0309ng")  # Ð + combining hook
    finished = finish_alto(eth.encode("utf-8"), "clean.png").decode("utf-8")
    assert "\u00d0" not in finished and 'CONTENT="Đảng"' in finished
    assert "<fileName>clean.png</fileName>" in finished


def test_finish_alto_refuses_invalid_alto(outputs):
    broken = outputs["alto"].replace(b'WC="', b'WC="9', 1)
    with pytest.raises(InvalidAlto, match="WC"):
        finish_alto(broken, "clean.png")


def test_finish_alto_refuses_entities(outputs):
    evil = (b'<?xml version="1.0"?><!DOCTYPE alto [<!ENTITY x SYSTEM "file:///etc/passwd">]>'
            b'<alto xmlns="http://www.loc.gov/standards/alto/ns-v3#">&x;</alto>')
    with pytest.raises(InvalidAlto):
        finish_alto(evil, "clean.png")


def test_finish_hocr(outputs):
    finished = finish_hocr(outputs["hocr"].replace("Đ".encode(), "\u00d0".encode()), "clean.png")
    assert b'image "clean.png"' in finished and "\u00d0".encode() not in finished


def test_document_pdf_joins_pages_as_pdfa(outputs, tmp_path):
    pages = []
    for number in (1, 2):
        pages.append(tmp_path / f"p{number}.pdf")
        pages[-1].write_bytes(outputs["pdf"])
    result = build_document_pdf(pages, tmp_path / "doc.pdf", title="PHONG-1/HS-1/doc.tif")
    assert result.pdfa and result.pages == 2
    text = subprocess.run(["pdftotext", str(tmp_path / "doc.pdf"), "-"], capture_output=True,
                          text=True, check=True).stdout
    assert text.count("Thái Bình") == 2
    with pytest.raises(ValueError):
        build_document_pdf([], tmp_path / "none.pdf")
