"""One ingest batch: every file under SCANS stored once, or quarantined with its reason.

A batch never stops for a bad file and never loses one: each file ends as ingested, already
ingested (a re-run), a duplicate of stored bytes, or a quarantine entry. Only a failure of the
archive itself (disk full, permissions) stops it, because then nothing more can be kept safely.
"""

from __future__ import annotations

import dataclasses
import fcntl
import shutil
import tempfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

from tqdm import tqdm

from luutru.archive import Archive, PageRef, read_json, sha256_file
from luutru.ingest import quarantine as quarantine_mod
from luutru.ingest.inventory import store_inventory, unlisted_warnings
from luutru.ingest.report import Duplicate, IngestReport, Quarantined
from luutru.ingest.sources import SourceFile, discover
from luutru.ingest.store import (copy_and_hash, note_also_seen, store_original,
                                 verify_copy, write_original_record, write_page_records)
from luutru.preserve.fixity import replicate
from luutru.pageimage import DEFAULT_MAX_PIXELS, BadInput, FileProbe, probe
from luutru.errors import LuutruError

KNOWN_EXTENSIONS = {"tiff": {".tif", ".tiff"}, "jpeg": {".jpg", ".jpeg", ".jpe", ".jfif"},
                    "png": {".png"}, "pdf": {".pdf"}}
WORK_PREFIX = "ingest-"
# The shortest side of a page worth keeping: a scan of a 5 cm stamp at 50 dpi still has 100 px;
# a 1×1 or 16×16 image is a thumbnail, an icon or a broken export, not a page.
MIN_PAGE_SIDE = 100
SOURCE_CHANGED = ("Tệp thay đổi trong khi đang đọc (máy quét còn đang ghi?); tệp vẫn ở chỗ cũ, "
                  "hãy chạy lại lệnh nhập sau.")


class IngestBusy(LuutruError, RuntimeError):
    """Another ingest is writing to this archive."""


class ScansInsideArchive(ValueError):
    """SCANS is (inside) the archive: ingest never reads the archive's own files."""


def ingest_batch(archive: Archive, scans: Path, fonds: str | None = None, file: str | None = None,
                 inventory: Path | None = None, progress: bool = False,
                 max_pixels: int = DEFAULT_MAX_PIXELS,
                 on_stored: Callable[[str], None] | None = None,
                 replica: Path | None = None) -> IngestReport:
    """Ingest every file under ``scans`` (or ``scans`` itself if it is a file).

    Fonds and file come from ``fonds``/``file`` if given, else from the folder levels under
    ``scans``: ``<fonds>/<file>/...``; with only ``fonds`` given, the first level is the file.
    ``on_stored(sha256)`` is called as soon as an original and its page records are in the
    archive (stored now, or found there already), so a caller can start on its pages while the
    batch goes on. With ``replica`` (a second disk), each original is also copied there,
    checked by its hash (see :mod:`luutru.preserve.fixity`).
    """
    report = IngestReport()
    _refuse_archive_as_source(archive, Path(scans))
    with _ingest_lock(archive):
        listed = store_inventory(archive, inventory) if inventory is not None else None
        sources, report.skipped, report.problems = discover(Path(scans), fonds, file,
                                                            exclude=archive.root)
        work_dir = Path(tempfile.mkdtemp(prefix=WORK_PREFIX, dir=archive.tmp_dir))
        try:
            for source in tqdm(sources, desc="ingest", unit="file", disable=not progress):
                sha = _ingest_one(archive, source, work_dir, report, max_pixels)
                if sha is not None and replica is not None:
                    replicate(archive, sha, replica)
                if sha is not None and on_stored is not None:
                    on_stored(sha)
        finally:
            shutil.rmtree(work_dir, ignore_errors=True)
    report.warnings.extend(_unplaced_warning(sources))
    if listed is not None:
        report.inventory = listed.sha256
        report.warnings.extend(unlisted_warnings(listed, {(s.fonds, s.file) for s in sources}))
    return report


