"""EAD3 export of the catalogue: fonds → file (c01) → item (c02), Vietnamese text, validated.

The output is validated against the official EAD3 1.1.1 schema (vendored in ``schemas/ead3``)
before it is written, so an archive can hand it to any EAD3 tool.

An export is made for a clearance (default: none). Items the clearance does not cover are left
out — of the lists and of the page counts — and so are hồ sơ with nothing left to show; the record
says that it was filtered and at which clearance (``luutru.access`` decides each item's level).
"""

from __future__ import annotations

from dataclasses import replace

from lxml import etree

from luutru import xmlsafe
from luutru.schemas import schema
from luutru.access import file_level, item_level, parse_clearance
from luutru.archive import Archive
from luutru.catalog import (ITEM_FIELDS, FileRecord, Fonds, Item, file_summary, item_record_dict,
                            read_catalog)
from luutru.errors import LuutruError

ITEM_LABELS = {name: label for name, label, _ in ITEM_FIELDS}
CLEARANCE_LABELS = {0: "không (chỉ tài liệu không mật)", 1: "Mật", 2: "Tối mật", 3: "Tuyệt mật"}

EAD_NS = "http://ead3.archivists.org/schema/"
_E = "{%s}" % EAD_NS


class EADError(LuutruError, ValueError):
    pass


def ead_schema(name: str = "ead3.xsd") -> etree.XMLSchema:
    return schema(f"ead3/{name}")


def _sub(parent: etree._Element, tag: str, text: str | None = None, **attrs) -> etree._Element:
    el = etree.SubElement(parent, _E + tag, **{k: v for k, v in attrs.items() if v is not None})
    if text is not None:
        el.text = text
    return el


def _para(parent: etree._Element, tag: str, text: str) -> None:
    _sub(_sub(parent, tag), "p", text)


def _unitdate(did: etree._Element, start: str | None, end: str | None) -> None:
    if not start and not end:
        return
    if start and end and start != end:
        _sub(did, "unitdate", f"{start} – {end}", normal=f"{start}/{end}", unitdatetype="inclusive")
    else:
        _sub(did, "unitdate", start or end, normal=start or end)


def _item(parent: etree._Element, item: Item) -> None:
    c = _sub(parent, "c02", level="item", id=item.id)
    did = _sub(c, "did")
    if item.value("so_ky_hieu"):
        _sub(did, "unitid", item.value("so_ky_hieu"))
    title = " ".join(v for v in (item.value("loai_van_ban"), item.value("trich_yeu")) if v)
    _sub(did, "unittitle", title or item.value("so_ky_hieu") or item.id)
    if item.value("co_quan_ban_hanh"):
        _sub(_sub(did, "origination"), "corpname").append(_part(item.value("co_quan_ban_hanh")))
    _unitdate(did, item.value("ngay_ban_hanh"), None)
    physdesc = f"{len(item.pages)} trang; tệp {item.source}, trang {item.first_page}–{item.last_page}"
    _sub(did, "physdesc", physdesc)
    signer = ", ".join(v for v in (" ".join(item.value("the_thuc_ky") or []),
                                   item.value("chuc_vu_nguoi_ky"), item.value("nguoi_ky")) if v)
    if signer:
        _sub(did, "didnote", f"Người ký: {signer}")
    if item.value("do_mat"):
        _para(c, "accessrestrict", f"Độ mật: {item.value('do_mat')}")
    notes = []
    if item.value("do_khan"):
        notes.append(f"Độ khẩn: {item.value('do_khan')}")
    if item.value("noi_nhan"):
        notes.append("Nơi nhận: " + "; ".join(item.value("noi_nhan")))
    if item.value("so_ky_hieu_trich_dan"):
        notes.append("Văn bản được dẫn chiếu: " + "; ".join(item.value("so_ky_hieu_trich_dan")))
    if item.needs_review:
        notes.append("Cần kiểm tra: " + ", ".join(ITEM_LABELS.get(n, n) for n in item.needs_review))
    for note in notes:
        _para(c, "odd", note)


def _part(text: str) -> etree._Element:
    el = etree.Element(_E + "part")
    el.text = text
    return el


def _file(parent: etree._Element, record: FileRecord) -> None:
    c = _sub(parent, "c01", level="file")
    did = _sub(c, "did")
    _sub(did, "unitid", record.code)
    if record.value("muc_luc_so"):      # the inventory list the hồ sơ number belongs to
        _sub(did, "unitid", record.value("muc_luc_so"), localtype="muc_luc", label="Mục lục số")
    _sub(did, "unittitle", record.value("tieu_de") or record.code)
    _unitdate(did, record.value("thoi_gian_bat_dau"), record.value("thoi_gian_ket_thuc"))
    if record.value("so_luong_trang") is not None:
        _sub(did, "physdesc", f"{record.value('so_luong_trang')} trang")
    if record.value("vi_tri"):
        _sub(did, "physloc", record.value("vi_tri"))
    if record.value("muc_do_tiep_can"):
        _para(c, "accessrestrict", f"Mức độ tiếp cận: {record.value('muc_do_tiep_can')}")
    if record.value("thoi_han_bao_quan"):
        _para(c, "appraisal", f"Thời hạn bảo quản: {record.value('thoi_han_bao_quan')}")
    for item in record.items:
        _item(c, item)


