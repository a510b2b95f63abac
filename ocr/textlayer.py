"""A born-digital PDF page read from its own text layer, not by OCR.

An e-office system exports its documents as PDF straight from the word processor: the text is
there, exact (the number, the day, every tone mark), and OCR of a render could only lose some of
it. Such a page is one whose text is drawn as text and whose largest image is not a scan of the
whole page (:func:`luutru.pageimage.pdf_page_is_born_digital`). A scanner's own OCR layer over a
page-sized image is never used: it is not ours to vouch for, and luutru reads that page itself.

``pdftotext -bbox-layout`` (poppler) gives every word with its box; they become the same hOCR,
ALTO, reading order and text that a Tesseract reading gives, at the page's render resolution, and
the page's one-page PDF is the original page itself (its fonts and text kept).
"""

from __future__ import annotations

import io
import subprocess
import warnings
from pathlib import Path

import pikepdf
from lxml import etree

from luutru import xmlsafe
from luutru.archive import PageFiles
from luutru.ocr.alto import ALTO_NS
from luutru.ocr.layout import lines_to_text, parse_hocr, reading_order
from luutru.ocr.quality import vietnamese_quality
from luutru.ocr.recognize import Recognition
from luutru.textnorm import nfc

TEXT_LAYER_CONF = 99        # the text itself, not a guess: as sure as a word can be
_XHTML = "{http://www.w3.org/1999/xhtml}"

Box = tuple[int, int, int, int]


def _words_by_line(path: Path, index: int, dpi: int) -> tuple[list[list[list[tuple[str, Box]]]], tuple[int, int]]:
    """Blocks → lines → (word, pixel box) of page ``index`` (1-based), and the page's pixel size."""
    xml = subprocess.run(["pdftotext", "-f", str(index), "-l", str(index), "-bbox-layout",
                          str(path), "-"], capture_output=True, check=True).stdout
    root = xmlsafe.parse(xml).getroot()
    scale = dpi / 72.0

    def box(element: etree._Element) -> Box:
        return tuple(round(float(element.get(k)) * scale) for k in ("xMin", "yMin", "xMax", "yMax"))

    page = next(root.iter(f"{_XHTML}page"))
    size = (round(float(page.get("width")) * scale), round(float(page.get("height")) * scale))
    blocks = []
    for block in page.iter(f"{_XHTML}block"):
        lines = [[(nfc(w.text or "").strip(), box(w)) for w in line.iter(f"{_XHTML}word")]
                 for line in block.iter(f"{_XHTML}line")]
        lines = [[(t, b) for t, b in line if t] for line in lines]
        if any(lines):
            blocks.append([line for line in lines if line])
    return blocks, size


def _bbox(box: Box) -> str:
    return f"bbox {box[0]} {box[1]} {box[2]} {box[3]}"


def _union(boxes: list[Box]) -> Box:
    return (min(b[0] for b in boxes), min(b[1] for b in boxes),
            max(b[2] for b in boxes), max(b[3] for b in boxes))


def hocr_of(blocks: list, size: tuple[int, int]) -> bytes:
    """hOCR as Tesseract writes it (page, carea, par, line, word with x_wconf)."""
    html = etree.Element("html", xmlns="http://www.w3.org/1999/xhtml")
    head = etree.SubElement(html, "head")
    etree.SubElement(head, "title").text = "text layer"
    etree.SubElement(head, "meta", name="ocr-system", content="luutru pdf text layer")
    body = etree.SubElement(html, "body")
    page = etree.SubElement(body, "div", {"class": "ocr_page", "id": "page_1",
                                          "title": f'image "{PageFiles.CLEAN}"; bbox 0 0 {size[0]} {size[1]}'})
    n = 0
    for b, block in enumerate(blocks, start=1):
        boxes = [w[1] for line in block for w in line]
        area = etree.SubElement(page, "div", {"class": "ocr_carea", "id": f"block_1_{b}",
                                              "title": _bbox(_union(boxes))})
        par = etree.SubElement(area, "p", {"class": "ocr_par", "id": f"par_1_{b}",
                                           "title": _bbox(_union(boxes))})
        for line in block:
            n += 1
            span = etree.SubElement(par, "span", {"class": "ocr_line", "id": f"line_1_{n}",
                                                  "title": _bbox(_union([w[1] for w in line]))})
            for k, (text, box) in enumerate(line, start=1):
                word = etree.SubElement(span, "span", {
                    "class": "ocrx_word", "id": f"word_1_{n}_{k}",
                    "title": f"{_bbox(box)}; x_wconf {TEXT_LAYER_CONF}"})
                word.text = text
    return etree.tostring(html, xml_declaration=True, encoding="UTF-8")


