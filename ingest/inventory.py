"""The archivist's file inventory (mục lục hồ sơ), kept write-once as archivist input.

The catalog stage reads it from ``inputs/inventories/<sha256>.csv``; ingest only stores it and
warns about scanned fonds and files the inventory does not list (a typo in a folder name, or a
hồ sơ scanned before it was described).
"""

from __future__ import annotations

import csv
import hashlib
import io
import os
from dataclasses import dataclass
from pathlib import Path

from luutru.archive import Archive, atomic_write_bytes, remove_stale_temp_files, write_json
from luutru.ingest.store import READ_ONLY, now_iso
from luutru.errors import LuutruError

REQUIRED_COLUMNS = ("fonds_code", "file_code")


class InventoryError(LuutruError, ValueError):
    """The inventory cannot be used; nothing of the batch is ingested."""


@dataclass(frozen=True)
class Inventory:
    sha256: str
    stored: Path
    files: frozenset[tuple[str, str]]

    @property
    def fonds(self) -> frozenset[str]:
        return frozenset(fonds for fonds, _ in self.files)


def read_inventory(path: Path) -> tuple[bytes, frozenset[tuple[str, str]]]:
    try:
        data = Path(path).read_bytes()
        text = data.decode("utf-8-sig")
    except OSError as exc:
        raise InventoryError(f"Không đọc được mục lục {path}: {exc.strerror or exc}") from exc
    except UnicodeDecodeError as exc:
        raise InventoryError(f"Mục lục {path} không phải UTF-8.") from exc
    reader = csv.DictReader(io.StringIO(text))
    missing = [column for column in REQUIRED_COLUMNS if column not in (reader.fieldnames or [])]
    if missing:
        raise InventoryError(f"Mục lục {path} thiếu cột: {', '.join(missing)}.")
    files = frozenset((row["fonds_code"].strip(), row["file_code"].strip())
                      for row in reader if row.get("fonds_code") and row.get("file_code"))
    return data, files


def store_inventory(archive: Archive, path: Path) -> Inventory:
    """Keep the inventory's exact bytes, read-only, named by their hash (same file, one copy)."""
    data, files = read_inventory(path)
    sha = hashlib.sha256(data).hexdigest()
    stored = archive.inventories_dir / f"{sha}.csv"
    if not stored.exists():
        remove_stale_temp_files(stored)
        remove_stale_temp_files(stored.with_suffix(".json"))
        write_json(stored.with_suffix(".json"), {"sha256": sha, "received_as": Path(path).name,
                                                 "received_at": now_iso(), "rows": len(files)})
        atomic_write_bytes(stored, data)
        os.chmod(stored, READ_ONLY)
    return Inventory(sha, stored, files)


def unlisted_warnings(inventory: Inventory, seen: set[tuple[str | None, str | None]]) -> list[str]:
    """One warning per scanned fonds or (fonds, file) the inventory does not know."""
    warnings = []
    for fonds, file in sorted(seen, key=lambda pair: (pair[0] or "", pair[1] or "")):
        if fonds is None:
            continue
        if file is None and fonds not in inventory.fonds:
            warnings.append(f"Phông {fonds} không có trong mục lục hồ sơ.")
        elif file is not None and (fonds, file) not in inventory.files:
            warnings.append(f"Hồ sơ {fonds}/{file} không có trong mục lục hồ sơ.")
    return warnings
