"""What a volume says, independent of PDF or DOCX: front matter, each document set out, the appendix.

Each document is set as published Party document collections set it: its number in the volume,
the issuing organ, the type and number as its heading ("NGHỊ QUYẾT số 13-NQ/TU"), place and date
(an undated one "[khoảng …]" from its hồ sơ's dates), the trích yếu, the body (the editor's text
where a page is proofread, else rebuilt from OCR with doubtful readings marked), the signature,
the editorial footnotes, and the archival source note ("Lưu tại …, Phông số …, Hồ sơ số …, tờ …").
The heading comes from the catalogue, never from OCR text, so a corrected field corrects the
volume; a machine-read catalogue value is marked like machine-read text when it cannot be right.
After the documents: the chronology, the indexes of names and places, the abbreviations.
"""

from __future__ import annotations

import datetime as dt
import re
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from luutru import editorial
from luutru.archive import Archive
from luutru.catalog import ITEM_FIELDS
from luutru.access import DO_MAT_LEVEL, item_level
from luutru.volume import apparatus, marking
from luutru.volume.apparatus import IndexEntry, Occurrence
from luutru.volume.select import Selection
from luutru.volume.spec import VolumeSpec
from luutru.volume.text import (CORRECTED, DOUBT, NOTE, TEXT, UNREADABLE, Line, Paragraph, document_text,
                                group_runs, item_lines, line_runs, sheet_numbers)

FOREWORD_PLACEHOLDER = "[Lời giới thiệu của Ban biên tập — phần này để trống, sẽ soạn sau.]"
APPENDIX_TITLE = "Phụ lục: văn bản cần kiểm tra"
SECRET_NOTICE = ("Tập này có tài liệu mật ({counts}) — chỉ lưu hành nội bộ theo quy định bảo vệ "
                 "bí mật nhà nước.")
RESTRICTED_NOTICE = ("Tập này có văn bản thuộc hồ sơ hạn chế tiếp cận ({count} văn bản) — chỉ sử "
                     "dụng theo quy định về tiếp cận tài liệu lưu trữ.")
PAPER_MARGINS = {"A4": "20mm 15mm 22mm 30mm", "A5": "15mm 12mm 18mm 20mm"}
# The preface's note on how the text is set (the marks a reader meets).
EDITORIAL_NOTE = [
    "Văn bản in theo bản lưu tại kho lưu trữ. Các phần đã được biên tập viên đối chiếu với bản gốc in "
    "như bản gốc; chú thích của Ban biên tập đánh số ở chân trang.",
    "Các phần chưa được đối chiếu là văn bản do máy đọc (OCR) từ bản chụp. Trong các phần đó, chữ máy "
    "đọc không chắc chắn được đặt trong ngoặc vuông kèm dấu hỏi, ví dụ “[chỉ?] bộ”; đoạn máy không đọc "
    "được ghi là [… đoạn không đọc rõ, cần đối chiếu bản gốc, tờ …]. Các dấu này chỉ ra chỗ cần đối "
    "chiếu, không phải là chữ của văn bản.",
    "Văn bản không ghi ngày tháng được xếp theo thời gian của hồ sơ chứa nó, ngày ghi trong ngoặc "
    "vuông: [khoảng …].",
]
# Added to the note when the volume prints words a correction stage changed.
CORRECTED_NOTE = ("Chữ được gạch chân là chữ máy đã tự sửa lại sau khi đọc (chưa được biên tập viên "
                  "đối chiếu).")
RunLine = list[tuple[str, str]]
ItemLines = tuple[list[Line], list[int]]     # an item's lines and its sheets without text
NO_SIGNER_MARK = "[… thẩm quyền ký và họ tên người ký chưa đọc được, cần đối chiếu bản gốc …]"
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
    signature: list[RunLine]          # authority lines and title, then the signer's name
    source_note: str
    do_mat: str | None
    level: int
    review_fields: list[str] = field(default_factory=list)
    unreadable: int = 0
    body_found: bool = True
    number: int = 0                   # its place in the volume, from 1
    organ: str = ""                   # cơ quan ban hành
    trich_yeu_runs: RunLine = field(default_factory=list)
    doubtful: int = 0                 # doubtful readings printed
    unproofread_sheets: list[int] = field(default_factory=list)
    signer: str = ""
    signer_anchor: str = ""
    occurrences: list[Occurrence] = field(default_factory=list)
    approximate: bool = False         # undated: placed by its hồ sơ's dates

    def __post_init__(self) -> None:
        if not self.trich_yeu_runs:
            self.trich_yeu_runs = [(self.trich_yeu, TEXT)]

    @property
    def body_text(self) -> str:
        return "\n\n".join(p.text for p in self.paragraphs)

    @property
    def notes(self) -> list[str]:
        """The editorial footnotes in the order the text calls them."""
        return [text for p in self.paragraphs for text, kind in p.runs if kind == NOTE]

    @property
    def proofread(self) -> bool:
        return not self.unproofread_sheets


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
    foreword_given: bool = False
    appendix_title: str = APPENDIX_TITLE
    editors: list[str] = field(default_factory=list)
    editorial_note: list[str] = field(default_factory=lambda: list(EDITORIAL_NOTE))
    names: list[IndexEntry] = field(default_factory=list)
    places: list[IndexEntry] = field(default_factory=list)
    abbreviations: list[tuple[str, str]] = field(default_factory=list)
    chronology: bool = True

    @property
    def foreword_paragraphs(self) -> list[str]:
        return [p.strip() for p in re.split(r"\n\s*\n", self.foreword) if p.strip()]


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


