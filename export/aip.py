"""``luutru export aip``: one preservation package (AIP) per hồ sơ, as a BagIt bag (RFC 8493).

A bag, made and validated with the ``bagit`` library (SHA-256 manifests), holds under ``data/``:

    originals/<sha256>.<ext>            the scanned files as received
    originals/<sha256>.json             what the archive knows of each (source, ingest date)
    pages/<sha256>/<NNNN>/              page.json, ocr.alto.xml, ocr.json (OCR provenance)
    documents/<sha256>.pdf              searchable PDF of each original
    metadata/catalog/<fonds>.xml        the fonds' catalogue as it stands (archivists' values in it)
    metadata/inventories/…              the archivists' inventories (mục lục hồ sơ)
    metadata/editorial/<item-id>.json   the editors' proofread text of the hồ sơ's documents
    metadata/events/…                   the archive's preservation events about these originals
    metadata/access/audit.jsonl         the reading room's audit log entries about this hồ sơ
                                        (and those about no hồ sơ); never the accounts, password
                                        hashes, sessions or secret key (preserve/accesslog.py)
    mets.xml                            METS 1.12.1: file groups (originals, ALTO, PDF), a physical
                                        structMap (originals → pages) and a logical one
                                        (phông → hồ sơ → văn bản → pages)
    premis.xml                          PREMIS 3.0: the originals as objects (SHA-256, size,
                                        format, original name) and their events: ingestion,
                                        fixity checks, OCR (software, model checksum, settings),
                                        archivists' edits

METS and PREMIS are validated against the official schemas vendored in ``schemas/``. Each bag is
built in a hidden folder beside its final name and renamed when complete and valid, so a killed
export leaves whole bags only. ``OUTDIR/holdings.ead.xml`` is the EAD3 finding aid with a link
(``dao``) from each hồ sơ to its package.
"""

from __future__ import annotations

import json
import os
import re
import shutil
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import bagit
from lxml import etree

from luutru import __version__, editorial
from luutru.schemas import schema
from luutru.access import STRICTEST_LEVEL
from luutru.archive import Archive, PageFiles, PageRef, atomic_write_bytes, read_json
from luutru.catalog import FileRecord, Fonds, fonds_path, read_catalog
from luutru.preserve import accesslog
from luutru.preserve.events import AGENT, iter_events
from luutru.preserve.fixity import Original, iter_originals

METS_NS = "http://www.loc.gov/METS/"
PREMIS_NS = "http://www.loc.gov/premis/v3"
XLINK_NS = "http://www.w3.org/1999/xlink"
XSI_NS = "http://www.w3.org/2001/XMLSchema-instance"
EAD_NAME = "holdings.ead.xml"
_M, _P, _X = f"{{{METS_NS}}}", f"{{{PREMIS_NS}}}", f"{{{XLINK_NS}}}"
PAGE_FILES = (PageFiles.RECORD, PageFiles.ALTO, PageFiles.PROVENANCE)
UNPLACED_FONDS, UNPLACED_FILE = "khong-ro-phong", "khong-ro-ho-so"


class AipError(ValueError):
    """A package could not be made (invalid METS/PREMIS, an unreadable catalogue)."""


@dataclass
class AipReport:
    packages: list[str] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)
    ead: str | None = None

    exit_code = 0

    def to_json(self) -> dict[str, Any]:
        return {"packages": self.packages, "skipped": self.skipped, "ead": self.ead}

    def summary_text(self) -> str:
        lines = [f"Đã xuất {len(self.packages)} gói lưu trữ (BagIt, METS, PREMIS)."]
        lines += [f"  {name}" for name in self.packages]
        lines += [f"  bỏ qua {name}: chưa có bản gốc nào" for name in self.skipped]
        if self.ead:
            lines.append(f"Mục lục EAD3 có liên kết tới các gói: {self.ead}")
        return "\n".join(lines)


