"""The volume as an editable DOCX (python-docx), for the editors who finish it in a word processor.

Document headings use Word's Heading styles so the table of contents is a real TOC field Word
fills in on "Update field"; until then the field holds the entries as plain text, so the file is
useful as it comes. Every style names one serif font with the whole Vietnamese alphabet and marks
the text as Vietnamese (``w:lang`` vi-VN) for the spelling checker and hyphenation.
"""

from __future__ import annotations

import datetime as dt
import io

from docx import Document
from docx.enum.section import WD_SECTION
from docx.enum.style import WD_STYLE_TYPE
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_BREAK
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Mm, Pt, RGBColor

from luutru.volume.content import RunLine, VolumeContent, VolumeDocument
from luutru.volume.text import CORRECTED, DOUBT, NOTE, UNREADABLE

FONT = "Liberation Serif"
LANG = "vi-VN"
PAPER_MM = {"A4": (210, 297), "A5": (148, 210)}
MARGINS_MM = {"A4": (20, 15, 22, 30), "A5": (15, 12, 18, 20)}   # top, right, bottom, left
TOC_INSTRUCTION = 'TOC \\o "1-2" \\h \\z \\u'
MARKER_COLOR = RGBColor(0x8A, 0x1C, 0x1C)
# Styles of the volume's own structure (front matter, document parts) beside Word's built-in ones.
FRONT_HEADING, DATE_LINE, SOURCE_NOTE, SIGNATURE = "Front Heading", "Date Line", "Source Note", "Signature"
# Above an index: its numbers are fields Word turns into pages when it updates the file.
PAGEREF_NOTE = ("(số trang do Word điền khi cập nhật trường — F9; trước khi cập nhật là số thứ tự "
                "văn kiện trong tập)")
# Who wrote the file when the spec names no editor (never the library's "python-docx").
DEFAULT_AUTHOR = "Ban biên tập"
# Word's own names for its TOC entry styles (lower case in styles.xml), so "Update field" uses ours.
TOC1, TOC2 = "toc 1", "toc 2"


# --- styles -----------------------------------------------------------------------------------

def _font_and_language(style) -> None:
    """One font for every script slot (no theme fonts), black, language Vietnamese."""
    rpr = style.element.get_or_add_rPr()
    fonts = rpr.find(qn("w:rFonts"))
    if fonts is None:
        fonts = OxmlElement("w:rFonts")
        rpr.insert(0, fonts)
    for attr in list(fonts.attrib):
        if attr.endswith("Theme"):
            del fonts.attrib[attr]
    for slot in ("w:ascii", "w:hAnsi", "w:cs", "w:eastAsia"):
        fonts.set(qn(slot), FONT)
    lang = rpr.find(qn("w:lang"))
    if lang is None:
        lang = OxmlElement("w:lang")
        rpr.append(lang)
    lang.set(qn("w:val"), LANG)
    lang.set(qn("w:eastAsia"), LANG)
    lang.set(qn("w:bidi"), LANG)
    style.font.color.rgb = RGBColor(0, 0, 0)


def _paragraph_style(doc, name: str, size: float, *, bold=False, italic=False,
                     align=WD_ALIGN_PARAGRAPH.LEFT, base: str = "Normal"):
    styles = doc.styles
    known = {s.name for s in styles}
    style = styles[name] if name in known else styles.add_style(name, WD_STYLE_TYPE.PARAGRAPH)
    if style.name != "Normal":
        style.base_style = styles[base]
    style.font.size = Pt(size)
    style.font.bold = bold
    style.font.italic = italic
    style.paragraph_format.alignment = align
    _font_and_language(style)
    return style


def _set_up_styles(doc) -> None:
    normal = _paragraph_style(doc, "Normal", 13, align=WD_ALIGN_PARAGRAPH.JUSTIFY)
    normal.paragraph_format.space_after = Pt(4)
    normal.paragraph_format.first_line_indent = Mm(10)
    centred = {"align": WD_ALIGN_PARAGRAPH.CENTER}
    for name, size, kwargs in (
        ("Title", 24, {"bold": True, **centred}), ("Subtitle", 16, {"bold": True, **centred}),
        (FRONT_HEADING, 15, {"bold": True, **centred}),
        ("Heading 1", 14, {"bold": True, **centred}), ("Heading 2", 13, {"bold": True, **centred}),
        ("Heading 3", 13, {"bold": True}), (DATE_LINE, 13, {"italic": True, **centred}),
        (SOURCE_NOTE, 11.5, {"italic": True}), (SIGNATURE, 13, {"bold": True, **centred}),
        (TOC1, 12, {}), (TOC2, 12, {}), ("Footer", 11, centred),
    ):
        style = _paragraph_style(doc, name, size, **kwargs)
        style.paragraph_format.first_line_indent = Mm(0)
    title_border = doc.styles["Title"].element.get_or_add_pPr().find(qn("w:pBdr"))
    if title_border is not None:  # Word's default Title has a rule under it; a title page has none
        title_border.getparent().remove(title_border)
    doc.styles[TOC2].paragraph_format.left_indent = Mm(8)
    doc.styles[SIGNATURE].paragraph_format.left_indent = Mm(80)
    doc.styles[SIGNATURE].paragraph_format.space_after = Pt(0)


