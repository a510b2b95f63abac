"""Input that could not be ingested, kept for a person with a machine-readable reason.

``quarantine/<key>/`` holds the file's bytes under its own name (shortened to
:data:`MAX_NAME_BYTES` when longer, control characters escaped: the full name is in
``reason.json``'s ``paths``) and ``reason.json`` (written last,
so its presence means the entry is complete). ``<key>`` is the SHA-256 of the bytes, so the same
bad file arriving twice is one entry listing both paths; a file that could not even be read is
keyed by its path instead.
"""

from __future__ import annotations

import hashlib
import os
import shutil
from pathlib import Path
from typing import Any

from luutru.archive import (Archive, atomic_move_into, read_json, remove_stale_temp_files,
                            write_json)
from luutru.ingest.sources import SourceFile, escape_controls
from luutru.ingest.store import READ_ONLY, now_iso

REASON_FILE = Archive.QUARANTINE_REASON
# File systems allow 255 bytes per name, and the copy is first written as ``.<name>.partial``: a
# scanner's 250-byte name must not stop the batch with ENAMETOOLONG at every re-run.
MAX_NAME_BYTES = 120


def entry_dir(archive: Archive, sha256: str | None, source: SourceFile) -> Path:
    key = sha256 or "unreadable-" + hashlib.sha256(source.rel.encode("utf-8")).hexdigest()[:32]
    return archive.quarantine_dir / key


def quarantine(archive: Archive, source: SourceFile, reason: str, message: str, *,
               sha256: str | None = None, data: Path | None = None, move: bool = True,
               bad_pages: list[int] | None = None) -> Path:
    """Record ``source`` in quarantine; ``data`` (moved if ``move``, else copied) are its bytes."""
    directory = entry_dir(archive, sha256, source)
    reason_path = directory / REASON_FILE
    record = _existing(reason_path)
    if record is None:
        stored = _keep_bytes(directory, source.path.name, data, move) if data else None
        record = {"sha256": sha256, "reason": reason, "message": message,
                  "bad_pages": bad_pages or [], "stored_as": stored,
                  "paths": [], "quarantined_at": now_iso()}
    elif data is not None and move:
        data.unlink(missing_ok=True)
    if source.as_record() not in record["paths"]:
        record["paths"] = [*record["paths"], source.as_record()]
        remove_stale_temp_files(reason_path)
        write_json(reason_path, record)
    return directory


def _existing(reason_path: Path) -> dict[str, Any] | None:
    try:
        return read_json(reason_path)
    except (OSError, ValueError):
        return None


def _keep_bytes(directory: Path, name: str, data: Path, move: bool) -> str:
    """The bad file's bytes, under its own name, read-only like an original: they are evidence."""
    target = directory / (short_name(name) if name not in ("", REASON_FILE) else "file.bin")
    if not move:
        directory.mkdir(parents=True, exist_ok=True)
        partial = directory / f".{target.name}.partial"
        shutil.copyfile(data, partial)
        data = partial
    os.chmod(data, READ_ONLY)
    atomic_move_into(data, target)
    return target.name



def short_name(name: str, limit: int = MAX_NAME_BYTES) -> str:
    """``name`` with control characters escaped, cut to ``limit`` UTF-8 bytes: the start of the
    stem, a hash of the whole name (two long names never collide) and the extension."""
    name = escape_controls(name)
    if len(name.encode("utf-8")) <= limit:
        return name
    path = Path(name)
    suffix = path.suffix if len(path.suffix.encode("utf-8")) <= 16 else ""
    tag = "~" + hashlib.sha256(name.encode("utf-8")).hexdigest()[:12]
    room = limit - len(tag.encode("utf-8")) - len(suffix.encode("utf-8"))
    stem = path.stem if suffix else name
    cut = stem.encode("utf-8")[:room].decode("utf-8", errors="ignore")
    return cut + tag + suffix
