"""Searchable PDFs: the scan as it was made, with the words read from it as an invisible layer.

Tesseract writes each page as a one-page PDF: the *cleaned* page (deskewed, binarised, red seal
erased) under an invisible text layer placed over the words. That page is right for checking the
OCR but wrong as a copy of the record: a printed copy looks unsigned. So, as OCRmyPDF does, a page
of a document PDF here is the ORIGINAL scan, and the words Tesseract read (``ocr.hocr``) are drawn
invisibly over it where they lie on the scan, through the geometry the page's ``ocr.json``
records (quarter turn, deskew, enlargement; :mod:`luutru.geometry`, :mod:`luutru.ocr.pdfwords`).
A born-digital page keeps its own text, moved onto its rendered image by one matrix. The cleaned
page stays in ``pages/…/clean.png`` and ``ocr.pdf``.

Three image modes (:data:`MODES`):

- ``faithful`` (the default): the scan's own bytes where PDF can hold them (JPEG as stored, a
  scanned PDF's page as stored), else its pixels losslessly (Flate; CCITT G4 for bitonal pages).
- ``optimised``: JPEG (quality :data:`JPEG_QUALITY`) for colour and grey pages, CCITT G4 for
  bitonal ones, as OCRmyPDF's optimiser does; smaller, with JPEG noise on lossless scans.
- ``clean``: Tesseract's pages as they are (the cleaned image; the old behaviour).

The file is saved as PDF/A-2b, the archival profile, by pikepdf's PDF/A module, which prepares
the file and validates the bytes it wrote; a file it cannot approve is still written (a
searchable PDF beats none) but without claiming PDF/A, and the caller is told.
"""

from __future__ import annotations

import contextlib
import io
import logging
import os
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import img2pdf
import numpy as np
import pikepdf
import pikepdf.pdfa
from PIL import Image

from luutru.archive import (Archive, PageFiles, PageRef, atomic_move_into, read_json, record_file_checksum,
                            temp_file_for)
from luutru.geometry import PageGeometry
from luutru.ocr.layout import parse_hocr
from luutru.ocr.pdfwords import text_operators
from luutru.pageimage import load_page

log = logging.getLogger(__name__)

PDFA_FLAVOUR = "2b"
MODES = ("faithful", "optimised", "clean")
JPEG_QUALITY = 75            # OCRmyPDF's default for its optimiser
# The PDF's tool in its metadata says how its images and words were made; a document PDF of the
# cleaned images, or of Tesseract's own text layer moved over the scan (luutru 2), which older
# builds made, is built again by `luutru ocr`.
CREATOR_TOOLS = {"faithful": "luutru 3 (Tesseract OCR over the original scan)",
                 "optimised": "luutru 3 (Tesseract OCR over the scan, optimised)",
                 "clean": "luutru (Tesseract OCR)"}


@dataclass(frozen=True)
class PdfPage:
    """One page of a document PDF: Tesseract's one-page PDF (its invisible words) and the scan
    they were read from, with the geometry between them."""

    text_pdf: Path                         # pages/<sha>/<NNNN>/ocr.pdf
    original: Path                         # the stored original file
    fmt: str                               # "jpeg" | "png" | "tiff" | "pdf"
    index: int                             # page in the original, 1-based
    dpi: int                               # the scan's resolution (PDF: OCR's rendering)
    size: tuple[int, int]                  # the scan's pixels (width, height) as OCR loaded them
    geometry: PageGeometry                 # clean pixels -> scan pixels
    has_text: bool = False                 # a PDF page that already carries text
    hocr: Path | None = None               # the words read (ocr.hocr), drawn over the scan


@dataclass
class DocumentPdf:
    path: Path
    pages: int
    pdfa: bool                       # validated PDF/A-2b
    problems: list[str] = field(default_factory=list)   # why it is not PDF/A, if it is not


def archive_pdf_page(archive: Archive, ref: PageRef) -> PdfPage:
    """What :func:`build_document_pdf` needs of a read page, from its records on disk."""
    page_dir = archive.page_dir(ref)
    record = archive.page_record(ref)
    files = PageFiles(page_dir)
    provenance = read_json(files.provenance)
    with Image.open(files.clean) as clean:
        geometry = PageGeometry.from_provenance(provenance, clean.size)
    size = (int(record.get("width") or geometry.original_size[0]),
            int(record.get("height") or geometry.original_size[1]))
    return PdfPage(files.pdf, archive.stored_original(ref.sha256), record["format"],
                   ref.index, int(record["dpi"]), size, geometry, bool(record.get("has_text")),
                   files.hocr)