def _style_ids(doc) -> dict[str, str]:
    return {style.name: style.style_id for style in doc.styles}


def _para(doc, ids: dict[str, str], text: str = "", style: str = "Normal"):
    """A new paragraph in ``style``, set by its id: python-docx looks a style name up by scanning
    every style on every call, which made a 40-document volume take seconds longer."""
    paragraph = doc.add_paragraph(text)
    if style != "Normal":
        paragraph._p.style = ids[style]
    return paragraph


# --- fields -----------------------------------------------------------------------------------

def _field_char(run, kind: str) -> None:
    char = OxmlElement("w:fldChar")
    char.set(qn("w:fldCharType"), kind)
    if kind == "begin":
        char.set(qn("w:dirty"), "true")     # Word recomputes it when the document opens
    run._r.append(char)


def _instruction(run, text: str) -> None:
    instr = OxmlElement("w:instrText")
    instr.set(qn("xml:space"), "preserve")
    instr.text = f" {text} "
    run._r.append(instr)


def _simple_field(paragraph, instruction: str, shown: str = "1") -> None:
    _field_char(paragraph.add_run(), "begin")
    _instruction(paragraph.add_run(), instruction)
    _field_char(paragraph.add_run(), "separate")
    paragraph.add_run(shown)
    _field_char(paragraph.add_run(), "end")


def bookmark_name(anchor: str) -> str:
    """A Word bookmark name for a volume anchor (letters, digits and _, at most 40)."""
    return ("b_" + "".join(ch if ch.isalnum() else "_" for ch in anchor))[:40]


def _bookmark(paragraph, anchor: str, number: int) -> None:
    """Mark the whole paragraph as the bookmark ``anchor`` (a PAGEREF field's target)."""
    start = OxmlElement("w:bookmarkStart")
    start.set(qn("w:id"), str(number))
    start.set(qn("w:name"), bookmark_name(anchor))
    end = OxmlElement("w:bookmarkEnd")
    end.set(qn("w:id"), str(number))
    paragraph._p.insert(1 if paragraph._p.pPr is not None else 0, start)
    paragraph._p.append(end)


def _toc(doc, ids: dict[str, str], content: VolumeContent) -> None:
    """A TOC field whose current result is the entries as text (Word replaces it on update)."""
    entries = [entry for d in content.documents
               for entry in ((f"{d.number}. {d.heading}", TOC1),
                             (f"{_plain(d.trich_yeu_runs)} ({d.short_date})", TOC2))]
    entries += [(title, TOC1) for title, present in _apparatus_titles(content) if present]
    if content.review:
        entries.append((content.appendix_title, TOC1))
    entries = entries or [("", TOC1)]
    for index, (text, style) in enumerate(entries):
        paragraph = _para(doc, ids, "", style)
        if index == 0:
            _field_char(paragraph.add_run(), "begin")
            _instruction(paragraph.add_run(), TOC_INSTRUCTION)
            _field_char(paragraph.add_run(), "separate")
        paragraph.add_run(text)
        if index == len(entries) - 1:
            _field_char(paragraph.add_run(), "end")
    _ask_to_update_fields(doc)


# Elements that follow w:updateFields in w:settings (Word refuses settings out of schema order).
_AFTER_UPDATE_FIELDS = ("hdrShapeDefaults", "footnotePr", "endnotePr", "compat", "docVars", "rsids",
                        "mathPr", "attachedSchema", "themeFontLang", "clrSchemeMapping",
                        "doNotIncludeSubdocsInStats", "doNotAutoCompressPictures", "forceUpgrade",
                        "captions", "readModeInkLockDown", "smartTagType", "schemaLibrary",
                        "shapeDefaults", "doNotEmbedSmartTags", "decimalSymbol", "listSeparator")


def _ask_to_update_fields(doc) -> None:
    """Word fills in the TOC's page numbers when the file is opened (it asks first)."""
    settings = doc.settings.element
    update = OxmlElement("w:updateFields")
    update.set(qn("w:val"), "true")
    following = [child for child in settings
                 if isinstance(child.tag, str) and child.tag.rpartition("}")[2] in _AFTER_UPDATE_FIELDS]
    if following:
        following[0].addprevious(update)
    else:
        settings.append(update)


