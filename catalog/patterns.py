"""The Vietnamese conventions a catalogue reads: document numbers, dates, document types, marks.

Party documents number with a hyphen (``43-NQ/TW``: number, type abbreviation, issuing organ), state
documents with a slash (``07/CT-UBND``). OCR adds spaces, long dashes and look-alike letters, so
the patterns are tolerant and every value comes out in one canonical spelling.
"""

from __future__ import annotations

import re
from datetime import date

from luutru.textnorm import fold, nfc

# Document types: printed name → Party abbreviation (Hướng dẫn 36-HD/VPTW).
DOC_TYPES: dict[str, str] = {
    "Nghị quyết": "NQ", "Chỉ thị": "CT", "Kết luận": "KL", "Quyết định": "QĐ", "Quy định": "QĐi",
    "Quy chế": "QC", "Hướng dẫn": "HD", "Báo cáo": "BC", "Kế hoạch": "KH",
    "Chương trình hành động": "CTr", "Chương trình": "CTr", "Thông báo": "TB", "Tờ trình": "TTr",
    "Công văn": "CV", "Đề án": "ĐA", "Phương án": "PA", "Thông tri": "TT",
    "Biên bản": "BB", "Công điện": "CĐ", "Lời kêu gọi": "LKG", "Tuyên bố": "TBo", "Điện mừng": "ĐM",
    "Giấy giới thiệu": "GGT", "Giấy mời": "GM", "Phiếu gửi": "PG", "Thư": "T",
}
ABBREV_TO_TYPE: dict[str, str] = {}
for _name, _abbr in DOC_TYPES.items():
    ABBREV_TO_TYPE.setdefault(_abbr, _name)
ABBREV_TO_TYPE["CTr"] = "Chương trình hành động"
_TYPES_BY_FOLD = {fold(name): name for name in DOC_TYPES}
_TYPES_BY_LETTERS = {fold(name).replace(" ", ""): name for name in DOC_TYPES}
_ABBREVS_BY_FOLD = {fold(a): a for a in ABBREV_TO_TYPE}

DO_MAT = {"mat": "Mật", "toi mat": "Tối mật", "tuyet mat": "Tuyệt mật"}
DO_KHAN = {"khan": "Khẩn", "thuong khan": "Thượng khẩn", "hoa toc": "Hỏa tốc"}

_DASH = "-\u2010\u2011\u2012\u2013\u2014\u2212_~:"
# number, separator, type, separator, organ; OCR may put spaces around the separators
_SKH = re.compile(
    rf"(?<![\w/#*])(\d{{1,5}})\s*([{_DASH}/])\s*([A-ZĐa-zđ][A-Za-zĐđ]{{0,5}})\s*([{_DASH}/])\s*"
    r"([A-ZĐ][A-ZĐa-zđ0-9]{1,11}(?:[-/][A-ZĐ][A-ZĐa-z0-9]{0,9})?)(?![\w])")


def _fix_type(abbr: str) -> str | None:
    """Map an OCR'd type abbreviation to its canonical spelling (``QDi`` → ``QĐi``)."""
    return _ABBREVS_BY_FOLD.get(fold(abbr)) or (abbr if abbr.isupper() and len(abbr) <= 4 else None)


def _canonical(match: re.Match) -> str | None:
    number, sep1, abbr, sep2, organ = match.groups()
    kind = _fix_type(abbr)
    if kind is None:
        return None
    party = sep1 != "/" and sep2 == "/"
    state = sep1 == "/" and sep2 != "/"
    organ = organ.upper()
    if party:
        return f"{number}-{kind}/{organ}"
    if state:
        return f"{number}/{kind}-{organ}"
    return None


def find_so_ky_hieu(text: str) -> list[str]:
    """Every document number in ``text``, canonical, in order of appearance."""
    found = []
    for match in _SKH.finditer(nfc(text)):
        value = _canonical(match)
        if value:
            found.append(value)
    return found


def canonical_so_ky_hieu(text: str) -> str | None:
    values = find_so_ky_hieu(text)
    return values[0] if values else None


def type_of_number(so_ky_hieu: str) -> str | None:
    """The document type a number's abbreviation names (``43-NQ/TW`` → ``Nghị quyết``)."""
    match = re.match(r"\d+-([^/]+)/", so_ky_hieu) or re.match(r"\d+/([^-]+)-", so_ky_hieu)
    return ABBREV_TO_TYPE.get(match.group(1)) if match else None


def match_doc_type(line: str) -> str | None:
    """The document type a title line names (``NGHỊ QUYẾT`` → ``Nghị quyết``), else None."""
    key = re.sub(r"[^a-z ]", "", fold(line)).strip()
    key = re.sub(r"\s+", " ", key)
    return _TYPES_BY_FOLD.get(key) or _TYPES_BY_LETTERS.get(key.replace(" ", ""))


# ngày 26 tháng 12 năm 2012  /  29-4-2012  /  29/4/2012
# on folded text; OCR slips in the words ("thúng", "nărn") are tolerated, the numbers anchor it
_DATE_WORDS = re.compile(
    r"\bng\w{1,3}\s*(\d{1,2})\s*th\w{2,4}\s*(\d{1,2})\s*n\w{1,3}\s*(\d{4})(?!\d)")
_DATE_NUM = re.compile(r"(?<!\d)(\d{1,2})\s*[-/.]\s*(\d{1,2})\s*[-/.]\s*(\d{4})(?!\d)")


def _iso(day: str, month: str, year: str) -> str | None:
    try:
        return date(int(year), int(month), int(day)).isoformat()
    except ValueError:
        return None


def parse_date(text: str) -> str | None:
    """ISO date of the first date written in words or with hyphens/slashes in ``text``."""
    match = _DATE_WORDS.search(fold(text))
    if match:
        return _iso(*match.groups())
    match = _DATE_NUM.search(text)
    return _iso(*match.groups()) if match else None


# Vietnamese state and Party records begin in 1930 (the Party's founding) and 1945.
FIRST_YEAR = 1930


def plausible_date(iso: str | None, today: date | None = None) -> tuple[str | None, bool]:
    """(date, plausible): a year before 1930 or after next year is a misread digit (``4999`` for
    ``1999``); when changing its first digit gives exactly one plausible year, that is returned
    as the best guess, never as plausible (a person confirms it)."""
    if iso is None:
        return None, True
    last = (today or date.today()).year + 1
    year = int(iso[:4])
    if FIRST_YEAR <= year <= last:
        return iso, True
    guesses = [f"{d}{iso[1:]}" for d in "12" if FIRST_YEAR <= int(f"{d}{iso[1:4]}") <= last]
    return (guesses[0] if len(guesses) == 1 else iso), False


def mark_of(line: str) -> tuple[str, str] | None:
    """(``do_mat``|``do_khan``, value) when ``line`` is a secrecy or urgency stamp."""
    key = re.sub(r"\s+", " ", re.sub(r"[^a-z ]", "", fold(line))).strip()
    if key in DO_MAT:
        return "do_mat", DO_MAT[key]
    if key in DO_KHAN:
        return "do_khan", DO_KHAN[key]
    return None