def build_document_pdf(pages: Sequence[PdfPage | Path], out: Path, *, mode: str = "faithful",
                       title: str | None = None, language: str = "vi",
                       metadata: Mapping[str, str] | None = None,
                       checksum: bool = True) -> DocumentPdf:
    """Write ``pages`` (in order) to ``out``, atomically, as validated PDF/A-2b if possible.

    A page given as a path (a Tesseract one-page PDF alone) is taken as it is, in any mode.

    ``metadata`` may name ``creator`` (the issuing organ), ``date`` (ISO), ``identifier`` (số và
    ký hiệu), ``source`` (the archival reference) and ``description``. ``checksum=False`` for a
    derived copy outside the record (no checksum sidecar).
    """
    if not pages:
        raise ValueError("a document PDF needs at least one page")
    if mode not in MODES:
        raise ValueError(f"unknown PDF mode {mode!r}")
    with contextlib.ExitStack() as stack:
        document = stack.enter_context(pikepdf.new())
        fonts: dict[str, pikepdf.Object] = {}       # one invisible font for every page
        for page in pages:
            _add_page(document, page, mode, fonts)
        describe(document, title, language, metadata or {}, CREATOR_TOOLS[mode])
        return save_pdfa(document, out, len(pages), checksum)


def save_pdfa(document: pikepdf.Pdf, out: Path, pages: int, checksum: bool = True) -> DocumentPdf:
    """Save as PDF/A-2b through pikepdf's validator, or plainly (and say why) if it refuses;
    ``checksum``: record what ``out`` holds for ``luutru verify`` (a file of the record)."""
    # Saved into a stream, not a path: given a path, pikepdf keeps a temporary file of its own
    # beside it, which a kill -9 would leave under a name `luutru verify` takes for a stranger.
    # Ours ends in .tmp (a leftover, listed but no error) and is unique, so two coordinators
    # building the same PDF never touch each other's.
    fd, tmp = temp_file_for(out)
    try:
        with os.fdopen(fd, "w+b") as stream:
            try:
                pikepdf.pdfa.save(document, stream, PDFA_FLAVOUR)
                result = DocumentPdf(out, pages, pdfa=True)
            except pikepdf.pdfa.PdfaError as error:
                problems = [str(finding) for finding in error.report.findings][:10] or [str(error)]
                log.warning("%s: not PDF/A-%s: %s", out, PDFA_FLAVOUR, "; ".join(problems))
                stream.seek(0)
                stream.truncate()
                document.save(stream)
                result = DocumentPdf(out, pages, pdfa=False, problems=problems)
            stream.flush()
            os.fsync(stream.fileno())
        atomic_move_into(tmp, out)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    if checksum:
        record_file_checksum(out)  # luutru verify checks it against this
    return result


def describe(document: pikepdf.Pdf, title: str | None, language: str,
             metadata: Mapping[str, str], tool: str = CREATOR_TOOLS["faithful"]) -> None:
    """XMP metadata (pikepdf keeps the document information dictionary in step with it)."""
    document.Root.Lang = pikepdf.String(language)
    with document.open_metadata(set_pikepdf_as_editor=False) as meta:
        meta["xmp:CreatorTool"] = tool
        if title:
            meta["dc:title"] = title
        if metadata.get("creator"):
            meta["dc:creator"] = [metadata["creator"]]
        for key in ("identifier", "source", "description"):
            if metadata.get(key):
                meta[f"dc:{key}"] = metadata[key]
        if metadata.get("date"):
            meta["dc:date"] = [metadata["date"]]


def made_faithfully(path: Path) -> bool:
    """Whether the document PDF at ``path`` holds the original scans (not what older builds made)."""
    try:
        with pikepdf.open(path) as pdf:
            return str(pdf.open_metadata().get("xmp:CreatorTool", "")) == CREATOR_TOOLS["faithful"]
    except (pikepdf.PdfError, OSError, ValueError):
        return False


# --- one page -----------------------------------------------------------------------------------

