"""The archivist's review: a queue of items with fields the machine was unsure of, and a form per
item beside its first page image.

Saving goes through :func:`luutru.catalog.review.save_item_values`, the spreadsheet import's own
code: validated, all or nothing, written as archivist values that every later ``luutru catalog``
run keeps. The item (with its hồ sơ) is then indexed again, so the reading room finds the
corrected values at once.
"""

from __future__ import annotations

import logging
from typing import Any

from flask import (Blueprint, abort, current_app, flash, redirect, render_template, request,
                   url_for)

from luutru.access import opened_despite_mark
from luutru.catalog.model import ACCESS_VALUES, DO_KHAN_VALUES, DO_MAT_VALUES, ITEM_FIELDS, LIST_FIELDS
from luutru.catalog.review import EDITABLE, save_item_values
from luutru.index import update_items
from luutru.web.access import audit, can_see, role_required
from luutru.web.format import vn_date
from luutru.web.reading import INDEX_LOCK, backend, catalog
from luutru.web.records import item_level

bp = Blueprint("review", __name__)
log = logging.getLogger(__name__)

PER_PAGE = 50
LABELS = {name: label for name, label, _ in ITEM_FIELDS}
CHOICES = {"do_mat": DO_MAT_VALUES, "do_khan": DO_KHAN_VALUES, "muc_do_tiep_can": ACCESS_VALUES}
LONG_TEXT = {"trich_yeu", "ghi_chu"}
# What a person reads when a value is refused (parse_value's reasons are for the command line).
FIELD_HINTS = {
    "ngay_ban_hanh": "Ngày không hợp lệ: ghi theo dạng ngày/tháng/năm (10/05/2019) hoặc 2019-05-10.",
    "so_ky_hieu": "Số, ký hiệu không hợp lệ: ghi như 43-NQ/TW hoặc 07/CT-UBND.",
    "so_ky_hieu_trich_dan": "Mỗi dòng phải là một số, ký hiệu văn bản như 43-NQ/TW.",
    "do_mat": "Chọn một trong: " + ", ".join(DO_MAT_VALUES) + " (hoặc để trống).",
    "do_khan": "Chọn một trong: " + ", ".join(DO_KHAN_VALUES) + " (hoặc để trống).",
    "muc_do_tiep_can": "Chọn một trong: " + ", ".join(ACCESS_VALUES) + " (hoặc để trống).",
}


def _visible_item(item_id: str) -> dict[str, Any]:
    item = catalog().item(item_id)
    if item is None or not can_see(item_level(item)):
        abort(404)
    return item


@bp.get("/review")
@role_required("archivist")
def queue():
    """Items needing review that this user may see, in catalogue order (phông, hồ sơ, tờ)."""
    rows = [i for i in catalog().items.values() if i["needs_review"] and can_see(item_level(i))]
    pages = max(1, -(-len(rows) // PER_PAGE))
    page = min(max(request.args.get("page", 1, type=int) or 1, 1), pages)
    shown = rows[(page - 1) * PER_PAGE: page * PER_PAGE]
    return render_template("review_queue.html", rows=shown, total=len(rows), page=page, pages=pages,
                           labels=LABELS)


def _form_text(item: dict[str, Any], name: str) -> str:
    """The record's value as the form shows it (lists one per line, dates dd/mm/yyyy)."""
    value = item.get(name)
    if name in LIST_FIELDS:
        return "\n".join(value or [])
    if name == "ngay_ban_hanh":
        return vn_date(value)
    return value or ""


def _render_form(item: dict[str, Any], values: dict[str, str], confirmed: set[str],
                 errors: dict[str, str], status: int = 200):
    first = item["pages"][0].rsplit(":", 1) if item["pages"] else None
    fields = [{"name": name, "label": LABELS[name], "value": values.get(name, ""),
               "kind": ("select" if name in CHOICES else
                        "textarea" if name in LIST_FIELDS or name in LONG_TEXT else "text"),
               "choices": CHOICES.get(name, ()), "list": name in LIST_FIELDS,
               "flagged": name in item["needs_review"], "confirmed": name in confirmed,
               "error": errors.get(name)} for name in EDITABLE]
    return render_template("review_form.html", item=item, fields=fields, first_page=first,
                           general_errors=[e for n, e in errors.items() if n not in LABELS]), status


def _refused(item: dict[str, Any], values: dict[str, str], confirmed: set[str],
             field_errors: dict[str, str]):
    """The form again, as the archivist filled it in, saying what was refused (nothing saved)."""
    if field_errors:
        errors = {name: FIELD_HINTS.get(name, "Giá trị không hợp lệ.") for name in field_errors}
        flash("Chưa lưu: có giá trị không hợp lệ, xem các trường được đánh dấu.", "error")
    else:  # the item left the catalogue between showing the form and saving it
        errors = {}
        flash("Không lưu được: văn bản này không còn trong mục lục (có thể vừa chạy lại "
              "luutru catalog).", "error")
    shown = {name: _form_text(item, name) for name in EDITABLE} | values
    return _render_form(item, shown, confirmed, errors, 422)


@bp.get("/review/<item_id>")
@role_required("archivist")
def form(item_id: str):
    item = _visible_item(item_id)
    if item_level(item) >= 1:
        audit("view-review-form", item_id)
    values = {name: _form_text(item, name) for name in EDITABLE}
    return _render_form(item, values, set(), {})


@bp.post("/review/<item_id>")
@role_required("archivist")
def save(item_id: str):
    item = _visible_item(item_id)
    values = {name: request.form[name] for name in EDITABLE if name in request.form}
    confirmed = request.form.getlist("confirm")
    report = save_item_values(current_app.config["ARCHIVE"], item_id, values, confirmed)
    if report.errors:
        return _refused(item, values, set(confirmed), report.field_errors)
    audit("review-save", item_id, f"{report.values_set} values, {report.confirmed} confirmed")
    for changed_id, name, old, new in report.access_changes:
        audit("change-access", changed_id, f"{name}: {old!r} → {new!r}")
    flash("Đã lưu.", "success")
    if report.items_changed:
        saved = catalog().item(item_id) or item  # a changed level reaches the index here
        _update_search_index(saved)
        if opened_despite_mark(saved):
            flash("Cảnh báo: văn bản có dấu mật nhưng đã được mở theo quyết định của anh/chị "
                  "(đã ghi nhật ký).", "warning")
    return redirect(url_for("review.form", item_id=item_id))


def _update_search_index(item: dict[str, Any]) -> None:
    """Index the saved item again, with the rest of its hồ sơ (a changed độ mật can change the
    hồ sơ's access, so every item in it), so search shows the correction at once."""
    view = catalog()
    items = view.items_of_file(item["fonds_code"], item["file_code"]) or [item]
    try:
        with INDEX_LOCK:
            update_items(current_app.config["ARCHIVE"], items, backend().get())
    except Exception as exc:  # noqa: BLE001 - the record is saved; `luutru index` catches up
        log.warning("review: search index not updated: %s", exc)
        flash("Tìm kiếm chưa cập nhật được giá trị mới (chỉ mục đang bận); giá trị sẽ có trong "
              "kết quả tìm kiếm sau lần cập nhật chỉ mục tới.", "warning")