def approximate_date(first: str | None, last: str | None) -> str:
    """"[khoảng 1990–1992]", "[khoảng năm 1990]": an undated document's date from its hồ sơ."""
    years = sorted({value[:4] for value in (first, last) if value})
    if not years:
        return "[không rõ ngày tháng]"
    return f"[khoảng năm {years[0]}]" if len(years) == 1 else f"[khoảng {years[0]}–{years[-1]}]"


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


def checked_runs(value: str, year: int | None = None) -> RunLine:
    """A catalogue value as runs, its impossible words marked as doubtful (a machine-read value
    that cannot be right: "^.¬.ÀA", "quản Lý"), and a year after the document's own ("báo cáo 6
    tháng đầu năm 1999" in a document of 1990)."""
    tokens = value.split()
    doubts = marking.doubtful_words(tokens, None, None, marking.capitalised_words([value]))
    if year is not None:
        doubts = [doubt or any(int(y) > year for y in re.findall(r"\b(1[89]\d\d|20\d\d)\b", token))
                  for token, doubt in zip(tokens, doubts)]
    return group_runs(tokens, doubts)


def marking_text(text: str) -> str:
    return (" " if text.startswith(" ") else "") + f"[{text.strip()}?]"


def plain(runs: RunLine) -> str:
    return "".join(text for text, kind in runs if kind != NOTE)


def signature_runs(item: dict[str, Any], closing: list[Line]) -> tuple[list[RunLine], str]:
    """The signature block and the signer's name: the catalogue's when it names the signer, else
    the text's closing block (authority, title, name) marked as the text is."""
    name = item.get("nguoi_ky") or ""
    title = item.get("chuc_vu_nguoi_ky") or ""
    if name:
        lines = [*(item.get("the_thuc_ky") or []), *([title] if title else [])]
        runs = [checked_runs(line) for line in lines] + [name_runs(name)]
    elif closing:
        runs = [line_runs(line) for line in closing]
        if len(runs) > 1 and closing[-1].proofread is False:
            runs[-1] = name_runs(plain(runs[-1]))
    else:
        return [[(NO_SIGNER_MARK, UNREADABLE)]], ""
    signer = plain(runs[-1]) if len(runs) > 1 or name else ""
    return runs, signer


def name_runs(name: str) -> RunLine:
    """A signer's name as runs: doubtful when a word cannot be Vietnamese or the first is no
    family name ("Bài Thị Hồng Lan", "Minh Vinh": a misread or a cut name)."""
    from luutru.catalog.vocab import FAMILY_NAMES
    runs = checked_runs(name)
    words = name.split()
    if words and words[0] not in FAMILY_NAMES and all(kind == TEXT for _, kind in runs):
        return [(marking_text(name), DOUBT)]
    return runs


def _occurrences(doc: VolumeDocument, place: str | None) -> list[Occurrence]:
    """Names and places of one document, each with the anchor where it first stands: the signer,
    the place of issue (địa danh, on its first page), and those its text introduces."""
    found: list[Occurrence] = []
    if doc.signer:
        found.append(Occurrence("name", doc.signer, doc.signer_anchor))
    sure = ["".join(text if kind == TEXT else " … " for text, kind in para.runs)
            for para in doc.paragraphs]
    provinces = apparatus.provinces_in([*sure, doc.organ, place or ""])
    if place and all(kind == TEXT for _, kind in checked_runs(place)):
        found.append(Occurrence("place", apparatus.place_of_issue(place, provinces), doc.anchor))
    for index, text in enumerate(sure):
        anchor = f"{doc.anchor}-p{index}"
        found += [Occurrence("name", name, anchor) for name in apparatus.names_in(text)]
        found += [Occurrence("place", place, anchor) for place in apparatus.places_in(text, provinces)]
    return found


