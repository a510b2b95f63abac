"""``luutru verify``: prove that every original is the one received, and every recorded file is
the one written.

- An original is re-hashed and compared with the SHA-256 it is named by.
- Every other file of the record (page records, OCR outputs, document PDFs, catalogue, originals'
  records) is compared with the checksum its writer recorded beside it
  (:func:`luutru.archive.record_checksum`).
- Findings: ``changed`` (bytes differ), ``missing`` (recorded or expected, not there),
  ``unexpected`` (there, but nothing of the record: a stray file, a page of no original),
  ``unrecorded`` (a file of the record with no checksum: written before checksums, or by hand),
  ``leftover`` (a killed writer's temporary copy, never part of the record: listed, not an error;
  ``luutru repair`` removes it).
- With a replica (a second copy on another disk, LOCKSS), its originals are checked too; a damaged
  or lost original is restored from the good copy after that copy's hash is checked, a damaged or
  missing replica copy is copied again, and each is a PREMIS event.

Each audit is recorded as a PREMIS "fixity check" event. Hashing runs on a thread per core
(hashlib releases the GIL), reading 1 MiB blocks.
"""

from __future__ import annotations

import hashlib
import os
import random
import shutil
import time
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import asdict, dataclass, field
from datetime import date, datetime, timezone
from pathlib import Path
from typing import Any

from tqdm import tqdm

from luutru.archive import (CHECKSUM_SUFFIX, Archive, PageFiles, atomic_move_into,
                            checksum_path, has_checksum, read_checksum, read_json,
                            record_file_checksum)
from luutru.preserve.events import Event, record_event

READ_ONLY = 0o444
BATCH = 64  # files a thread hashes per hand-over
LEFTOVER_SUFFIXES = (".tmp", ".partial")   # a killed writer's temporary copy: never the record
IGNORED = frozenset({".lock", "lock"})   # a writer's lock file (catalog/.lock) holds no record
# Where the record's checksummed files live; everything else (index, cache, tmp, access,
# quarantine, inputs, preservation) is derived, private or kept elsewhere.
RECORD_DIRS = ("pages", "documents", "catalog", "editorial", "originals")


@dataclass
class Finding:
    path: str            # relative to the archive (or the replica, for a replica finding)
    kind: str            # changed | missing | unexpected | unrecorded | restored | replicated
    what: str            # original | derived | replica
    detail: str = ""


@dataclass
class VerifyReport:
    originals: int = 0
    files: int = 0
    bytes: int = 0
    seconds: float = 0.0
    scope: str = "all"
    findings: list[Finding] = field(default_factory=list)
    event: str | None = None

    @property
    def problems(self) -> list[Finding]:
        """What is still wrong after the audit (a restored original is no longer a problem)."""
        return [f for f in self.findings
                if f.kind not in ("restored", "replicated", "leftover", "adopted")]

    @property
    def exit_code(self) -> int:
        return 2 if self.problems else 0

    @property
    def megabytes_per_second(self) -> float:
        return self.bytes / 1e6 / self.seconds if self.seconds else 0.0

    def to_json(self) -> dict[str, Any]:
        return {"originals": self.originals, "files": self.files, "bytes": self.bytes,
                "seconds": round(self.seconds, 3), "scope": self.scope,
                "mb_per_second": round(self.megabytes_per_second, 1),
                "findings": [asdict(f) for f in self.findings], "ok": not self.problems,
                "event": self.event}

    def summary_text(self) -> str:
        lines = [f"Đã kiểm tra {self.originals} bản gốc và {self.files} tệp ({self.bytes / 1e6:.1f} MB, "
                 f"{self.megabytes_per_second:.0f} MB/s; phạm vi: {self.scope}): "
                 + ("mọi tệp nguyên vẹn." if not self.problems else
                    f"{len(self.problems)} vấn đề, chạy `luutru repair` để sửa những gì dựng lại được.")]
        words = {"changed": "bị thay đổi", "missing": "bị mất", "unexpected": "không thuộc kho",
                 "unrecorded": "chưa có mã kiểm tra", "restored": "đã khôi phục từ bản sao",
                 "replicated": "đã chép lại vào bản sao", "leftover": "tệp tạm còn sót",
                 "adopted": "đã ghi mã kiểm tra (trước đây chưa có)"}
        lines += [f"  {words.get(f.kind, f.kind)} [{f.what}]  {f.path}"
                  + (f": {f.detail}" if f.detail else "") for f in self.findings]
        return "\n".join(lines)


def hash_file(path: Path) -> str:
    with open(path, "rb") as handle:
        return hashlib.file_digest(handle, "sha256").hexdigest()