# --- parts ------------------------------------------------------------------------------------

def _page_set_up(doc, content: VolumeContent) -> None:
    width, height = PAPER_MM[content.paper]
    top, right, bottom, left = MARGINS_MM[content.paper]
    for section in doc.sections:
        section.page_width, section.page_height = Mm(width), Mm(height)
        section.top_margin, section.right_margin = Mm(top), Mm(right)
        section.bottom_margin, section.left_margin = Mm(bottom), Mm(left)


def _page_break(doc) -> None:
    doc.add_paragraph().add_run().add_break(WD_BREAK.PAGE)


def _front_matter(doc, ids: dict[str, str], content: VolumeContent) -> None:
    _para(doc, ids, content.title.upper(), "Title")
    if content.subtitle:
        _para(doc, ids, content.subtitle, "Subtitle")
    _page_break(doc)
    if content.publisher:
        _para(doc, ids, content.publisher.upper(), FRONT_HEADING)
    _para(doc, ids, content.title.upper(), "Title")
    if content.subtitle:
        _para(doc, ids, content.subtitle, "Subtitle")
    if content.editors:
        _para(doc, ids, "Ban biên tập: " + ", ".join(content.editors), DATE_LINE)
    for notice in content.notices:
        _para(doc, ids, "", FRONT_HEADING).add_run(notice).bold = True
    _para(doc, ids, content.imprint, DATE_LINE)
    # Numbered pages start with the foreword: a new section whose footer shows the page number.
    section = doc.add_section(WD_SECTION.NEW_PAGE)
    section.footer.is_linked_to_previous = False
    _simple_field(section.footer.paragraphs[0], "PAGE")
    section.footer.paragraphs[0].style = doc.styles["Footer"]
    _para(doc, ids, "Lời giới thiệu", FRONT_HEADING)
    if content.foreword_given:
        for text in content.foreword_paragraphs:
            _para(doc, ids, text)
    else:
        _para(doc, ids, content.foreword).runs[0].italic = True
    _para(doc, ids, "Về cách trình bày văn bản", "Heading 3")
    for line in content.editorial_note:
        _para(doc, ids, line)
    _page_break(doc)
    _para(doc, ids, "Mục lục", FRONT_HEADING)
    _toc(doc, ids, content)


def _plain(runs: RunLine) -> str:
    return "".join(text for text, kind in runs if kind != NOTE)


def _add_runs(paragraph, runs: RunLine, notes: list[str]) -> None:
    """Runs as Word runs: markers and doubtful readings in italic red, words a correction stage
    changed underlined, a footnote as its number in superscript (the notes are set after the
    document, "Chú thích")."""
    for text, kind in runs:
        if kind == NOTE:
            notes.append(text)
            paragraph.add_run(str(len(notes))).font.superscript = True
            continue
        if kind == CORRECTED:
            if text.startswith(" "):
                paragraph.add_run(" ")
            paragraph.add_run(text.lstrip(" ")).underline = True
            continue
        run = paragraph.add_run(text)
        if kind in (UNREADABLE, DOUBT):
            run.italic = True
            run.font.color.rgb = MARKER_COLOR


def _document(doc, ids: dict[str, str], item: VolumeDocument, wanted: set[str]) -> None:
    """One document; the paragraphs an index points to are bookmarked (``wanted``: anchors)."""
    first = _para(doc, ids, "", FRONT_HEADING) if item.do_mat else None
    if first is not None:
        first.add_run(item.do_mat.upper()).bold = True
    number = _para(doc, ids, str(item.number), FRONT_HEADING)
    (first or number).paragraph_format.page_break_before = True
    if item.anchor in wanted:
        _bookmark(number, item.anchor, len(doc.element.body))
    _para(doc, ids, item.heading, "Heading 1")
    if item.organ:
        _para(doc, ids, item.organ.upper(), SIGNATURE).paragraph_format.left_indent = Mm(0)
    _para(doc, ids, item.date_line, DATE_LINE)
    notes: list[str] = []
    _add_runs(_para(doc, ids, "", "Heading 2"), item.trich_yeu_runs, notes)
    for index, para in enumerate(item.paragraphs):
        paragraph = _para(doc, ids, "", "Heading 3" if para.kind == "heading" else "Normal")
        _add_runs(paragraph, para.runs, notes)
        if f"{item.anchor}-p{index}" in wanted:
            _bookmark(paragraph, f"{item.anchor}-p{index}", len(doc.element.body))
    for line in item.signature:
        paragraph = _para(doc, ids, "", SIGNATURE)
        _add_runs(paragraph, line, notes)
    if item.signature and item.signer_anchor in wanted:
        _bookmark(paragraph, item.signer_anchor, len(doc.element.body))
    if notes:
        _para(doc, ids, "Chú thích", "Heading 3")
        for index, note in enumerate(notes, start=1):
            _para(doc, ids, f"{index}. {note}", SOURCE_NOTE)
    _para(doc, ids, item.source_note, SOURCE_NOTE)