@dataclass
class FileUnit:
    """A hồ sơ and everything of it a package holds."""

    fonds: Fonds
    code: str
    originals: list[Original]

    @property
    def bag_name(self) -> str:
        return bag_name(self.fonds.code, self.code)


def bag_name(fonds: str, file: str) -> str:
    safe = lambda text: re.sub(r"[^\w.-]+", "_", text)  # noqa: E731 - codes hold no '/', may hold spaces
    return f"{safe(fonds)}--{safe(file)}"


# --- the export -------------------------------------------------------------------------------

def export_aips(archive: Archive, outdir: Path, fonds: str | None = None,
                file: str | None = None) -> AipReport:
    """One bag per hồ sơ (of ``fonds``/``file`` if given) in ``outdir``, and the EAD3 with links."""
    outdir = Path(outdir)
    outdir.mkdir(parents=True, exist_ok=True)
    _sweep(outdir)
    report = AipReport()
    audit = accesslog.read_audit(archive)
    owned = accesslog.owners(_units(archive, None, None)) if audit else {}
    for unit in _units(archive, fonds, file):
        if not unit.originals:
            report.skipped.append(unit.bag_name)
            continue
        _write_bag(archive, unit, outdir, accesslog.entries_for(unit.bag_name, audit, owned))
        report.packages.append(unit.bag_name)
    if report.packages:
        # the packages hold every document, classified ones too: their finding aid describes all
        atomic_write_bytes(outdir / EAD_NAME, ead_with_packages(archive, fonds, set(report.packages),
                                                                clearance=STRICTEST_LEVEL))
        report.ead = str(outdir / EAD_NAME)
    return report


def _sweep(outdir: Path) -> None:
    """What a killed export left: half-built bags and bags being replaced."""
    for stale in outdir.glob(".building-*"):
        shutil.rmtree(stale, ignore_errors=True)
    for old in outdir.glob(".replaced-*"):
        shutil.rmtree(old, ignore_errors=True)


def _units(archive: Archive, fonds_code: str | None, file_code: str | None) -> Iterator[FileUnit]:
    by_file: dict[tuple[str, str], list[Original]] = {}
    for original in iter_originals(archive):
        source = original.record.get("source") or {}
        by_file.setdefault((source.get("fonds"), source.get("file")), []).append(original)
    for fonds in read_catalog(archive):
        for record in fonds.files:
            originals = by_file.pop((fonds.code, record.code), [])
            if fonds_code in (None, fonds.code) and file_code in (None, record.code):
                yield FileUnit(fonds, record.code, originals)
    # Originals of no catalogued hồ sơ (not yet catalogued, or of no known fonds) are packed
    # too: a package set that leaves an original out could not restore the archive.
    for (fonds, file), originals in sorted(by_file.items(), key=lambda kv: (kv[0][0] or "", kv[0][1] or "")):
        fonds, file = fonds or UNPLACED_FONDS, file or UNPLACED_FILE
        if fonds_code in (None, fonds) and file_code in (None, file):
            yield FileUnit(Fonds(fonds, files=[FileRecord(file, fonds)]), file, originals)


def _write_bag(archive: Archive, unit: FileUnit, outdir: Path, audit: list[dict]) -> None:
    building = outdir / f".building-{unit.bag_name}-{os.getpid()}"
    shutil.rmtree(building, ignore_errors=True)
    building.mkdir()
    _payload(archive, unit, building)
    if audit:
        (building / "metadata" / "access").mkdir(parents=True)
        (building / "metadata" / "access" / accesslog.AUDIT_NAME).write_bytes(accesslog.dump(audit))
    premis = premis_document(archive, unit)
    mets = mets_document(archive, unit)
    (building / "premis.xml").write_bytes(premis)
    (building / "mets.xml").write_bytes(mets)
    bag = bagit.make_bag(str(building), _bag_info(unit), checksums=["sha256"])
    bag.validate()
    final = outdir / unit.bag_name
    if final.exists():
        replaced = outdir / f".replaced-{unit.bag_name}-{os.getpid()}"
        os.replace(final, replaced)
        os.replace(building, final)
        shutil.rmtree(replaced)
    else:
        os.replace(building, final)


