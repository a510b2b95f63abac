"""The catalogue's records: fonds (phông) → file (hồ sơ) → item (văn bản), each field with provenance.

Every field value says where it came from (``machine``: extracted, with a confidence;
``inventory``: the archivist's mục lục hồ sơ; ``archivist``: typed in by a person in review) and
from which pages. The field lists here drive the XML writer and reader, the exports and the review
spreadsheets, so one list is the single source of truth for field names.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from luutru.access import is_marked

MACHINE, INVENTORY, ARCHIVIST = "machine", "inventory", "archivist"
# An archivist's value wins over the inventory's, which wins over the machine's.
ORIGIN_RANK = {MACHINE: 0, INVENTORY: 1, ARCHIVIST: 2}

# (name, Vietnamese label, is_list)
FONDS_FIELDS = [
    ("ten_phong", "Tên phông", False),
    ("lich_su_don_vi", "Lịch sử đơn vị hình thành phông", False),
    ("thoi_gian_tai_lieu", "Thời gian tài liệu", False),
    ("ngon_ngu", "Ngôn ngữ", False),
    ("chinh_sach_tiep_can", "Chính sách tiếp cận (review-first, open-unless-marked)", False),
    ("ghi_chu", "Ghi chú", False),
]
FILE_FIELDS = [
    # The inventory list (mục lục hồ sơ) of the phông the hồ sơ is listed in: hồ sơ numbers
    # are unique within one mục lục, so a citation names it (Phông …, Mục lục số …, Hồ sơ số …).
    ("muc_luc_so", "Mục lục số", False),
    ("tieu_de", "Tiêu đề hồ sơ", False),
    ("thoi_gian_bat_dau", "Thời gian bắt đầu", False),
    ("thoi_gian_ket_thuc", "Thời gian kết thúc", False),
    ("thoi_han_bao_quan", "Thời hạn bảo quản", False),
    ("muc_do_tiep_can", "Mức độ tiếp cận", False),
    ("so_luong_trang", "Số lượng tờ/trang", False),
    ("tinh_trang_vat_ly", "Tình trạng vật lý", False),
    ("vi_tri", "Vị trí (kho/giá/hộp)", False),
    ("ngon_ngu", "Ngôn ngữ", False),
    ("ghi_chu", "Ghi chú", False),
]
ITEM_FIELDS = [
    ("so_ky_hieu", "Số và ký hiệu", False),
    ("loai_van_ban", "Tên loại văn bản", False),
    ("ngay_ban_hanh", "Ngày tháng năm văn bản", False),
    ("dia_danh", "Địa danh", False),
    ("co_quan_ban_hanh", "Cơ quan ban hành", False),
    ("trich_yeu", "Trích yếu nội dung", False),
    ("the_thuc_ky", "Thẩm quyền ký (T/M, K/T, T/L, T/UQ)", True),
    ("chuc_vu_nguoi_ky", "Chức vụ người ký", False),
    ("nguoi_ky", "Người ký", False),
    ("do_mat", "Độ mật", False),
    ("do_khan", "Độ khẩn", False),
    ("muc_do_tiep_can", "Mức độ tiếp cận (quyết định của lưu trữ viên)", False),
    ("noi_nhan", "Nơi nhận", True),
    ("so_ky_hieu_trich_dan", "Văn bản được dẫn chiếu", True),
    ("ngon_ngu", "Ngôn ngữ", False),
    ("ghi_chu", "Ghi chú", False),
    # The item's sheets in its hồ sơ ("5" or "5–7"): counted on from the items before it in
    # inventory order unless an archivist gives them here (a citation quotes them).
    ("to_so", "Tờ số", False),
]
ITEM_FIELD_NAMES = [name for name, _, _ in ITEM_FIELDS]
LIST_FIELDS = {name for name, _, is_list in FONDS_FIELDS + FILE_FIELDS + ITEM_FIELDS if is_list}

DO_MAT_VALUES = ("Mật", "Tối mật", "Tuyệt mật")
DO_KHAN_VALUES = ("Khẩn", "Thượng khẩn", "Hỏa tốc")
ACCESS_PUBLIC, ACCESS_RESTRICTED = "Công khai", "Hạn chế"
ACCESS_VALUES = (ACCESS_PUBLIC, ACCESS_RESTRICTED)


@dataclass
class FieldValue:
    value: Any
    origin: str = MACHINE
    confidence: float | None = None
    pages: list[int] = field(default_factory=list)  # 1-based pages of the item it was read from
    review: bool = False

    def is_empty(self) -> bool:
        return self.value is None or self.value == "" or self.value == []


@dataclass
class Item:
    id: str
    fonds_code: str
    file_code: str
    source: str
    first_page: int
    last_page: int
    pages: list[str]                       # PageRef keys "sha:index", in order
    fields: dict[str, FieldValue] = field(default_factory=dict)
    cites: list[str] = field(default_factory=list)      # item ids
    cited_by: list[str] = field(default_factory=list)   # item ids

    def value(self, name: str) -> Any:
        fv = self.fields.get(name)
        return fv.value if fv else ([] if name in LIST_FIELDS else None)

    @property
    def needs_review(self) -> list[str]:
        return [name for name in ITEM_FIELD_NAMES
                if name in self.fields and self.fields[name].review
                and self.fields[name].origin == MACHINE]


@dataclass
class FileRecord:
    code: str
    fonds_code: str
    fields: dict[str, FieldValue] = field(default_factory=dict)
    items: list[Item] = field(default_factory=list)

    def value(self, name: str) -> Any:
        fv = self.fields.get(name)
        return fv.value if fv else None


@dataclass
class Fonds:
    code: str
    fields: dict[str, FieldValue] = field(default_factory=dict)
    files: list[FileRecord] = field(default_factory=list)

    def value(self, name: str) -> Any:
        fv = self.fields.get(name)
        return fv.value if fv else None


def merge_field(old: FieldValue | None, new: FieldValue | None) -> FieldValue | None:
    """Keep a value of higher authority: a re-run never overwrites a person's value."""
    if old is None:
        return new
    if new is None:
        return old if old.origin != MACHINE else None
    return old if ORIGIN_RANK[old.origin] > ORIGIN_RANK[new.origin] else new


