"""``luutru repair``: rebuild what can be derived, for exactly the damaged pages, and say what
cannot be.

What it rebuilds (only from a good original, checked by its hash first):
- a page record (``page.json``) missing, damaged or unreadable: from the original's record and the
  original itself, as ingest wrote it;
- a page's OCR outputs: the page is read again with the model its provenance names;
- a document PDF: from its pages' one-page PDFs;
- an original's record: from the replica, when the replica's copy has the checksum recorded here;
- the search index: brought up to date with the repaired pages.

What it cannot rebuild, and says so (never guessing): an original with no good copy, the
catalogue (it holds archivists' values: restore it from a preservation package with
``luutru restore``), an original's record with no good copy. Files it does not know are left
where they are, listed.
"""

from __future__ import annotations

import shutil
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from luutru.archive import (Archive, PageFiles, PageRef, atomic_move_into, read_checksum, read_json,
                            sha256_file)
from luutru.preserve.events import Event, record_event
from luutru.preserve.fixity import Finding, Original, hash_file, iter_originals, verify

OCR_FILES = frozenset({*PageFiles.OUTPUTS, PageFiles.PROVENANCE})


@dataclass
class Unrepairable:
    path: str
    why: str


@dataclass
class RepairReport:
    found: int = 0
    rebuilt: list[str] = field(default_factory=list)
    cannot: list[Unrepairable] = field(default_factory=list)
    left: list[str] = field(default_factory=list)
    still_wrong: int = 0

    @property
    def exit_code(self) -> int:
        return 2 if self.cannot or self.still_wrong else 0

    def to_json(self) -> dict[str, Any]:
        return {"found": self.found, "rebuilt": self.rebuilt,
                "cannot": [asdict(c) for c in self.cannot], "left": self.left,
                "still_wrong": self.still_wrong}

    def summary_text(self) -> str:
        lines = [f"Tìm thấy {self.found} vấn đề; đã dựng lại {len(self.rebuilt)} tệp; không thể "
                 f"dựng lại: {len(self.cannot)}; để nguyên: {len(self.left)}."]
        lines += [f"  đã dựng lại  {path}" for path in self.rebuilt]
        lines += [f"  KHÔNG dựng lại được  {c.path}: {c.why}" for c in self.cannot]
        lines += [f"  để nguyên (không thuộc kho hoặc chưa có mã kiểm tra)  {path}" for path in self.left]
        if self.still_wrong:
            lines.append(f"Sau khi sửa, `luutru verify` vẫn thấy {self.still_wrong} vấn đề.")
        return "\n".join(lines)


@dataclass
class _Plan:
    page_records: set[PageRef] = field(default_factory=set)
    ocr_pages: set[PageRef] = field(default_factory=set)
    documents: set[str] = field(default_factory=set)
    records: set[str] = field(default_factory=set)
    bad_originals: set[str] = field(default_factory=set)


def repair(archive: Archive, replica: Path | None = None, progress: bool = False) -> RepairReport:
    """Audit, rebuild what is derivable for the damaged pages only, reindex them, audit again."""
    audit = verify(archive, replica=replica, progress=progress)
    report = RepairReport(found=len(audit.problems))
    _remove_leftovers(archive, audit.findings)
    plan = _plan(archive, audit.problems, report)
    _unreadable_page_records(archive, plan)
    originals = {o.sha256: o for o in iter_originals(archive)}
    _restore_records(archive, plan, replica, report)
    _rebuild_page_records(archive, plan, originals, report)
    _reread_pages(archive, plan, report, progress)
    _rebuild_documents(archive, plan, report)
    if report.rebuilt:
        _reindex(archive)
        record_event(archive, Event(type="creation", outcome="success",
                                    detail=f"luutru repair rebuilt {len(report.rebuilt)} derived files",
                                    objects=sorted({p.split('/')[1] for p in report.rebuilt
                                                    if p.startswith("pages/")} | plan.documents),
                                    extra={"rebuilt": report.rebuilt}))
    if report.found or report.rebuilt:
        report.still_wrong = len([f for f in verify(archive, replica=replica).problems
                                  if f.kind not in ("unexpected", "unrecorded")])
    return report


def _remove_leftovers(archive: Archive, findings: list[Finding]) -> None:
    """Temporary copies a killed writer left (repair is run when no stage is writing)."""
    for finding in findings:
        if finding.kind == "leftover":
            (archive.root / finding.path).unlink(missing_ok=True)


def _plan(archive: Archive, findings: list[Finding], report: RepairReport) -> _Plan:
    plan = _Plan()
    for finding in findings:
        parts = finding.path.split("/")
        if finding.kind in ("unexpected", "unrecorded"):
            report.left.append(finding.path)
        elif finding.what in ("original", "replica"):
            sha = Path(parts[-1]).stem[:64]
            plan.bad_originals.add(sha)
            report.cannot.append(Unrepairable(finding.path, "bản gốc hỏng hoặc mất và không có bản "
                                              "sao tốt (dùng --replica, hoặc `luutru restore` từ gói AIP)"))
        elif parts[0] == "pages" and len(parts) == 4:
            ref = PageRef(parts[1], int(parts[2]))
            (plan.page_records if parts[3] == PageFiles.RECORD else plan.ocr_pages).add(ref)
            if parts[3] not in OCR_FILES | {PageFiles.RECORD}:
                report.left.append(finding.path)
        elif parts[0] == "documents":
            plan.documents.add(Path(parts[1]).stem)
        elif parts[0] == "originals":
            plan.records.add(Path(parts[-1]).stem)
        else:
            report.cannot.append(Unrepairable(finding.path, "mục lục có giá trị do lưu trữ viên nhập, "
                                              "không dựng lại được: khôi phục bằng `luutru restore` "
                                              "từ gói AIP"))
    return plan


