"""One searchable PDF per văn bản: its pages across scanned files, named and described from the
catalogue, behind the same access check as the item page.

A hồ sơ scanned as one file, or a document spread over five files, still downloads as the one
document a researcher asked for: ``43-NQ-TW_2006-05-12.pdf``, its pages the original scans with
their invisible words (:mod:`luutru.ocr.pdf`), its metadata the catalogue's title, organ, date and
number, and its archival reference (the citation line) as the PDF's source. The per-file PDFs
(``documents/<sha256>.pdf``) remain.

The file is derived: made on first request into ``cache/items/`` and made again when the item's
catalogue values, its pages or their OCR change (the cache key covers all three).
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import re
import uuid
from pathlib import Path
from typing import Any

from flask import Blueprint, abort, current_app, send_file

from luutru.access import item_level
from luutru.archive import Archive, PageRef, atomic_move_into
from luutru.ocr.pdf import CREATOR_TOOLS, archive_pdf_page, build_document_pdf
from luutru.web.access import audit
from luutru.web.reading import citation, document_title, repository, visible_item

bp = Blueprint("itempdf", __name__)

CACHE_DIR = "cache/items"
MAX_AGE = 3600
_UNSAFE = re.compile(r'[\\/:*?"<>|\s]+')


def pdf_name(item: dict[str, Any]) -> str:
    """``<số ký hiệu>_<date>.pdf`` (``43-NQ-TW_2006-05-12.pdf``), the item id where neither is
    known."""
    number = _UNSAFE.sub("-", (item.get("so_ky_hieu") or "").strip()).strip("-.")
    parts = [p for p in (number, (item.get("ngay_ban_hanh") or "").strip()) if p]
    return "_".join(parts or [item["id"]]) + ".pdf"


def pdf_metadata(item: dict[str, Any], source: str) -> tuple[str, dict[str, str]]:
    """(title, XMP values) for the item's PDF."""
    title = document_title(item.get("loai_van_ban"), item.get("so_ky_hieu")) or item["id"]
    if item.get("trich_yeu"):
        title += f" {item['trich_yeu']}"
    return title, {"creator": item.get("co_quan_ban_hanh") or "",
                   "date": item.get("ngay_ban_hanh") or "",
                   "identifier": item.get("so_ky_hieu") or item["id"],
                   "description": item.get("trich_yeu") or "", "source": source}


def item_pdf(archive: Archive, item: dict[str, Any], source: str) -> Path:
    """The item's PDF in the cache, made now if it is missing or stale."""
    refs = [PageRef.parse(key) for key in item.get("pages") or ()]
    if not refs:
        raise FileNotFoundError(item["id"])
    title, metadata = pdf_metadata(item, source)
    stamps = [(ref.key, archive.page_files(ref).pdf.stat().st_mtime_ns) for ref in refs]
    key = hashlib.sha256(json.dumps([title, metadata, stamps, CREATOR_TOOLS["faithful"]],
                                    ensure_ascii=False).encode("utf-8")).hexdigest()[:16]
    directory = archive.root / CACHE_DIR
    target = directory / f"{item['id']}-{key}.pdf"
    if target.is_file():
        return target
    directory.mkdir(parents=True, exist_ok=True)
    scratch = archive.tmp_dir / f"item-{uuid.uuid4().hex}.pdf"
    build_document_pdf([archive_pdf_page(archive, ref) for ref in refs], scratch,
                       title=title, metadata=metadata, checksum=False)
    atomic_move_into(scratch, target)
    for old in directory.glob(f"{item['id']}-*.pdf"):   # earlier versions of this item's PDF
        if old != target:
            with contextlib.suppress(FileNotFoundError):
                old.unlink()
    return target


@bp.get("/document/item/<item_id>.pdf")
def item_pdf_view(item_id: str):
    view, record = visible_item(item_id)
    archive: Archive = current_app.config["ARCHIVE"]
    try:
        path = item_pdf(archive, record, citation(record, view, repository()))
    except (FileNotFoundError, NotADirectoryError, ValueError):
        abort(404)
    if item_level(record) >= 1:
        audit("download-item-pdf", item_id)
    response = send_file(path, mimetype="application/pdf", conditional=True, etag=True,
                         download_name=pdf_name(record))
    response.headers["Cache-Control"] = f"private, max-age={MAX_AGE}"
    return response
