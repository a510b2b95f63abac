"""The catalogue XML on disk: one file per fonds, ``catalog/<fonds_code>.xml``.

Written atomically, validated against ``schemas/luutru-catalog.xsd`` before the write (an invalid
record is an error, never a silent write), indented for people, and byte-stable: the same records
give the same bytes, so the files diff well and can live in version control.
"""

from __future__ import annotations

import fcntl
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from lxml import etree

from luutru.archive import Archive, atomic_write_bytes
from luutru import schemas, xmlsafe
from luutru.catalog.model import (FILE_FIELDS, FONDS_FIELDS, ITEM_FIELDS, FieldValue, FileRecord,
                                  Fonds, Item)
from luutru.errors import LuutruError

NS = "urn:luutru:catalog:1"
VERSION = "1"
_Q = "{%s}" % NS
_V, _REF, _PAGE = _Q + "v", _Q + "ref", _Q + "page"
NO_FONDS = "KHONG-RO"   # pages whose fonds is unknown are catalogued under this code


class InvalidCatalogError(LuutruError, ValueError):
    """A catalogue record does not validate against the luutru schema."""


def schema() -> etree.XMLSchema:
    return schemas.schema("luutru-catalog.xsd")


def fonds_path(archive: Archive, code: str) -> Path:
    return archive.fonds_path(code)


# --- writing --------------------------------------------------------------------------------------

def _fmt_conf(value: float) -> str:
    return f"{max(0.0, min(1.0, value)):.2f}"


def _field_element(parent: etree._Element, name: str, fv: FieldValue, is_list: bool) -> None:
    if fv.is_empty() and not fv.review:
        return
    el = etree.SubElement(parent, _Q + name)
    el.set("origin", fv.origin)
    if fv.confidence is not None and fv.origin == "machine":
        el.set("confidence", _fmt_conf(fv.confidence))
    if fv.pages:
        el.set("pages", " ".join(str(p) for p in sorted(set(fv.pages))))
    if fv.review:
        el.set("review", "true")
    if is_list:
        for value in fv.value or []:
            etree.SubElement(el, _Q + "v").text = str(value)
    else:
        el.text = "" if fv.value is None else str(fv.value)


def _fields(parent: etree._Element, spec, fields: dict[str, FieldValue]) -> None:
    for name, _label, is_list in spec:
        if name in fields:
            _field_element(parent, name, fields[name], is_list)


def _refs(parent: etree._Element, name: str, ids: list[str]) -> None:
    if ids:
        el = etree.SubElement(parent, _Q + name)
        for item_id in ids:
            etree.SubElement(el, _Q + "ref", item=item_id)


def _item_element(parent: etree._Element, item: Item) -> None:
    el = etree.SubElement(parent, _Q + "item", id=item.id)
    etree.SubElement(el, _Q + "source").text = item.source
    etree.SubElement(el, _Q + "first_page").text = str(item.first_page)
    etree.SubElement(el, _Q + "last_page").text = str(item.last_page)
    pages = etree.SubElement(el, _Q + "pages")
    for key in item.pages:
        etree.SubElement(pages, _Q + "page", ref=key)
    _fields(el, ITEM_FIELDS, item.fields)
    _refs(el, "cites", item.cites)
    _refs(el, "cited_by", item.cited_by)


def fonds_to_xml(fonds: Fonds) -> bytes:
    root = etree.Element(_Q + "catalogue", nsmap={None: NS}, version=VERSION)
    fonds_el = etree.SubElement(root, _Q + "fonds", code=fonds.code)
    _fields(fonds_el, FONDS_FIELDS, fonds.fields)
    for record in fonds.files:
        file_el = etree.SubElement(fonds_el, _Q + "file", code=record.code)
        _fields(file_el, FILE_FIELDS, record.fields)
        for item in record.items:
            _item_element(file_el, item)
    etree.indent(root, space="  ")
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8", pretty_print=True)


