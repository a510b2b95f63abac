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
_TOP_SHARE = 0.4     # the header sits in the top 40 % of a page
_TOP_LINES = 14      # without geometry: the first lines


def _key(text: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"[^a-z0-9/ ]", " ", fold(text))).strip()


def _top_lines(page: PageLines) -> list[str]:
    if page.has_geometry and page.height:
        limit = page.height * _TOP_SHARE
        return [ln.text for ln in page.lines if ln.box[1] < limit]
    return [ln.text for ln in page.lines[:_TOP_LINES]]


def _starts_with_page_number(page: PageLines) -> bool:
    """Pages after the first carry their number alone, centred at the top."""
    for line in page.lines[:3]:
        text = line.text.strip()
        if not re.sub(r"[^\w]", "", text):
            continue
        if re.fullmatch(r"[-–\s]*\d{1,3}[-–\s]*", text):
            if not page.has_geometry or not page.width:
                return True
            centre = (line.box[0] + line.box[2]) / 2
            return abs(centre - page.width / 2) < 0.1 * page.width
        return False
    return False


def first_page_score(page: PageLines) -> float:
    """How strongly the page looks like the first page of a document (>= 2 means it is)."""
    score = 0.0
    top = _top_lines(page)
    keys = [_key(t) for t in top]
    joined = " ".join(keys)
    if _PARTY_WORDS.search(joined) or any(
            fuzz.ratio(k, _PARTY) > 75 for k in keys):
        score += 1.5
    if any(re.match(r"^s[o0ô6]\b", k) and find_so_ky_hieu(t) for k, t in zip(keys, top)):
        score += 1.0
    if any(parse_date(t) and re.search(r"ngay .*thang", k) for k, t in zip(keys, top)):
        score += 1.0
    if any(re.search(r"\b(tinh|thanh|huyen|quan|thi|dang) uy\b|^dang bo\b", k) for k in keys[:6]):
        score += 0.5
    if _starts_with_page_number(page):
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


def is_first_page(page: PageLines) -> bool:
    return first_page_score(page) >= 2.0


def split_documents(pages: list[PageLines]) -> list[tuple[int, int]]:
    """(first, last) 0-based page spans of the documents in a run of pages; the first page
    always opens a document (a file never starts in the middle of one)."""
    if not pages:
        return []
    starts = [0] + [i for i in range(1, len(pages)) if is_first_page(pages[i])]
    ends = [s - 1 for s in starts[1:]] + [len(pages) - 1]
    return list(zip(starts, ends))
