"""What a scanned file is, and its pages one at a time.

Scanner stations write TIFF (single and multi-page), JPEG, PNG and PDF; file names and extensions
lie, so the format is read from the first bytes. :func:`probe` checks a file well enough to store
it (size of every page before anything is decoded, then every page decoded once, one at a time) and
says which pages are bad; :func:`load_page` decodes one page when a later stage needs it. Nothing
here ever holds more than one page of a file in memory.
"""

from __future__ import annotations

import contextlib
import os
import threading
import warnings
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pikepdf
from pikepdf.models.image import PdfImage
from pdf2image import convert_from_path
from PIL import Image, ImageFile, ImageOps, UnidentifiedImageError

from luutru.errors import LuutruError
from luutru.imagecut import cut_short

DEFAULT_MAX_PIXELS = 150_000_000
A4_LONG_SIDE_MM = 297.0
COMMON_DPIS = (75, 100, 150, 200, 240, 300, 400, 600, 1200)
PDF_TEXT_ONLY_DPI = 300
PDF_EOF_WINDOW = 4096
# Image encodings pikepdf/Pillow cannot decode here (JBIG2 without jbig2dec, exotic colour spaces),
# though poppler renders them for OCR: such a page is not bad for that.
_UNDECODABLE_HERE = (pikepdf.DependencyError, pikepdf.UnsupportedImageTypeError,
                     pikepdf.NotExtractableError, pikepdf.HifiPrintImageNotTranscodableError,
                     NotImplementedError)
MIN_SCAN_DPI = 70
_GUARD_LOCK = threading.RLock()

MEDIA_TYPES = {"tiff": "image/tiff", "jpeg": "image/jpeg", "png": "image/png",
               "pdf": "application/pdf"}
EXTENSIONS = {"tiff": ".tif", "jpeg": ".jpg", "png": ".png", "pdf": ".pdf"}


class BadInput(LuutruError):
    """A file luutru cannot take in; ``reason`` is a stable machine code, ``message`` for people."""

    def __init__(self, reason: str, message: str):
        super().__init__(f"{reason}: {message}")
        self.reason = reason
        self.message = message


@dataclass(frozen=True)
class PageInfo:
    index: int
    width: int
    height: int
    dpi: int
    dpi_estimated: bool
    mode: str


@dataclass(frozen=True)
class FileProbe:
    format: str
    media_type: str
    page_count: int
    pages: list[PageInfo]
    bad_pages: list[tuple[int, str, str]] = field(default_factory=list)
    has_text: bool = False
    text_pages: list[int] = field(default_factory=list)  # PDF pages with a text layer

    @property
    def extension(self) -> str:
        return EXTENSIONS[self.format]


# --- format by magic bytes ----------------------------------------------------------------------

def sniff_format(path: Path) -> str:
    """The file's real format from its first bytes (never from its name)."""
    with open(path, "rb") as handle:
        head = handle.read(1024)
    if not head:
        raise BadInput("empty-file", "Tệp rỗng (0 byte).")
    if head[:4] in (b"II*\x00", b"MM\x00*", b"II+\x00", b"MM\x00+"):
        return "tiff"
    if head[:3] == b"\xff\xd8\xff":
        return "jpeg"
    if head[:8] == b"\x89PNG\r\n\x1a\n":
        return "png"
    if b"%PDF-" in head:
        return "pdf"
    raise BadInput("unsupported-type",
                   "Định dạng không được hỗ trợ (chỉ nhận TIFF, JPEG, PNG, PDF).")


