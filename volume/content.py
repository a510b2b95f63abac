"""What a volume says, independent of PDF or DOCX: front matter, each document set out, the appendix.

Each document is set as published Party document collections set it: the type and number as its
heading ("NGHỊ QUYẾT số 13-NQ/TU"), place and date, the trích yếu, the body rebuilt from OCR, the
signature, and the archival source note ("Lưu tại …, Phông số …, Hồ sơ số …, tờ …"). The heading
comes from the catalogue, never from OCR text, so a corrected field corrects the volume.
"""

from __future__ import annotations

import datetime as dt
import re
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from luutru.archive import Archive
from luutru.catalog.model import ITEM_FIELDS
from luutru.access import DO_MAT_LEVEL, secrecy_level
from luutru.volume.select import Selection
from luutru.volume.spec import VolumeSpec
from luutru.volume.text import Paragraph, document_text, sheet_numbers

FOREWORD_PLACEHOLDER = "[Lời giới thiệu của Ban biên tập — phần này để trống, sẽ soạn sau.]"
APPENDIX_TITLE = "Phụ lục: văn bản cần kiểm tra"
SECRET_NOTICE = ("Tập này có tài liệu mật ({counts}) — chỉ lưu hành nội bộ theo quy định bảo vệ "
                 "bí mật nhà nước.")
RESTRICTED_NOTICE = ("Tập này có văn bản thuộc hồ sơ hạn chế tiếp cận ({count} văn bản) — chỉ sử "
                     "dụng theo quy định về tiếp cận tài liệu lưu trữ.")
PAPER_MARGINS = {"A4": "20mm 15mm 22mm 30mm", "A5": "15mm 12mm 18mm 20mm"}
FIELD_LABELS = {name: label for name, label, _ in ITEM_FIELDS}


@dataclass
class VolumeDocument:
    """One document as the volume sets it."""

    item_id: str
    anchor: str
    heading: str                      # NGHỊ QUYẾT số 13-NQ/TU
    date_line: str                    # Thái Bình, ngày 10 tháng 5 năm 2019
    short_date: str                   # ngày 10-5-2019
    trich_yeu: str
    paragraphs: list[Paragraph]
    signature: list[str]              # authority lines and title, then the signer's name
    source_note: str
    do_mat: str | None
    level: int
    review_fields: list[str] = field(default_factory=list)
    unreadable: int = 0
    body_found: bool = True

    @property
    def body_text(self) -> str:
        return "\n\n".join(p.text for p in self.paragraphs)


@dataclass
class ReviewRow:
    anchor: str
    heading: str
    short_date: str
    what: str


@dataclass
class VolumeContent:
    title: str
    subtitle: str
    publisher: str
    imprint: str
    paper: str
    margins: str
    notices: list[str]
    documents: list[VolumeDocument]
    review: list[ReviewRow]
    foreword: str = FOREWORD_PLACEHOLDER
    appendix_title: str = APPENDIX_TITLE


# --- one document -----------------------------------------------------------------------------

def _date_parts(value: str | None) -> tuple[int, int | None, int | None] | None:
    match = re.fullmatch(r"(\d{4})(?:-(\d{2})(?:-(\d{2}))?)?", (value or "").strip())
    if not match:
        return None
    year, month, day = (int(g) if g else None for g in match.groups())
    return year, month, day


def date_line(place: str | None, value: str | None) -> str:
    """"Thái Bình, ngày 05 tháng 02 năm 2019": day below 10 and months 1–2 written with a 0, as
    Party documents write them (so "tháng 1" is never misread as "tháng 10"–"12")."""
    parts = _date_parts(value)
    if parts is None:
        when = "không rõ ngày tháng"
    else:
        year, month, day = parts
        when = f"năm {year}"
        if month:
            when = f"tháng {month:02d} năm {year}" if month <= 2 else f"tháng {month} năm {year}"
        if month and day:
            when = f"ngày {day:02d} {when}"
    return f"{place}, {when}" if place else when[:1].upper() + when[1:]


def short_date(value: str | None) -> str:
    parts = _date_parts(value)
    if parts is None:
        return "không rõ ngày"
    year, month, day = parts
    if month and day:
        return f"ngày {day}-{month}-{year}"
    return f"tháng {month}-{year}" if month else f"năm {year}"


def document_heading(item: dict[str, Any]) -> str:
    kind = (item.get("loai_van_ban") or "Văn bản").upper()
    number = item.get("so_ky_hieu")
    return f"{kind} số {number}" if number else kind