def _refuse_archive_as_source(archive: Archive, scans: Path) -> None:
    """``luutru ingest ARCHIVE/access`` would copy the session key into the archive's quarantine,
    readable; nothing inside the archive is ever a scan."""
    root, source = archive.root.resolve(), scans.resolve()
    if source == root or root in source.parents:
        raise ScansInsideArchive(f"{scans} nằm trong kho lưu trữ {archive.root}: không nhập tệp của "
                                 "chính kho lưu trữ.")


def _unplaced_warning(sources: list[SourceFile]) -> list[str]:
    """Files with no fonds or no file code are stored all the same, but cannot be catalogued
    until someone says where they belong."""
    unplaced = [s.rel for s in sources if s.fonds is None or s.file is None]
    if not unplaced:
        return []
    return [f"{len(unplaced)} tệp chưa rõ phông hoặc hồ sơ (ví dụ {unplaced[0]}): hãy đặt chúng trong "
            f"SCANS/<phông>/<hồ sơ>/ hoặc dùng --fonds/--file."]


@contextmanager
def _ingest_lock(archive: Archive) -> Iterator[None]:
    """One ingest per archive at a time; the lock dies with its process, even on ``kill -9``,
    and whoever holds it may sweep the scratch files a killed run left behind."""
    archive.initialise()
    with open(archive.tmp_dir / "ingest.lock", "w") as lock:
        try:
            fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError as exc:
            raise IngestBusy(f"another ingest is running on {archive.root}") from exc
        for stale in archive.tmp_dir.glob(f"{WORK_PREFIX}*"):
            shutil.rmtree(stale, ignore_errors=True)
        yield


def _ingest_one(archive: Archive, source: SourceFile, work_dir: Path, report: IngestReport,
                max_pixels: int) -> str | None:
    """Hash first, so bytes already in the archive (a re-run, a duplicate) are never copied.

    Returns the SHA-256 of the original in the archive, None when nothing was stored.
    """
    try:
        sha = sha256_file(source.path)
    except OSError as exc:
        _quarantine(archive, report, source, "unreadable-file",
                    f"Không đọc được tệp ({exc.strerror or exc}).")
        return None
    if archive.original_record_path(sha).exists():
        _seen_again(archive, source, sha, report)
        _repair_page_records(archive, sha, source, max_pixels)
        return sha
    if (entry := _quarantined_before(archive, sha)) is not None:
        _quarantine(archive, report, source, entry["reason"], entry["message"], sha=sha)
        return None
    copy = _verified_copy(source, sha, work_dir)
    if copy is None:
        report.quarantined.append(Quarantined(source.rel, "source-changed", SOURCE_CHANGED, sha))
        return None
    try:
        found = _without_tiny_pages(_probe(copy, max_pixels))
    except BadInput as exc:
        _quarantine(archive, report, source, exc.reason, exc.message, sha=sha, data=copy)
        return None
    _warn_on_extension(source, found, report)
    stored = store_original(archive, copy, sha, found.extension)
    report.pages_added += write_page_records(archive, sha, found, source)
    write_original_record(archive, sha, found, stored.stat().st_size, stored, source)
    report.ingested.append(source.rel)
    report.originals_added += 1
    _report_bad_pages(archive, source, sha, stored, found.bad_pages, report)
    return sha


def _repair_page_records(archive: Archive, sha: str, source: SourceFile, max_pixels: int) -> None:
    """A known original whose ``page.json`` files were lost or truncated (a crash, a bad disk):
    read the stored original again and write them, so its pages can be catalogued again (until
    then every stage treats them as closed)."""
    try:
        listed = archive.original_record(sha).get("pages") or ()
    except (OSError, ValueError, AttributeError):
        return
    if all(archive.page_record_or_none(PageRef(sha, int(i))) is not None for i in listed):
        return
    try:
        write_page_records(archive, sha, _probe(archive.stored_original(sha), max_pixels), source)
    except (BadInput, OSError, ValueError, KeyError):
        pass  # the original itself is damaged: `luutru status` keeps reporting its pages


