"""Build or update the catalogue from the OCR'd pages, the inventories and the archivists' values.

One pass: group the OCR'd pages by fonds and hồ sơ, split each hồ sơ into documents, extract each
document's fields, merge with what is already in the record (an archivist's value is never
overwritten, an inventory value beats a machine one), link citations both ways, and write one XML
file per fonds. Re-running with nothing changed rewrites nothing.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from luutru.archive import Archive, PageFiles, PageRef
from luutru.catalog.boundaries import file_name_hint, starts_document
from luutru.catalog.extract import extract_fields
from luutru.catalog.inventory import InventoryRow, load_inventories
from luutru.catalog.model import (ARCHIVIST, INVENTORY, MACHINE, FieldValue, FileRecord, Fonds,
                                  Item, file_access, item_record_dict, machine_file_access,
                                  merge_field)
from luutru.catalog.pagelines import PageLines, load_page_lines
from luutru.catalog.patterns import DOC_TYPES
from luutru.catalog.secrecy import read_page_marks, stamp_fields
from luutru.catalog.record import (NO_FONDS, InvalidCatalogError, catalog_lock, read_catalog,
                                   write_fonds)

LANGUAGE = "Tiếng Việt"
NO_FILE = "KHONG-RO"


@dataclass
class CatalogReport:
    fonds: int = 0
    files: int = 0
    items: int = 0
    pages: int = 0
    pages_not_ocred: int = 0
    needs_review: int = 0
    written: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)     # fonds whose record could not be written

    def to_json(self) -> dict[str, Any]:
        return dict(self.__dict__)

    @property
    def exit_code(self) -> int:
        """2 when a fonds' record could not be written (a person has to look), else 0."""
        return 2 if self.errors else 0

    def summary_text(self) -> str:
        """For people (archivists read Vietnamese), as the other stages' summaries."""
        pending = f", {self.pages_not_ocred} trang chưa OCR" if self.pages_not_ocred else ""
        lines = [f"Mục lục: {self.items} văn bản trong {self.files} hồ sơ, {self.fonds} phông "
                 f"({self.pages} trang{pending}); {self.needs_review} văn bản cần xem lại; "
                 f"tệp mục lục đã ghi: {', '.join(self.written) or 'không có'}."]
        lines += [f"  cảnh báo: {warning}" for warning in self.warnings]
        lines += [f"  lỗi: {error}" for error in self.errors]
        return "\n".join(lines)


@dataclass
class _Page:
    ref: PageRef
    source: str
    index: int
    page_count: int
    lines: PageLines
    marks: list[dict[str, Any]] | None = None    # stamps read on the page; None: not looked for


def _natural(text: str) -> list:
    return [int(t) if t.isdigit() else t for t in re.split(r"(\d+)", text)]


def _collect_pages(archive: Archive, report: CatalogReport) -> dict[tuple[str, str], list[_Page]]:
    groups: dict[tuple[str, str], list[_Page]] = defaultdict(list)
    for ref in archive.iter_page_refs():
        page_dir = archive.page_dir(ref)
        if not PageFiles(page_dir).is_read():
            report.pages_not_ocred += 1
            continue
        record = archive.page_record_or_none(ref)
        if record is None:  # reported by _close_damaged; never merged into a neighbour's item
            continue
        lines = load_page_lines(page_dir)
        if lines is None:
            report.pages_not_ocred += 1
            continue
        source = record.get("source") or ref.sha256
        if isinstance(source, dict):
            source = source.get("path") or ref.sha256
        key = (record.get("fonds") or NO_FONDS, record.get("file") or NO_FILE)
        groups[key].append(_Page(ref, str(source), ref.index, int(record.get("page_count") or 1), lines,
                                 read_page_marks(page_dir)))
        report.pages += 1
    for pages in groups.values():
        pages.sort(key=lambda p: (_natural(p.source), p.index))
    return groups


def _is_start(pages: list[_Page], i: int) -> bool:
    if i == 0:
        return True
    page, previous = pages[i], pages[i - 1]
    if page.index == 1 and page.page_count > 1:
        return True        # a multi-page scan never starts inside the previous file's document
    if page.index > 1 and (previous.ref.sha256, previous.ref.index) != (page.ref.sha256, page.index - 1):
        return True        # its page before is missing (record lost): never join another document
    return starts_document(page.lines, previous.lines, new_file=page.source != previous.source,
                           hint=file_name_hint(page.source, page.index))


def split_file(pages: list[_Page]) -> list[list[_Page]]:
    docs: list[list[_Page]] = []
    for i, page in enumerate(pages):
        if _is_start(pages, i):
            docs.append([])
        docs[-1].append(page)
    return docs


def item_id(ref: PageRef) -> str:
    """Stable: an item is named after its first page (an XML ID must start with a letter)."""
    return f"vb-{ref.sha256[:16]}-{ref.index:04d}"