def validate(data: bytes, name: str = "catalogue") -> etree._ElementTree:
    tree = xmlsafe.parse(data, name=name)
    if not schema().validate(tree):
        errors = "; ".join(f"line {e.line}: {e.message}" for e in list(schema().error_log)[:5])
        raise InvalidCatalogError(f"{name} does not validate against luutru-catalog.xsd: {errors}")
    return tree


def write_fonds(archive: Archive, fonds: Fonds) -> bool:
    """Validate and write one fonds' XML; returns whether the bytes changed."""
    data = fonds_to_xml(fonds)
    path = fonds_path(archive, fonds.code)
    validate(data, path.name)
    if path.exists() and path.read_bytes() == data:
        return False
    atomic_write_bytes(path, data)
    return True


# --- reading --------------------------------------------------------------------------------------

def _read_field(el: etree._Element, is_list: bool) -> FieldValue:
    attrib = dict(el.items())  # one call into lxml instead of one per attribute
    pages, conf = attrib.get("pages"), attrib.get("confidence")
    if is_list:
        value = [v.text or "" for v in el.iterchildren(_V)]
    else:
        value = el.text or None
    return FieldValue(value, attrib.get("origin", "machine"), float(conf) if conf else None,
                      [int(p) for p in pages.split()] if pages else [],
                      attrib.get("review") == "true")


def _children(el: etree._Element) -> dict[Any, etree._Element]:
    """Each child tag's first element, in one pass over the children (an item has about twenty;
    a ``find`` per field walked them again for each of the fifteen fields)."""
    found: dict[Any, etree._Element] = {}
    for child in el:
        found.setdefault(child.tag, child)
    return found


def _read_fields(el: etree._Element, spec, children: dict | None = None) -> dict[str, FieldValue]:
    children = _children(el) if children is None else children
    out = {}
    for name, _label, is_list in spec:
        child = children.get(_Q + name)
        if child is not None:
            out[name] = _read_field(child, is_list)
    return out


def _read_refs(holder: etree._Element | None) -> list[str]:
    return [] if holder is None else [r.get("item") for r in holder.iterchildren(_REF)]


def _read_item(el: etree._Element, fonds_code: str, file_code: str) -> Item:
    children = _children(el)
    source = children.get(_Q + "source")
    return Item(
        id=el.get("id"), fonds_code=fonds_code, file_code=file_code,
        source=(source.text if source is not None else None) or "",
        first_page=int(children[_Q + "first_page"].text),
        last_page=int(children[_Q + "last_page"].text),
        pages=[p.get("ref") for p in children[_Q + "pages"].iterchildren(_PAGE)],
        fields=_read_fields(el, ITEM_FIELDS, children),
        cites=_read_refs(children.get(_Q + "cites")),
        cited_by=_read_refs(children.get(_Q + "cited_by")),
    )


def read_fonds_file(path: Path) -> Fonds:
    tree = validate(path.read_bytes(), path.name)
    fonds_el = tree.getroot().find(_Q + "fonds")
    fonds = Fonds(fonds_el.get("code"), _read_fields(fonds_el, FONDS_FIELDS))
    for file_el in fonds_el.findall(_Q + "file"):
        record = FileRecord(file_el.get("code"), fonds.code, _read_fields(file_el, FILE_FIELDS))
        record.items = [_read_item(el, fonds.code, record.code)
                        for el in file_el.iterchildren(_Q + "item")]
        fonds.files.append(record)
    return fonds


def read_catalog(archive: Archive) -> Iterator[Fonds]:
    """Every fonds of the catalogue, in code order."""
    for path in archive.fonds_paths():
        yield read_fonds_file(path)


LOCK_FILE = ".lock"


@contextmanager
def catalog_lock(archive: Archive) -> Iterator[None]:
    """Hold ``catalog/.lock`` while reading, changing and writing the catalogue, so that two
    writers at once (a ``luutru catalog`` run, a web form saved, a sheet imported) never
    overwrite one another's values."""
    archive.catalog_dir.mkdir(parents=True, exist_ok=True)
    with open(archive.catalog_dir / LOCK_FILE, "a+b") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)