def probe(path: Path, max_pixels: int = DEFAULT_MAX_PIXELS) -> FileProbe:
    """Check ``path`` page by page; raise :class:`BadInput` if no page of it can be used."""
    fmt = sniff_format(Path(path))
    if fmt == "pdf":
        pages, bad, text_pages = _probe_pdf(Path(path), max_pixels)
    else:
        pages, bad = _probe_image(Path(path), fmt, max_pixels)
        text_pages = []
    if not pages:
        if len(bad) == 1:
            raise BadInput(bad[0][1], bad[0][2])
        reasons = sorted({reason for _, reason, _ in bad}) or ["corrupt-image"]
        raise BadInput(reasons[0] if len(reasons) == 1 else "corrupt-image",
                       f"Không trang nào đọc được ({len(bad)} trang hỏng): {bad[0][2]}")
    return FileProbe(format=fmt, media_type=MEDIA_TYPES[fmt], page_count=len(pages) + len(bad),
                     pages=pages, bad_pages=bad, has_text=bool(text_pages),
                     text_pages=text_pages)


# --- raster images (TIFF, JPEG, PNG) -------------------------------------------------------------

@contextlib.contextmanager
def _guarded_decoding() -> Iterator[None]:
    """Pillow's own bomb guard is switched off: we check every page's size against our cap
    ourselves, before decoding, and say so in our words. Its "Truncated File Read" warning
    becomes an error: a TIFF cut short otherwise loses its last pages without a word. And a
    file cut short must fail to decode, whoever switched on LOAD_TRUNCATED_IMAGES in this
    process (importing WeasyPrint does)."""
    with _GUARD_LOCK:  # process-wide settings: one probe at a time
        previous = Image.MAX_IMAGE_PIXELS, ImageFile.LOAD_TRUNCATED_IMAGES
        Image.MAX_IMAGE_PIXELS = None
        ImageFile.LOAD_TRUNCATED_IMAGES = False
        try:
            with warnings.catch_warnings(), _native_stderr_silenced():
                warnings.filterwarnings("error", message="Truncated File Read")
                warnings.filterwarnings("ignore", message=".*EXIF data")
                yield
        finally:
            Image.MAX_IMAGE_PIXELS, ImageFile.LOAD_TRUNCATED_IMAGES = previous


@contextlib.contextmanager
def _native_stderr_silenced() -> Iterator[None]:
    """libtiff prints its complaints straight to file descriptor 2; the reason we report says the
    same thing once, in the batch summary, so the terminal is spared the noise."""
    try:
        saved = os.dup(2)
    except OSError:
        yield
        return
    try:
        with open(os.devnull, "wb") as devnull:
            os.dup2(devnull.fileno(), 2)
            yield
    finally:
        os.dup2(saved, 2)
        os.close(saved)


def _decode_error(exc: BaseException, path: Path) -> tuple[str, str]:
    """Reason and message for a page that did not decode. Cut short or corrupt is decided from
    the file's structure (:mod:`luutru.imagecut`), not from the decoder's words, which change
    with Pillow's version and process-wide settings; the decoder's words go in the message."""
    text = str(exc) or type(exc).__name__
    if cut_short(path, sniff_format(path)):
        return "truncated-image", f"Ảnh bị cắt cụt, thiếu dữ liệu ({text})."
    return "corrupt-image", f"Ảnh hỏng, không giải mã được ({text})."


def _too_large(width: int, height: int, max_pixels: int) -> tuple[str, str]:
    return ("image-too-large",
            f"Trang {width}×{height} = {width * height / 1e6:.0f} MP vượt giới hạn "
            f"{max_pixels / 1e6:.0f} MP (có thể là bom giải nén).")


def estimate_dpi(width: int, height: int) -> int:
    """Resolution of a page that does not say, assuming an A4 sheet (Party documents are A4)."""
    dpi = max(width, height) / (A4_LONG_SIDE_MM / 25.4)
    nearest = min(COMMON_DPIS, key=lambda common: abs(common - dpi))
    return nearest if abs(nearest - dpi) <= 0.06 * nearest else max(1, round(dpi))


