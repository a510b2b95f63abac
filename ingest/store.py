"""Originals stored write-once under their SHA-256, and the records that say what they hold.

Every step is ordered so that a process killed at any instant leaves the archive safe to resume:
copy to a temporary file → verify the copy's hash → atomic rename to the final, read-only name →
page records → original record last. The original record's presence means "done"; a re-run of a
half-done file simply redoes the steps, each of which gives the same result again.
"""

from __future__ import annotations

import hashlib
import os
import stat
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from luutru.archive import (Archive, PageRef, atomic_move_into, read_json, remove_stale_temp_files,
                            sha256_file, write_json)
from luutru.ingest.sources import SourceFile
from luutru.pageimage import FileProbe
from luutru.errors import LuutruError

_CHUNK = 1 << 20
READ_ONLY = stat.S_IRUSR | stat.S_IRGRP | stat.S_IROTH


class CopyMismatch(LuutruError, OSError):
    """The copy's bytes differ from what was read (the source changed, or the disk lied)."""


def now_iso() -> str:
    return datetime.now(timezone.utc).replace(microsecond=0).isoformat().replace("+00:00", "Z")


def copy_and_hash(src: Path, work_dir: Path) -> tuple[Path, str]:
    """Stream ``src`` into ``work_dir``; return the copy and the SHA-256 of the bytes read."""
    digest = hashlib.sha256()
    copy = work_dir / "incoming"
    with open(src, "rb") as reader, open(copy, "wb") as writer:
        for chunk in iter(lambda: reader.read(_CHUNK), b""):
            digest.update(chunk)
            writer.write(chunk)
        writer.flush()
        os.fsync(writer.fileno())
    return copy, digest.hexdigest()


def verify_copy(copy: Path, sha256: str) -> None:
    actual = sha256_file(copy)
    if actual != sha256:
        raise CopyMismatch(f"copy of the file hashes to {actual}, expected {sha256}")


def store_original(archive: Archive, copy: Path, sha256: str, extension: str) -> Path:
    """Move the verified copy to its final name, read-only. A copy already there (from a killed
    run) has the same bytes, because it only got its name after being verified."""
    final = archive.original_path(sha256, extension)
    if final.exists():
        copy.unlink()
        return final
    os.chmod(copy, READ_ONLY)
    atomic_move_into(copy, final)
    return final


def write_if_changed(path: Path, record: dict[str, Any]) -> bool:
    """Write ``record`` unless the same is already there (so re-runs touch nothing)."""
    if path.exists():
        try:
            if read_json(path) == record:
                return False
        except ValueError:
            pass  # a damaged record is rewritten
    write_json(path, record)
    return True


def write_page_records(archive: Archive, sha256: str, probe: FileProbe, source: SourceFile) -> int:
    """One ``page.json`` per good page; returns how many pages were new."""
    added = 0
    for page in probe.pages:
        record = {
            "original": sha256, "index": page.index, "page_count": probe.page_count,
            "source": source.rel, "fonds": source.fonds, "file": source.file,
            "width": page.width, "height": page.height, "dpi": page.dpi,
            "dpi_estimated": page.dpi_estimated, "mode": page.mode, "format": probe.format,
            "has_text": page.index in probe.text_pages,
        }
        path = archive.page_files(PageRef(sha256, page.index)).record
        remove_stale_temp_files(path)
        existed = path.exists()
        write_if_changed(path, record)
        added += not existed
    return added


def write_original_record(archive: Archive, sha256: str, probe: FileProbe, size: int,
                          stored: Path, source: SourceFile) -> None:
    record = {
        "sha256": sha256, "format": probe.format, "media_type": probe.media_type, "size": size,
        "stored_as": stored.name, "page_count": probe.page_count,
        "pages": [page.index for page in probe.pages],
        "bad_pages": [{"index": index, "reason": reason, "message": message}
                      for index, reason, message in probe.bad_pages],
        "has_text": probe.has_text, "source": source.as_record(), "also_seen_as": [],
        "ingested_at": now_iso(),
    }
    remove_stale_temp_files(archive.original_record_path(sha256))
    write_json(archive.original_record_path(sha256), record)


def note_also_seen(archive: Archive, sha256: str, source: SourceFile) -> tuple[str, bool]:
    """Remember another name the same bytes arrived under.

    Returns the first path they were ingested as, and whether ``source`` is that very path
    (a re-run of the same batch, not a duplicate).
    """
    path = archive.original_record_path(sha256)
    record = read_json(path)
    first = record["source"]["path"]
    if source.rel == first:
        return first, True
    if source.rel not in record["also_seen_as"]:
        record["also_seen_as"] = [*record["also_seen_as"], source.rel]
        remove_stale_temp_files(path)
        write_json(path, record)
    return first, False