def file_access(record: FileRecord) -> FieldValue | None:
    """The hồ sơ's mức độ tiếp cận as it stands now: a person's value (inventory, archivist) as
    set; otherwise the machine's rule, worked out from the items each time it is read (so a
    review that changes one độ mật re-applies it at once): one marked or unsure item restricts
    its whole hồ sơ."""
    stated = record.fields.get("muc_do_tiep_can")
    if stated is not None and stated.origin != MACHINE and not stated.is_empty():
        return stated
    if not record.items:
        return stated
    return FieldValue(machine_file_access(record.items), MACHINE)


def machine_file_access(items: list[Item]) -> str:
    """The machine's conservative rule: one marked or unsure item restricts its whole hồ sơ."""
    marked = any(is_marked(_mark_view(item)) for item in items)
    return ACCESS_RESTRICTED if marked else ACCESS_PUBLIC


def _mark_view(item: Item) -> dict[str, Any]:
    do_mat = item.fields.get("do_mat")
    return {"do_mat": do_mat.value if do_mat else None,
            "do_mat_origin": do_mat.origin if do_mat else None,
            "do_mat_unsure": bool(do_mat and do_mat.review and do_mat.origin == MACHINE)}


def item_record_dict(item: Item, record: FileRecord, fonds: "Fonds | None") -> dict[str, Any]:
    """:func:`item_dict` with everything the access rule needs from the item's hồ sơ and phông."""
    access = file_access(record)
    policy = fonds.value("chinh_sach_tiep_can") if fonds is not None else None
    return item_dict(item, access.value if access else None,
                     access_origin=access.origin if access else None, policy=policy)


def item_dict(item: Item, access: str | None, *, access_origin: str | None = MACHINE,
              policy: str | None = None) -> dict[str, Any]:
    """The item as the search stage and the exports see it (keys are a contract: keep them stable).

    ``access``: its hồ sơ's mức độ tiếp cận and who set it (``access_origin``); ``policy``: its
    phông's access policy. With the item's own decision and its độ mật's provenance, they are
    what :func:`luutru.access.item_level` decides by."""
    out: dict[str, Any] = {
        "id": item.id, "fonds_code": item.fonds_code, "file_code": item.file_code,
        "source": item.source, "first_page": item.first_page, "last_page": item.last_page,
        "pages": list(item.pages),
    }
    for name in ITEM_FIELD_NAMES:
        out[name] = item.value(name)
    out["needs_review"] = item.needs_review
    out["access"] = access
    out["access_origin"] = access_origin
    out["access_policy"] = policy
    out["item_access"] = item.value("muc_do_tiep_can") if _by_archivist(item) else None
    out.update({k: v for k, v in _mark_view(item).items() if k != "do_mat"})
    out["cites"] = list(item.cites)
    out["cited_by"] = list(item.cited_by)
    return out


def _by_archivist(item: Item) -> bool:
    """Only an archivist decides access for a single item (an inventory speaks of hồ sơ)."""
    decision = item.fields.get("muc_do_tiep_can")
    return decision is not None and decision.origin == ARCHIVIST
