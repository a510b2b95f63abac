"""``luutru restore AIPDIR…``: rebuild an archive from its preservation packages.

From each bag (validated with ``bagit`` first: a bag whose checksums fail is refused whole) it
puts back what cannot be derived: the originals (each checked against its SHA-256), their
records, the page records, the catalogue (with the archivists' values in it), the inventories and
the preservation events, and the reading room's audit log (never accounts or keys: see
:mod:`luutru.preserve.accesslog`). Then it derives the rest as the pipeline does: OCR of every page (and
the document PDFs), and the search index.

Every file is written atomically and an original only after its hash is checked, so a restore
killed at any point and run again finishes the same; what is already there and equal is skipped,
what is there and different is never overwritten (it is reported).
"""

from __future__ import annotations

import shutil
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import bagit

from luutru.archive import Archive, PageFiles, atomic_move_into, atomic_write_bytes, sha256_file
from luutru.preserve import accesslog
from luutru.preserve.events import Event, record_event
from luutru.preserve.fixity import READ_ONLY

# Bag payload folder → archive folder, for what is copied back as it is.
_RECORDS = (("metadata/catalog", "catalog"), ("metadata/inventories", "inputs/inventories"),
            ("metadata/events", "preservation/events"), ("metadata/editorial", "editorial"))


@dataclass
class RestoreReport:
    packages: int = 0
    originals: int = 0
    files: int = 0
    refused: list[str] = field(default_factory=list)
    conflicts: list[str] = field(default_factory=list)
    audit_entries: int = 0
    ocr_failed: int = 0

    @property
    def exit_code(self) -> int:
        return 2 if self.refused or self.conflicts or self.ocr_failed else 0

    def to_json(self) -> dict[str, Any]:
        return dict(self.__dict__)

    def summary_text(self) -> str:
        lines = [f"Đã khôi phục từ {self.packages} gói: {self.originals} bản gốc, {self.files} tệp "
                 f"hồ sơ; đã đọc lại (OCR) và lập chỉ mục."]
        lines += [f"  gói bị từ chối {r}" for r in self.refused]
        lines += [f"  khác với bản đã có, giữ nguyên bản đã có: {c}" for c in self.conflicts]
        if self.ocr_failed:
            lines.append(f"  {self.ocr_failed} trang không đọc được")
        return "\n".join(lines)


def restore(archive: Archive, packages: list[Path], jobs: int = 1,
            progress: bool = False) -> RestoreReport:
    """Put the packages' records back into ``archive``, then derive the rest."""
    archive.initialise()
    report = RestoreReport()
    audit: list[dict] = []
    for package in _bags(packages):
        try:
            bag = bagit.Bag(str(package))
            bag.validate()
        except (bagit.BagError, bagit.BagValidationError) as exc:
            report.refused.append(f"{package}: {exc}")
            continue
        report.packages += 1
        _restore_bag(archive, Path(bag.path) / "data", report)
        audit += _audit_of(Path(bag.path) / "data")
    report.audit_entries, conflicts = accesslog.restore_audit(archive, audit)
    report.conflicts += conflicts
    _derive(archive, report, jobs, progress)
    record_event(archive, Event(type="recovery", outcome="failure" if report.exit_code else "success",
                                detail=f"archive restored from {report.packages} packages "
                                       f"({report.originals} originals)", all_objects=True))
    return report


def _bags(packages: list[Path]) -> list[Path]:
    """Each path is a bag, or a folder of bags (an ``export aip`` OUTDIR)."""
    bags = []
    for path in map(Path, packages):
        if (path / "bagit.txt").exists():
            bags.append(path)
        else:
            bags += sorted(p for p in path.iterdir() if (p / "bagit.txt").exists()
                           and not p.name.startswith("."))
    return bags


def _restore_bag(archive: Archive, data: Path, report: RestoreReport) -> None:
    for path in sorted((data / "originals").glob("*")):
        if path.suffix == ".json":
            continue
        sha = path.name.split(".")[0]
        _put_original(archive, path, sha, report)
        _put(data / "originals" / f"{sha}.json", archive.original_record_path(sha), report)
    for path in sorted((data / "pages").glob(f"*/*/{PageFiles.RECORD}")):
        _put(path, archive.pages_dir / path.relative_to(data / "pages"), report)
    for source, target in _RECORDS:
        for path in sorted((data / source).glob("*")):
            _put(path, archive.root / target / path.name, report)


def _audit_of(data: Path) -> list[dict]:
    path = data / "metadata" / "access" / accesslog.AUDIT_NAME
    return accesslog.load(path) if path.exists() else []


def _put_original(archive: Archive, source: Path, sha: str, report: RestoreReport) -> None:
    target = archive.original_path(sha, Path(source).suffix)
    if target.exists() and sha256_file(target) == sha:
        return
    if sha256_file(source) != sha:
        report.conflicts.append(f"{source}: SHA-256 không khớp tên")
        return
    partial = target.with_name(f".{target.name}.partial")
    target.parent.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(source, partial)
    if sha256_file(partial) != sha:
        partial.unlink()
        raise OSError(f"bản chép {partial} không đúng SHA-256 {sha}")
    partial.chmod(READ_ONLY)
    atomic_move_into(partial, target)
    report.originals += 1


def _put(source: Path, target: Path, report: RestoreReport) -> None:
    data = source.read_bytes()
    if target.exists():
        if target.read_bytes() != data:
            report.conflicts.append(target.as_posix())
        return
    atomic_write_bytes(target, data)
    report.files += 1


def _derive(archive: Archive, report: RestoreReport, jobs: int, progress: bool) -> None:
    from luutru.index import update_index
    from luutru.ocr.pipeline import ocr_archive

    ocr = ocr_archive(archive, jobs=jobs, progress=progress)
    report.ocr_failed = len(ocr.failed)
    update_index(archive, progress=progress)