def _page_ref(paragraph, anchor: str, shown: str) -> None:
    """The page ``anchor`` stands on, as a PAGEREF field Word fills in (``shown`` until then)."""
    _simple_field(paragraph, f"PAGEREF {bookmark_name(anchor)} \\h", shown)


def _apparatus_titles(content: VolumeContent) -> list[tuple[str, bool]]:
    return [("Niên biểu văn kiện", content.chronology and bool(content.documents)),
            ("Bảng tra cứu tên người", bool(content.names)),
            ("Bảng tra cứu địa danh", bool(content.places)),
            ("Bảng chữ viết tắt", bool(content.abbreviations))]


def _table(doc, header: list[str], rows: list[list[str]]) -> None:
    table = doc.add_table(rows=1, cols=len(header))
    table.style = doc.styles["Table Grid"]
    for cell, text in zip(table.rows[0].cells, header):
        cell.text = text
    for row in rows:
        for cell, text in zip(table.add_row().cells, row):
            cell.text = text
    for row in table.rows:
        for cell in row.cells:
            for paragraph in cell.paragraphs:
                paragraph.paragraph_format.first_line_indent = Mm(0)
                paragraph.alignment = WD_ALIGN_PARAGRAPH.LEFT


def _apparatus(doc, ids: dict[str, str], content: VolumeContent) -> None:
    """Chronology, indexes (by the documents' numbers: Word has no page numbers until it lays the
    file out) and abbreviations."""
    present = dict(_apparatus_titles(content))
    for title, present_now in present.items():
        if not present_now:
            continue
        _para(doc, ids, title, "Heading 1").paragraph_format.page_break_before = True
        if title == "Niên biểu văn kiện":
            _table(doc, ["Số", "Thời gian", "Văn kiện", "Cơ quan ban hành", "Trang"],
                   [[str(d.number), d.short_date, f"{d.heading}: {_plain(d.trich_yeu_runs)}", d.organ, ""]
                    for d in content.documents])
            rows = doc.tables[-1].rows[1:]
            for row, d in zip(rows, content.documents):
                _page_ref(row.cells[4].paragraphs[0], d.anchor, str(d.number))
        elif title == "Bảng chữ viết tắt":
            _table(doc, ["Chữ viết tắt", "Nghĩa"], [list(pair) for pair in content.abbreviations])
        else:
            _para(doc, ids, PAGEREF_NOTE, DATE_LINE)
            entries = content.names if title == "Bảng tra cứu tên người" else content.places
            for entry in entries:
                paragraph = _para(doc, ids, f"{entry.name}: ")
                paragraph.paragraph_format.first_line_indent = Mm(0)
                for k, (anchor, number) in enumerate(zip(entry.anchors, entry.documents)):
                    if k:
                        paragraph.add_run(", ")
                    _page_ref(paragraph, anchor, str(number))


def _appendix(doc, ids: dict[str, str], content: VolumeContent) -> None:
    heading = _para(doc, ids, content.appendix_title, "Heading 1")
    heading.paragraph_format.page_break_before = True
    _table(doc, ["Văn bản", "Cần kiểm tra"],
           [[f"{row.heading}, {row.short_date}", row.what] for row in content.review])


def render_docx(content: VolumeContent) -> bytes:
    doc = Document()
    props = doc.core_properties
    props.title = content.title
    props.subject = content.subtitle
    props.author = ", ".join(content.editors) or content.publisher or DEFAULT_AUTHOR
    props.last_modified_by = props.author
    props.comments = ""
    props.created = props.modified = dt.datetime.now(dt.timezone.utc).replace(microsecond=0)
    props.language = LANG
    _set_up_styles(doc)
    _page_set_up(doc, content)
    ids = _style_ids(doc)
    _front_matter(doc, ids, content)
    wanted = {anchor for entry in content.names + content.places for anchor in entry.anchors}
    wanted |= {d.anchor for d in content.documents} if content.chronology else set()
    for item in content.documents:
        _document(doc, ids, item, wanted)
    _apparatus(doc, ids, content)
    if content.review:
        _appendix(doc, ids, content)
    _page_set_up(doc, content)
    buffer = io.BytesIO()
    doc.save(buffer)
    return buffer.getvalue()