def set_document(archive: Archive, item: dict[str, Any], fonds: dict[str, Any] | None,
                 repository: str = "", file: dict[str, Any] | None = None,
                 well_read: frozenset[tuple[str, str]] | None = None,
                 read: ItemLines | None = None) -> VolumeDocument:
    """One document set out; ``well_read`` and ``read`` (its lines) as the volume has them."""
    text = document_text(archive, item, editorial.load_record(archive, item["id"]), well_read, read)
    dated = _date_parts(item.get("ngay_ban_hanh"))
    when = date_line(item.get("dia_danh"), item.get("ngay_ban_hanh"))
    short = short_date(item.get("ngay_ban_hanh"))
    if dated is None and file:
        short = approximate_date(file.get("thoi_gian_bat_dau"), file.get("thoi_gian_ket_thuc"))
        when = f"{item['dia_danh']}, {short}" if item.get("dia_danh") else short
    trich_yeu = item.get("trich_yeu") or "(chưa có trích yếu)"
    signature, signer = signature_runs(item, text.closing)
    doc = VolumeDocument(
        item_id=item["id"], anchor=item["id"], heading=document_heading(item),
        date_line=when, short_date=short, trich_yeu=trich_yeu,
        trich_yeu_runs=checked_runs(trich_yeu, dated[0] if dated else None),
        paragraphs=text.paragraphs, signature=signature, signer=signer,
        signer_anchor=f"{item['id']}-ky", source_note=source_note(item, fonds, repository),
        do_mat=item.get("do_mat") or None, level=item_level(item),
        review_fields=list(item.get("needs_review") or []), unreadable=text.unreadable,
        body_found=text.body_found, organ=(item.get("co_quan_ban_hanh") or "").strip(),
        doubtful=text.doubtful, unproofread_sheets=text.unproofread_sheets,
        approximate=dated is None and bool(file))
    doc.doubtful += sum(kind == DOUBT for line in [doc.trich_yeu_runs, *signature] for _, kind in line)
    doc.unreadable += sum(kind == UNREADABLE for line in signature for _, kind in line)
    doc.occurrences = _occurrences(doc, item.get("dia_danh"))
    return doc


# --- the volume -------------------------------------------------------------------------------

def _review_row(doc: VolumeDocument) -> ReviewRow | None:
    what = [FIELD_LABELS.get(name, name) for name in doc.review_fields]
    if doc.unreadable:
        what.append(f"{doc.unreadable} đoạn không đọc rõ")
    if doc.doubtful:
        what.append(f"{doc.doubtful} chỗ máy đọc không chắc chắn")
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


def read_items(archive: Archive, items: list[dict[str, Any]]) -> dict[str, ItemLines]:
    """Each item's lines and the sheets without text (:func:`luutru.volume.text.item_lines`),
    read once for the whole volume."""
    return {item["id"]: item_lines(archive, item, editorial.load_record(archive, item["id"]))
            for item in items}


def volume_well_read(read: dict[str, ItemLines]) -> frozenset[tuple[str, str]]:
    """The word pairs the volume's documents hold read surely or proofread: the evidence that
    confirms a word the OCR was unsure of elsewhere in the volume (:mod:`luutru.volume.marking`)."""
    return frozenset().union(*(marking.well_read_pairs(lines) for lines, _ in read.values()))


def volume_content(archive: Archive, spec: VolumeSpec, selection: Selection,
                   progress: bool = False) -> VolumeContent:
    documents = []
    read = read_items(archive, selection.items)
    well_read = volume_well_read(read)
    for number, item in enumerate(_progress(selection.items, progress), start=1):
        file = selection.files.get(f"{item['fonds_code']}/{item['file_code']}")
        doc = set_document(archive, item, selection.fonds.get(item["fonds_code"]), spec.repository,
                           file, well_read, read[item["id"]])
        doc.number = number
        documents.append(doc)
    review = [row for row in map(_review_row, documents) if row] if spec.review_appendix else []
    year = spec.year or dt.date.today().year
    found = [(doc.number, occurrence) for doc in documents for occurrence in doc.occurrences]
    wanted = set(spec.apparatus)
    texts = [doc.heading for doc in documents] + [doc.body_text for doc in documents] + [
        plain(line) for doc in documents for line in doc.signature]
    corrected = any(kind == CORRECTED for doc in documents for para in doc.paragraphs
                    for _, kind in para.runs)
    return VolumeContent(
        title=spec.title, subtitle=spec.subtitle, publisher=spec.publisher,
        imprint=f"{spec.place} – {year}" if spec.place else str(year), paper=spec.paper,
        margins=PAPER_MARGINS[spec.paper], notices=access_notices(documents), documents=documents,
        review=review, editors=list(spec.editors),
        foreword=spec.foreword or FOREWORD_PLACEHOLDER, foreword_given=bool(spec.foreword),
        names=apparatus.build_index(found, "name") if "names" in wanted else [],
        places=apparatus.build_index(found, "place") if "places" in wanted else [],
        abbreviations=apparatus.abbreviations_used(texts) if "abbreviations" in wanted else [],
        chronology="chronology" in wanted,
        editorial_note=[*EDITORIAL_NOTE, *([CORRECTED_NOTE] if corrected else [])])
