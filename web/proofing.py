"""The editors' proofing view: a page's scan beside its text, corrected in place, saved to the
editorial layer (:mod:`luutru.editorial`), page after page through the volume being assembled.

The volume is the basket (:mod:`luutru.web.basket`): its documents, in its order, are what the
editor proofreads, and the progress count is over their pages. Words Tesseract was unsure of
(:mod:`luutru.volume.marking`) are underlined until the page is saved; a click on a word shows
its box on the scan. Saving never touches the OCR: it stores the editor's text, with who and
when. Only items the user's clearance allows are shown (404 otherwise, as everywhere); every
view and save of a classified one is audited.
"""

from __future__ import annotations

from typing import Any

from flask import (Blueprint, abort, current_app, flash, redirect, render_template, request,
                   url_for)

from luutru import editorial, pagetext
from luutru.archive import Archive, PageRef
from luutru.textnorm import nfc
from luutru.volume import corrections, marking
from luutru.volume.text import lines_with_geometry, sheet_numbers
from luutru.web.access import audit, can_see, current_user, role_required
from luutru.web.basket import basket_items
from luutru.web.reading import catalog
from luutru.web.records import item_level

bp = Blueprint("proofing", __name__)

MAX_TEXT = 200_000      # characters of one page's text


def _archive() -> Archive:
    return current_app.config["ARCHIVE"]


def _visible_item(item_id: str) -> dict[str, Any]:
    item = catalog().item(item_id)
    if item is None or not can_see(item_level(item)):
        abort(404)
    return item


def _page_size(archive: Archive, ref: PageRef) -> tuple[int, int] | None:
    """The cleaned image's size in pixels: the word boxes' coordinates (None without boxes)."""
    page = pagetext.read_page_text(archive.page_dir(ref))
    return page.size if page else None


def proof_lines(archive: Archive, key: str, text: str, proofread: bool) -> list[list[dict[str, Any]]]:
    """The page's text as lines of words, each with its box on the scan (when the OCR's line has it)
    and whether to underline it (a machine-read word the volume would mark as doubtful, or one a
    correction stage changed)."""
    ref = PageRef.parse(key)
    lines = lines_with_geometry(text, archive.page_dir(ref))
    capitalised = marking.capitalised_words([line.text for line in lines])
    if not proofread:
        corrections.mark_corrected(lines, archive.page_dir(ref))
    out = []
    for line in lines:
        tokens = line.text.split()
        doubts = ([False] * len(tokens) if proofread else
                  [doubt or bool(line.corrected and line.corrected[i]) for i, doubt in enumerate(
                      marking.doubtful_words(tokens, line.word_confs, line.conf, capitalised))])
        boxes = line.word_boxes or [None] * len(tokens)
        out.append([{"text": token, "low": doubt,
                     "box": " ".join(map(str, (box[0], box[1], box[2] - box[0], box[3] - box[1])))
                     if box else ""} for token, doubt, box in zip(tokens, doubts, boxes)])
    return out


def _volume() -> list[dict[str, Any]]:
    """The documents being proofread: the basket's, as the user may see them."""
    return basket_items()


def _next_page(items: list[dict[str, Any]], item: dict[str, Any], n: int) -> str | None:
    """Where "save and next" goes: the item's next page, else the volume's next document, at its
    first page not yet proofread (or its first page)."""
    if n < len(item["pages"]):
        return url_for("proofing.page", item_id=item["id"], n=n + 1)
    ids = [i["id"] for i in items]
    following = [i for i in items[ids.index(item["id"]) + 1:] if i["pages"]] if item["id"] in ids else []
    if not following:
        return None
    other = following[0]
    record = editorial.load_record(_archive(), other["id"])
    todo = [n for n, key in enumerate(other["pages"], start=1) if not (record and key in record.pages)]
    return url_for("proofing.page", item_id=other["id"], n=todo[0] if todo else 1)


@bp.get("/proof")
@role_required("editor")
def index():
    """The volume's documents with how much of each is proofread."""
    archive = _archive()
    items = _volume()
    rows = []
    for item in items:
        done, total = editorial.proofread_counts(archive, [item])
        rows.append({"item": item, "done": done, "total": total,
                     "url": url_for("proofing.page", item_id=item["id"], n=1)})
    done, total = editorial.proofread_counts(archive, items)
    return render_template("proof_index.html", rows=rows, done=done, total=total)


@bp.get("/proof/<item_id>/<int:n>")
@role_required("editor")
def page(item_id: str, n: int):
    item = _visible_item(item_id)
    if not 1 <= n <= len(item["pages"]):
        abort(404)
    if item_level(item) >= 1:
        audit("proof-view", item_id, f"page {n}")
    archive = _archive()
    key = item["pages"][n - 1]
    record = editorial.load_record(archive, item_id)
    edited = record.pages.get(key) if record else None
    text = edited.text if edited else editorial.ocr_page_text(archive, key)
    sha, index = key.rsplit(":", 1)
    items = _volume()
    done, total = editorial.proofread_counts(archive, items)
    notes = "\n".join(f"[^{ref}]: {note}" for ref, note in (record.notes if record else {}).items()
                      if f"[^{ref}]" in text)
    return render_template(
        "proof.html", item=item, n=n, pages=len(item["pages"]), sheet=sheet_numbers(item)[n - 1],
        text=text + ("\n" + notes if notes else ""), edited=edited,
        lines=proof_lines(archive, key, text, edited is not None),
        image=url_for("files.page_image_view", sha=sha, n=int(index), size="view"),
        full_image=url_for("files.page_image_view", sha=sha, n=int(index), size="full"),
        size=_page_size(archive, PageRef.parse(key)), done=done, total=total,
        in_volume=item_id in {i["id"] for i in items},
        next_url=_next_page(items, item, n))


@bp.post("/proof/<item_id>/<int:n>")
@role_required("editor")
def save(item_id: str, n: int):
    item = _visible_item(item_id)
    if not 1 <= n <= len(item["pages"]):
        abort(404)
    text = nfc(request.form.get("text", ""))[:MAX_TEXT]
    user = current_user()
    try:
        editorial.set_page_text(_archive(), item, item["pages"][n - 1], text, user.username)
    except editorial.EditorialError as exc:
        flash(f"Chưa lưu: {exc}", "error")
        return redirect(url_for("proofing.page", item_id=item_id, n=n))
    audit("proof-save", item_id, f"page {n}")
    flash(f"Đã lưu bản biên tập trang {n}.", "success")
    target = _next_page(_volume(), item, n) if request.form.get("then") == "next" else None
    return redirect(target or url_for("proofing.page", item_id=item_id, n=n))