def _unreadable_page_records(archive: Archive, plan: _Plan) -> None:
    """A page record that cannot be read is damaged even where no checksum says so (an archive
    written before checksums): the status and index stages would stop on it."""
    for original in iter_originals(archive):
        for index in original.record.get("pages", []):
            ref = PageRef(original.sha256, index)
            try:
                read_json(archive.page_dir(ref) / PageFiles.RECORD)
            except (OSError, ValueError):
                plan.page_records.add(ref)


def _restore_records(archive: Archive, plan: _Plan, replica: Path | None,
                     report: RepairReport) -> None:
    for sha in sorted(plan.records):
        path = archive.original_record_path(sha)
        rel = path.relative_to(archive.root).as_posix()
        recorded = read_checksum(path)
        copy = Path(replica) / rel if replica else None
        if copy is not None and recorded and copy.exists() and hash_file(copy) == recorded[0]:
            partial = path.with_name(f".{path.name}.partial")
            shutil.copyfile(copy, partial)
            atomic_move_into(partial, path)
            report.rebuilt.append(rel)
        else:
            plan.bad_originals.add(sha)
            report.cannot.append(Unrepairable(rel, "hồ sơ của bản gốc (nguồn, ngày nhập) không còn "
                                              "bản đúng nào để chép lại"))


def _rebuild_page_records(archive: Archive, plan: _Plan, originals: dict[str, Original],
                          report: RepairReport) -> None:
    from luutru.ingest.batch import probe_original
    from luutru.ingest.sources import SourceFile
    from luutru.ingest.store import write_page_records

    for sha in sorted({ref.sha256 for ref in plan.page_records} - plan.bad_originals):
        original = originals.get(sha)
        if original is None or sha256_file(original.path) != sha:
            continue
        wanted = {ref for ref in plan.page_records if ref.sha256 == sha}
        source = original.record["source"]
        found = probe_original(original.path)
        for ref in sorted(wanted):
            (archive.page_dir(ref) / PageFiles.RECORD).unlink(missing_ok=True)
        write_page_records(archive, sha, found,
                           SourceFile(original.path, source["path"], source.get("fonds"), source.get("file")))
        report.rebuilt += [(archive.page_dir(ref) / PageFiles.RECORD).relative_to(archive.root).as_posix()
                           for ref in sorted(wanted)]


def _reread_pages(archive: Archive, plan: _Plan, report: RepairReport, progress: bool) -> None:
    """Read the damaged pages again, with the model their provenance names (the default when
    the provenance itself is what was damaged). Their document PDFs are rebuilt on the way."""
    from luutru.ocr.pipeline import ocr_archive

    refs = sorted(ref for ref in plan.ocr_pages if ref.sha256 not in plan.bad_originals)
    by_model: dict[str, list[PageRef]] = {}
    for ref in refs:
        by_model.setdefault(_model_of(archive, ref), []).append(ref)
    for model, pages in by_model.items():
        outcome = ocr_archive(archive, redo=True, pages=pages, model=model, progress=progress)
        for ref in pages:
            rel = archive.page_dir(ref).relative_to(archive.root).as_posix() + "/"
            if ref.key in outcome.done:
                report.rebuilt.append(rel)
            else:
                report.cannot.append(Unrepairable(rel, "đọc lại trang không thành công"))
        plan.documents -= {ref.sha256 for ref in pages}


def _model_of(archive: Archive, ref: PageRef) -> str:
    from luutru.ocr.models import DEFAULT_MODEL
    try:
        return read_json(archive.page_dir(ref) / PageFiles.PROVENANCE)["model"]["name"] or DEFAULT_MODEL
    except (OSError, ValueError, KeyError, TypeError):
        return DEFAULT_MODEL


def _rebuild_documents(archive: Archive, plan: _Plan, report: RepairReport) -> None:
    from luutru.ocr.models import locate
    from luutru.ocr.pipeline import OcrOptions, build_document_pdfs

    for sha in sorted(plan.documents - plan.bad_originals):
        first = next(archive.iter_page_refs(sha), None)
        if first is None:
            continue
        archive.document_pdf_path(sha).unlink(missing_ok=True)
        built = build_document_pdfs(archive, [sha], locate(_model_of(archive, first)), OcrOptions())
        path = archive.document_pdf_path(sha).relative_to(archive.root).as_posix()
        for entry in built:
            if "failed" in entry:
                report.cannot.append(Unrepairable(path, entry["message"]))
            else:
                report.rebuilt.append(path)


def _reindex(archive: Archive) -> None:
    from luutru.index import update_index
    update_index(archive)