def _fonds_name(fonds: dict[str, Any] | None) -> str:
    name = (fonds or {}).get("ten_phong") or ""
    return re.sub(r"^\s*Phông\s+", "", name).strip()


def sheets_text(item: dict[str, Any]) -> str:
    sheets = sheet_numbers(item)
    if not sheets:
        return ""
    return f"tờ {sheets[0]}" if len(sheets) == 1 else f"tờ {sheets[0]}–{sheets[-1]}"


def source_note(item: dict[str, Any], fonds: dict[str, Any] | None, repository: str = "") -> str:
    """"Lưu tại Kho Lưu trữ …, Phông số PHONG-12 (Tỉnh ủy Thái Bình), Hồ sơ số HS-2019-004, tờ 1–2."."""
    name = _fonds_name(fonds)
    repository = repository or (f"Kho Lưu trữ {name}" if name else "Kho Lưu trữ")
    phong = f"Phông số {item['fonds_code']}" + (f" ({name})" if name else "")
    parts = [f"Lưu tại {repository}", phong, f"Hồ sơ số {item['file_code']}", sheets_text(item)]
    return ", ".join(p for p in parts if p) + "."


def signature_lines(item: dict[str, Any]) -> list[str]:
    name = item.get("nguoi_ky") or ""
    title = item.get("chuc_vu_nguoi_ky") or ""
    if not (name or title):
        return []
    return [*(item.get("the_thuc_ky") or []), *([title] if title else []), name]


def set_document(archive: Archive, item: dict[str, Any], fonds: dict[str, Any] | None,
                 repository: str = "") -> VolumeDocument:
    text = document_text(archive, item)
    return VolumeDocument(
        item_id=item["id"], anchor=item["id"], heading=document_heading(item),
        date_line=date_line(item.get("dia_danh"), item.get("ngay_ban_hanh")),
        short_date=short_date(item.get("ngay_ban_hanh")),
        trich_yeu=item.get("trich_yeu") or "(chưa có trích yếu)",
        paragraphs=text.paragraphs, signature=signature_lines(item),
        source_note=source_note(item, fonds, repository),
        do_mat=item.get("do_mat") or None, level=secrecy_level(item.get("do_mat"), item.get("access")),
        review_fields=list(item.get("needs_review") or []), unreadable=text.unreadable,
        body_found=text.body_found)


# --- the volume -------------------------------------------------------------------------------

def _review_row(doc: VolumeDocument) -> ReviewRow | None:
    what = [FIELD_LABELS.get(name, name) for name in doc.review_fields]
    if doc.unreadable:
        what.append(f"{doc.unreadable} đoạn không đọc rõ")
    if not doc.body_found:
        what.append("không tìm được chỗ bắt đầu nội dung (in toàn văn bản OCR)")
    return ReviewRow(doc.anchor, doc.heading, doc.short_date, "; ".join(what)) if what else None


def access_notices(documents: list[VolumeDocument]) -> list[str]:
    """The title page's warning when the builder's clearance let classified documents in."""
    secret = Counter(doc.do_mat for doc in documents if DO_MAT_LEVEL.get(doc.do_mat or "", 3) > 0)
    notices = []
    if secret:
        order = sorted(secret, key=lambda name: DO_MAT_LEVEL.get(name, 3), reverse=True)
        notices.append(SECRET_NOTICE.format(
            counts=", ".join(f"{name}: {secret[name]} văn bản" for name in order)))
    restricted = sum(1 for doc in documents if doc.level > 0 and not doc.do_mat)
    if restricted:
        notices.append(RESTRICTED_NOTICE.format(count=restricted))
    return notices


def _progress(items: list, progress: bool):
    if not progress:
        return items
    from tqdm import tqdm
    return tqdm(items, desc="volume text", unit="văn bản")


def volume_content(archive: Archive, spec: VolumeSpec, selection: Selection,
                   progress: bool = False) -> VolumeContent:
    documents = [set_document(archive, item, selection.fonds.get(item["fonds_code"]), spec.repository)
                 for item in _progress(selection.items, progress)]
    review = [row for row in map(_review_row, documents) if row] if spec.review_appendix else []
    year = spec.year or dt.date.today().year
    return VolumeContent(
        title=spec.title, subtitle=spec.subtitle, publisher=spec.publisher,
        imprint=f"{spec.place} – {year}" if spec.place else str(year), paper=spec.paper,
        margins=PAPER_MARGINS[spec.paper], notices=access_notices(documents), documents=documents,
        review=review)