def _bag_info(unit: FileUnit) -> dict[str, str]:
    return {"Source-Organization": "luutru", "Bagging-Software": AGENT,
            "External-Identifier": f"{unit.fonds.code}/{unit.code}",
            "External-Description": f"Hồ sơ {unit.code} của phông {unit.fonds.code}: bản gốc, "
                                    "mục lục, METS và PREMIS",
            "Bag-Group-Identifier": unit.fonds.code}


def _payload(archive: Archive, unit: FileUnit, root: Path) -> None:
    for original in unit.originals:
        _copy(original.path, root / "originals" / original.path.name)
        _copy(archive.original_record_path(original.sha256), root / "originals" / f"{original.sha256}.json")
        for ref in archive.iter_page_refs(original.sha256):
            for name in PAGE_FILES:
                source = archive.page_dir(ref) / name
                if source.exists():
                    _copy(source, root / "pages" / ref.sha256 / f"{ref.index:04d}" / name)
        document = archive.document_pdf_path(original.sha256)
        if document.exists():
            _copy(document, root / "documents" / document.name)
    if fonds_path(archive, unit.fonds.code).exists():
        _copy(fonds_path(archive, unit.fonds.code), root / "metadata" / "catalog" / f"{unit.fonds.code}.xml")
    inventories = archive.inventories_dir
    for path in sorted(inventories.glob("*")) if inventories.is_dir() else []:
        if path.is_file() and not path.name.startswith("."):
            _copy(path, root / "metadata" / "inventories" / path.name)
    shas = {o.sha256 for o in unit.originals}
    for record in editorial.iter_records(archive):
        if any(PageRef.parse(key).sha256 in shas for key in record.pages):
            path = editorial.record_path(archive, record.item_id)
            _copy(path, root / "metadata" / "editorial" / path.name)
    events_dir = archive.root / "preservation" / "events"
    for event in iter_events(archive):
        if event.all_objects or shas & set(event.objects):
            name = next(events_dir.glob(f"*-{event.id}.json")).name
            _copy(events_dir / name, root / "metadata" / "events" / name)


def _copy(source: Path, target: Path) -> None:
    target.parent.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(source, target)


# --- METS -------------------------------------------------------------------------------------

def _el(parent: etree._Element, tag: str, text: str | None = None, **attrs: str) -> etree._Element:
    element = etree.SubElement(parent, tag, {k: v for k, v in attrs.items() if v is not None})
    if text is not None:
        element.text = text
    return element


def _xid(prefix: str, *parts: object) -> str:
    """An XML ID (an NCName) from a prefix and parts."""
    return re.sub(r"[^\w.-]", "_", "-".join([prefix, *map(str, parts)]))


def mets_document(archive: Archive, unit: FileUnit) -> bytes:
    mets = etree.Element(_M + "mets", nsmap={"mets": METS_NS, "xlink": XLINK_NS, "xsi": XSI_NS},
                         OBJID=f"{unit.fonds.code}/{unit.code}", LABEL=_file_title(unit),
                         TYPE="hồ sơ")
    mets.set(f"{{{XSI_NS}}}schemaLocation", f"{METS_NS} http://www.loc.gov/standards/mets/mets.xsd")
    header = _el(mets, _M + "metsHdr", CREATEDATE=_created(unit))
    agent = _el(header, _M + "agent", ROLE="CREATOR", TYPE="OTHER", OTHERTYPE="SOFTWARE")
    _el(agent, _M + "name", AGENT)
    dmd = _el(mets, _M + "dmdSec", ID="dmd-file")
    _ref(dmd, f"metadata/catalog/{unit.fonds.code}.xml", MDTYPE="OTHER",
         OTHERMDTYPE="luutru-catalog", MIMETYPE="application/xml", LABEL="Mục lục hồ sơ")
    amd = _el(mets, _M + "amdSec", ID="amd")
    digiprov = _el(amd, _M + "digiprovMD", ID="premis")
    _ref(digiprov, "premis.xml", MDTYPE="PREMIS", MIMETYPE="application/xml")
    _file_sec(archive, _el(mets, _M + "fileSec"), unit)
    _physical(archive, _el(mets, _M + "structMap", TYPE="physical", LABEL="Bản gốc và trang"), unit)
    _logical(_el(mets, _M + "structMap", TYPE="logical", LABEL="Phông → hồ sơ → văn bản"), unit,
             archive)
    data = etree.tostring(mets, xml_declaration=True, encoding="UTF-8", pretty_print=True)
    _validate(data, mets_schema(), "METS")
    return data


