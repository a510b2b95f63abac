"""The basket: items a reader collects while reading, handed on as a volume spec.

The basket is a list of item ids in the session (the signed cookie), nothing else; what is shown
or put in a spec is looked up again on every request, so an item the user may no longer see (a
changed clearance, a new độ mật) silently drops out. The spec is the file ``luutru volume build``
reads; building it is the editor's step, with the editor's own clearance.

The editor shapes the volume here too: the documents in date order or in an order of their own
(moved up and down), the editors' names, and which parts of the apparatus to print; the spec
written is the same YAML an editor writes by hand (:mod:`luutru.volume.spec`).
"""

from __future__ import annotations

from typing import Any

from flask import (Blueprint, Response, abort, flash, redirect, render_template, request, session,
                   url_for)

from luutru.catalog.review import parse_value
from luutru.textnorm import fold, nfc
from luutru.volume.spec import APPARATUS, SpecError, VolumeSpec, dump_spec, spec_for_items
from luutru.web.access import can_see
from luutru.web.auth import safe_next
from luutru.web.reading import catalog
from luutru.web.records import item_level

bp = Blueprint("basket", __name__)

SESSION_KEY = "basket"
# The session is a cookie (≈4 kB); a volume of more items is better selected by a query in its spec.
MAX_ITEMS = 100


def basket_ids() -> list[str]:
    return list(session.get(SESSION_KEY, []))


ORDER_KEY = "basket_order"     # "date" (the default) or "items" (the editor's own order)
APPARATUS_LABELS = {"chronology": "Niên biểu văn kiện", "names": "Bảng tra cứu tên người",
                    "places": "Bảng tra cứu địa danh", "abbreviations": "Bảng chữ viết tắt"}


def own_order() -> bool:
    return session.get(ORDER_KEY) == "items"


def basket_items() -> list[dict[str, Any]]:
    """The basket's items that the user may see: in the editor's order when they chose one, else
    oldest first (undated ones last)."""
    view = catalog()
    items = [item for item_id in basket_ids()
             if (item := view.item(item_id)) is not None and can_see(item_level(item))]
    if own_order():
        return items
    return sorted(items, key=lambda i: (i.get("ngay_ban_hanh") is None, i.get("ngay_ban_hanh") or "",
                                        i["fonds_code"], i["file_code"], i["first_page"]))


def _posted_item() -> str:
    item_id = request.form.get("item_id", "").strip()
    item = catalog().item(item_id)
    if item is None or not can_see(item_level(item)):
        abort(404)
    return item_id


@bp.post("/basket/add")
def add():
    item_id = _posted_item()
    ids = basket_ids()
    if item_id in ids:
        flash("Văn bản này đã có trong tập văn kiện.", "success")
    elif len(ids) >= MAX_ITEMS:
        flash(f"Tập văn kiện đã đủ {MAX_ITEMS} văn bản; với tập lớn hơn, hãy chọn theo truy vấn "
              "trong tệp mô tả tập.", "error")
    else:
        session[SESSION_KEY] = ids + [item_id]
        flash("Đã thêm vào tập văn kiện.", "success")
    return redirect(safe_next(request.form.get("next")) or url_for("reading.item", item_id=item_id))


@bp.post("/basket/remove")
def remove():
    item_id = request.form.get("item_id", "").strip()
    session[SESSION_KEY] = [i for i in basket_ids() if i != item_id]
    flash("Đã bỏ khỏi tập văn kiện.", "success")
    return redirect(url_for("basket.show"))


@bp.post("/basket/move")
def move():
    """Move an item one place up or down; the volume then keeps the editor's order."""
    item_id = request.form.get("item_id", "").strip()
    step = -1 if request.form.get("direction") == "up" else 1
    ids = [item["id"] for item in basket_items()]      # as shown: the order being changed
    if item_id in ids:
        i = ids.index(item_id)
        j = min(max(i + step, 0), len(ids) - 1)
        ids[i], ids[j] = ids[j], ids[i]
        hidden = [i for i in basket_ids() if i not in ids]   # kept, in case clearance returns
        session[SESSION_KEY] = ids + hidden
        session[ORDER_KEY] = "items"
    return redirect(url_for("basket.show"))


@bp.post("/basket/order")
def order():
    session[ORDER_KEY] = "items" if request.form.get("order") == "items" else "date"
    return redirect(url_for("basket.show"))


@bp.get("/basket")
def show():
    return render_template("basket.html", items=basket_items(), title=request.args.get("title", ""),
                           own_order=own_order(), apparatus=APPARATUS_LABELS)


def _with_choices(spec: VolumeSpec) -> VolumeSpec:
    """The spec with what the editor chose on the basket page: editors, order, apparatus."""
    from dataclasses import replace
    editors = tuple(name.strip() for name in request.args.get("editors", "").split(",") if name.strip())
    chosen = tuple(part for part in APPARATUS if request.args.get(f"apparatus-{part}"))
    shaped = "apparatus-shown" in request.args       # the form was sent (not an old link)
    foreword = nfc(request.args.get("foreword", "")).replace("\r\n", "\n").strip()
    return replace(spec, editors=editors, foreword=foreword, order="items" if own_order() else "date",
                   apparatus=chosen if shaped else spec.apparatus,
                   review_appendix=bool(request.args.get("review_appendix")) if shaped
                   else spec.review_appendix)


def _filename(title: str) -> str:
    slug = "-".join(fold(title).split())
    slug = "".join(ch for ch in slug if ch.isascii() and (ch.isalnum() or ch == "-"))[:60].strip("-")
    return f"{slug or 'tap-van-kien'}.yaml"


def _period_date(text: str | None) -> str | None:
    """A date as the reader types it (10/5/2019, or 2019-05-10) → ISO, read as the review form
    reads dates; empty → None."""
    return parse_value("ngay_ban_hanh", text or "") or None


@bp.get("/basket/spec.yaml")
def spec():
    """The basket as a volume spec (attachment), or back to the basket saying what is missing."""
    items = basket_items()
    title = request.args.get("title", "").strip()
    if not items:
        flash("Tập văn kiện chưa có văn bản nào.", "error")
        return redirect(url_for("basket.show"))
    if not title:
        flash("Cần nhập tên tập văn kiện.", "error")
        return redirect(url_for("basket.show"))
    try:
        base = spec_for_items([i["id"] for i in items], title,
                              _period_date(request.args.get("from")),
                              _period_date(request.args.get("to")))
        text = dump_spec(_with_choices(base))
    except (SpecError, ValueError) as exc:
        flash(f"Khoảng thời gian không hợp lệ: ghi ngày dạng ngày/tháng/năm (10/5/2019), ngày "
              f"bắt đầu không sau ngày kết thúc ({exc}).", "error")
        return redirect(url_for("basket.show", title=title))
    return Response(text, mimetype="text/yaml",
                    headers={"Content-Disposition": f'attachment; filename="{_filename(title)}"'})
