"""A document's text as a volume sets it: the body only, paragraphs rebuilt, unreadable passages marked.

The record keeps OCR text one printed line per line (``text.txt``), header blocks, signature and
all. A volume prints the document's heading from the catalogue, so the body is cut out of the text
(from after the title and trích yếu, or the "Kính gửi" line, down to "Nơi nhận" or the signing
authority) and the scan's line breaks are undone:

* a line starts a new paragraph when it is indented (the OCR's word boxes), when it is a heading (all
  capitals) or follows one, when it is a list item ("- ", "1.", "a)", "II.") after a line that ended
  a clause, or, without geometry, when the line before ended a sentence and this one opens one;
* a word cut by a hyphen at the line end is joined only when the two halves make one Vietnamese
  syllable and are not two syllables already ("ng-/hiệp" → "nghiệp"; "xã-/hội" keeps its hyphen, as
  older documents wrote compounds that way);
* a line Tesseract could not read (few possible syllables, or low word confidence and some
  impossible ones) is replaced by a marker for the editor naming the sheet to check;
* in a line it did read, the words it doubts (:mod:`luutru.volume.marking`) are printed as
  doubtful, "[chỉ?] bộ", and words a correction stage changed (:mod:`luutru.volume.corrections`)
  are underlined, until an editor has proofread the page.

A page an editor has proofread (:mod:`luutru.editorial`) is read from the editor's text instead:
nothing on it is marked, a blank line in it starts a paragraph, and its footnote references
("[^1]") become the document's editorial notes.
"""

from __future__ import annotations

import difflib
import itertools
import re
import statistics
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from rapidfuzz import fuzz

from luutru import editorial, pagetext
from luutru.archive import Archive, PageRef
from luutru.ocr.quality import is_vietnamese_syllable, vietnamese_quality
from luutru.textnorm import fold, nfc
from luutru.volume import corrections, marking

UNREADABLE_MARK = "[… đoạn không đọc rõ, cần đối chiếu bản gốc, tờ {sheet} …]"
DOUBT_MARK = "[{text}?]"
# The kinds of a paragraph's runs: text as printed, the unreadable marker, a doubtful reading, a
# footnote (the run's text is the note), words a correction stage changed (underlined).
TEXT, UNREADABLE, DOUBT, NOTE, CORRECTED = "", "unreadable", "doubt", "note", "corrected"

# A line is unreadable when under this share of its words are possible syllables ...
MIN_QUALITY = 0.5
# ... or when Tesseract's mean word confidence is under LOW_CONF and the share is under DOUBT_QUALITY.
LOW_CONF = 45.0
DOUBT_QUALITY = 0.8
# A line read with a mean word confidence under this is garbage whatever its letters spell (short
# garbage often spells syllables: "ộ ẦN" at 2, "si lANG" at 37). bench/unreadable.py on the dev
# corpus: no line within 15 % of its true text was read under 49; 5 garbage lines were under 40.
GARBLED_CONF = 40.0
# A line Tesseract read with at least this mean confidence is taken as read (checking its
# syllables was most of the time a volume took to set its text, and never changed the verdict).
CONFIDENT = 85.0
# Lines with fewer words than this are judged on confidence only (a short line is a poor sample).
MIN_WORDS = 3
# A first line indented by more than this many line heights starts a paragraph (the printed
# indent is about 2.4 line heights; skew left after deskew stays well under one).
INDENT_LINE_HEIGHTS = 1.0
# A line of one or two letters read with less confidence than this is a speck.
SPECK_CONF = 70.0

_LIST_ITEM = re.compile(r"^(?:[-–+•]\s|\d{1,3}[.)]\s|[a-zđ]\)\s|[IVXLC]{1,6}[.)]\s)")
_CLAUSE_END = tuple(".:;,!?…")
_SENTENCE_END = tuple(".:;!?…")
_DATE_LINE = re.compile(r"ngày\s+\S+\s+tháng\s+\S+\s+năm\W*\d{4}", re.IGNORECASE)
_AUTHORITY = re.compile(r"^(?:T/M|K/T|T/L|T/UQ|TM\.|KT\.|TL\.)\s", re.IGNORECASE)
_LONE_NUMBER = re.compile(r"^\d{1,3}[.)]?$")
_LEADING_JUNK = " .,;:'\"“‘|_-~"
_KEY_JUNK = re.compile(r"[\W_]+")