def _ref(parent: etree._Element, href: str, **attrs: str) -> None:
    ref = _el(parent, _M + "mdRef", LOCTYPE="URL", **attrs)
    ref.set(_X + "href", href)
    ref.set(_X + "type", "simple")


def _file_title(unit: FileUnit) -> str:
    record = next(r for r in unit.fonds.files if r.code == unit.code)
    return record.value("tieu_de") or unit.code


def _created(unit: FileUnit) -> str:
    """A date from the record (the latest ingest), so the same holdings give the same METS."""
    dates = sorted(o.record.get("ingested_at") or "" for o in unit.originals)
    return dates[-1] if dates and dates[-1] else "1970-01-01T00:00:00Z"


def _file_sec(archive: Archive, sec: etree._Element, unit: FileUnit) -> None:
    groups = {use: _el(sec, _M + "fileGrp", USE=use) for use in ("original", "alto", "pdf")}
    for original in unit.originals:
        _file(groups["original"], _xid("orig", original.sha256), original.path,
              f"originals/{original.path.name}", original.record.get("media_type"),
              original.sha256)
        for ref in archive.iter_page_refs(original.sha256):
            alto = archive.page_dir(ref) / PageFiles.ALTO
            if alto.exists():
                _file(groups["alto"], _xid("alto", ref.sha256, ref.index), alto,
                      f"pages/{ref.sha256}/{ref.index:04d}/{PageFiles.ALTO}", "application/xml")
        document = archive.document_pdf_path(original.sha256)
        if document.exists():
            _file(groups["pdf"], _xid("pdf", original.sha256), document,
                  f"documents/{document.name}", "application/pdf")
    for group in groups.values():
        if not len(group):
            sec.remove(group)


def _file(group: etree._Element, file_id: str, path: Path, href: str, mime: str | None,
          sha256: str | None = None) -> None:
    from luutru.archive import sha256_file
    element = _el(group, _M + "file", ID=file_id, MIMETYPE=mime, SIZE=str(path.stat().st_size),
                  CHECKSUM=sha256 or sha256_file(path), CHECKSUMTYPE="SHA-256")
    location = _el(element, _M + "FLocat", LOCTYPE="URL")
    location.set(_X + "href", href)
    location.set(_X + "type", "simple")


def _physical(archive: Archive, struct: etree._Element, unit: FileUnit) -> None:
    top = _el(struct, _M + "div", TYPE="hồ sơ", LABEL=unit.code)
    for order, original in enumerate(unit.originals, start=1):
        div = _el(top, _M + "div", TYPE="tệp quét", ORDER=str(order),
                  LABEL=(original.record.get("source") or {}).get("path"))
        _el(div, _M + "fptr", FILEID=_xid("orig", original.sha256))
        if archive.document_pdf_path(original.sha256).exists():
            _el(div, _M + "fptr", FILEID=_xid("pdf", original.sha256))
        for ref in archive.iter_page_refs(original.sha256):
            page = _el(div, _M + "div", TYPE="trang", ORDER=str(ref.index))
            if (archive.page_dir(ref) / PageFiles.ALTO).exists():
                _el(page, _M + "fptr", FILEID=_xid("alto", ref.sha256, ref.index))


