"""``build_volume``: a spec in, a PDF and a DOCX out, and a report of what went in and what did not.

Both files are written atomically next to each other (``<slug>.pdf``, ``<slug>.docx``): a reader of
the output directory sees the old volume or the new one, never half a file.
"""

from __future__ import annotations

import re
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from luutru.archive import Archive, atomic_write_bytes
from luutru.access import parse_clearance
from luutru.textnorm import fold
from luutru.volume.content import volume_content
from luutru.volume.pdf import render_pdf
from luutru.volume.select import CLASSIFIED, REASONS, select_items
from luutru.volume.spec import VolumeSpec
from luutru.volume.word import render_docx
from luutru.errors import LuutruError

SLUG_LENGTH = 80
LEFT_OUT = "không đưa vào tập"  # the summary's line of documents left out


class EmptyVolumeError(LuutruError, ValueError):
    """The selection holds no document the builder may see: there is nothing to set."""


def slugify(title: str) -> str:
    """A file name from the title: "Văn kiện Đảng bộ" → ``van-kien-dang-bo``."""
    slug = re.sub(r"[^a-z0-9]+", "-", fold(title)).strip("-")
    return slug[:SLUG_LENGTH].rstrip("-") or "tap-van-kien"


@dataclass
class VolumeReport:
    """What ``luutru volume build`` did: the files, the documents, and what was left out and why."""

    title: str
    outputs: list[str] = field(default_factory=list)
    documents: int = 0
    pages: int | None = None
    left_out: dict[str, int] = field(default_factory=dict)
    left_out_ids: dict[str, list[str]] = field(default_factory=dict)
    notices: list[str] = field(default_factory=list)
    needs_review: int = 0
    unreadable_passages: int = 0
    doubtful_readings: int = 0
    proofread_documents: int = 0
    # Per document not wholly proofread: its number, id, heading, sheets still machine-read, and
    # the marks printed in it.
    unproofread: list[dict[str, Any]] = field(default_factory=list)
    seconds: float = 0.0
    exit_code: int = 0

    def to_json(self) -> dict[str, Any]:
        data = dict(self.__dict__)
        data["left_out_reasons"] = {key: REASONS[key] for key in self.left_out}
        return data

    def summary_text(self) -> str:
        """For the editor (in Vietnamese, as the other stages' summaries)."""
        lines = [f"Tập văn kiện “{self.title}”: {self.documents} văn bản"
                 + (f", {self.pages} trang" if self.pages else "") + f" ({self.seconds:.1f} giây)"]
        lines += [f"  đã ghi {path}" for path in self.outputs]
        for notice in self.notices:
            lines.append(f"  {notice}")
        if self.needs_review or self.unreadable_passages or self.doubtful_readings:
            lines.append(f"  cần kiểm tra: {self.needs_review} văn bản trong phụ lục, "
                         f"{self.unreadable_passages} đoạn không đọc được và "
                         f"{self.doubtful_readings} chỗ máy đọc không chắc chắn, đã đánh dấu")
        lines.append(f"  đã biên tập: {self.proofread_documents}/{self.documents} văn bản"
                     + (f"; chưa biên tập: {len(self.unproofread)}" if self.unproofread else ""))
        for row in self.unproofread[:20]:
            lines.append(f"    {row['number']}. {row['heading']} ({row['item_id']}): tờ "
                         f"{', '.join(map(str, row['sheets']))} chưa đối chiếu; "
                         f"{row['doubtful']} chỗ không chắc chắn, {row['unreadable']} đoạn không đọc được")
        if len(self.unproofread) > 20:
            lines.append(f"    … và {len(self.unproofread) - 20} văn bản nữa (xem --json)")
        total = sum(self.left_out.values())
        lines.append(f"  {LEFT_OUT}: {total} văn bản" if total else f"  {LEFT_OUT}: không có")
        for reason, count in self.left_out.items():
            ids = self.left_out_ids.get(reason) or []
            shown = f": {', '.join(ids[:10])}{' …' if len(ids) > 10 else ''}" if ids else ""
            lines.append(f"    {count} — {REASONS[reason]}{shown}")
        return "\n".join(lines)


def _say(message: str, progress: bool) -> None:
    if progress:
        print(message, file=sys.stderr, flush=True)


def _nothing_selected(report: VolumeReport, query_hits: int | None) -> str:
    lines = [line.strip() for line in report.summary_text().splitlines()[1:]]
    why = [line for line in lines if not line.startswith(f"{LEFT_OUT}:")]
    if query_hits == 0:
        why.append("truy vấn không tìm thấy văn bản nào "
                   "(kho đã có chỉ mục chưa? chạy `luutru index`)")
    return ("không chọn được văn bản nào mà quyền tiếp cận này được xem"
            + (": " + "; ".join(why) if why else ""))


def build_volume(archive: Archive, spec: VolumeSpec, out_dir: Path | str,
                 clearance: int | str = 0, progress: bool = False) -> VolumeReport:
    """Select, set and write the volume ``spec`` asks for, as a builder with ``clearance`` sees it.

    ``progress``: tell a person at a terminal how far it got (stderr); laying out the PDF is the
    long part (about a third of a second per page).
    """
    started = time.monotonic()
    level = parse_clearance(clearance)
    selection = select_items(archive, spec, level)
    report = VolumeReport(title=spec.title, left_out=selection.left_out_counts(),
                          left_out_ids={k: v for k, v in selection.left_out.items() if k != CLASSIFIED})
    if not selection.items:
        raise EmptyVolumeError(_nothing_selected(report, selection.query_hits))
    content = volume_content(archive, spec, selection, progress)
    out_dir = Path(out_dir)
    slug = slugify(spec.title)
    if "pdf" in spec.formats:
        _say(f"volume: laying out the PDF of {len(content.documents)} văn bản …", progress)
        data, report.pages = render_pdf(content)
        atomic_write_bytes(out_dir / f"{slug}.pdf", data)
        report.outputs.append(str(out_dir / f"{slug}.pdf"))
    if "docx" in spec.formats:
        _say("volume: writing the DOCX …", progress)
        atomic_write_bytes(out_dir / f"{slug}.docx", render_docx(content))
        report.outputs.append(str(out_dir / f"{slug}.docx"))
    report.documents = len(content.documents)
    report.notices = content.notices
    report.needs_review = len(content.review)
    report.unreadable_passages = sum(doc.unreadable for doc in content.documents)
    report.doubtful_readings = sum(doc.doubtful for doc in content.documents)
    report.proofread_documents = sum(doc.proofread for doc in content.documents)
    report.unproofread = [{"number": doc.number, "item_id": doc.item_id, "heading": doc.heading,
                           "sheets": doc.unproofread_sheets, "doubtful": doc.doubtful,
                           "unreadable": doc.unreadable}
                          for doc in content.documents if not doc.proofread]
    report.seconds = round(time.monotonic() - started, 2)
    return report
