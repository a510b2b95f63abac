"""What one ingest batch did: the summary a person reads and a script parses."""

from __future__ import annotations

from collections import Counter
from dataclasses import asdict, dataclass, field
from typing import Any

from luutru.ingest.sources import Problem


@dataclass
class Quarantined:
    path: str
    reason: str
    message: str
    sha256: str | None = None
    bad_pages: list[int] = field(default_factory=list)


@dataclass
class Duplicate:
    path: str
    duplicate_of: str
    first_path: str | None = None


@dataclass
class IngestReport:
    """Paths are relative to the SCANS folder given, as the scanner station wrote them."""

    ingested: list[str] = field(default_factory=list)
    already_ingested: list[str] = field(default_factory=list)
    duplicates: list[Duplicate] = field(default_factory=list)
    quarantined: list[Quarantined] = field(default_factory=list)
    skipped: list[dict[str, str]] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    originals_added: int = 0
    pages_added: int = 0
    inventory: str | None = None

    @property
    def ok(self) -> bool:
        """False when anything went to quarantine or needs a person (the command then exits 2)."""
        return not self.quarantined and not self.problems

    def quarantine_reasons(self) -> dict[str, int]:
        return dict(Counter(entry.reason for entry in self.quarantined))

    def to_json(self) -> dict[str, Any]:
        return {
            "ingested": list(self.ingested),
            "already_ingested": list(self.already_ingested),
            "duplicates": [asdict(entry) for entry in self.duplicates],
            "quarantined": [asdict(entry) for entry in self.quarantined],
            "quarantine_reasons": self.quarantine_reasons(),
            "skipped": [dict(entry) for entry in self.skipped],
            "problems": [asdict(entry) for entry in self.problems],
            "warnings": list(self.warnings),
            "originals_added": self.originals_added,
            "pages_added": self.pages_added,
            "inventory": self.inventory,
        }

    def summary_text(self) -> str:
        return "\n".join(self.summary_lines())

    def summary_lines(self) -> list[str]:
        """The summary in Vietnamese, for the archivist at the terminal."""
        lines = [f"Đã nhập: {len(self.ingested)} tệp mới ({self.pages_added} trang); "
                 f"đã có từ trước: {len(self.already_ingested)}; "
                 f"trùng lặp: {len(self.duplicates)}; cách ly: {len(self.quarantined)}; "
                 f"cần xem: {len(self.problems)}."]
        for dup in self.duplicates:
            lines.append(f"  trùng  {dup.path}  = {dup.first_path or dup.duplicate_of}")
        for entry in self.quarantined:
            lines.append(f"  cách ly [{entry.reason}]  {entry.path}: {entry.message}")
        for problem in self.problems:
            lines.append(f"  cần xem [{problem.reason}]  {problem.path}: {problem.message}")
        for entry in self.skipped:
            lines.append(f"  bỏ qua [{entry['reason']}]  {entry['path']}")
        lines.extend(f"  cảnh báo: {warning}" for warning in self.warnings)
        return lines
