"""Where one document ends and the next begins inside a scanned hồ sơ.

A hồ sơ is often one PDF or TIFF (or a run of page images) holding many documents back to back,
with nothing but the pages themselves to say where each starts. Page 1 of a Party document carries
the header: the organ block with ``Số …``, "ĐẢNG CỘNG SẢN VIỆT NAM", the place-and-date line; later
pages carry a page number at the top. Each signal is scored on the top of the page, tolerant of OCR
errors, and a page starts a document when the header outweighs the page-number evidence.
"""

from __future__ import annotations

import re

from rapidfuzz import fuzz

from luutru.catalog.pagelines import PageLines
from luutru.catalog.patterns import find_so_ky_hieu, parse_date
from luutru.textnorm import fold

_PARTY = "dang cong san viet nam"
_PARTY_WORDS = re.compile(r"dang\s*cong\s*san|cong\s*san\s*viet\s*nam")
# A state body's document carries the national motto where a Party one carries the Party's name.
_STATE = "cong hoa xa hoi chu nghia viet nam"
_STATE_WORDS = re.compile(r"cong\s*h[oa]a\s*xa\s*h[oa]i|xa\s*hoi\s*chu\s*nghia|doc\s*lap\s*tu\s*do")
_ORGAN_WORDS = re.compile(r"\b(tinh|thanh|huyen|quan|thi|dang) uy\b|^dang bo\b")
# A draft attached to a submission (a tờ trình's "DỰ THẢO" nghị quyết) belongs to it.
_DRAFT = re.compile(r"^du thao\b")
# The printed rest of a number or date whose digits are handwritten (OCR loses them).
_NUMBER_BLANK = re.compile(r"[-–/]\s*[A-ZĐ][A-Za-zĐđ]{0,5}\s*[-–/]\s*[A-ZĐ]{2,}")
_DATE_BLANK = re.compile(r"\bngay (thang \d{1,2}|\d{1,2} thang) nam (19|20)\d\d\b")
_TOP_SHARE = 0.4     # the header sits in the top 40 % of a page
_TOP_LINES = 14      # without geometry: the first lines


def _key(text: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"[^a-z0-9/ ]", " ", fold(text))).strip()


def _top_lines(page: PageLines) -> list[str]:
    if page.has_geometry and page.height:
        limit = page.height * _TOP_SHARE
        return [ln.text for ln in page.lines if ln.box[1] < limit]
    return [ln.text for ln in page.lines[:_TOP_LINES]]


def top_page_number(page: PageLines) -> int | None:
    """The page number printed alone at the top of a later page (centred when geometry says)."""
    for line in page.lines[:3]:
        text = line.text.strip()
        if not re.sub(r"[^\w]", "", text):
            continue
        m = re.fullmatch(r"[-–\s]*(\d{1,3})[-–\s]*", text)
        if not m:
            return None
        if page.has_geometry and page.width:
            centre = (line.box[0] + line.box[2]) / 2
            if abs(centre - page.width / 2) >= 0.1 * page.width:
                return None
        return int(m.group(1))
    return None


def _starts_with_page_number(page: PageLines) -> bool:
    """Pages after the first carry their number alone, centred at the top."""
    return top_page_number(page) is not None


def first_page_score(page: PageLines) -> float:
    """How strongly the page looks like the first page of a document (>= 2 means it is)."""
    score = 0.0
    top = _top_lines(page)
    keys = [_key(t) for t in top]
    joined = " ".join(keys)
    if _PARTY_WORDS.search(joined) or _STATE_WORDS.search(joined) or any(
            fuzz.ratio(k, _PARTY) > 75 or fuzz.partial_ratio(_STATE, k) > 85 and len(k) > 15
            for k in keys):
        score += 1.5
    if any(re.match(r"^s[o0ô6]\b", k) and find_so_ky_hieu(t) for k, t in zip(keys, top)):
        score += 1.0
    elif any(_NUMBER_BLANK.search(t) for k, t in zip(keys, top) if re.match(r"^s[o0ô6]\b", k)):
        score += 0.75       # "Số:      /TTr-UBND": the number is written in by hand
    if any(parse_date(t) and re.search(r"ngay .*thang", k) for k, t in zip(keys, top)):
        score += 1.0
    elif any(_DATE_BLANK.search(k) for k in keys):
        score += 0.75       # "ngày    tháng 01 năm 2025": the day is written in by hand
    if any(_ORGAN_WORDS.search(k) for k in keys[:6]):
        score += 0.5
    if _starts_with_page_number(page) or any(_DRAFT.match(k) for k in keys):
        score -= 2.0
    return score


def file_name_hint(source: str, index: int) -> float:
    """Scanner stations name page images ``doc-0007_p001.jpg``, ``…_p002.jpg``: page 1 of a
    scanned document, or a later one. A hint only; the page itself decides."""
    if index != 1:
        return 0.0
    m = re.search(r"[_-]p?(\d{1,4})\.[A-Za-z]+$", source)
    if not m:
        return 0.0
    return 0.5 if int(m.group(1)) == 1 else -0.5


def _body_lines(page: PageLines) -> list[str]:
    """The page's lines without specks and bare page numbers."""
    return [t for t in (ln.text.strip() for ln in page.lines)
            if len(re.sub(r"[\W\d_]", "", t)) >= 2]


def runs_on(previous: PageLines, page: PageLines) -> bool:
    """The previous page's last sentence goes on at the top of this one: it ends without a full
    stop, and this page starts in lower case; a page that closed a document (``Nơi nhận``) does
    not go on."""
    before, after = _body_lines(previous), _body_lines(page)
    if not before or not after:
        return False
    if any(_key(t).startswith("noi nhan") for t in before):
        return False
    ends_open = not re.search(r"[.:;!?]\s*[\W]*$", before[-1])
    first = re.sub(r"^[\W\d_]+", "", after[0])
    return ends_open and first[:1].islower()


def continues_previous(page: PageLines, previous: PageLines | None) -> bool:
    """Positive evidence that the first page of a new scanned file goes on with the document of
    the file before it: a printed page number above 1 at the top, or no header at all and the
    sentence running on from the previous page. Without such evidence a new file is a new
    document (real scans seldom look like a rendered first page, and a lost document is worse
    than a split one)."""
    number = top_page_number(page)
    if number is not None:
        return number > 1
    if previous is None or first_page_score(page) >= 1.0:     # some of a header
        return False
    return runs_on(previous, page)


def starts_document(page: PageLines, previous: PageLines | None, new_file: bool,
                    hint: float = 0.0) -> bool:
    """Whether ``page`` opens a document: on a new file's first page, unless the page shows it
    continues the previous one; inside a file, when its header outweighs the page-number
    evidence (``hint``: what the file's name suggests, see :func:`file_name_hint`)."""
    if previous is None:
        return True
    if new_file:
        return first_page_score(page) + hint >= 2.0 or not continues_previous(page, previous)
    return first_page_score(page) >= 2.0

