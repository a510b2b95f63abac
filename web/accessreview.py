"""The archivists' access-review queue: items waiting for a decision on who may see them, with
the marks read on their pages (the crop, the reading, its confidence), and the decision.

The page also sets each phông's access policy (``review-first``, the default, or
``open-unless-marked`` for a phông known to hold only public material), audited with the old and
new value, as ``luutru catalog access-policy`` does.

A decision opens (Công khai) or restricts (Hạn chế) an item, or every item of a hồ sơ at once,
through :func:`luutru.catalog.accessreview.decide_access`: written to the catalogue as the
archivist's value, audited item by item (with the old and new value of every change), and
followed by the search index at once (the next catalogue read finds the changed levels). An
archivist only sees, and so only decides, the items their clearance allows.
"""

from __future__ import annotations

from flask import (Blueprint, abort, current_app, flash, redirect, render_template, request,
                   send_file, url_for)

from luutru.access import DEFAULT_POLICY, POLICIES
from luutru.archive import PageRef
from luutru.catalog.accessreview import (CROP_NAME, MARKS_FILE, REASON_TEXT, access_queue,
                                         decide_access, file_item_ids, note_opened_marked,
                                         set_fonds_policy)
from luutru.web.access import audit, can_see, role_required
from luutru.web.files import page_level
from luutru.web.reading import catalog
from luutru.web.records import item_level

bp = Blueprint("accessreview", __name__)
PER_PAGE = 30


@bp.get("/access-review")
@role_required("archivist")
def queue():
    view = catalog()
    visible = [i for i in view.items.values() if can_see(item_level(i))]
    entries = access_queue(current_app.config["ARCHIVE"], visible)
    pages = max(1, -(-len(entries) // PER_PAGE))
    page = min(max(request.args.get("page", 1, type=int) or 1, 1), pages)
    shown = entries[(page - 1) * PER_PAGE: page * PER_PAGE]
    for entry in shown:
        if entry.level >= 1:
            audit("view-access-review", entry.item["id"])
    policies = [(code, fonds.get("ten_phong"), fonds.get("chinh_sach_tiep_can") or DEFAULT_POLICY)
                for code, fonds in sorted(view.fonds.items())]
    return render_template("access_review.html", entries=shown, total=len(entries), page=page,
                           pages=pages, reasons=REASON_TEXT, policies=policies,
                           policy_text=POLICY_TEXT)


POLICY_TEXT = {"review-first": "Duyệt trước (văn bản mới chỉ người có quyền xem được, đến khi "
                               "lưu trữ viên mở)",
               "open-unless-marked": "Mở nếu không có dấu mật (phông chỉ gồm tài liệu công khai)"}


@bp.post("/access-review/policy")
@role_required("archivist")
def policy():
    """Set one phông's access policy: the archivist's value, audited, followed by search at once."""
    fonds_code, chosen = request.form.get("fonds", ""), request.form.get("policy", "")
    if chosen not in POLICIES:
        abort(400)
    if fonds_code not in catalog().fonds:
        abort(404)
    old = set_fonds_policy(current_app.config["ARCHIVE"], fonds_code, chosen)
    audit("change-access-policy", fonds_code, f"{old!r} → {chosen!r}")
    catalog()  # re-read: the changed levels reach the search index here
    flash(f"Phông {fonds_code}: chính sách tiếp cận «{POLICY_TEXT[chosen]}».", "success")
    return redirect(url_for("accessreview.queue") + "#access-policies")


@bp.post("/access-review/decide")
@role_required("archivist")
def decide():
    decision = request.form.get("decision")
    if decision not in ("open", "close"):
        abort(400)
    view = catalog()
    ids = request.form.getlist("item")
    if request.form.get("file"):
        fonds_code, _, file_code = request.form["file"].partition("/")
        ids += file_item_ids(view.items.values(), fonds_code, file_code)
    items = [view.item(i) for i in dict.fromkeys(ids)]
    if not items or any(i is None or not can_see(item_level(i)) for i in items):
        abort(404)  # an item this archivist may not see is not theirs to decide
    report = decide_access(current_app.config["ARCHIVE"], [i["id"] for i in items], decision)
    for item_id in report.items:
        audit(f"access-{decision}", item_id)
    for item_id, name, old, new in report.access_changes:
        audit("change-access", item_id, f"{name}: {old!r} → {new!r}")
    after = catalog()  # re-read: the changed levels reach the search index here
    note_opened_marked(report, after.items)
    verb = "mở" if decision == "open" else "hạn chế"
    flash(f"Đã {verb} {len(report.items)} văn bản.", "success")
    for item_id in report.opened_marked:
        flash(f"Cảnh báo: {item_id} có dấu mật nhưng đã được mở theo quyết định của anh/chị "
              f"(đã ghi nhật ký).", "warning")
    return redirect(url_for("accessreview.queue"))


@bp.get("/page/<sha>/<int:n>/mark/<name>")
@role_required("archivist")
def mark_crop(sha: str, n: int, name: str):
    """A mark candidate's crop, as secret as the page it was cut from."""
    if not CROP_NAME.fullmatch(name) or len(sha) != 64 or n < 1:
        abort(404)
    archive = current_app.config["ARCHIVE"]
    ref = PageRef(sha, n)
    level = page_level(archive, ref)
    path = archive.page_dir(ref) / name
    if level is None or not can_see(level) or not (archive.page_dir(ref) / MARKS_FILE).exists() \
            or not path.is_file():
        abort(404)
    if level >= 1:
        audit("view-mark", ref.key, name)
    return send_file(path, mimetype="image/png")