@dataclass
class Line:
    """One printed line of the document, with where it stands when the OCR's lines tell us."""

    text: str
    sheet: int
    box: tuple[int, int, int, int] | None = None
    conf: float | None = None          # mean word confidence 0..100
    indented: bool = False
    word_confs: list[float] | None = None   # per whitespace token of ``text``, when known
    word_boxes: list[tuple[int, int, int, int]] | None = None   # likewise, in clean-image pixels
    proofread: bool = False            # from an editor's text: printed as it stands
    para_break: bool = False           # an editor's blank line before it
    blank_paragraphs: bool = False     # the editor's page marks paragraphs with blank lines
    corrected: list[bool] | None = None   # per token: changed by a correction stage


@dataclass
class Paragraph:
    """A rebuilt paragraph: ``runs`` are (text, kind) so markers, doubtful readings and footnotes
    can be set apart in print (kinds: ``TEXT``, ``UNREADABLE``, ``DOUBT``, ``NOTE``)."""

    kind: str                           # para | heading
    runs: list[tuple[str, str]] = field(default_factory=list)
    sheet: int = 1

    @property
    def text(self) -> str:
        """The paragraph as read (footnotes left out)."""
        return "".join(text for text, kind in self.runs if kind != NOTE)

    @property
    def has_marker(self) -> bool:
        return any(kind == UNREADABLE for _, kind in self.runs)

    def add(self, text: str, kind: str = TEXT) -> None:
        """Append a run, a space before it unless it is a footnote; a text run joins the text run
        before it as two lines of a paragraph join (:func:`join_lines`)."""
        if kind == TEXT and self.runs and self.runs[-1][1] == TEXT:
            self.runs[-1] = (join_lines(self.runs[-1][0], text), TEXT)
        elif kind == NOTE:
            self.runs.append((text, NOTE))
        else:
            self.runs.append((" " + text if self.runs else text, kind))


@dataclass
class DocumentText:
    """The body of one item: its paragraphs, and how sure we are of where the body lies."""

    paragraphs: list[Paragraph]
    body_found: bool
    unreadable: int
    missing_sheets: list[int] = field(default_factory=list)
    doubtful: int = 0                  # doubtful readings printed
    unproofread_sheets: list[int] = field(default_factory=list)
    closing: list[Line] = field(default_factory=list)   # the signature block as the text has it

    @property
    def plain(self) -> str:
        return "\n\n".join(p.text for p in self.paragraphs)


# --- lines of a page --------------------------------------------------------------------------

def _key(text: str) -> str:
    return _KEY_JUNK.sub("", nfc(text)).lower()


def _with_geometry(line: Line, read: pagetext.Line) -> Line:
    """``line`` given the box and confidences of the line the OCR read (words boxed one by one
    when it has as many words as the OCR read)."""
    line.box, line.conf = read.box, read.conf
    if len(read.words) == len(line.text.split()):
        line.word_boxes = [word.box for word in read.words]
        if all(word.conf >= 0 for word in read.words):
            line.word_confs = [word.conf for word in read.words]
    return line


