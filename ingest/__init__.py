"""Ingest: scanner output in, originals stored write-once, pages recorded, bad input quarantined.

Library API (the ``luutru ingest`` command is a thin layer over it)::

    report = ingest_batch(archive, Path("scans"), inventory=Path("inventory.csv"))
    report.to_json()  # {"ingested": [...], "duplicates": [...], "quarantined": [...], ...}
"""

from luutru.ingest.batch import IngestBusy, ScansInsideArchive, ingest_batch
from luutru.ingest.inventory import InventoryError
from luutru.ingest.report import Duplicate, IngestReport, Quarantined

__all__ = ["Duplicate", "IngestBusy", "IngestReport", "InventoryError", "Quarantined",
           "ScansInsideArchive", "ingest_batch"]