def _logical(struct: etree._Element, unit: FileUnit, archive: Archive) -> None:
    fonds = _el(struct, _M + "div", TYPE="phông", LABEL=unit.fonds.value("ten_phong") or unit.fonds.code)
    record = next(r for r in unit.fonds.files if r.code == unit.code)
    file_div = _el(fonds, _M + "div", TYPE="hồ sơ", LABEL=_file_title(unit), DMDID="dmd-file")
    for order, item in enumerate(record.items, start=1):
        item_div = _el(file_div, _M + "div", TYPE="văn bản", ORDER=str(order), ID=_xid("item", item.id),
                       LABEL=item.value("trich_yeu") or item.value("so_ky_hieu") or item.id)
        for page_order, key in enumerate(item.pages, start=1):
            sha, _, index = key.partition(":")
            page = _el(item_div, _M + "div", TYPE="trang", ORDER=str(page_order))
            if (archive.pages_dir / sha / f"{int(index):04d}" / PageFiles.ALTO).exists():
                _el(page, _M + "fptr", FILEID=_xid("alto", sha, int(index)))


# --- PREMIS -----------------------------------------------------------------------------------

def premis_document(archive: Archive, unit: FileUnit) -> bytes:
    root = etree.Element(_P + "premis", nsmap={"premis": PREMIS_NS, "xsi": XSI_NS}, version="3.0")
    root.set(f"{{{XSI_NS}}}schemaLocation", f"{PREMIS_NS} http://www.loc.gov/standards/premis/v3/premis.xsd")
    for original in unit.originals:
        _object(root, original)
    events = [*_ingest_events(unit), *_ocr_events(archive, unit), *_recorded_events(archive, unit),
              *_edit_events(archive, unit)]
    for event in sorted(events, key=lambda e: (e["date"], e["id"])):
        _event(root, event)
    _agent(root, "luutru", AGENT, "software", __version__)
    for version in sorted({e["tesseract"] for e in events if e.get("tesseract")}):
        _agent(root, f"tesseract-{version}", f"Tesseract OCR {version}", "software", version)
    _agent(root, "archivist", "Lưu trữ viên", "person", None)
    data = etree.tostring(root, xml_declaration=True, encoding="UTF-8", pretty_print=True)
    _validate(data, premis_schema(), "PREMIS")
    return data


def _object(root: etree._Element, original: Original) -> None:
    obj = _el(root, _P + "object")
    obj.set(f"{{{XSI_NS}}}type", "premis:file")
    identifier = _el(obj, _P + "objectIdentifier")
    _el(identifier, _P + "objectIdentifierType", "SHA-256")
    _el(identifier, _P + "objectIdentifierValue", original.sha256)
    traits = _el(obj, _P + "objectCharacteristics")
    _el(traits, _P + "compositionLevel", "0")
    fixity = _el(traits, _P + "fixity")
    _el(fixity, _P + "messageDigestAlgorithm", "SHA-256")
    _el(fixity, _P + "messageDigest", original.sha256)
    _el(fixity, _P + "messageDigestOriginator", "luutru ingest")
    _el(traits, _P + "size", str(original.record.get("size", original.path.stat().st_size)))
    designation = _el(_el(traits, _P + "format"), _P + "formatDesignation")
    _el(designation, _P + "formatName", original.record.get("media_type") or "application/octet-stream")
    _el(obj, _P + "originalName", (original.record.get("source") or {}).get("path") or original.path.name)


def _ingest_events(unit: FileUnit) -> Iterator[dict[str, Any]]:
    for original in unit.originals:
        yield {"id": f"ingest-{original.sha256}", "type": "ingestion",
               "date": original.record.get("ingested_at") or "", "outcome": "success",
               "detail": f"stored write-once; SHA-256 {original.sha256} computed and the copy "
                         f"checked against it; {len(original.record.get('pages', []))} pages",
               "objects": [original.sha256], "agent": "luutru"}