def _years_of_file(file_code: str, row: InventoryRow | None) -> tuple[int, int] | None:
    """The years a hồ sơ's documents should fall in: the inventory's dates, else the year in its
    code (``HS-1995-027``)."""
    if row is not None and row.start_date and row.end_date:
        return int(row.start_date[:4]), int(row.end_date[:4])
    m = re.search(r"(?<!\d)(19[4-9]\d|20\d\d)(?!\d)", file_code)
    return (int(m.group(1)), int(m.group(1))) if m else None


def _machine_item(fonds: str, file_code: str, doc: list[_Page], row: InventoryRow | None) -> Item:
    first = doc[0]
    same_source = [p for p in doc if p.source == first.source]
    extracted = extract_fields([p.lines for p in doc])
    years, day = _years_of_file(file_code, row), extracted["ngay_ban_hanh"]
    if years and day.value and not years[0] - 1 <= int(day.value[:4]) <= years[1] + 1:
        day.review = True           # a misread year (1935 for 1995) does not fit its hồ sơ
    fields = {name: FieldValue(e.value, MACHINE, round(e.confidence, 2), e.pages, e.review)
              for name, e in extracted.items()}
    fields.update(stamp_fields([p.marks for p in doc], fields))
    fields["ngon_ngu"] = FieldValue(LANGUAGE, MACHINE)
    return Item(item_id(first.ref), fonds, file_code, first.source, first.index,
                same_source[-1].index, [p.ref.key for p in doc], fields)


def _merge_fields(old: dict[str, FieldValue], new: dict[str, FieldValue]) -> dict[str, FieldValue]:
    merged = {}
    for name in list(new) + [n for n in old if n not in new]:
        value = merge_field(old.get(name), new.get(name))
        if value is not None:
            merged[name] = value
    return merged


def _inventory_fields(row: InventoryRow | None) -> dict[str, FieldValue]:
    if row is None:
        return {}
    values = {"tieu_de": row.file_title, "thoi_gian_bat_dau": row.start_date,
              "thoi_gian_ket_thuc": row.end_date, "so_luong_trang": row.pages,
              "vi_tri": row.shelf, "thoi_han_bao_quan": row.retention,
              "muc_do_tiep_can": row.access, "muc_luc_so": row.muc_luc}
    return {k: FieldValue(v, INVENTORY) for k, v in values.items() if v not in (None, "")}


def _file_machine_fields(items: list[Item]) -> dict[str, FieldValue]:
    dates = sorted(d for d in (i.value("ngay_ban_hanh") for i in items) if d)
    fields = {"muc_do_tiep_can": FieldValue(machine_file_access(items), MACHINE),
              "so_luong_trang": FieldValue(sum(len(i.pages) for i in items), MACHINE),
              "ngon_ngu": FieldValue(LANGUAGE, MACHINE)}
    if dates:
        fields["thoi_gian_bat_dau"] = FieldValue(dates[0], MACHINE)
        fields["thoi_gian_ket_thuc"] = FieldValue(dates[-1], MACHINE)
    return fields


def _fonds_machine_fields(files: list[FileRecord]) -> dict[str, FieldValue]:
    years = sorted(d[:4] for f in files for i in f.items for d in [i.value("ngay_ban_hanh")] if d)
    fields = {"ngon_ngu": FieldValue(LANGUAGE, MACHINE)}
    if years:
        span = years[0] if years[0] == years[-1] else f"{years[0]}-{years[-1]}"
        fields["thoi_gian_tai_lieu"] = FieldValue(span, MACHINE)
    return fields


def link_citations(items: list[Item]) -> None:
    by_number: dict[str, list[str]] = defaultdict(list)
    for item in items:
        if item.value("so_ky_hieu"):
            by_number[item.value("so_ky_hieu")].append(item.id)
    cited_by: dict[str, list[str]] = defaultdict(list)
    for item in items:
        item.cites = sorted({t for n in item.value("so_ky_hieu_trich_dan") or []
                             for t in by_number.get(n, []) if t != item.id})
        for target in item.cites:
            cited_by[target].append(item.id)
    for item in items:
        item.cited_by = sorted(set(cited_by.get(item.id, [])))


