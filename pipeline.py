"""``luutru run``: every stage in order over one batch of scans.

Each stage reads what the previous one left in the archive and skips work already done, so running
the whole chain again after a crash or on a bigger batch only does what is missing.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from luutru.archive import Archive


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
        return 2 if self.ingest.quarantined or failed else 0

    def summary_text(self) -> str:
        parts = [self.ingest.summary_text()]
        parts += [report.summary_text() for report in self.stages.values()]
        return "\n".join(parts)


def run_all(archive: Archive, scans: Path, *, fonds: str | None = None, file: str | None = None,
            inventory: Path | None = None, jobs: int = 1, progress: bool = False) -> RunReport:
    """Ingest ``scans`` into ``archive``, then OCR, catalogue and index what is new."""
    from luutru.catalog import build_catalog
    from luutru.index import update_index
    from luutru.ingest import ingest_batch
    from luutru.ocr import ocr_archive

    report = RunReport(ingest_batch(archive, scans, fonds=fonds, file=file, inventory=inventory,
                                    progress=progress))
    report.stages["ocr"] = ocr_archive(archive, jobs=jobs, progress=progress)
    report.stages["catalog"] = build_catalog(archive, progress=progress)
    report.stages["index"] = update_index(archive, progress=progress)
    return report