def _hash_and_size(path: Path) -> tuple[str, int]:
    """SHA-256 and size of what was read (one open: the size is that of the file hashed)."""
    with open(path, "rb") as handle:
        size = os.fstat(handle.fileno()).st_size
        return hashlib.file_digest(handle, "sha256").hexdigest(), size


# --- what to check ----------------------------------------------------------------------------

@dataclass(frozen=True)
class Original:
    sha256: str
    path: Path           # where its bytes are (or should be)
    record: dict


def iter_originals(archive: Archive) -> Iterator[Original]:
    """Every original the archive has a record of (a record that cannot be read is a derived
    file's finding, not an original's)."""
    for record_path in sorted(archive.originals_dir.glob("*/*.json")):
        try:
            record = read_json(record_path)
        except (OSError, ValueError):
            continue
        if isinstance(record, dict) and "sha256" in record and "stored_as" in record:
            yield Original(record["sha256"], record_path.parent / record["stored_as"], record)


def _selected(originals: list[Original], sample: float | None, since: date | None) -> list[Original]:
    if since is not None:
        originals = [o for o in originals if _newer(o, since)]
    if sample is not None and sample < 1.0:
        rng = random.Random(datetime.now(timezone.utc).isoformat())  # another part each audit
        originals = rng.sample(originals, max(1, round(len(originals) * sample))) if originals else []
    return sorted(originals, key=lambda o: o.sha256)


def _newer(original: Original, since: date) -> bool:
    stamp = (original.record.get("ingested_at") or "")[:10]
    try:
        return date.fromisoformat(stamp) >= since
    except ValueError:
        return True


Listed = tuple[Path, str, frozenset[str]]  # (folder, file name, every file name in the folder)


def _record_files(archive: Archive, shas: set[str] | None) -> Iterator[Listed]:
    """Every file (sidecars included) under the record's directories, for the originals in
    ``shas`` only when given (a sampled audit checks the sampled originals' pages)."""
    for name in RECORD_DIRS:
        top = archive.root / name
        if name == "pages" and shas is not None:
            tops = [top / sha for sha in sorted(shas)]
        elif name in ("documents", "originals") and shas is not None:
            yield from (listed for listed in _walk(top) if listed[1].lstrip(".")[:64] in shas)
            continue
        else:
            tops = [top]
        for root in tops:
            yield from _walk(root)


def _walk(top: Path) -> Iterator[Listed]:
    """One Path a folder, not a file: on a 100k-page archive, parsing a path per file took more
    time than hashing the file."""
    for directory, _, names in os.walk(top):
        folder, present = Path(directory), frozenset(names)
        for name in sorted(names):
            yield folder, name, present


# --- the audit --------------------------------------------------------------------------------

def verify(archive: Archive, sample: float | None = None, since: date | None = None,
           replica: Path | None = None, jobs: int | None = None, adopt: bool = False,
           progress: bool = False) -> VerifyReport:
    """Audit the archive (see the module docstring); record the audit as a PREMIS event.

    ``adopt``: record a checksum for each file of the record that has none (an archive written
    before checksums), as it is now; from then on it is checked like any other."""
    started = time.perf_counter()
    report = VerifyReport(scope=_scope(sample, since))
    everything = list(iter_originals(archive))
    chosen = _selected(everything, sample, since)
    shas = None if report.scope == "all" else {o.sha256 for o in chosen}
    tasks = _original_tasks(archive, chosen) + _derived_tasks(archive, everything, shas)
    workers = jobs or min(4, os.cpu_count() or 1)
    with tqdm(total=len(tasks), desc="verify", unit="tệp", disable=not progress) as bar:
        for finding, size in _run(tasks, workers):
            bar.update()
            report.bytes += size
            if finding is not None:
                report.findings.append(finding)
    report.originals = len(chosen)
    report.files = len(tasks) - len(chosen)
    if adopt:
        _adopt(archive, report)
    if replica is not None:
        mended = check_replica(archive, chosen, Path(replica), report)  # may drop findings
        report.findings.extend(mended)
    report.seconds = time.perf_counter() - started
    report.event = _record_audit(archive, report, chosen, everything)
    return report


def _run(tasks: list[Task], workers: int) -> Iterator[tuple[Finding | None, int]]:
    """Each task's result, in order. Tasks go to the threads in batches, a few batches in flight:
    one future per file would cost ~1 KB each (2 GB of memory for a 100k-page archive's 1.4
    million files) and a lock round trip per file."""
    batches = (tasks[start:start + BATCH] for start in range(0, len(tasks), BATCH))
    with ThreadPoolExecutor(workers) as pool:
        pending: deque = deque()
        for batch in batches:
            pending.append(pool.submit(lambda b=batch: [task() for task in b]))
            if len(pending) >= 2 * workers:
                yield from pending.popleft().result()
        while pending:
            yield from pending.popleft().result()


