"""``luutru run``: every stage in order over one batch of scans.

Each stage reads what the previous one left in the archive and skips work already done, so running
the whole chain again after a crash or on a bigger batch only does what is missing.
"""

from __future__ import annotations

import queue
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from luutru.archive import Archive, PageRef


@dataclass
class RunReport:
    """What each stage reported; the ingest keys are kept at the top level for scripts."""

    ingest: Any
    stages: dict[str, Any] = field(default_factory=dict)

    def to_json(self) -> dict[str, Any]:
        summary = dict(self.ingest.to_json())
        for name, report in self.stages.items():
            summary[name] = report.to_json()
        return summary

    @property
    def exit_code(self) -> int:
        """2 when anything needs a person (quarantined input, pages that failed), else 0."""
        failed = [report for report in self.stages.values() if getattr(report, "exit_code", 0)]
        return 2 if not self.ingest.ok or failed else 0

    def summary_text(self) -> str:
        parts = [self.ingest.summary_text()]
        parts += [report.summary_text() for report in self.stages.values()]
        return "\n".join(parts)


def run_all(archive: Archive, scans: Path, *, fonds: str | None = None, file: str | None = None,
            inventory: Path | None = None, jobs: int = 1, progress: bool = False,
            replica: Path | None = None, executor: Any = None) -> RunReport:
    """Ingest ``scans`` into ``archive``, then OCR, catalogue and index what is new.

    OCR does not wait for the whole batch: the ingest runs in a thread and each original's pages
    go to the OCR workers as soon as it is stored, so the workers start (and load their model)
    while the rest is still being copied and checked. Pages left unread by an earlier run are
    read after the batch's own. ``executor``: who reads the pages (``ocr_archive``'s argument;
    by default this machine's ``jobs`` processes).
    """
    from luutru.catalog import build_catalog
    from luutru.index import update_index
    from luutru.ocr import ocr_archive
    from luutru.ocr.models import DEFAULT_MODEL, locate

    locate(DEFAULT_MODEL)            # a missing model stops the run before anything is stored
    with _IngestThread(archive, scans, fonds=fonds, file=file, inventory=inventory,
                       replica=replica) as ingest:
        ocr_report = ocr_archive(archive, jobs=jobs, progress=progress,
                                 pages=ingest.pages_then_the_rest(), executor=executor)
    report = RunReport(ingest.report)
    report.stages["ocr"] = ocr_report
    report.stages["catalog"] = build_catalog(archive, progress=progress)
    report.stages["index"] = update_index(archive, progress=progress)
    return report


class _IngestThread:
    """An ingest batch running beside the caller, handing over each original as it is stored."""

    def __init__(self, archive: Archive, scans: Path, **options: Any):
        self.archive = archive
        self.stored: queue.Queue[str | None] = queue.Queue()
        self.report: Any = None
        self.error: BaseException | None = None
        self.thread = threading.Thread(target=self._ingest, args=(scans,), kwargs=options,
                                       name="luutru-ingest", daemon=True)

    def _ingest(self, scans: Path, **options: Any) -> None:
        from luutru.ingest import ingest_batch

        try:
            self.report = ingest_batch(self.archive, scans, on_stored=self.stored.put, **options)
        except BaseException as error:  # noqa: BLE001 — raised again in the caller's thread
            self.error = error
        finally:
            self.stored.put(None)

    def __enter__(self) -> "_IngestThread":
        self.thread.start()
        return self

    def __exit__(self, kind: type | None, *_: Any) -> None:
        if kind is not KeyboardInterrupt:    # let the batch finish; Ctrl+C stops at once
            self.thread.join()
        if kind is None and self.error is not None:
            raise self.error

    def pages_then_the_rest(self) -> Iterator[PageRef]:
        """The batch's pages as their originals are stored, then any other page of the archive
        (an earlier run's, if it was stopped); each page once."""
        given: set[PageRef] = set()
        while (sha := self.stored.get()) is not None:
            for ref in self.archive.iter_page_refs(sha):
                if ref not in given:
                    given.add(ref)
                    yield ref
        self.thread.join()
        if self.error is not None:
            raise self.error
        yield from (ref for ref in self.archive.iter_page_refs() if ref not in given)