def _stated_dpi(image: Image.Image) -> int | None:
    """The resolution the file declares, unless it is a placeholder (72/96 on a page larger
    than A3, or an impossible value)."""
    dpi = image.info.get("dpi")
    if not dpi:
        return None
    try:
        value = round(float(dpi[0]))
    except (TypeError, ValueError, IndexError):
        return None
    if value < 50 or value > 2400:
        return None
    long_side_mm = max(image.size) / value * 25.4
    if value in (72, 96) and long_side_mm > 450:
        return None
    return value


def _page_info(image: Image.Image, index: int) -> PageInfo:
    width, height = image.size
    stated = _stated_dpi(image)
    dpi = stated if stated is not None else estimate_dpi(width, height)
    return PageInfo(index=index, width=width, height=height, dpi=dpi,
                    dpi_estimated=stated is None, mode=image.mode)


def _check_frame(image: Image.Image, path: Path, index: int, max_pixels: int) -> PageInfo:
    width, height = image.size
    if width <= 0 or height <= 0:
        raise BadInput("corrupt-image", f"Trang {index}: kích thước ảnh không hợp lệ.")
    if width * height > max_pixels:
        raise BadInput(*_too_large(width, height, max_pixels))
    info = _page_info(image, index)
    try:
        _decode_once(image)
    except Exception as exc:  # Pillow raises many types for bad data  # noqa: BLE001
        raise BadInput(*_decode_error(exc, path)) from exc
    return info


