"""Page images sized for the reading room, made on first request and kept under ``cache/web/``.

A scan is a 2480×3508 TIFF, PDF or bilevel PNG that a browser cannot show or that is far too heavy
for an office network, so each page is served as a derivative: ``thumb`` (about 200 px wide, the
search results), ``view`` (about 1200 px, the item page) or ``full`` (the scan's own pixels, for
zooming), of the ``clean`` image (what OCR read; the highlights' coordinates are in its pixels)
or the ``original`` (page n of the stored file, decoded by :func:`luutru.pageimage.load_page`).
A bilevel scan stays PNG (shrunk in four shades of grey), grey and colour become JPEG. The cache is derived: delete it
at will. Writes are atomic, so two threads making the same image at once both leave a whole file.
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from pathlib import Path

from PIL import Image

from luutru.archive import Archive, PageRef, atomic_write_bytes
from luutru.pageimage import load_page
from luutru.errors import LuutruError

SIZES = {"thumb": 200, "view": 1200, "full": None}
KINDS = ("clean", "original")
JPEG_QUALITY = 80
BILEVEL_SHADES = 4
CACHE_DIR = ("cache", "web")


class NoImage(LuutruError, LookupError):
    """The page has no image of that kind (never OCR'd, or its original is missing)."""


@dataclass(frozen=True)
class ImageFile:
    path: Path
    mimetype: str


def cache_root(archive: Archive) -> Path:
    return archive.root.joinpath(*CACHE_DIR)


def thumb_size(width: int, height: int, size: str = "thumb") -> tuple[int, int]:
    """The pixel size of a derivative of a ``width``×``height`` image (never enlarged)."""
    target = SIZES[size]
    if target is None or width <= target:
        return width, height
    return target, max(1, round(height * target / width))


def page_image(archive: Archive, ref: PageRef, size: str = "view", kind: str = "clean") -> ImageFile:
    """The file to send for this page, size and kind, made and cached if not there yet."""
    if size not in SIZES or kind not in KINDS:
        raise ValueError(f"unknown image size {size!r} or kind {kind!r}")
    clean = archive.page_files(ref).clean
    if kind == "clean" and size == "full" and clean.is_file():
        return ImageFile(clean, "image/png")  # already a compact bilevel PNG
    stem = cache_root(archive) / ref.sha256[:2] / ref.sha256 / f"{ref.index:04d}-{kind}-{size}"
    made_from = _mtime(clean) if kind == "clean" else 0  # an original never changes
    for suffix, mimetype in ((".png", "image/png"), (".jpg", "image/jpeg")):
        if _mtime(stem.with_suffix(suffix)) > made_from:  # older: OCR was redone since
            return ImageFile(stem.with_suffix(suffix), mimetype)
    image = _source_image(archive, ref, kind)
    data, suffix, mimetype = encode(resized(image, size), bilevel=image.mode == "1")
    path = stem.with_suffix(suffix)
    atomic_write_bytes(path, data)
    return ImageFile(path, mimetype)


def _mtime(path: Path) -> int:
    try:
        return path.stat().st_mtime_ns
    except FileNotFoundError:
        return -1


def _source_image(archive: Archive, ref: PageRef, kind: str) -> Image.Image:
    if kind == "clean":
        path = archive.page_files(ref).clean
        if not path.is_file():
            raise NoImage(f"page {ref.key} has no cleaned image")
        with Image.open(path) as image:
            image.load()
            return image
    try:
        record = archive.original_record(ref.sha256)
        original = archive.stored_original(ref.sha256)
    except FileNotFoundError:
        raise NoImage(f"original {ref.sha256} is not in the archive") from None
    if not original.is_file() or not 1 <= ref.index <= int(record.get("page_count") or 0):
        raise NoImage(f"page {ref.key} is not in its original")
    return load_page(original, record["format"], ref.index)


def resized(image: Image.Image, size: str) -> Image.Image:
    """The image at ``size``; a bilevel page is shrunk in grey so thin strokes stay visible."""
    width, height = thumb_size(*image.size, size)
    if (width, height) == image.size:
        return image
    if image.mode not in ("L", "RGB"):
        image = image.convert("RGB" if image.mode in ("RGBA", "P", "CMYK", "LA") else "L")
    return image.resize((width, height), Image.Resampling.LANCZOS)


def encode(image: Image.Image, bilevel: bool = False) -> tuple[bytes, str, str]:
    """The bytes, file suffix and media type of ``image``: PNG for a bilevel scan (shrunk, in four
    shades of grey: a third of a JPEG's size, as sharp), JPEG for grey and colour."""
    out = io.BytesIO()
    if image.mode == "1" or bilevel:
        if image.mode == "L":
            image = image.quantize(BILEVEL_SHADES)
        image.save(out, "PNG", optimize=True)
        return out.getvalue(), ".png", "image/png"
    if image.mode not in ("L", "RGB"):
        image = image.convert("RGB")
    image.save(out, "JPEG", quality=JPEG_QUALITY, optimize=True, progressive=True)
    return out.getvalue(), ".jpg", "image/jpeg"