def _add_page(document: pikepdf.Pdf, page: PdfPage | Path, mode: str,
              fonts: dict[str, pikepdf.Object]) -> None:
    if isinstance(page, Path):
        with pikepdf.open(page) as text_pdf:
            document.pages.append(text_pdf.pages[0])
        return
    with pikepdf.open(page.text_pdf) as text_pdf:
        if mode == "clean":
            document.pages.append(text_pdf.pages[0])
            return
        with _scan_page(page, mode) as scan:
            document.pages.append(scan.pages[0])
        target = document.pages[-1]
        text_page = text_pdf.pages[0]
        font = _invisible_font(text_page)
        if page.hocr is not None and page.hocr.exists() and font is not None \
                and not page.has_text:
            _draw_words(document, target, page, font, fonts)
            return
        # a born-digital page's own text (its fonts), moved onto its rendered image
        layer = document.copy_foreign(_text_only(text_pdf, text_page).as_form_xobject())
        name = target.add_resource(layer, pikepdf.Name.XObject, prefix="OCR")
        matrix = place_matrix(page, [float(v) for v in text_page.mediabox],
                              [float(v) for v in target.mediabox])
        target.contents_add(f"q {_numbers(matrix)} cm {name} Do Q\n".encode("ascii"))


def _invisible_font(text_page: pikepdf.Page) -> pikepdf.Object | None:
    """Tesseract's GlyphLessFont of its one-page PDF (an embedded font of one blank glyph, every
    code mapped to the same Unicode value), or None (a page not written by Tesseract)."""
    for font in text_page.obj.get("/Resources", {}).get("/Font", {}).values():
        if str(font.get("/BaseFont", "")) == "/GlyphLessFont":
            return font
    return None


def _draw_words(document: pikepdf.Pdf, target: pikepdf.Page, page: PdfPage,
                font: pikepdf.Object, fonts: dict[str, pikepdf.Object]) -> None:
    """The page's words from its hOCR, drawn invisibly over the scan (:mod:`pdfwords`)."""
    if "glyphless" not in fonts:
        fonts["glyphless"] = document.copy_foreign(font)
    taken = set(target.obj.get("/Resources", {}).get("/Font", {}).keys())
    name = next(f"/OCR{n}" for n in range(len(taken) + 1) if f"/OCR{n}" not in taken)
    target.add_resource(fonts["glyphless"], pikepdf.Name.Font, name=pikepdf.Name(name))
    operators = text_operators(parse_hocr(page.hocr.read_bytes()), page.geometry, page.dpi,
                               str(name)[1:])
    if operators:
        matrix = words_matrix(page, [float(v) for v in target.mediabox])
        target.contents_add(f"q {_numbers(matrix)} cm\n".encode("ascii") + operators + b"Q\n")


def _numbers(matrix: list[float]) -> str:
    """A matrix for a content stream: six decimals, trailing zeros dropped."""
    texts = (f"{value:.6f}".rstrip("0").rstrip(".") for value in matrix)
    return " ".join("0" if text == "-0" else text for text in texts)


def _text_only(pdf: pikepdf.Pdf, page: pikepdf.Page) -> pikepdf.Page:
    """Tesseract's page without its image: only the invisible words remain."""
    xobjects = page.obj.get("/Resources", {}).get("/XObject", {})
    images = {str(name) for name, obj in xobjects.items() if obj.get("/Subtype") == "/Image"}
    kept = [(operands, operator) for operands, operator in pikepdf.parse_content_stream(page)
            if not (str(operator) == "Do" and str(operands[0]) in images)]
    page.obj.Contents = pdf.make_stream(pikepdf.unparse_content_stream(kept))
    for name in images:
        del xobjects[name]
    return page


def place_matrix(page: PdfPage, clean_box: list[float], scan_box: list[float]) -> list[float]:
    """The PDF matrix ``[a b c d e f]`` taking a point of Tesseract's page (points, y up, the
    cleaned image) to the same point on the scan's page (points, y up, the original image)."""
    cx0, cy0, cx1, cy1 = clean_box
    clean_w, clean_h = page.geometry.clean_size
    source = np.array([[cx0, cy0], [cx1, cy0], [cx0, cy1]], dtype=float)
    pixels = np.column_stack([(source[:, 0] - cx0) * clean_w / (cx1 - cx0),
                              (cy1 - source[:, 1]) * clean_h / (cy1 - cy0)])
    return _affine(source, _scan_points(page, page.geometry.to_original(pixels), scan_box))