def _verified_copy(source: SourceFile, sha: str, work_dir: Path) -> Path | None:
    """Copy into the archive's scratch space and check the copy's own hash (a failing disk is
    caught here, and stops the batch); None if the source changed since it was hashed (a scanner
    still writing it): it stays where it is for the next run."""
    copy, read_sha = copy_and_hash(source.path, work_dir)
    if read_sha != sha:
        copy.unlink()
        return None
    verify_copy(copy, sha)
    return copy


def _probe(copy: Path, max_pixels: int) -> FileProbe:
    """Probe the verified copy (what is stored is what was checked); any decoder failure is the
    file's fault, never a traceback."""
    try:
        return probe(copy, max_pixels)
    except BadInput:
        raise
    except Exception as exc:  # noqa: BLE001 - third-party decoders raise anything on bad data
        raise BadInput("corrupt-image",
                       f"Tệp hỏng, không đọc được ({type(exc).__name__}: {exc}).") from exc


def probe_original(path: Path, max_pixels: int = DEFAULT_MAX_PIXELS) -> FileProbe:
    """The pages of a stored original as ingest saw them (``luutru repair`` rebuilds page
    records from this)."""
    return _without_tiny_pages(_probe(path, max_pixels))


def _without_tiny_pages(found: FileProbe) -> FileProbe:
    """Pages too small to be a scan become bad pages; a file with no other page is bad input."""
    tiny = [page for page in found.pages if min(page.width, page.height) < MIN_PAGE_SIDE]
    if not tiny:
        return found
    messages = [(page.index, "image-too-small",
                 f"Trang {page.index} chỉ {page.width}×{page.height} điểm ảnh: quá nhỏ để là một "
                 f"trang quét (tối thiểu {MIN_PAGE_SIDE} điểm ảnh mỗi cạnh).") for page in tiny]
    pages = [page for page in found.pages if page not in tiny]
    if not pages:
        raise BadInput("image-too-small", "; ".join(message for _, _, message in messages))
    return dataclasses.replace(found, pages=pages, bad_pages=sorted(found.bad_pages + messages))


def _seen_again(archive: Archive, source: SourceFile, sha: str, report: IngestReport) -> None:
    first, same_path = note_also_seen(archive, sha, source)
    if same_path:
        report.already_ingested.append(source.rel)
    else:
        report.duplicates.append(Duplicate(source.rel, sha, first))
    bad = archive.original_record(sha).get("bad_pages", [])
    if bad:
        _report_bad_pages(archive, source, sha, archive.stored_original(sha),
                          [(b["index"], b["reason"], b["message"]) for b in bad], report)


def _quarantined_before(archive: Archive, sha: str) -> dict | None:
    path = archive.quarantine_dir / sha / quarantine_mod.REASON_FILE
    return read_json(path) if path.exists() else None


def _quarantine(archive: Archive, report: IngestReport, source: SourceFile, reason: str,
                message: str, sha: str | None = None, data: Path | None = None) -> None:
    quarantine_mod.quarantine(archive, source, reason, message, sha256=sha, data=data)
    report.quarantined.append(Quarantined(source.rel, reason, message, sha))


def _report_bad_pages(archive: Archive, source: SourceFile, sha: str, stored: Path,
                      bad_pages: list[tuple[int, str, str]], report: IngestReport) -> None:
    """The good pages are in; the file also goes to quarantine so a person sees the bad ones."""
    if not bad_pages:
        return
    indices = [index for index, _, _ in bad_pages]
    message = "; ".join(message for _, _, message in bad_pages)
    quarantine_mod.quarantine(archive, source, "bad-page", message, sha256=sha, data=stored,
                              move=False, bad_pages=indices)
    report.quarantined.append(Quarantined(source.rel, "bad-page", message, sha, indices))


def _warn_on_extension(source: SourceFile, found: FileProbe, report: IngestReport) -> None:
    suffix = source.path.suffix.lower()
    if suffix not in KNOWN_EXTENSIONS[found.format]:
        report.warnings.append(f"{source.rel}: đuôi tệp '{suffix}' nhưng nội dung là "
                               f"{found.format.upper()}; đã nhập theo nội dung.")
