"""IIIF for the reading room: an Image API 3.0 level-1 server for page images, and a
Presentation 3 manifest per văn bản, both behind the access check of page images.

Deep zoom in the item page (OpenSeadragon, vendored under ``static/vendor``) asks for 512-pixel
tiles of a page at a few scales; Mirador or Universal Viewer can open an item from its manifest.
An image is ``<sha256>-<page>-<kind>`` (kind ``original``: the scan; ``clean``: the page OCR read,
on which the hit boxes were measured). Supported (level 1): region ``full`` or ``x,y,w,h``; size
``max``, ``w,``, ``,h`` or ``w,h``; rotation ``0`` (the viewer turns the page itself); quality
``default``; format ``jpg``.

Tiles are derived, like the other page images: made on first request from the page image, kept
under ``cache/iiif/`` and sent from there afterwards. A page's decoded image is kept in memory for
the next tiles of the same page (a viewer asks for a dozen at once).
"""

from __future__ import annotations

import io
import json
import re
import threading
from collections import OrderedDict
from functools import lru_cache
from importlib import resources
from typing import Any

import jsonschema

from flask import Blueprint, abort, current_app, jsonify, request, send_file, url_for
from PIL import Image

from luutru.access import item_level
from luutru.archive import Archive, PageRef, atomic_write_bytes
from luutru.web.access import audit, can_see
from luutru.web.files import page_level
from luutru.web.images import KINDS, NoImage, _source_image
from luutru.web.reading import citation, document_title, repository, visible_item

bp = Blueprint("iiif", __name__, url_prefix="/iiif")

TILE = 512
SCALE_FACTORS = [1, 2, 4, 8, 16]
JPEG_QUALITY = 80
MAX_AGE = 3600
CACHE_DIR = ("cache", "iiif")
IMAGE_CONTEXT = "http://iiif.io/api/image/3/context.json"
PRESENTATION_CONTEXT = "http://iiif.io/api/presentation/3/context.json"
_IDENTIFIER = re.compile(r"([0-9a-f]{64})-(\d{1,5})-(clean|original)")
_REGION = re.compile(r"full|(\d+),(\d+),(\d+),(\d+)")
_SIZE = re.compile(r"max|(\d+)?,(\d+)?")


# --- which image, and may the user see it --------------------------------------------------------

def _checked(identifier: str) -> tuple[Archive, PageRef, str, int]:
    """(archive, page, kind, clearance level) of an image the user may see; else 404."""
    match = _IDENTIFIER.fullmatch(identifier)
    if not match:
        abort(404)
    ref, kind = PageRef(match[1], int(match[2])), match[3]
    archive: Archive = current_app.config["ARCHIVE"]
    level = page_level(archive, ref) if ref.index >= 1 else None
    if level is None or not can_see(level):
        abort(404)
    return archive, ref, kind, level


def image_size(archive: Archive, ref: PageRef, kind: str) -> tuple[int, int]:
    """The page image's full size in pixels, from its records (no decoding)."""
    if kind == "clean":
        with Image.open(archive.page_files(ref).clean) as image:
            return image.size
    record = archive.page_record(ref)
    return int(record["width"]), int(record["height"])


def identifier(ref: PageRef, kind: str) -> str:
    return f"{ref.sha256}-{ref.index}-{kind}"


# --- Image API ----------------------------------------------------------------------------------

@bp.get("/3/<ident>/info.json")
def info(ident: str):
    archive, ref, kind, level = _checked(ident)
    try:
        width, height = image_size(archive, ref, kind)
    except (FileNotFoundError, KeyError, ValueError):
        abort(404)
    if level >= 1:
        audit("view-page", ref.key, f"{kind} iiif")
    body = {"@context": IMAGE_CONTEXT, "id": _service_id(ident), "type": "ImageService3",
            "protocol": "http://iiif.io/api/image", "profile": "level1",
            "width": width, "height": height,
            "tiles": [{"width": TILE, "scaleFactors": SCALE_FACTORS}]}
    response = jsonify(body)
    response.mimetype = "application/ld+json"
    response.headers["Cache-Control"] = f"private, max-age={MAX_AGE}"
    return response


def _service_id(ident: str) -> str:
    return url_for("iiif.info", ident=ident, _external=True).rsplit("/", 1)[0]


@bp.get("/3/<ident>/<region>/<size>/<rotation>/<quality>.<fmt>")
def image(ident: str, region: str, size: str, rotation: str, quality: str, fmt: str):
    archive, ref, kind, level = _checked(ident)
    if rotation != "0" or quality != "default" or fmt != "jpg":
        abort(400)
    region_match, size_match = _REGION.fullmatch(region), _SIZE.fullmatch(size)
    if not region_match or not size_match or size == ",":
        abort(400)
    path = archive.root.joinpath(*CACHE_DIR, ref.sha256[:2], ref.sha256,
                                 f"{ref.index:04d}-{kind}", region, f"{size}.jpg")
    if not path.is_file():
        try:
            atomic_write_bytes(path, _render(archive, ref, kind, region_match, size_match))
        except NoImage:
            abort(404)
    response = send_file(path, mimetype="image/jpeg", conditional=True, etag=True)
    # a classified page's tiles stay out of the browser's cache, as its other images
    response.headers["Cache-Control"] = "no-store" if level >= 1 else f"private, max-age={MAX_AGE}"
    return response