def _control(ead: etree._Element, recordid: str, title: str, when: str, note: str | None) -> None:
    control = _sub(ead, "control")
    _sub(control, "recordid", recordid)
    filedesc = _sub(control, "filedesc")
    _sub(_sub(filedesc, "titlestmt"), "titleproper", title)
    if note:
        _sub(_sub(_sub(filedesc, "notestmt"), "controlnote"), "p", note)
    _sub(control, "maintenancestatus", value="derived")
    _sub(_sub(control, "maintenanceagency"), "agencyname", "luutru")
    lang = _sub(control, "languagedeclaration")
    _sub(lang, "language", "tiếng Việt", langcode="vie")
    _sub(lang, "script", "Latin", scriptcode="Latn")
    event = _sub(_sub(control, "maintenancehistory"), "maintenanceevent")
    _sub(event, "eventtype", value="derived")
    _sub(event, "eventdatetime", when, standarddatetime=when)
    _sub(event, "agenttype", value="machine")
    _sub(event, "agent", "luutru")


def _fonds_did(parent: etree._Element, fonds: Fonds) -> None:
    did = _sub(parent, "did")
    _sub(did, "unitid", fonds.code)
    _sub(did, "unittitle", fonds.value("ten_phong") or fonds.code)
    if fonds.value("thoi_gian_tai_lieu"):
        _sub(did, "unitdate", fonds.value("thoi_gian_tai_lieu"))
    _sub(_sub(did, "langmaterial"), "language", "tiếng Việt", langcode="vie")


def _latest_date(fonds_list: list[Fonds]) -> str:
    """A date that depends only on the record (so the same record gives the same bytes)."""
    dates = [i.value("ngay_ban_hanh") for f in fonds_list for r in f.files for i in r.items]
    return max((d for d in dates if d), default="1900-01-01")


def filter_note(clearance: int) -> str:
    """What a reader of the export must know: it is not the whole record."""
    return (f"Bản xuất này đã được lọc theo quyền tiếp cận: chỉ gồm văn bản mà người có quyền "
            f"tiếp cận mức {CLEARANCE_LABELS[clearance]} được xem; các văn bản khác, kể cả số "
            f"lượng của chúng, không có trong bản xuất này.")


def filter_fonds(fonds_list: list[Fonds], clearance: int) -> list[Fonds]:
    """The catalogue as a holder of ``clearance`` may see it: items above it left out, and a hồ sơ
    that had items but shows none (or is restricted above it) left out whole. A hồ sơ that lost
    some items loses its page count too, which would tell how much is withheld."""
    visible = []
    for fonds in fonds_list:
        files = []
        for record in fonds.files:
            items = [i for i in record.items
                     if item_level(item_record_dict(i, record, fonds)) <= clearance]
            if (record.items and not items) or (
                    not record.items and file_level(file_summary(fonds, record)) > clearance):
                continue
            if len(items) < len(record.items):
                record = replace(record, items=items, fields={
                    k: v for k, v in record.fields.items() if k != "so_luong_trang"})
            files.append(record)
        visible.append(replace(fonds, files=files))
    return visible


def ead_document(fonds_list: list[Fonds], clearance: int | None = None) -> bytes:
    """EAD3 bytes: one fonds as the archdesc, or several as c01 fonds under a collection.

    ``clearance`` (0..3): the list is filtered for it (:func:`filter_fonds`) and says so; None:
    the whole record, unfiltered (for archivists' own copies made through the API).
    """
    if not fonds_list:
        raise EADError("mục lục trống: hãy chạy `luutru catalog` trước")
    note = None
    if clearance is not None:
        fonds_list = filter_fonds(fonds_list, clearance)
        note = filter_note(clearance)
    ead = etree.Element(_E + "ead", nsmap={None: EAD_NS})
    single = len(fonds_list) == 1
    recordid = fonds_list[0].code if single else "luutru-archive"
    title = (fonds_list[0].value("ten_phong") or fonds_list[0].code) if single else "Kho lưu trữ luutru"
    _control(ead, recordid, title, _latest_date(fonds_list), note)
    if single:
        archdesc = _sub(ead, "archdesc", level="fonds")
        _fonds_did(archdesc, fonds_list[0])
        if note:
            _para(archdesc, "accessrestrict", note)
        dsc = _sub(archdesc, "dsc")
        for record in fonds_list[0].files:
            _file(dsc, record)
    else:
        archdesc = _sub(ead, "archdesc", level="collection")
        did = _sub(archdesc, "did")
        _sub(did, "unittitle", title)
        if note:
            _para(archdesc, "accessrestrict", note)
        dsc = _sub(archdesc, "dsc")
        for fonds in fonds_list:
            _nested_fonds(dsc, fonds)
    etree.indent(ead, space="  ")
    data = etree.tostring(ead, xml_declaration=True, encoding="UTF-8", pretty_print=True)
    tree = xmlsafe.parse(data)
    if not ead_schema().validate(tree):
        raise EADError("EAD3 output does not validate: " + str(ead_schema().error_log.last_error))
    return data


def _nested_fonds(dsc: etree._Element, fonds: Fonds) -> None:
    """Several fonds in one file: each is a c (unnumbered) with its files and items renumbered."""
    c = _sub(dsc, "c", level="fonds")
    _fonds_did(c, fonds)
    for record in fonds.files:
        holder = etree.Element("tmp")
        _file(holder, record)
        _renumber(holder[0], c)


def _renumber(node: etree._Element, parent: etree._Element) -> None:
    """c01/c02 → c (EAD3 does not allow numbered components under an unnumbered one)."""
    for el in node.iter(_E + "c01", _E + "c02"):
        el.tag = _E + "c"
    parent.append(node)


def export_ead(archive: Archive, fonds_code: str | None = None,
               clearance: int | str = 0) -> bytes:
    """The catalogue (or one fonds) as EAD3, as a holder of ``clearance`` may see it (default:
    none, so only unclassified items of public hồ sơ)."""
    fonds_list = [f for f in read_catalog(archive) if fonds_code in (None, f.code)]
    if fonds_code and not fonds_list:
        raise EADError(f"không có phông {fonds_code!r} trong mục lục")
    return ead_document(fonds_list, parse_clearance(clearance))
