"""Page images and searchable PDFs, only through the access check (no static URL to guess).

A page is as secret as the item that holds it (:func:`luutru.access.item_level`, read from the
catalogue as it is now on disk). A page no item holds (not catalogued yet, its catalogue file
missing or invalid, its ``page.json`` lost) has had nobody look at its marks: it needs the
strictest clearance. A PDF holds every page of its original, so it needs the clearance of the
most secret one. What the user may not see answers 404; every image or PDF of a classified
page that is sent is written to the audit log and sent ``no-store``.
"""

from __future__ import annotations

import re

from flask import Blueprint, abort, current_app, request, send_file
from werkzeug.wrappers import Response

from luutru.access import STRICTEST_LEVEL
from luutru.archive import Archive, PageRef
from luutru.web.access import audit, can_see
from luutru.web.images import KINDS, SIZES, NoImage, page_image
from luutru.web.reading import catalog
from luutru.web.records import item_level

bp = Blueprint("files", __name__)

_SHA = re.compile(r"[0-9a-f]{64}")
MAX_AGE = 3600


def _archive() -> Archive:
    return current_app.config["ARCHIVE"]


def page_level(archive: Archive, ref: PageRef) -> int | None:
    """The clearance needed to see the page, or None when there is no such page."""
    item = catalog().item_of_page(ref.key)
    if item is not None:
        return item_level(item)
    if not archive.page_dir(ref).is_dir():
        return None
    return STRICTEST_LEVEL  # uncatalogued, or its record is missing: closed until catalogued


def _checked_ref(sha: str, n: int) -> PageRef:
    if not _SHA.fullmatch(sha) or n < 1:
        abort(404)
    return PageRef(sha, n)


def _private(response: Response) -> Response:
    response.headers["Cache-Control"] = f"private, max-age={MAX_AGE}"
    return response


@bp.get("/page/<sha>/<int:n>/image")
def page_image_view(sha: str, n: int):
    ref = _checked_ref(sha, n)
    size, kind = request.args.get("size", "view"), request.args.get("kind", "clean")
    if size not in SIZES or kind not in KINDS:
        abort(404)
    archive = _archive()
    level = page_level(archive, ref)
    if level is None or not can_see(level):
        abort(404)
    try:
        image = page_image(archive, ref, size, kind)
    except NoImage:
        abort(404)
    if level >= 1:
        audit("view-page", ref.key, f"{kind} {size}")
    return _private(send_file(image.path, mimetype=image.mimetype, conditional=True, etag=True))


@bp.get("/document/<sha>.pdf")
def document_pdf(sha: str):
    if not _SHA.fullmatch(sha):
        abort(404)
    archive = _archive()
    path = archive.document_pdf_path(sha)
    try:
        record = archive.original_record(sha)
        indexes = [int(n) for n in record.get("pages")
                   or range(1, int(record.get("page_count") or 0) + 1)]
    except (OSError, ValueError, TypeError, AttributeError):
        abort(404)
    levels = [page_level(archive, PageRef(sha, n)) for n in indexes]
    known = [level for level in levels if level is not None]
    if len(known) < len(levels):  # a page of the PDF has no record left: closed
        known.append(STRICTEST_LEVEL)
    if not known or not path.is_file() or not can_see(max(known)):
        abort(404)
    if max(known) >= 1:
        audit("download-pdf", sha)
    return _private(send_file(path, mimetype="application/pdf", conditional=True, etag=True,
                              download_name=f"{sha}.pdf"))