def _build_fonds_records(archive: Archive, report: CatalogReport, progress: bool) -> dict[str, Fonds]:
    old = {f.code: f for f in read_catalog(archive)}
    old_items = {i.id: i for f in old.values() for r in f.files for i in r.items}
    old_files = {(f.code, r.code): r for f in old.values() for r in f.files}
    inventory, errors = load_inventories(archive)
    report.warnings.extend(str(e) for e in errors)
    groups = _collect_pages(archive, report)
    keys = sorted(set(groups) | set(inventory) | set(old_files))
    fonds: dict[str, Fonds] = {}
    for fonds_code, file_code in _progress(keys, progress):
        record = FileRecord(file_code, fonds_code)
        for doc in split_file(groups.get((fonds_code, file_code), [])):
            item = _machine_item(fonds_code, file_code, doc, inventory.get((fonds_code, file_code)))
            kind = item.value("loai_van_ban")
            if kind and kind not in DOC_TYPES:
                report.warnings.append(f"{item.id} ({item.source} p. {item.first_page}): unknown "
                                       f"document type {kind!r} kept, marked for review")
            if item.id in old_items:
                item.fields = _merge_fields(old_items.pop(item.id).fields, item.fields)
            record.items.append(item)
        previous = old_files.get((fonds_code, file_code))
        fresh = {**_file_machine_fields(record.items),
                 **_inventory_fields(inventory.get((fonds_code, file_code)))}
        record.fields = _merge_fields(previous.fields if previous else {}, fresh)
        target = fonds.setdefault(fonds_code, Fonds(fonds_code))
        target.files.append(record)
        row = inventory.get((fonds_code, file_code))
        if row and row.fonds_name:
            target.fields["ten_phong"] = FieldValue(row.fonds_name, INVENTORY)
        if row and row.access_policy:
            target.fields["chinh_sach_tiep_can"] = FieldValue(row.access_policy, INVENTORY)
    for lost in old_items.values():
        if any(fv.origin == ARCHIVIST for fv in lost.fields.values()):
            report.warnings.append(f"item {lost.id} no longer exists (its first page no longer starts "
                                   f"a document); its archivist values are not carried over")
    for code, record in fonds.items():
        previous = old.get(code)
        fresh = {**_fonds_machine_fields(record.files), **record.fields}
        record.fields = _merge_fields(previous.fields if previous else {}, fresh)
    return fonds


def _progress(keys, progress: bool):
    if not progress:
        return keys
    from tqdm import tqdm
    return tqdm(keys, desc="catalogue", unit="hồ sơ")


def build_catalog(archive: Archive, progress: bool = False) -> CatalogReport:
    """Build or update the whole catalogue under ``archive.catalog_dir``."""
    with catalog_lock(archive):
        return _build_catalog(archive, progress)


def _close_damaged(archive: Archive, items: list[Item], report: CatalogReport) -> None:
    """Pages whose ``page.json`` is missing or unreadable could not be catalogued, and the stamp
    may have been on them: every item holding a page of the same original is marked unsure
    (closed at the strictest level) until a person decides its độ mật."""
    damaged = archive.damaged_pages()
    if not damaged:
        return
    report.warnings.append(
        f"{len(damaged)} trang mất hoặc hỏng {PageFiles.RECORD} (chưa biên mục được, coi là mật): "
        + ", ".join(ref.key for ref, _ in damaged[:5]) + (" …" if len(damaged) > 5 else ""))
    originals = {ref.sha256 for ref, _ in damaged}
    for item in items:
        if not any(key.partition(":")[0] in originals for key in item.pages):
            continue
        current = item.fields.get("do_mat")
        if current is None or current.origin == MACHINE:
            item.fields["do_mat"] = FieldValue(current.value if current else None, MACHINE,
                                               current.confidence if current else None,
                                               current.pages if current else [], review=True)


def _build_catalog(archive: Archive, progress: bool) -> CatalogReport:
    report = CatalogReport()
    fonds = _build_fonds_records(archive, report, progress)
    all_items = [i for f in fonds.values() for r in f.files for i in r.items]
    _close_damaged(archive, all_items, report)
    link_citations(all_items)
    for code in sorted(fonds):
        try:
            if write_fonds(archive, fonds[code]):
                report.written.append(archive.fonds_path(code).name)
        except InvalidCatalogError as exc:     # one bad fonds never blocks the others
            report.errors.append(str(exc))
    report.fonds = len(fonds)
    report.files = sum(len(f.files) for f in fonds.values())
    report.items = len(all_items)
    report.needs_review = sum(1 for i in all_items if i.needs_review)
    return report


def fonds_summary(fonds: Fonds) -> dict[str, Any]:
    """A phông as a plain dict: its code, its hồ sơ codes and its field values."""
    out = {"code": fonds.code, "files": [r.code for r in fonds.files]}
    out.update({name: fv.value for name, fv in fonds.fields.items()})
    return out


def file_summary(fonds: Fonds, record: FileRecord) -> dict[str, Any]:
    """A hồ sơ as a plain dict: codes, its item ids, its access (mức độ tiếp cận) and fields."""
    access = file_access(record)
    out = {"code": record.code, "fonds_code": fonds.code, "items": [i.id for i in record.items]}
    out.update({name: fv.value for name, fv in record.fields.items()})
    out["access"] = out["muc_do_tiep_can"] = access.value if access else None
    out["access_origin"] = access.origin if access else None
    out["access_policy"] = fonds.value("chinh_sach_tiep_can")
    return out


def iter_fonds(archive: Archive) -> Iterator[dict[str, Any]]:
    for fonds in read_catalog(archive):
        yield fonds_summary(fonds)


def iter_files(archive: Archive) -> Iterator[dict[str, Any]]:
    for fonds in read_catalog(archive):
        for record in fonds.files:
            yield file_summary(fonds, record)


def iter_items(archive: Archive) -> Iterator[dict[str, Any]]:
    """Every item of the catalogue as a plain dict (the contract the search stage indexes from)."""
    for fonds in read_catalog(archive):
        for record in fonds.files:
            for item in record.items:
                yield item_record_dict(item, record, fonds)