def words_matrix(page: PdfPage, scan_box: list[float]) -> list[float]:
    """The PDF matrix taking a point of the words' layer (points, y up, the page as read: after
    its quarter turn, before deskew) to the same point on the scan's page."""
    width, height = page.geometry.turned_size
    source = np.array([[0.0, 0.0], [width, 0.0], [0.0, height]]) * 72.0 / page.dpi
    pixels = np.array([[0.0, height], [width, height], [0.0, 0.0]])
    return _affine(source, _scan_points(page, page.geometry.unturn(pixels), scan_box))


def _scan_points(page: PdfPage, pixels: np.ndarray, scan_box: list[float]) -> np.ndarray:
    """Pixels of the original scan (y down) as points of its PDF page (y up)."""
    sx0, sy0, sx1, sy1 = scan_box
    scan_w, scan_h = page.size
    return np.column_stack([sx0 + pixels[:, 0] * (sx1 - sx0) / scan_w,
                            sy1 - pixels[:, 1] * (sy1 - sy0) / scan_h])


def _affine(source: np.ndarray, target: np.ndarray) -> list[float]:
    """``[a b c d e f]`` with target = [u v 1] @ [[a b], [c d], [e f]] for three point pairs."""
    solution = np.linalg.solve(np.column_stack([source, np.ones(3)]), target)
    (a, b), (c, d), (e, f) = solution
    return [a, b, c, d, e, f]


@contextlib.contextmanager
def _scan_page(page: PdfPage, mode: str):
    """A one-page PDF holding only the scan's image, page size = pixels at the scan's dpi."""
    if mode == "faithful" and page.fmt == "pdf" and not page.has_text:
        with pikepdf.open(page.original) as original:
            scan = pikepdf.new()
            scan.pages.append(original.pages[page.index - 1])
            if int(scan.pages[0].obj.get("/Rotate", 0)) % 360 == 0:
                scan.pages[0].mediabox = scan.pages[0].mediabox  # flatten an inherited box
                yield scan
                return
    layout = img2pdf.get_fixed_dpi_layout_fun((page.dpi, page.dpi))
    data = _image_bytes(page, mode)
    with pikepdf.open(io.BytesIO(img2pdf.convert(data, layout_fun=layout))) as scan:
        yield scan


def _image_bytes(page: PdfPage, mode: str) -> bytes:
    """The scan as an image file img2pdf embeds without decoding (JPEG, PNG, G4 TIFF).

    Optimised mode keeps the faithful encoding where the lossy one would not be smaller (flat
    synthetic pages, JPEG scans already compressed harder), as OCRmyPDF's optimiser does.
    """
    if page.fmt == "jpeg":
        data = page.original.read_bytes()
        with Image.open(io.BytesIO(data)) as image:
            if image.mode in ("L", "RGB") and mode == "faithful":
                return data                        # the scanner's own bytes
    image = _plain_pixels(load_page(page.original, page.fmt, page.index, page.dpi))
    faithful = data if page.fmt == "jpeg" and image.mode in ("L", "RGB") else None
    if faithful is None or image.mode == "1":
        faithful = _encoded(image, "G4" if image.mode == "1" else "PNG")
    if mode == "faithful" or image.mode == "1":
        return faithful
    optimised = _encoded(image, "JPEG")
    return optimised if len(optimised) < len(faithful) else faithful


def _encoded(image: Image.Image, encoding: str) -> bytes:
    buffer = io.BytesIO()
    if encoding == "G4":
        image.save(buffer, format="TIFF", compression="group4")
    elif encoding == "JPEG":
        image.save(buffer, format="JPEG", quality=JPEG_QUALITY, optimize=True)
    else:
        image.save(buffer, format="PNG", compress_level=6)
    return buffer.getvalue()


def _plain_pixels(image: Image.Image) -> Image.Image:
    """Bitonal, grey or RGB pixels (alpha laid on white; 16-bit grey to 8-bit) for embedding."""
    if image.mode in ("1", "L", "RGB"):
        return image
    if image.mode in ("I;16", "I;16B", "I;16L", "I"):
        return Image.fromarray((np.asarray(image, dtype=np.uint32) >> 8).astype(np.uint8))
    if image.mode in ("LA", "RGBA", "PA", "P"):
        rgba = image.convert("RGBA")
        white = Image.new("RGBA", rgba.size, (255, 255, 255, 255))
        return Image.alpha_composite(white, rgba).convert("RGB")
    return image.convert("RGB")