def _render(archive: Archive, ref: PageRef, kind: str, region: re.Match, size: re.Match) -> bytes:
    source = _decoded(archive, ref, kind)
    if region[0] != "full":
        x, y, w, h = (int(v) for v in region.groups())
        if w == 0 or h == 0 or x >= source.width or y >= source.height:
            abort(400)
        source = source.crop((x, y, min(x + w, source.width), min(y + h, source.height)))
    width, height = source.size
    if size[0] != "max":
        wanted_w = int(size[1]) if size[1] else None
        wanted_h = int(size[2]) if size[2] else None
        if wanted_w is None:
            wanted_w = max(1, round(width * wanted_h / height))
        if wanted_h is None:
            wanted_h = max(1, round(height * wanted_w / width))
        if wanted_w > width or wanted_h > height:   # no upscaling: level 1 does not offer it
            abort(400)
        source = source.resize((wanted_w, wanted_h), Image.Resampling.LANCZOS)
    out = io.BytesIO()
    source.save(out, "JPEG", quality=JPEG_QUALITY)
    return out.getvalue()


_DECODED: OrderedDict[tuple[str, str, str], Image.Image] = OrderedDict()
_DECODED_LOCK = threading.Lock()
_DECODED_PAGES = 3


def _decoded(archive: Archive, ref: PageRef, kind: str) -> Image.Image:
    """The page image, in grey or RGB, decoded once for the tiles that follow."""
    key = (str(archive.root), ref.key, kind)
    with _DECODED_LOCK:
        if key in _DECODED:
            _DECODED.move_to_end(key)
            return _DECODED[key]
    image = _source_image(archive, ref, kind)
    image = image.convert("L" if image.mode in ("1", "L", "I;16", "I") else "RGB")
    with _DECODED_LOCK:
        _DECODED[key] = image
        while len(_DECODED) > _DECODED_PAGES:
            _DECODED.popitem(last=False)
    return image


# --- Presentation API: a manifest per item ------------------------------------------------------

@bp.get("/item/<item_id>/manifest.json")
def manifest(item_id: str):
    view, record = visible_item(item_id)
    if item_level(record) >= 1:             # it names a classified item's pages, title and date
        audit("view-item", item_id, "iiif manifest")
    archive: Archive = current_app.config["ARCHIVE"]
    kind = request.args.get("kind") if request.args.get("kind") in KINDS else "original"
    body = item_manifest(archive, record, citation(record, view, repository()), kind)
    response = jsonify(body)
    response.mimetype = "application/ld+json"
    response.headers["Cache-Control"] = f"private, max-age={MAX_AGE}"
    return response


def _vi(text: str) -> dict[str, list[str]]:
    return {"vi": [text]}


def item_manifest(archive: Archive, item: dict[str, Any], cite: str, kind: str) -> dict[str, Any]:
    """The item as a IIIF Presentation 3 manifest: one canvas per page, each painted with the
    page image and its IIIF image service."""
    base = url_for("iiif.manifest", item_id=item["id"], _external=True).rsplit("/", 1)[0]
    title = document_title(item.get("loai_van_ban"), item.get("so_ky_hieu")) or item["id"]
    fields = [("Số và ký hiệu", item.get("so_ky_hieu")), ("Ngày", item.get("ngay_ban_hanh")),
              ("Cơ quan ban hành", item.get("co_quan_ban_hanh")),
              ("Phông", item.get("fonds_code")), ("Hồ sơ", item.get("file_code"))]
    canvases = []
    for n, key in enumerate(item.get("pages") or (), start=1):
        ref = PageRef.parse(key)
        width, height = image_size(archive, ref, kind)
        ident = identifier(ref, kind)
        canvas = f"{base}/canvas/{n}"
        canvases.append({
            "id": canvas, "type": "Canvas", "label": _vi(f"Trang {n}"),
            "width": width, "height": height,
            "items": [{"id": f"{canvas}/page", "type": "AnnotationPage", "items": [{
                "id": f"{canvas}/page/image", "type": "Annotation", "motivation": "painting",
                "target": canvas,
                "body": {"id": url_for("iiif.image", ident=ident, region="full", size="max",
                                       rotation="0", quality="default", fmt="jpg",
                                       _external=True),
                         "type": "Image", "format": "image/jpeg",
                         "width": width, "height": height,
                         "service": [{"id": _service_id(ident), "type": "ImageService3",
                                      "profile": "level1"}]}}]}]})
    body: dict[str, Any] = {
        "@context": PRESENTATION_CONTEXT, "id": f"{base}/manifest.json", "type": "Manifest",
        "label": _vi(title),
        "metadata": [{"label": _vi(label), "value": _vi(value)} for label, value in fields
                     if value],
        "requiredStatement": {"label": _vi("Trích dẫn"), "value": _vi(cite)},
        "homepage": [{"id": url_for("reading.item", item_id=item["id"], _external=True),
                      "type": "Text", "label": _vi(title), "format": "text/html"}],
        "rendering": [{"id": url_for("itempdf.item_pdf_view", item_id=item["id"],
                                     _external=True),
                       "type": "Text", "label": _vi("PDF tìm kiếm được"),
                       "format": "application/pdf"}],
        "items": canvases}
    if item.get("trich_yeu"):
        body["summary"] = _vi(item["trich_yeu"])
    return body


@lru_cache(maxsize=1)
def _presentation_validator() -> jsonschema.Draft7Validator:
    """The published IIIF Presentation 3 JSON schema (IIIF/presentation-validator's, vendored in
    ``schemas/iiif``: no network needed), as that validator applies it (JSON Schema draft 7)."""
    text = resources.files("luutru.schemas").joinpath("iiif", "iiif_3_0.json").read_text("utf-8")
    return jsonschema.Draft7Validator(json.loads(text))


def manifest_problems(manifest: dict[str, Any]) -> list[str]:
    """What the IIIF Presentation 3 schema finds wrong with ``manifest`` (empty: valid), each
    with the JSON path it was found at."""
    return [f"{'/'.join(str(p) for p in error.absolute_path) or '(root)'}: {error.message}"
            for error in _presentation_validator().iter_errors(manifest)]
