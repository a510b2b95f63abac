"""The archivist's review: a queue of items with fields the machine was unsure of, and a form per
item beside its first page image.

Saving goes through :func:`luutru.catalog.review.save_item_values`, the spreadsheet import's own
code: validated, all or nothing, written as archivist values that every later ``luutru catalog``
run keeps. The search index is then brought up to date (:class:`IndexCatchUp`), so the reading
room finds the corrected values.
"""

from __future__ import annotations

import logging
import threading
import time
from typing import Any

from flask import (Blueprint, abort, current_app, flash, redirect, render_template, request,
                   url_for)

from luutru.archive import Archive
from luutru.catalog.model import DO_KHAN_VALUES, DO_MAT_VALUES, ITEM_FIELDS, LIST_FIELDS
from luutru.catalog.review import EDITABLE, save_item_values
from luutru.index.update import update_index
from luutru.web.access import audit, can_see, role_required
from luutru.web.browse import vn_date
from luutru.web.reading import LiveBackend, backend, catalog
from luutru.web.records import item_level

bp = Blueprint("review", __name__)
bp.add_app_template_filter(vn_date, "vn_date")
log = logging.getLogger(__name__)

PER_PAGE = 50
LABELS = {name: label for name, label, _ in ITEM_FIELDS}
CHOICES = {"do_mat": DO_MAT_VALUES, "do_khan": DO_KHAN_VALUES}
LONG_TEXT = {"trich_yeu", "ghi_chu"}
# What a person reads when a value is refused (parse_value's reasons are for the command line).
FIELD_HINTS = {
    "ngay_ban_hanh": "Ngày không hợp lệ: ghi theo dạng ngày/tháng/năm (10/05/2019) hoặc 2019-05-10.",
    "so_ky_hieu": "Số, ký hiệu không hợp lệ: ghi như 43-NQ/TW hoặc 07/CT-UBND.",
    "so_ky_hieu_trich_dan": "Mỗi dòng phải là một số, ký hiệu văn bản như 43-NQ/TW.",
    "do_mat": "Chọn một trong: " + ", ".join(DO_MAT_VALUES) + " (hoặc để trống).",
    "do_khan": "Chọn một trong: " + ", ".join(DO_KHAN_VALUES) + " (hoặc để trống).",
}
CATCH_UP_KEY = "luutru.review.index"
INDEX_WAIT = 3.0  # seconds a save waits for the search index before answering


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
    flash("Đã lưu.", "success")
    if report.items_changed:
        _update_search_index()
    return redirect(url_for("review.form", item_id=item_id))


class IndexCatchUp:
    """Brings the search index in line with the catalogue after saves, on a thread of its own.

    ``update_index`` reads every page text to find what changed (measured: ~18 s on a 10k-page
    archive, on this shared machine), far too long to hold a form's answer on a big archive. A save
    asks for a run and waits up to ``REVIEW_INDEX_WAIT`` seconds: a small archive is up to date
    before the redirect, a big one catches up in the background; saves that arrive during a run
    are folded into one more run. The record is saved either way; if the index cannot be written
    (another process holds it), the next save or ``luutru index`` catches up.
    """

    def __init__(self, archive: Archive, live_backend: LiveBackend):
        self.archive = archive
        self.backend = live_backend
        self._cond = threading.Condition()
        self._asked = self._done = 0   # runs asked for / the last one finished
        self._running = False
        self.error: str | None = None  # of the last run
        self.seconds: float | None = None

    def ask(self) -> int:
        """Ask for a run; returns a ticket to :meth:`wait` on."""
        with self._cond:
            self._asked += 1
            if not self._running:
                self._running = True
                threading.Thread(target=self._run, name="luutru-review-index", daemon=True).start()
            return self._asked

    def wait(self, ticket: int, timeout: float) -> bool:
        """Whether a run that started after ``ticket`` was asked for has finished."""
        with self._cond:
            return self._cond.wait_for(lambda: self._done >= ticket, timeout)

    def wait_idle(self, timeout: float) -> bool:
        with self._cond:
            return self._cond.wait_for(lambda: not self._running, timeout)

    def _run(self) -> None:
        while True:
            with self._cond:
                if self._done >= self._asked:
                    self._running = False
                    self._cond.notify_all()
                    return
                target = self._asked
            start = time.perf_counter()
            try:
                report = update_index(self.archive, self.backend.get())
                self.error = None
                log.info("review: index updated in %.2f s (%d updated)",
                         time.perf_counter() - start, report.updated)
            except Exception as exc:  # noqa: BLE001 - the record is saved; a later run catches up
                self.error = str(exc)
                log.warning("review: search index not updated: %s", exc)
            self.seconds = time.perf_counter() - start
            with self._cond:
                self._done = target
                self._cond.notify_all()


def index_catch_up() -> IndexCatchUp:
    """The app's one :class:`IndexCatchUp`."""
    extensions = current_app.extensions
    if CATCH_UP_KEY not in extensions:
        extensions.setdefault(CATCH_UP_KEY, IndexCatchUp(current_app.config["ARCHIVE"], backend()))
    return extensions[CATCH_UP_KEY]


def _update_search_index() -> None:
    catch_up = index_catch_up()
    ticket = catch_up.ask()
    if not catch_up.wait(ticket, current_app.config.get("REVIEW_INDEX_WAIT", INDEX_WAIT)):
        flash("Kết quả tìm kiếm sẽ có giá trị mới sau khi chỉ mục tìm kiếm cập nhật xong "
              "(vài phút với kho lớn).", "info")
    elif catch_up.error:
        flash("Tìm kiếm chưa cập nhật được giá trị mới (chỉ mục đang bận); giá trị sẽ có trong "
              "kết quả tìm kiếm sau lần cập nhật chỉ mục tới.", "warning")