def _adopt(archive: Archive, report: VerifyReport) -> None:
    unrecorded = [f for f in report.findings if f.kind == "unrecorded"]
    for finding in unrecorded:
        record_file_checksum(archive.root / finding.path)
        finding.kind = "adopted"
    if unrecorded:
        record_event(archive, Event(type="message digest calculation", outcome="success",
                                    detail=f"SHA-256 recorded for {len(unrecorded)} files written "
                                           "before checksums", all_objects=True,
                                    extra={"files": [f.path for f in unrecorded]}))


def _scope(sample: float | None, since: date | None) -> str:
    parts = []
    if sample is not None and sample < 1.0:
        parts.append(f"mẫu {sample * 100:g}%")
    if since is not None:
        parts.append(f"từ {since.isoformat()}")
    return ", ".join(parts) or "all"


Task = Callable[[], tuple[Finding | None, int]]


def _original_tasks(archive: Archive, originals: list[Original]) -> list[Task]:
    def check(original: Original) -> tuple[Finding | None, int]:
        rel = original.path.relative_to(archive.root).as_posix()
        try:
            actual, size = _hash_and_size(original.path)
        except FileNotFoundError:
            return Finding(rel, "missing", "original"), 0
        except OSError as exc:
            return Finding(rel, "changed", "original", f"không đọc được: {exc.strerror}"), 0
        if actual != original.sha256:
            return Finding(rel, "changed", "original", f"SHA-256 là {actual}"), size
        return None, size
    return [lambda o=o: check(o) for o in originals]


def _derived_tasks(archive: Archive, everything: list[Original], shas: set[str] | None) -> list[Task]:
    known = {o.sha256 for o in everything}
    stored = {o.path for o in everything}
    tasks: list[Task] = []
    seen: set[Path] = set()      # page records found
    rel = lambda path: path.relative_to(archive.root).as_posix()  # noqa: E731 - for findings only
    for folder, name, present in _record_files(archive, shas):
        if name.endswith(CHECKSUM_SUFFIX) and name.startswith("."):
            if name[1:-len(CHECKSUM_SUFFIX)] not in present:
                tasks.append(_found(Finding(rel(folder / name[1:-len(CHECKSUM_SUFFIX)]), "missing",
                                            "derived", "có mã kiểm tra, không có tệp")))
            continue
        path = folder / name
        if name == PageFiles.RECORD:
            seen.add(path)
        if path in stored or name in IGNORED:
            continue
        if name.startswith(".") and name.endswith(LEFTOVER_SUFFIXES):
            tasks.append(_found(Finding(rel(path), "leftover", "derived",
                                        "tệp tạm của một lần ghi bị ngắt")))
            continue
        if has_checksum(path):
            owner = _owner(folder, name)
            if owner is not None and owner not in known:
                tasks.append(_found(Finding(rel(path), "unexpected", "derived",
                                            "không có bản gốc tương ứng")))
            else:
                tasks.append(lambda p=path: _check_derived(p, archive.root))
        else:
            tasks.append(_found(Finding(rel(path), "unexpected", "derived")))
    for original in everything:
        if shas is not None and original.sha256 not in shas:
            continue
        for index in original.record.get("pages", []):
            page = archive.pages_dir / original.sha256 / f"{index:04d}" / PageFiles.RECORD
            if page not in seen and not checksum_path(page).exists():
                tasks.append(_found(Finding(page.relative_to(archive.root).as_posix(), "missing",
                                            "derived", "trang của bản gốc")))
    return tasks


def _found(finding: Finding) -> Task:
    """A task whose finding is known without reading anything."""
    return lambda: (finding, 0)


def _owner(folder: Path, name: str) -> str | None:
    """The SHA-256 of the original a derived file belongs to (None for the catalogue)."""
    for part in (os.path.basename(os.path.dirname(folder)), os.path.splitext(name)[0]):
        if len(part) == 64:
            return part
    return None


# Files the stages write, known without a checksum (an archive from before checksums); any other
# file without one is a stranger. A file with a checksum is checked whatever its name.
def _known(path: Path) -> bool:
    return PageFiles.holds(path.name) or path.parent.name != path.parent.parent.name and (
        path.parent.name in ("documents", "catalog", "editorial") or path.parent.parent.name == "originals")