def _ocr_events(archive: Archive, unit: FileUnit) -> Iterator[dict[str, Any]]:
    """One OCR event per original and reading (software, model and its checksum, settings)."""
    for original in unit.originals:
        readings: dict[str, dict[str, Any]] = {}
        for ref in archive.iter_page_refs(original.sha256):
            try:
                provenance = read_json(archive.page_dir(ref) / PageFiles.PROVENANCE)
            except (OSError, ValueError):
                continue
            key = json.dumps([provenance.get("tesseract_version"), provenance.get("model"),
                              provenance.get("settings")], sort_keys=True, ensure_ascii=False)
            entry = readings.setdefault(key, {"provenance": provenance, "pages": [], "dates": []})
            entry["pages"].append(ref.index)
            entry["dates"].append(provenance.get("done_at") or "")
        for number, entry in enumerate(readings.values(), start=1):
            provenance = entry["provenance"]
            model = provenance.get("model") or {}
            yield {"id": f"ocr-{original.sha256}-{number}", "type": "creation",
                   "date": max(entry["dates"]), "outcome": "success",
                   "detail": f"OCR (Tesseract {provenance.get('tesseract_version')}, "
                             f"{provenance.get('tesseract_engine')}) of pages {entry['pages']} with "
                             f"model {model.get('name')} ({model.get('lang')}, SHA-256 "
                             f"{model.get('sha256')}); settings "
                             + json.dumps(provenance.get("settings"), ensure_ascii=False, sort_keys=True),
                   "objects": [original.sha256], "agent": "luutru",
                   "tesseract": provenance.get("tesseract_version")}


def _recorded_events(archive: Archive, unit: FileUnit) -> Iterator[dict[str, Any]]:
    shas = [o.sha256 for o in unit.originals]
    for event in iter_events(archive):
        concerned = shas if event.all_objects else [s for s in shas if s in event.objects]
        if concerned:
            yield {"id": event.id, "type": event.type, "date": event.date, "outcome": event.outcome,
                   "detail": event.detail, "objects": concerned, "agent": "luutru"}


def _edit_events(archive: Archive, unit: FileUnit) -> Iterator[dict[str, Any]]:
    """The archivists' values in the catalogue, one event per item they changed (the catalogue
    keeps the values, not when they were typed: the catalogue file's date stands for it)."""
    from datetime import datetime, timezone
    record = next(r for r in unit.fonds.files if r.code == unit.code)
    if not record.items:
        return
    when = datetime.fromtimestamp(fonds_path(archive, unit.fonds.code).stat().st_mtime,
                                  timezone.utc).isoformat(timespec="seconds").replace("+00:00", "Z")
    for item in record.items:
        edited = sorted(name for name, value in item.fields.items() if value.origin == "archivist")
        if edited:
            yield {"id": f"edit-{item.id}", "type": "metadata modification", "date": when,
                   "outcome": "success", "detail": f"{item.id}: archivist values for {', '.join(edited)}",
                   "objects": sorted({key.partition(':')[0] for key in item.pages}),
                   "agent": "archivist"}