def _decode_once(image: Image.Image) -> None:
    """Decode every byte of the page; a JPEG at 1/8 scale, which still reads its whole entropy-coded
    stream (so damage and truncation show) at a fraction of the cost of the full-size pixels."""
    if image.format == "JPEG":
        image.draft(image.mode, (max(1, image.width // 8), max(1, image.height // 8)))
    image.load()


def _probe_image(path: Path, fmt: str, max_pixels: int
                 ) -> tuple[list[PageInfo], list[tuple[int, str, str]]]:
    pages: list[PageInfo] = []
    bad: list[tuple[int, str, str]] = []
    with _guarded_decoding():
        count = _frame_count(path, bad) if fmt == "tiff" else 1
        for index in range(1, count + 1):
            try:
                pages.append(_check_page(path, index, max_pixels))
            except BadInput as exc:
                bad.append((index, exc.reason, exc.message))
    bad.sort()
    if fmt == "tiff" and pages and bad:
        bad = [(index, "bad-page", f"Trang {index} hỏng: {message}")
               for index, _, message in bad]
    return pages, bad


@contextlib.contextmanager
def _open_image(path: Path) -> Iterator[Image.Image]:
    try:
        image = Image.open(path)
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError, UserWarning) as exc:
        raise BadInput(*_decode_error(exc, path)) from exc
    with image:
        yield image


def _check_page(path: Path, index: int, max_pixels: int) -> PageInfo:
    """Each page from a fresh handle: after a failed read Pillow's TIFF state cannot be trusted."""
    with _open_image(path) as image:
        try:
            image.seek(index - 1)
        except Exception as exc:  # noqa: BLE001 - a broken page directory
            raise BadInput(*_decode_error(exc, path)) from exc
        return _check_frame(image, path, index, max_pixels)


def _frame_count(path: Path, bad: list[tuple[int, str, str]]) -> int:
    """Pages in a TIFF; when the page chain breaks, the pages before the break and one bad page
    standing for whatever was lost after it."""
    with _open_image(path) as image:
        try:
            return image.n_frames
        except Exception as exc:  # noqa: BLE001 - the chain of page directories is broken
            error = _decode_error(exc, path)
    with _open_image(path) as image:
        count = 0
        while True:
            try:
                image.seek(count)
            except Exception:  # noqa: BLE001
                break
            count += 1
    bad.append((count + 1, *error))
    return count


# --- PDF -----------------------------------------------------------------------------------------

@dataclass(frozen=True)
class _PdfPage:
    width_pt: float
    height_pt: float
    image_width: int
    image_height: int
    image_mode: str


def _open_pdf(path: Path) -> pikepdf.Pdf:
    """Open a PDF for reading; an encrypted one is refused even when it opens without a password
    (permissions only): encryption has no place in an archival original (PDF/A forbids it), so
    a person decides what to do with it."""
    try:
        pdf = pikepdf.open(path)
    except pikepdf.PasswordError as exc:
        raise BadInput("encrypted-pdf", "PDF được bảo vệ bằng mật khẩu, không mở được.") from exc
    except (pikepdf.PdfError, OSError, ValueError) as exc:
        _check_pdf_complete(path)  # cut short is said as such
        raise BadInput("corrupt-image", f"PDF hỏng, không đọc được ({exc}).") from exc
    if pdf.is_encrypted:
        pdf.close()
        raise BadInput("encrypted-pdf", "PDF bị mã hóa (hạn chế quyền); tài liệu lưu trữ gốc "
                                        "không được mã hóa.")
    return pdf


def _page_images(page: pikepdf.Page) -> list[pikepdf.Object]:
    try:
        return list(page.get_images().values())
    except Exception:  # noqa: BLE001 - broken resources: the page has no usable image
        return []


def _pdf_page_geometry(page: pikepdf.Page) -> _PdfPage:
    box = [float(v) for v in page.mediabox]
    width_pt, height_pt = abs(box[2] - box[0]), abs(box[3] - box[1])
    if int(page.obj.get("/Rotate", 0)) % 180 == 90:
        width_pt, height_pt = height_pt, width_pt
    largest = max(_page_images(page), key=lambda im: int(im.get("/Width", 0)) * int(im.get("/Height", 0)),
                  default=None)
    if largest is None:
        return _PdfPage(width_pt, height_pt, 0, 0, "RGB")
    mode = _pdf_image_mode(largest)
    return _PdfPage(width_pt, height_pt, int(largest.get("/Width", 0)),
                    int(largest.get("/Height", 0)), mode)


def _pdf_image_mode(image: pikepdf.Object) -> str:
    if image.get("/ImageMask", False) or int(image.get("/BitsPerComponent", 8)) == 1:
        return "1"
    colorspace = image.get("/ColorSpace")
    return "L" if colorspace == pikepdf.Name.DeviceGray else "RGB"


def _pdf_page_dpi(geometry: _PdfPage) -> tuple[int, bool]:
    """The embedded scan's own resolution (pixels over page inches) when the page is a scan, that
    is its largest image has the page's shape; else (a born-digital page with a logo, say) a
    render default, flagged as estimated."""
    g = geometry
    if min(g.image_width, g.image_height, g.width_pt, g.height_pt) <= 0:
        return PDF_TEXT_ONLY_DPI, True
    page_ratio = max(g.width_pt, g.height_pt) / min(g.width_pt, g.height_pt)
    image_ratio = max(g.image_width, g.image_height) / min(g.image_width, g.image_height)
    dpi = max(g.image_width, g.image_height) / (max(g.width_pt, g.height_pt) / 72.0)
    if abs(image_ratio - page_ratio) > 0.05 * page_ratio or dpi < MIN_SCAN_DPI:
        return PDF_TEXT_ONLY_DPI, True
    nearest = min(COMMON_DPIS, key=lambda common: abs(common - dpi))
    return (nearest if abs(nearest - dpi) <= 0.01 * nearest else round(dpi)), False


def _page_has_text(page: pikepdf.Page) -> bool:
    """A text-showing operator in the page's content (an OCR layer's invisible text counts)."""
    try:
        return bool(pikepdf.parse_content_stream(page, "Tj TJ ' \""))
    except Exception:  # noqa: BLE001 - damaged content is reported by the page check
        return False


def _verify_pdf_page(page: pikepdf.Page, path: Path, index: int, geometry: _PdfPage,
                     max_pixels: int) -> PageInfo:
    dpi, estimated = _pdf_page_dpi(geometry)
    width = round(geometry.width_pt / 72.0 * dpi)
    height = round(geometry.height_pt / 72.0 * dpi)
    for w, h in ((width, height), (geometry.image_width, geometry.image_height)):
        if w * h > max_pixels:
            raise BadInput(*_too_large(w, h, max_pixels))
    if width <= 0 or height <= 0:
        raise BadInput("corrupt-image", f"Trang {index}: khổ trang PDF không hợp lệ.")
    try:
        pikepdf.parse_content_stream(page)
        for image in _page_images(page):
            _decode_pdf_image(image, max_pixels)
    except BadInput:
        raise
    except Exception as exc:  # noqa: BLE001 - qpdf/Pillow errors for damaged streams
        raise BadInput(*_decode_error(exc, path)) from exc
    return PageInfo(index=index, width=width, height=height, dpi=dpi, dpi_estimated=estimated,
                    mode=geometry.image_mode)


def _decode_pdf_image(image: pikepdf.Object, max_pixels: int) -> None:
    """Decode an embedded scan once, so a damaged one is caught now rather than at OCR time."""
    width, height = int(image.get("/Width", 0)), int(image.get("/Height", 0))
    if width * height > max_pixels:
        raise BadInput(*_too_large(width, height, max_pixels))
    try:
        pil = PdfImage(image).as_pil_image()
    except _UNDECODABLE_HERE:
        image.read_raw_bytes()  # JBIG2 and the like: poppler renders them; the stream must be there
        return
    with _guarded_decoding():
        _decode_once(pil)


def _check_pdf_complete(path: Path) -> None:
    """qpdf quietly rebuilds a PDF cut short and shows whatever pages survived; the lost pages
    would vanish without a word, so a file without its closing ``%%EOF`` is refused whole."""
    with open(path, "rb") as handle:
        handle.seek(max(0, path.stat().st_size - PDF_EOF_WINDOW))
        if b"%%EOF" not in handle.read():
            raise BadInput("truncated-image",
                           "PDF bị cắt cụt (thiếu dấu kết thúc %%EOF), có thể mất trang.")


def _probe_pdf(path: Path, max_pixels: int
               ) -> tuple[list[PageInfo], list[tuple[int, str, str]], list[int]]:
    _check_pdf_complete(path)
    pages: list[PageInfo] = []
    bad: list[tuple[int, str, str]] = []
    text_pages: list[int] = []
    with _open_pdf(path) as pdf:
        if len(pdf.pages) == 0:
            raise BadInput("corrupt-image", "PDF không có trang nào.")
        for index, page in enumerate(pdf.pages, start=1):
            try:
                pages.append(_verify_pdf_page(page, path, index, _pdf_page_geometry(page),
                                              max_pixels))
                if _page_has_text(page):
                    text_pages.append(index)
            except BadInput as exc:
                bad.append((index, exc.reason, exc.message))
            except Exception as exc:  # noqa: BLE001
                bad.append((index, *_decode_error(exc, path)))
    if pages and bad:
        bad = [(index, "bad-page", f"Trang {index} hỏng: {message}") for index, _, message in bad]
    return pages, bad, text_pages


def pdf_page_is_born_digital(path: Path, index: int) -> bool:
    """Page ``index`` (1-based) draws its text as text and is no scan: its largest image (a logo,
    a signature seal) is not the whole page. A scan with a scanner's OCR layer is not."""
    with _open_pdf(path) as pdf:
        page = pdf.pages[index - 1]
        return _page_has_text(page) and _pdf_page_dpi(_pdf_page_geometry(page))[1]


def pdf_page_dpi(path: Path, index: int) -> int:
    """The resolution :func:`load_page` renders page ``index`` (1-based) of a PDF at."""
    with _open_pdf(path) as pdf:
        return _pdf_page_dpi(_pdf_page_geometry(pdf.pages[index - 1]))[0]


# --- one page, on demand -------------------------------------------------------------------------

def load_page(path: Path, fmt: str, index: int, dpi: int | None = None) -> Image.Image:
    """Decode page ``index`` (1-based) of a file :func:`probe` accepted.

    PDF pages are rendered at their scan's own resolution unless ``dpi`` is given, so OCR sees the
    pixels the scanner made, no more and no fewer.
    """
    path = Path(path)
    if fmt == "pdf":
        render_dpi = dpi or pdf_page_dpi(path, index)
        scan = _embedded_scan(path, index, render_dpi)
        if scan is not None:
            return scan
        images = convert_from_path(str(path), dpi=render_dpi, first_page=index, last_page=index)
        if not images:
            raise BadInput("bad-page", f"Không dựng được trang {index} của PDF.")
        return images[0]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", Image.DecompressionBombWarning)  # probe checked our cap
        with Image.open(path) as image:
            image.seek(index - 1)
            image.load()
            page = image.copy()
            # A camera or phone scan stores the page as the sensor saw it, with the turn to view it
            # upright in EXIF; honoured before orientation is detected (TIFF's tag is already
            # applied by its decoder).
            return ImageOps.exif_transpose(page) if fmt in ("jpeg", "png") else page


_SCAN_COLORSPACES = (pikepdf.Name.DeviceGray, pikepdf.Name.DeviceRGB)
_SCAN_FILTERS = (pikepdf.Name.DCTDecode, pikepdf.Name.FlateDecode, pikepdf.Name.CCITTFaxDecode)


def _embedded_scan(path: Path, index: int, dpi: int) -> Image.Image | None:
    """The page's scan, decoded as stored, when the page is nothing but that scan drawn upright
    over the whole page at ``dpi`` (what scanners write); else None, and poppler renders the page.

    Rendering such a page gives the same pixels at ~10× the cost (0.6 against 0.06 CPU s for a
    150-dpi A4 colour scan: a poppler process, a resampling pass, a PPM through a pipe).
    """
    with _open_pdf(path) as pdf:
        page = pdf.pages[index - 1]
        images = _page_images(page)
        if len(images) != 1 or int(page.obj.get("/Rotate", 0)) % 360 or _page_has_text(page):
            return None
        image = images[0]
        geometry = _pdf_page_geometry(page)
        if not (_plain_scan_image(image) and _fills_page_upright(page, geometry)):
            return None
        if (abs(geometry.image_width - geometry.width_pt / 72.0 * dpi) > 1
                or abs(geometry.image_height - geometry.height_pt / 72.0 * dpi) > 1):
            return None
        try:
            decoded = PdfImage(image).as_pil_image()
            decoded.load()
        except _UNDECODABLE_HERE:
            return None
        return decoded


def _plain_scan_image(image: pikepdf.Object) -> bool:
    """Grey, RGB or bitonal pixels, one plain filter, nothing that changes them when drawn."""
    filters = image.get("/Filter")
    if isinstance(filters, pikepdf.Array):
        filters = filters[0] if len(filters) == 1 else None
    return (filters in _SCAN_FILTERS and image.get("/ColorSpace") in _SCAN_COLORSPACES
            and int(image.get("/BitsPerComponent", 0)) in (1, 8)
            and not any(key in image for key in ("/ImageMask", "/Decode", "/SMask", "/Mask")))


def _fills_page_upright(page: pikepdf.Page, geometry: _PdfPage) -> bool:
    """The content is ``q W 0 0 H X Y cm /Im Do Q`` with the image covering the media box."""
    try:
        operations = pikepdf.parse_content_stream(page)
    except Exception:  # noqa: BLE001 - damaged content: let poppler decide
        return False
    names = [str(operator) for _, operator in operations]
    if names != ["q", "cm", "Do", "Q"]:
        return False
    a, b, c, d, e, f = (float(v) for v in operations[1][0])
    box = [float(v) for v in page.mediabox]
    return (b == 0 and c == 0 and abs(a - geometry.width_pt) < 0.5
            and abs(d - geometry.height_pt) < 0.5 and abs(e - box[0]) < 0.5
            and abs(f - box[1]) < 0.5)