def _check_derived(path: Path, root: Path) -> tuple[Finding | None, int]:
    def found(kind: str, detail: str = "") -> Finding:
        return Finding(path.relative_to(root).as_posix(), kind, "derived", detail)
    recorded = read_checksum(path)
    try:
        actual, size = _hash_and_size(path)
    except OSError as exc:
        return found("changed", f"không đọc được: {exc.strerror}"), 0
    if recorded is None:
        return found("unrecorded" if _known(path) else "unexpected"), size
    if actual != recorded[0] or size != recorded[1]:
        return found("changed", f"{size} byte, SHA-256 {actual[:12]}…"), size
    return None, size


def _record_audit(archive: Archive, report: VerifyReport, chosen: list[Original],
                  everything: list[Original]) -> str:
    bad = sorted({f.path for f in report.problems})
    event = Event(type="fixity check", outcome="failure" if bad else "success",
                  detail=f"SHA-256 of {report.originals} originals and {report.files} files "
                         f"({report.scope}); {len(bad)} problems",
                  objects=[] if len(chosen) == len(everything) else [o.sha256 for o in chosen],
                  all_objects=len(chosen) == len(everything),
                  extra={"problems": [asdict(f) for f in report.problems],
                         "bytes": report.bytes, "seconds": round(report.seconds, 3)})
    return record_event(archive, event).id


# --- the second copy --------------------------------------------------------------------------

def replica_path(replica: Path, archive: Archive, original: Original) -> Path:
    return replica / original.path.relative_to(archive.root)


def replicate(archive: Archive, sha256: str, replica: Path) -> Path:
    """Ingest's copy of a stored original to the replica (skipped when a copy of the same size is
    there: ``luutru verify --replica`` checks its bytes)."""
    record_path = archive.original_record_path(sha256)
    original = Original(sha256, record_path.parent / read_json(record_path)["stored_as"],
                        read_json(record_path))
    target = replica_path(Path(replica), archive, original)
    if target.exists() and target.stat().st_size == original.path.stat().st_size:
        return target
    return copy_to_replica(archive, original, Path(replica))


def copy_to_replica(archive: Archive, original: Original, replica: Path) -> Path:
    """Copy one original (and its record) to the replica, checked by hash before it takes its
    name."""
    target = replica_path(replica, archive, original)
    _checked_copy(original.path, target, original.sha256)
    record_target = target.with_name(f"{original.sha256}.json")
    partial = target.with_name(f".{original.sha256}.json.partial")
    shutil.copyfile(original.path.with_name(f"{original.sha256}.json"), partial)
    atomic_move_into(partial, record_target)
    return target


def _checked_copy(source: Path, target: Path, sha256: str) -> None:
    """Copy ``source`` next to ``target``, check the copy's hash, then give it its name."""
    target.parent.mkdir(parents=True, exist_ok=True)
    partial = target.with_name(f".{target.name}.partial")
    partial.unlink(missing_ok=True)
    shutil.copyfile(source, partial)
    if hash_file(partial) != sha256:
        partial.unlink()
        raise OSError(f"bản chép của {source} không đúng SHA-256 {sha256}")
    os.chmod(partial, READ_ONLY)
    atomic_move_into(partial, target)


def check_replica(archive: Archive, originals: Iterable[Original], replica: Path,
                  report: VerifyReport) -> list[Finding]:
    """Compare both copies of each original; mend the bad one from the good one."""
    findings = []
    for original in originals:
        here_ok = _good(original.path, original.sha256, report)
        there = replica_path(replica, archive, original)
        there_ok = _good(there, original.sha256, report)
        rel = original.path.relative_to(archive.root).as_posix()
        if here_ok and not there_ok:
            copy_to_replica(archive, original, replica)
            findings.append(Finding(rel, "replicated", "replica", str(there)))
            _event(archive, "replication", original, f"copied again to the replica {there}")
        elif there_ok and not here_ok:
            original.path.unlink(missing_ok=True)
            _checked_copy(there, original.path, original.sha256)
            findings = [f for f in findings if f.path != rel]
            report.findings = [f for f in report.findings if f.path != rel]
            findings.append(Finding(rel, "restored", "original", f"từ {there}"))
            _event(archive, "recovery", original, f"restored from the replica {there} after "
                                                  "its SHA-256 was checked")
        elif not here_ok and not there_ok:
            findings.append(Finding(there.as_posix(), "changed" if there.exists() else "missing",
                                    "replica", "cả hai bản đều hỏng"))
    return findings


def _good(path: Path, sha256: str, report: VerifyReport) -> bool:
    try:
        actual = hash_file(path)
    except OSError:
        return False
    report.bytes += path.stat().st_size
    return actual == sha256


def _event(archive: Archive, kind: str, original: Original, detail: str) -> None:
    record_event(archive, Event(type=kind, outcome="success", detail=detail,
                                objects=[original.sha256]))