def _mark_indents(lines: list[Line]) -> None:
    """Indented lines: left edge well right of the body's left margin (the lower quartile)."""
    boxed = [line.box for line in lines if line.box]
    if len(boxed) < 4:
        return
    width = max(b[2] for b in boxed) - min(b[0] for b in boxed)
    long_lefts = sorted(b[0] for b in boxed if b[2] - b[0] > 0.6 * width) or sorted(b[0] for b in boxed)
    left = long_lefts[len(long_lefts) // 4]
    height = statistics.median(b[3] - b[1] for b in boxed)
    for line in lines:
        if line.box:
            line.indented = line.box[0] - left > INDENT_LINE_HEIGHTS * height


def read_page_lines(page_dir: Path, sheet: int) -> list[Line] | None:
    """A page's lines as the OCR stage wrote them, with their geometry when it has it."""
    page = pagetext.read_page_text(page_dir)
    if page is None:
        return None
    lines = [_with_geometry(Line(read.text, sheet), read) if read.words else Line(read.text, sheet)
             for read in page.lines]
    _mark_indents(lines)
    return lines


def lines_with_geometry(text: str, page_dir: Path, sheet: int = 1) -> list[Line]:
    """One :class:`Line` per line of ``text`` (blank ones too); each line that is the OCR's line at
    its place (an editor's text keeps the lines it did not touch, and a line edited in place
    keeps its place) gets that line's box and word confidences and boxes."""
    lines = [Line(nfc(t).strip(), sheet) for t in text.splitlines()]
    page = pagetext.read_page_text(page_dir)
    if page is None or not page.has_geometry:
        return lines       # text without geometry: the text-only rules still apply
    written = [line for line in lines if line.text]
    pairs = difflib.SequenceMatcher(None, [_key(line.text) for line in written],
                                    [_key(read.text) for read in page.lines], autojunk=False)
    for tag, start, end, read_start, read_end in pairs.get_opcodes():
        if tag == "equal" or (tag == "replace" and end - start == read_end - read_start):
            for line, read in zip(written[start:end], page.lines[read_start:read_end]):
                _with_geometry(line, read)
    return lines


def editorial_lines(text: str, sheet: int) -> list[Line]:
    """A proofread page's lines from the editor's text. Where the editor separates paragraphs by
    blank lines, those are the paragraphs; a page kept line for line as the scan has it (no blank
    line) is cut into paragraphs by the same rules as the OCR's text."""
    lines: list[Line] = []
    blank = False
    for raw in nfc(text).splitlines():
        if not raw.strip():
            blank = True
            continue
        lines.append(Line(raw.strip(), sheet, proofread=True, para_break=blank and bool(lines)))
        blank = False
    marked = any(line.para_break for line in lines)
    for line in lines:
        line.blank_paragraphs = marked
    return lines


# --- what is noise, a heading, unreadable -----------------------------------------------------

def _letters(text: str) -> int:
    return sum(ch.isalpha() for ch in text)


def is_noise(text: str, conf: float | None = None) -> bool:
    """Specks: no letter or digit, or one or two letters Tesseract was unsure of (a seal's edge,
    foxing): nothing a reader would miss."""
    if not any(ch.isalnum() for ch in text):
        return True
    has_digit = any(ch.isdigit() for ch in text)
    return not has_digit and _letters(text) <= 2 and (conf is None or conf < SPECK_CONF)


def is_page_number(text: str) -> bool:
    """The number at the top of a continuation page ("2", "- 2 -")."""
    return _letters(text) == 0 and 1 <= len(re.sub(r"\D", "", text)) <= 3


def is_heading(text: str) -> bool:
    """A section heading is set in capitals: "II. NHIỆM VỤ, GIẢI PHÁP", "PHƯƠNG HƯỚNG"."""
    letters = [ch for ch in text if ch.isalpha()]
    words = [w for w in text.split() if any(ch.isalpha() for ch in w)]
    return len(letters) >= 4 and len(words) >= 2 and all(ch.isupper() for ch in letters)


def is_unreadable(text: str, conf: float | None = None) -> bool:
    """True when the OCR of this line is garbage rather than text (see the module docstring)."""
    words = [w for w in text.split() if any(ch.isalpha() for ch in w)]
    if not words or (conf is not None and conf >= CONFIDENT):
        return False
    if conf is not None and conf < GARBLED_CONF:
        return True
    quality = vietnamese_quality(text)
    if len(words) < MIN_WORDS:
        return conf is not None and conf < LOW_CONF and quality < DOUBT_QUALITY
    if quality < MIN_QUALITY:
        return True
    return conf is not None and conf < LOW_CONF and quality < DOUBT_QUALITY


# --- where the body lies ----------------------------------------------------------------------

def _is_type_line(text: str, loai_van_ban: str | None) -> bool:
    if not loai_van_ban or not text.isupper():
        return False
    return fuzz.ratio(fold(text).strip(" .:"), fold(loai_van_ban)) >= 85


def _summary_words(text: str | None) -> list[str]:
    return re.findall(r"\w+", fold(text or ""))


def _skip_summary(lines: list[Line], start: int, trich_yeu: str | None) -> int:
    """Index after the trích yếu lines that follow the type line."""
    words = _summary_words(trich_yeu)
    taken = 0
    j = start
    while j < len(lines) and j - start < 4:
        line_words = re.findall(r"\w+", fold(lines[j].text))
        overlap = sum(w in words for w in line_words) / max(len(line_words), 1)
        if is_heading(lines[j].text) or not line_words:
            break
        if overlap < 0.6 and not lines[j].text.lstrip(_LEADING_JUNK)[:1].islower():
            break
        taken += len(line_words)
        j += 1
        if words and taken >= len(words):
            break
    return j


def _skip_kinh_gui(lines: list[Line], j: int) -> int:
    if j < len(lines) and fold(lines[j].text).startswith("kinh gui"):
        ends_with_colon = lines[j].text.rstrip().endswith(":")
        j += 1
        while ends_with_colon and j < len(lines) and lines[j].text.startswith(("-", "+")):
            j += 1
    return j


def body_start(lines: list[Line], item: dict[str, Any]) -> int | None:
    """Index of the first body line on the document's first page; None if it cannot be found."""
    first_sheet = lines[0].sheet if lines else 0
    head = [i for i, line in enumerate(lines) if line.sheet == first_sheet]
    for i in head:
        if _is_type_line(lines[i].text, item.get("loai_van_ban")):
            return _skip_kinh_gui(lines, _skip_summary(lines, i + 1, item.get("trich_yeu")))
    for i in head:
        if fold(lines[i].text).startswith("kinh gui"):
            return _skip_kinh_gui(lines, i)
    for i in head:
        if _DATE_LINE.search(lines[i].text):
            j = i + 1
            if j in head and lines[j].text.isupper() and len(lines[j].text.split()) <= 5:
                j = _skip_summary(lines, j + 1, item.get("trich_yeu"))   # an unread type line
            return _skip_kinh_gui(lines, j)
    return None


def body_end(lines: list[Line], start: int) -> int:
    """Index of "Nơi nhận" or the signing authority line that closes the document (else the end)."""
    for j in range(start, len(lines)):
        text = lines[j].text
        if fold(text).replace(" ", "").startswith("noinhan") or _AUTHORITY.match(text):
            return j
    return len(lines)


def _drop_page_heads(lines: list[Line], first_sheet: int) -> list[Line]:
    """Without the page number at the top of continuation pages, and without specks anywhere."""
    kept: list[Line] = []
    head_of = None
    for line in lines:
        at_head = line.sheet != head_of
        if at_head and line.sheet != first_sheet and is_page_number(line.text):
            head_of = line.sheet
            continue
        if line.proofread or not is_noise(line.text, line.conf):
            kept.append(line)
            head_of = line.sheet
    return kept


def attach_lone_numbers(lines: list[Line]) -> list[Line]:
    """A list number read as a line of its own (a wide gap after it on a typewritten page) is put
    back in front of the line it numbers."""
    out: list[Line] = []
    for line in lines:
        prev = out[-1] if out else None
        if prev is not None and _LONE_NUMBER.match(prev.text) and prev.sheet == line.sheet:
            out[-1] = Line(f"{prev.text} {line.text}", line.sheet, line.box, line.conf, indented=True)
        else:
            out.append(line)
    return out


# --- paragraphs -------------------------------------------------------------------------------

def join_lines(left: str, right: str) -> str:
    """Two lines of one paragraph as one text, undoing a hyphen the scan's line end made."""
    if not left:
        return right
    if left.endswith("-") and len(left) > 1 and left[-2].isalnum() and right[:1].isalnum():
        head = re.search(r"(\w+)-$", left)
        tail = re.match(r"\w+", right)
        head_word, tail_word = head.group(1) if head else "", tail.group(0) if tail else ""
        if (is_vietnamese_syllable(head_word + tail_word)
                and not (is_vietnamese_syllable(head_word) and is_vietnamese_syllable(tail_word))):
            return left[:-1] + right
        return left + right      # a code ("19-NQ/TW") or a compound in the old spelling ("kinh-tế")
    return f"{left} {right}"


def _starts_paragraph(prev: Line | None, line: Line) -> bool:
    if prev is None or is_heading(line.text) or is_heading(prev.text) or line.para_break:
        return True
    if line.proofread and prev.proofread and line.blank_paragraphs:
        return False        # the editor marks paragraphs with blank lines
    if line.indented:
        return True
    ended = prev.text.rstrip().endswith(_CLAUSE_END)
    if _LIST_ITEM.match(line.text) and ended:
        return True
    geometry = prev.box is not None and line.box is not None
    opens = line.text[:1].isupper() or line.text[:1].isdigit() or line.text[:1] in "\"“"
    return not geometry and prev.text.rstrip().endswith(_SENTENCE_END) and opens


def line_runs(line: Line, capitalised: set[str] = frozenset(),
              notes: dict[str, str] | None = None,
              well_read: frozenset[tuple[str, str]] = frozenset()) -> list[tuple[str, str]]:
    """The line as runs: an editor's text with its footnotes, or machine-read words with the
    doubtful ones (:func:`luutru.volume.marking.doubtful_words`) bracketed, "[chỉ?] bộ". Runs
    after the first carry the space before them."""
    if line.proofread:
        runs: list[tuple[str, str]] = []
        for index, part in enumerate(editorial.NOTE_REF.split(line.text)):
            if index % 2:
                runs.append(((notes or {}).get(part, ""), NOTE))
            elif part:
                runs.append((part, TEXT))
        return runs
    tokens = line.text.split()
    return group_runs(tokens, marking.doubtful_words(tokens, line.word_confs, line.conf, capitalised,
                                                     well_read), line.corrected)


def group_runs(tokens: list[str], doubts: list[bool],
               corrected: list[bool] | None = None) -> list[tuple[str, str]]:
    """Tokens as runs: each stretch of doubtful ones in one bracket, "[chỉ?] bộ"; each stretch
    of words a correction stage changed (``corrected``) a run of its own, to be underlined."""
    kinds = [DOUBT if doubt else CORRECTED if corrected and corrected[i] else TEXT
             for i, doubt in enumerate(doubts)]
    runs: list[tuple[str, str]] = []
    for kind, group in itertools.groupby(zip(tokens, kinds), key=lambda pair: pair[1]):
        words = " ".join(token for token, _ in group)
        space = " " if runs else ""
        runs.append((space + (DOUBT_MARK.format(text=words) if kind == DOUBT else words), kind))
    return runs


def is_marked(line: Line, capitalised: set[str] = frozenset(),
              well_read: frozenset[tuple[str, str]] = frozenset()) -> bool:
    """Would the volume print this line marked (unreadable, or with a doubtful word)?"""
    if line.proofread:
        return False
    return is_unreadable(line.text, line.conf) or any(
        kind == DOUBT for _, kind in line_runs(line, capitalised, well_read=well_read))


def rebuild_paragraphs(lines: Iterable[Line], notes: dict[str, str] | None = None,
                       well_read: frozenset[tuple[str, str]] | None = None) -> list[Paragraph]:
    """Paragraphs from printed lines; unreadable lines become one marker per run of them. Unsure
    words are confirmed by ``well_read`` pairs (by default those of these lines)."""
    lines = list(lines)
    capitalised = marking.capitalised_words([line.text for line in lines])
    if well_read is None:
        well_read = marking.well_read_pairs(lines)
    paragraphs: list[Paragraph] = []
    prev: Line | None = None
    prev_unreadable = False
    for line in lines:
        unreadable = not line.proofread and is_unreadable(line.text, line.conf)
        if _starts_paragraph(prev, line) and not (unreadable and prev_unreadable):
            kind = "heading" if is_heading(line.text) else "para"
            paragraphs.append(Paragraph(kind=kind, sheet=line.sheet))
        para = paragraphs[-1]
        if unreadable:
            if not (para.runs and para.runs[-1][1] == UNREADABLE):
                para.add(UNREADABLE_MARK.format(sheet=line.sheet), UNREADABLE)
        else:
            for index, (text, kind) in enumerate(line_runs(line, capitalised, notes, well_read)):
                if index == 0:
                    para.add(text, kind)          # joins the line before
                else:
                    para.runs.append((text, kind))
        prev, prev_unreadable = line, unreadable
    return [p for p in paragraphs if p.text.strip()]


def _heading_runs(paragraphs: list[Paragraph]) -> list[Paragraph]:
    """Consecutive heading lines are one heading (a long heading wraps)."""
    merged: list[Paragraph] = []
    for para in paragraphs:
        last = merged[-1] if merged else None
        if (last is not None and last.kind == para.kind == "heading"
                and not _LIST_ITEM.match(para.text) and not last.has_marker):
            last.runs = [*last.runs, *[(" " + text if i == 0 else text, kind)
                                       for i, (text, kind) in enumerate(para.runs)]]
        else:
            merged.append(para)
    return merged


# --- a whole item -----------------------------------------------------------------------------

def sheet_numbers(item: dict[str, Any]) -> list[int]:
    """The sheet (tờ) number of each of the item's pages, as its source note cites them.

    An item cut from one scanned file is cited by its pages in that file; one assembled from
    several single-page files (each its page 1) is counted from 1.
    """
    count = len(item.get("pages") or [])
    first, last = int(item.get("first_page") or 1), int(item.get("last_page") or 0)
    if last - first + 1 == count:
        return list(range(first, last + 1))
    return list(range(1, count + 1))


def item_lines(archive: Archive, item: dict[str, Any],
               record: editorial.EditorialRecord | None = None) -> tuple[list[Line], list[int]]:
    """The item's lines in page order (the editor's text for a proofread page), and the sheets
    that have no text."""
    lines: list[Line] = []
    missing: list[int] = []
    for key, sheet in zip(item.get("pages") or [], sheet_numbers(item)):
        edited = record.pages.get(key) if record else None
        if edited is not None:
            lines.extend(editorial_lines(edited.text, sheet))
            continue
        page_dir = archive.page_dir(PageRef.parse(key))
        page = read_page_lines(page_dir, sheet)
        if page is None:
            missing.append(sheet)
        else:
            corrections.mark_corrected(page, page_dir)
            lines.extend(page)
    return lines, missing


def body_lines(lines: list[Line], item: dict[str, Any]) -> tuple[list[Line], bool]:
    """The body's lines (header, title and closing blocks cut off); False if the start was a guess."""
    body, found, _ = _cut(lines, item)
    return body, found


def _cut(lines: list[Line], item: dict[str, Any]) -> tuple[list[Line], bool, list[Line]]:
    start = body_start(lines, item)
    found = start is not None
    start = start or 0
    end = body_end(lines, start)
    first_sheet = lines[0].sheet if lines else 0
    body = _drop_page_heads(lines[start:end], first_sheet)
    return attach_lone_numbers(body), found, closing_lines(lines[end:])


def closing_lines(tail: list[Line]) -> list[Line]:
    """The signature block after the body: the authority (T/M …), the title and the signer's name.
    Party documents set "Nơi nhận" on the left, beside the block, so the OCR's reading order may
    put the recipients first: the block is found after them."""
    start = next((i for i, line in enumerate(tail) if _AUTHORITY.match(line.text)), None)
    if start is None:
        return []
    block = []
    for line in tail[start:start + 6]:
        folded = fold(line.text).replace(" ", "")
        if block and (folded.startswith("noinhan") or line.text.startswith(("-", "+"))):
            break
        if line.proofread or not is_noise(line.text, line.conf):
            block.append(line)
    return block


def document_text(archive: Archive, item: dict[str, Any],
                  record: editorial.EditorialRecord | None = None,
                  well_read: frozenset[tuple[str, str]] | None = None,
                  read: tuple[list[Line], list[int]] | None = None) -> DocumentText:
    """The body of catalogued ``item`` (an ``iter_items`` dict) rebuilt from its pages: the
    editor's text where a page is proofread (``record``, else read from the archive), else the OCR.
    ``well_read``: the pairs of words that confirm unsure readings (:func:`luutru.volume.marking.
    well_read_pairs`; the whole volume's, by default the item's own); ``read``: the item's
    lines (:func:`item_lines`) when the caller has read them already."""
    if record is None:
        record = editorial.load_record(archive, item["id"])
    lines, missing = read if read is not None else item_lines(archive, item, record)
    body, found, closing = _cut(lines, item)
    if well_read is None:
        well_read = marking.well_read_pairs(lines)
    paragraphs = _heading_runs(rebuild_paragraphs(body, record.notes if record else None, well_read))
    unreadable = sum(1 for p in paragraphs for _, kind in p.runs if kind == UNREADABLE)
    doubtful = sum(1 for p in paragraphs for _, kind in p.runs if kind == DOUBT)
    for sheet in missing:
        mark = UNREADABLE_MARK.format(sheet=sheet)
        paragraphs.append(Paragraph(kind="para", runs=[(mark, UNREADABLE)], sheet=sheet))
    paragraphs.sort(key=lambda p: p.sheet)
    unproofread = [sheet for key, sheet in zip(item.get("pages") or [], sheet_numbers(item))
                   if not (record and key in record.pages)]
    return DocumentText(paragraphs, found, unreadable + len(missing), missing, doubtful,
                        unproofread, closing)
