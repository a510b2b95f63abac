"""Archivists' inventories for tests: the hồ sơ a test opens (or restricts) on purpose.

Under the default ``review-first`` access policy nothing is open to a reader without clearance
until an archivist or the inventory opens it (schemas/CATALOG.md, "Access"), so a test that reads
public documents says which hồ sơ the archivist opened, as a real archive's inventory does.
"""

from __future__ import annotations

from luutru.archive import Archive
from luutru.catalog.inventory import InventoryRow, store_inventory


def write_inventory(archive: Archive, access: dict[tuple[str, str], str | None],
                    policy: str | None = None, name: str = "tests.csv") -> None:
    """Store an inventory giving each (fonds, file) its ``access`` (Công khai, Hạn chế, None)
    and, when given, every row's fonds the access ``policy``."""
    rows = [InventoryRow(line, fonds, None, file, None, None, None, None, None, None,
                         value, policy)
            for line, ((fonds, file), value) in enumerate(sorted(access.items()), start=2)]
    store_inventory(archive, rows, name)