def _event(root: etree._Element, event: dict[str, Any]) -> None:
    element = _el(root, _P + "event")
    identifier = _el(element, _P + "eventIdentifier")
    _el(identifier, _P + "eventIdentifierType", "luutru")
    _el(identifier, _P + "eventIdentifierValue", event["id"])
    _el(element, _P + "eventType", event["type"])
    _el(element, _P + "eventDateTime", event["date"] or "unknown")
    _el(_el(element, _P + "eventDetailInformation"), _P + "eventDetail", event["detail"])
    _el(_el(element, _P + "eventOutcomeInformation"), _P + "eventOutcome", event["outcome"])
    agent = _el(element, _P + "linkingAgentIdentifier")
    _el(agent, _P + "linkingAgentIdentifierType", "luutru")
    _el(agent, _P + "linkingAgentIdentifierValue", event["agent"])
    if event.get("tesseract"):
        tesseract = _el(element, _P + "linkingAgentIdentifier")
        _el(tesseract, _P + "linkingAgentIdentifierType", "luutru")
        _el(tesseract, _P + "linkingAgentIdentifierValue", f"tesseract-{event['tesseract']}")
    for sha in event["objects"]:
        link = _el(element, _P + "linkingObjectIdentifier")
        _el(link, _P + "linkingObjectIdentifierType", "SHA-256")
        _el(link, _P + "linkingObjectIdentifierValue", sha)


def _agent(root: etree._Element, key: str, name: str, kind: str, version: str | None) -> None:
    agent = _el(root, _P + "agent")
    identifier = _el(agent, _P + "agentIdentifier")
    _el(identifier, _P + "agentIdentifierType", "luutru")
    _el(identifier, _P + "agentIdentifierValue", key)
    _el(agent, _P + "agentName", name)
    _el(agent, _P + "agentType", kind)
    if version:
        _el(agent, _P + "agentVersion", version)


# --- schemas and the finding aid --------------------------------------------------------------

def mets_schema() -> etree.XMLSchema:
    return schema("mets/1.12.1/mets.xsd")


def premis_schema() -> etree.XMLSchema:
    return schema("premis/3.0/premis.xsd")


def _validate(data: bytes, schema: etree.XMLSchema, name: str) -> None:
    if not schema.validate(etree.fromstring(data)):
        errors = "; ".join(f"line {e.line}: {e.message}" for e in list(schema.error_log)[:5])
        raise AipError(f"{name} không hợp lệ theo lược đồ chính thức: {errors}")


def packages_in(directory: Path) -> set[str]:
    """The names of the bags in ``directory`` (an ``export aip`` OUTDIR)."""
    return {p.name for p in Path(directory).iterdir()
            if (p / "bagit.txt").exists() and not p.name.startswith(".")}


def ead_with_packages(archive: Archive, fonds: str | None, packages: set[str],
                      base: str = "", clearance: int = 0) -> bytes:
    """The EAD3 export (as ``clearance`` may see it) with, in each hồ sơ's ``did``, a ``dao``
    linking to its package (``base`` + the bag's name: relative to the finding aid when it lies
    beside the bags)."""
    from luutru.export.ead import EAD_NS, ead_schema, export_ead
    from luutru import xmlsafe
    tree = xmlsafe.parse(export_ead(archive, fonds, clearance))
    q = f"{{{EAD_NS}}}"
    for c in tree.iter():
        if not isinstance(c.tag, str) or c.get("level") != "file":
            continue
        did = c.find(q + "did")
        file_code = did.findtext(q + "unitid")
        fonds_el = next((a for a in c.iterancestors() if a.get("level") == "fonds"), None)
        fonds_code = (fonds_el.find(q + "did").findtext(q + "unitid") if fonds_el is not None
                      else tree.getroot().find(f"{q}archdesc/{q}did").findtext(q + "unitid"))
        name = bag_name(fonds_code, file_code)
        if name in packages:
            etree.SubElement(did, q + "dao", daotype="otherdaotype", otherdaotype="AIP",
                             href=f"{base}{name}/", linktitle=f"Gói lưu trữ (BagIt) của hồ sơ {file_code}")
    etree.indent(tree, space="  ")
    data = etree.tostring(tree, xml_declaration=True, encoding="UTF-8", pretty_print=True)
    if not ead_schema().validate(xmlsafe.parse(data)):
        raise AipError("EAD3 có liên kết gói không hợp lệ: "
                       + "; ".join(str(e.message) for e in list(ead_schema().error_log)[:3]))
    return data