def alto_of(blocks: list, size: tuple[int, int]) -> bytes:
    """ALTO 3.0 of the same words (validated by the pipeline like Tesseract's)."""
    a = f"{{{ALTO_NS}}}"
    root = etree.Element(f"{a}alto", nsmap={None: ALTO_NS})
    description = etree.SubElement(root, f"{a}Description")
    etree.SubElement(description, f"{a}MeasurementUnit").text = "pixel"
    source = etree.SubElement(description, f"{a}sourceImageInformation")
    etree.SubElement(source, f"{a}fileName").text = PageFiles.CLEAN
    layout = etree.SubElement(root, f"{a}Layout")
    page = etree.SubElement(layout, f"{a}Page", ID="page_0", PHYSICAL_IMG_NR="0",
                            WIDTH=str(size[0]), HEIGHT=str(size[1]))
    space = etree.SubElement(page, f"{a}PrintSpace", HPOS="0", VPOS="0",
                             WIDTH=str(size[0]), HEIGHT=str(size[1]))
    n = s = 0

    def place(element: etree._Element, box: Box) -> None:
        element.set("HPOS", str(box[0]))
        element.set("VPOS", str(box[1]))
        element.set("WIDTH", str(box[2] - box[0]))
        element.set("HEIGHT", str(box[3] - box[1]))

    for b, block in enumerate(blocks):
        area = etree.SubElement(space, f"{a}TextBlock", ID=f"block_{b}")
        place(area, _union([w[1] for line in block for w in line]))
        for line in block:
            text_line = etree.SubElement(area, f"{a}TextLine", ID=f"line_{n}")
            place(text_line, _union([w[1] for w in line]))
            n += 1
            for k, (text, box) in enumerate(line):
                if k:
                    etree.SubElement(text_line, f"{a}SP")
                string = etree.SubElement(text_line, f"{a}String", ID=f"string_{s}",
                                          CONTENT=text, WC=str(TEXT_LAYER_CONF / 100))
                place(string, box)
                s += 1
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8")


def page_pdf(path: Path, index: int) -> bytes:
    """The original page alone, as a one-page PDF (its text stays searchable)."""
    with pikepdf.open(path) as source, pikepdf.new() as single, warnings.catch_warnings():
        warnings.simplefilter("ignore", pikepdf.PageCopyWarning)    # form widgets left behind
        single.pages.append(source.pages[index - 1])
        out = io.BytesIO()
        single.save(out)
        return out.getvalue()


def read_text_layer(path: Path, index: int, dpi: int) -> Recognition:
    """Page ``index`` of a born-digital PDF as a reading, its words placed at ``dpi``."""
    blocks, size = _words_by_line(path, index, dpi)
    hocr = hocr_of(blocks, size)
    lines = reading_order(parse_hocr(hocr), *size)
    words = []
    for number, line in enumerate(lines):      # as a Tesseract reading: words know their line
        for word in line.words:
            word.line = number
            words.append(word)
    text = lines_to_text(lines)
    return Recognition(text=text, hocr=hocr, alto=alto_of(blocks, size), pdf=page_pdf(path, index),
                       words=words, mean_conf=float(TEXT_LAYER_CONF) if words else 0.0,
                       quality=vietnamese_quality(text), psm=0,
                       attempts=[{"source": "pdf text layer", "chars": len(text)}])
