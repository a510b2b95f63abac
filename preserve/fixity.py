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

Each audit is recorded as a PREMIS "fixity check" event. Hashing runs in a worker process per
core (``--jobs``), on batches of files: with threads, the per-file Python work (two opens, path
handling, comparisons) held the GIL, and an audit hashed at a third of what two cores can.
"""

from __future__ import annotations

import hashlib
import multiprocessing
import os
import random
import shutil
import time
from collections.abc import Iterable, Iterator
from concurrent.futures import Executor, ProcessPoolExecutor
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field
from datetime import date, datetime, timezone
from itertools import chain
from pathlib import Path
from typing import Any

from tqdm import tqdm

from luutru.archive import (CHECKSUM_SUFFIX, Archive, PageFiles, atomic_move_into,
                            checksum_path, has_checksum, read_json,
                            record_file_checksum)
from luutru.preserve.events import Event, record_event

READ_ONLY = 0o444
BATCH = 256  # files a worker checks per hand-over (~4 MB on an archive of bitonal scans)
BLOCK = 1 << 20  # bytes read at a time
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


Folder = tuple[str, list[str], frozenset[str]]  # (folder, its file names sorted, the same as a set)


def _record_folders(archive: Archive, shas: set[str] | None) -> Iterator[Folder]:
    """Every folder under the record's directories with its files (sidecars included), for the
    originals in ``shas`` only when given (a sampled audit checks the sampled originals' pages).
    Plain strings, not Paths: on a 100k-page archive, parsing a path per file took more time than
    hashing the file."""
    for name in RECORD_DIRS:
        top = archive.root / name
        if name == "pages" and shas is not None:
            tops = [top / sha for sha in sorted(shas)]
        elif name in ("documents", "originals") and shas is not None:
            for folder, names, present in _walk(top):
                names = [n for n in names if n.lstrip(".")[:64] in shas]
                if names:
                    yield folder, names, present
            continue
        else:
            tops = [top]
        for root in tops:
            yield from _walk(root)


def _walk(top: Path) -> Iterator[Folder]:
    for directory, _, names in os.walk(top):
        yield directory, sorted(names), frozenset(names)


# --- the audit --------------------------------------------------------------------------------

# One unit of an audit's work: a finding known from the folder listing alone, or a file to hash,
# given as (its path, the SHA-256 its name says for an original; None for a derived file, whose
# recorded checksum is read beside it). Plain values: they go to the worker processes.
Work = Finding | tuple[str, str | None]


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
    root, originals = str(archive.root), [(str(o.path), o.sha256) for o in chosen]
    with _workers(jobs or min(4, os.cpu_count() or 1)) as pool:
        hashed = _check(pool, root, originals)  # the workers start on the originals now,
        derived = _derived_work(archive, everything, shas)  # while this lists the rest
        with tqdm(total=len(originals) + len(derived), desc="verify", unit="tệp",
                  disable=not progress) as bar:
            for done, size, findings in chain(hashed, _check(pool, root, derived)):
                bar.update(done)
                report.bytes += size
                report.findings += findings
    report.originals = len(chosen)
    report.files = len(derived)
    if adopt:
        _adopt(archive, report)
    if replica is not None:
        mended = check_replica(archive, chosen, Path(replica), report)  # may drop findings
        report.findings.extend(mended)
    report.seconds = time.perf_counter() - started
    report.event = _record_audit(archive, report, chosen, everything)
    return report


@contextmanager
def _workers(count: int) -> Iterator[Executor | None]:
    """``count`` worker processes (the GIL would hold threads to one core's worth of per-file
    work), or None for one: the audit then runs in this process. Forked from this one, all at the
    first batch, before the pool's own threads start: cheap to start, and a caller's script is not
    imported again in each, as ``spawn`` and ``forkserver`` do."""
    if count == 1:
        yield None
        return
    pool = ProcessPoolExecutor(count, mp_context=multiprocessing.get_context("fork"))
    try:
        yield pool
    finally:
        pool.shutdown(cancel_futures=True)  # interrupted: do not wait for the rest


def _check(pool: Executor | None, root: str,
           work: list[Work]) -> Iterator[tuple[int, int, list[Finding]]]:
    """(files done, bytes read, findings) of each batch of ``work``, in order. In the pool, every
    batch is handed over now (a future a batch, not a file: small whatever the archive's size);
    without one, each is checked here when its result is asked for."""
    batches = [work[start:start + BATCH] for start in range(0, len(work), BATCH)]
    if pool is None:
        return ((len(batch), *_check_batch(root, batch)) for batch in batches)
    futures = [(len(batch), pool.submit(_check_batch, root, batch)) for batch in batches]
    return ((done, *future.result()) for done, future in futures)


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


def _derived_work(archive: Archive, everything: list[Original], shas: set[str] | None) -> list[Work]:
    """The work of every file of the record but the originals: what the listing says (a file
    missing behind its checksum, a stray, a leftover) and each checksummed file to hash."""
    root = str(archive.root)
    rel = lambda path: path[len(root) + 1:]  # noqa: E731 - paths are walked from the root
    known = {o.sha256 for o in everything}
    stored = {str(o.path) for o in everything}
    seen: set[str] = set()      # page folders holding their record
    work: list[Work] = []
    for folder, names, present in _record_folders(archive, shas):
        # A page folder's files all carry a checksum: asked once a folder, not once a file.
        page_folder = _is_page_folder(folder)
        page_owner = os.path.basename(os.path.dirname(folder))
        if PageFiles.RECORD in present:
            seen.add(folder)
        for name in names:
            path = f"{folder}/{name}"
            if name.startswith("."):
                if name.endswith(CHECKSUM_SUFFIX):  # a checksum: is its file there?
                    recorded = name[1:-len(CHECKSUM_SUFFIX)]
                    if recorded not in present:
                        work.append(Finding(rel(f"{folder}/{recorded}"), "missing", "derived",
                                            "có mã kiểm tra, không có tệp"))
                    continue
                if name.endswith(LEFTOVER_SUFFIXES):
                    work.append(Finding(rel(path), "leftover", "derived",
                                        "tệp tạm của một lần ghi bị ngắt"))
                    continue
            if path in stored or name in IGNORED:
                continue
            if not (page_folder and not name.startswith(".")) and not has_checksum(Path(path)):
                work.append(Finding(rel(path), "unexpected", "derived"))
                continue
            owner = page_owner if page_folder else _owner(folder, name)
            if owner is not None and owner not in known:
                work.append(Finding(rel(path), "unexpected", "derived", "không có bản gốc tương ứng"))
            else:
                work.append((path, None))
    for original in everything:
        if shas is not None and original.sha256 not in shas:
            continue
        for index in original.record.get("pages", []):
            page = archive.pages_dir / original.sha256 / f"{index:04d}" / PageFiles.RECORD
            if str(page.parent) not in seen and not checksum_path(page).exists():
                work.append(Finding(page.relative_to(archive.root).as_posix(), "missing",
                                    "derived", "trang của bản gốc"))
    return work


def _is_page_folder(folder: str) -> bool:
    """pages/<sha256>/<NNNN>: told by the folder's place, as has_checksum tells a file's (asking
    has_checksum of a page.json there would also say yes for editorial/, whose .json all carry one)."""
    pages = os.path.dirname(os.path.dirname(folder))
    return os.path.basename(pages) == "pages" and has_checksum(Path(folder, PageFiles.RECORD))


def _owner(folder: str, name: str) -> str | None:
    """The SHA-256 of the original a derived file belongs to (None for the catalogue)."""
    for part in (os.path.basename(os.path.dirname(folder)), os.path.splitext(name)[0]):
        if len(part) == 64:
            return part
    return None


# --- in the worker processes ------------------------------------------------------------------

def _check_batch(root: str, batch: list[Work]) -> tuple[int, list[Finding]]:
    """Bytes read and findings, in order, of a batch of work (run in a worker process: only
    these cross back, not a result per file)."""
    buffer = memoryview(bytearray(BLOCK))
    size, findings = 0, []
    for item in batch:
        if isinstance(item, Finding):
            findings.append(item)
            continue
        path, sha256 = item
        found, read = (_check_original(root, path, sha256, buffer) if sha256 is not None
                       else _check_derived(root, path, buffer))
        size += read
        if found is not None:
            findings.append(found)
    return size, findings


def _digest(path: str, buffer: memoryview) -> tuple[str, int]:
    """SHA-256 and size of what was read (one open: the size is that of the bytes hashed). Plain
    file descriptors: a file object costs more than hashing a page's text."""
    digest, size = hashlib.sha256(), 0
    handle = os.open(path, os.O_RDONLY)
    try:
        while count := os.readv(handle, [buffer]):
            digest.update(buffer[:count])
            size += count
    finally:
        os.close(handle)
    return digest.hexdigest(), size


def _check_original(root: str, path: str, sha256: str,
                    buffer: memoryview) -> tuple[Finding | None, int]:
    rel = path[len(root) + 1:]
    try:
        actual, size = _digest(path, buffer)
    except FileNotFoundError:
        return Finding(rel, "missing", "original"), 0
    except OSError as exc:
        return Finding(rel, "changed", "original", f"không đọc được: {exc.strerror}"), 0
    if actual != sha256:
        return Finding(rel, "changed", "original", f"SHA-256 là {actual}"), size
    return None, size


def _recorded(path: str) -> tuple[str, int] | None:
    """The (sha256, size) recorded beside ``path`` (:func:`luutru.archive.read_checksum`, one
    small read), None if none or unreadable."""
    folder, _, name = path.rpartition("/")
    try:
        handle = os.open(f"{folder}/.{name}{CHECKSUM_SUFFIX}", os.O_RDONLY)
        try:
            sha256, size = os.read(handle, 4096).decode("ascii").split()
        finally:
            os.close(handle)
        return sha256, int(size)
    except (OSError, ValueError, UnicodeDecodeError):
        return None


def _check_derived(root: str, path: str, buffer: memoryview) -> tuple[Finding | None, int]:
    def found(kind: str, detail: str = "") -> Finding:
        return Finding(path[len(root) + 1:], kind, "derived", detail)
    recorded = _recorded(path)
    try:
        actual, size = _digest(path, buffer)
    except OSError as exc:
        return found("changed", f"không đọc được: {exc.strerror}"), 0
    if recorded is None:
        return found("unrecorded" if _known(Path(path)) else "unexpected"), size
    if actual != recorded[0] or size != recorded[1]:
        return found("changed", f"{size} byte, SHA-256 {actual[:12]}…"), size
    return None, size


# Files the stages write, known without a checksum (an archive from before checksums); any other
# file without one is a stranger. A file with a checksum is checked whatever its name.
def _known(path: Path) -> bool:
    return PageFiles.holds(path.name) or path.parent.name != path.parent.parent.name and (
        path.parent.name in ("documents", "catalog", "editorial") or path.parent.parent.name == "originals")


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
    _copy_record(original, target)  # first: a whole original in the replica has its record beside it
    _checked_copy(original.path, target, original.sha256)
    return target


def _copy_record(original: Original, target: Path) -> None:
    """Copy an original's record beside its copy ``target`` in the replica."""
    target.parent.mkdir(parents=True, exist_ok=True)
    partial = target.with_name(f".{original.sha256}.json.partial")
    shutil.copyfile(original.path.with_name(f"{original.sha256}.json"), partial)
    atomic_move_into(partial, target.with_name(f"{original.sha256}.json"))


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
        if here_ok and there_ok and not there.with_name(f"{original.sha256}.json").exists():
            _copy_record(original, there)  # a copy made before records went first, then killed
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
