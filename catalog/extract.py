"""Read an item's catalogue fields from its OCR'd pages.

Page 1 carries the header (organ block and ``Số …`` left; party name, place and date right), the
secrecy/urgency stamps, the title (type + trích yếu) or, for a công văn, ``V/v …`` under the number.
The last page carries ``Nơi nhận`` (bottom left) and the signature block (bottom right: authority
lines T/M, K/T, T/L, T/UQ; the signer's title; the name). Each value is returned with a confidence
(Tesseract's word confidences of the words it came from) and whether a person should check it: a
value is never guessed, and a registration stamp's ``Số``/``Ngày`` is never taken for the document's.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from rapidfuzz import fuzz
from rapidfuzz.distance import Levenshtein

from luutru.catalog.handwriting import (handwritten_day, handwritten_number, read_pen_day,
                                        read_pen_number)
from luutru.catalog.model import LIST_FIELDS
from luutru.catalog.pagelines import Line, PageLines, Word, join_rows
from luutru.catalog.patterns import (DO_KHAN, DO_MAT, DOC_TYPES, find_so_ky_hieu, mark_of,
                                     match_doc_type, parse_date, plausible_date, type_of_number)
from luutru.catalog.stamps import (before_copy_block, is_copy_head, is_received_head,
                                   without_esignature)
from luutru.catalog.vocab import (FAMILY_NAMES, KNOWN_ORGANS, ORGAN_KINDS, PLACES, STOCK_RECIPIENTS,
                                  TITLE_PHRASES, TITLES)
from luutru.textnorm import fold, nfc

# Below these word confidences a value goes to review (digits are unforgiving: 1/7, 0/6, 3/8).
DIGITS_MIN_CONF = 0.80
TEXT_MIN_CONF = 0.60
LIST_MIN_CONF = 0.85     # one misread recipient is a wrong list
PROSE_MIN_CONF = 0.85    # trích yếu and names: one wrong tone mark is a wrong value
# On a poor scan (mean word confidence below this) Tesseract is confidently wrong more often:
# prose values then need near-certain words.
POOR_PAGE_CONF = 0.935
POOR_PAGE_PROSE_CONF = 0.97
POOR_PAGE_DIGITS_CONF = 0.93


def _prose_floor(page: PageLines) -> float:
    return POOR_PAGE_PROSE_CONF if page.mean_conf < POOR_PAGE_CONF else PROSE_MIN_CONF


# The fields read from the pages (the model's ngon_ngu and ghi_chu are not).
EXTRACTED_FIELDS = ("so_ky_hieu", "loai_van_ban", "ngay_ban_hanh", "co_quan_ban_hanh", "trich_yeu",
                    "nguoi_ky", "chuc_vu_nguoi_ky", "the_thuc_ky", "dia_danh", "do_mat", "do_khan",
                    "noi_nhan", "so_ky_hieu_trich_dan")
# Fields every Party document has: missing means "look at it", not "it has none".
REQUIRED = ("so_ky_hieu", "loai_van_ban", "ngay_ban_hanh", "co_quan_ban_hanh", "trich_yeu",
            "nguoi_ky", "chuc_vu_nguoi_ky", "dia_danh", "noi_nhan")


@dataclass
class Extracted:
    value: Any
    confidence: float = 1.0
    pages: list[int] = field(default_factory=list)  # 1-based pages of the item
    review: bool = False


# --- helpers --------------------------------------------------------------------------------------

_PARTY = "dang cong san viet nam"
_STAMP_HEAD = re.compile(r"^(cong|van|vb|cv)\b.{0,10}\bden\b")
_STAMP_LINE = re.compile(r"^(so|ngay|chuyen|van phong (tinh|thanh) uy)\b\s*:?")
_SO_LINE = re.compile(r"^s[o0ô6]\b|^s[o0]\s*\d")
_AUTHORITY = re.compile(r"^(T\s*[/.]?\s*M|K\s*[/.]?\s*T|T\s*[/.]?\s*L|T\s*[/.]?\s*UQ)[.:]?\s+(\S.*)$")
_RECIPIENT = re.compile(r"^[.,'`‘’“”_]{0,2}\s?[-–—•·+¬~]")   # the dash, as OCR reads it
_NEEDS_AUTHORITY = {"BÍ THƯ", "PHÓ BÍ THƯ", "PHÓ CHÁNH VĂN PHÒNG", "PHÓ TRƯỞNG BAN", "PHÓ CHỦ NHIỆM"}
_HEADER_SHARE = 0.45   # the header and title stand in the top 45 % of page 1
_VV = re.compile(r"^(V\s*[^\w\s]{1,3}\s*v?|[VW]\S{0,2}[vx]|V\s?v)\s+\w")   # V/v, Wv, VWv, W/v, Vx
_DATE_LOOSE = re.compile(r"\bng\w{1,3}\b.{0,12}\bth\w{2,4}\b.{0,12}\bn\w{1,3}\s*\d{4}\b")
# The printed rest of a number whose digits OCR lost: Party "-CV/VPTU", state "/TTr-UBND".
_PARTIAL_NUMBER = re.compile(r"[-–—]\s*([A-Za-zĐđ]{1,5})\s*/\s*([A-ZĐ][A-ZĐa-z]{1,10})\b"
                             r"|/\s*([A-Za-zĐđ]{1,5})\s*[-–—]\s*([A-ZĐ]{2,10})\b")
_SYMBOL = re.compile(r"^\W*/|[A-ZĐ]{1,5}-[A-ZĐ]{2,}")    # "/TB-UBND": a number's rest, no organ
_DATE_LINE = re.compile(r"\bng\w{1,3}\s*\d{1,2}\s*th\w{2,4}\s*\d{1,2}\s*n\w{1,3}\s*\d{4}")
_BODY_START = re.compile(r"^(thuc hien|kinh gui|can cu|"
                         r"(i|ii|iii|iv|v)\.|\d+\.|phan |chuong |dieu )")


def _key(text: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"[^a-z0-9/ ]", " ", fold(text))).strip()


def _similar(a: str, b: str) -> float:
    return fuzz.ratio(_key(a), _key(b)) / 100


def _is_upper(text: str) -> bool:
    letters = [c for c in text if c.isalpha()]
    return len(letters) >= 2 and sum(c.isupper() for c in letters) >= 0.8 * len(letters)


_STOCK_BY_KEY: dict[str, str] = {}


def _stock_recipient(text: str) -> tuple[str, bool] | None:
    """(standard recipient, sure) a line reads as, OCR slips fixed: sure when it is unambiguous,
    a guess for a person to confirm when the line's end is garbled (``đảng ủy trựợ``)."""
    if not _STOCK_BY_KEY:
        _STOCK_BY_KEY.update({_key(r): r for r in STOCK_RECIPIENTS})
    key = _key(text)
    if key in _STOCK_BY_KEY:
        return _STOCK_BY_KEY[key], True
    scored = sorted(((fuzz.ratio(key, k), r) for k, r in _STOCK_BY_KEY.items()), reverse=True)
    (best, value), (second, _) = scored[0], scored[1]
    if best >= 92 and best - second >= 4:
        return value, True
    return (value, False) if best >= 85 and best - second >= 6 else None


def _clean_item(text: str) -> str:
    text = re.sub(r"^[.,'`‘’“”_]{0,2}\s?[-–—•·*+¬~]\s*", "", text.strip()).strip(" '\"`‘’“”:;")
    return text.rstrip(",.;:").strip()


def _left(line: Line, page: PageLines) -> bool:
    return line.box is not None and page.width and (line.box[0] + line.box[2]) / 2 < page.width / 2


def _right(line: Line, page: PageLines) -> bool:
    return line.box is not None and page.width and (line.box[0] + line.box[2]) / 2 >= page.width / 2


def _proper_case(text: str) -> str:
    """``THÁI BÌNH`` → ``Thái Bình`` (place names), with ``ủy`` and organ words kept as written."""
    return " ".join(w[:1].upper() + w[1:].lower() for w in text.split())


def _organ_case(text: str) -> str:
    """``BAN TUYÊN GIÁO`` → ``Ban Tuyên giáo``; ``HUYỆN ỦY KIẾN XƯƠNG`` → ``Huyện ủy Kiến Xương``."""
    best, score = None, 0.0
    words = text.split()
    for organ in KNOWN_ORGANS:
        n = len(organ.split())
        head = " ".join(words[:n])
        s = _similar(head, organ)
        if s > score and s >= 0.8:
            best, score = (organ, n), s
    if best is None:
        return _proper_case(text)
    organ, n = best
    rest = " ".join(words[n:])
    return f"{organ} {_proper_case(rest)}".strip()


# --- page 1 ---------------------------------------------------------------------------------------

def _strip_registration_stamp(lines: list[Line]) -> list[Line]:
    """Drop a receiving office's ``CÔNG VĂN ĐẾN / Số: / Ngày:`` stamp, or a copying office's
    ``SAO Y BẢN CHÍNH / Số: …/SY-… / …, ngày …``: their numbers and dates are not ours."""
    out, skipping, head = [], 0, None
    keys = [_key(ln.text) for ln in lines]
    for i, (line, key) in enumerate(zip(lines, keys)):
        stamp_head = _STAMP_HEAD.match(key) or is_received_head(line) or is_copy_head(line)
        if stamp_head or ("den" in key.split() and i + 1 < len(keys)
                          and _STAMP_LINE.match(keys[i + 1]) and "cong" in key):
            skipping, head = 4, line
            if out and _key(out[-1].text).startswith("van phong") and _is_upper(out[-1].text) \
                    and not any(_key(o.text) == _PARTY for o in out[-1:]):
                if len(out) == 1 or not _is_upper(out[-2].text):
                    out.pop()
            continue
        if skipping and ((_STAMP_LINE.match(key) or _DATE_LOOSE.search(key))
                         and (":" in line.text or _aligned(head, line))
                         or re.fullmatch(r"[\d/ .:-]+", key)):
            skipping -= 1
            continue
        skipping = 0
        out.append(line)
    return out


def _aligned(head: Line, line: Line) -> bool:
    """``line`` starts where the stamp's head does (a stamp's lines are left-aligned in its box)."""
    if head.box is None or line.box is None:
        return False
    return abs(line.box[0] - head.box[0]) < 2 * (head.box[3] - head.box[1])


@dataclass
class _Header:
    organ: list[Line] = field(default_factory=list)
    so: Line | None = None
    date: Line | None = None
    vv: list[Line] = field(default_factory=list)
    marks: list[tuple[str, str, Line]] = field(default_factory=list)
    title_index: int | None = None
    so_partial: Line | None = None      # "Số" with a handwritten number OCR could not read
    date_partial: Line | None = None    # the date line with a handwritten day or month
    guessed_marks: list[Line] = field(default_factory=list)

    @property
    def dated(self) -> Line | None:
        return self.date or self.date_partial

    @property
    def numbered(self) -> Line | None:
        return self.so or self.so_partial


def _without_party_name(line: Line) -> Line:
    """``ĐẢNG BỘ TỈNH THÁI BÌNH ĐẢNG CỘNG SẢN VIỆT NAM`` (two blocks read as one line) → the left part."""
    words = line.text.split()
    if not _is_upper(line.text):
        return line
    scores = [(_similar(" ".join(words[i:i + 5]), "ĐẢNG CỘNG SẢN VIỆT NAM"), i)
              for i in range(1, len(words) - 1)]
    best = max(scores, default=(0.0, 0))
    for score, i in [best]:
        if score >= 0.75:
            kept = [w for w in line.words if w.box[0] < (line.words[i].box[0] if len(line.words) == len(words) else 1 << 30)]
            box = line.box if not kept else (min(w.box[0] for w in kept), line.box[1],
                                             max(w.box[2] for w in kept), line.box[3])
            return Line(" ".join(words[:i]), box, kept or line.words)
    return line


def _centred(line: Line, page: PageLines) -> bool:
    if line.box is None or not page.width:
        return True
    return abs((line.box[0] + line.box[2]) / 2 - page.width / 2) < 0.08 * page.width


def _unknown_type(text: str) -> bool:
    """An upper-case title word we do not know (``ĐỀ CƯƠNG``): a type to keep, with a warning."""
    key = _key(text)
    return (mark_of(text) is None and _similar(key, _PARTY) < 0.8 and 1 <= len(key.split()) <= 4
            and len(key) >= 4 and not any(ch.isdigit() for ch in key))


def _near_mark(text: str) -> tuple[str, str] | None:
    """A stamp read one letter wrong (``MẠIT``): under the number, a short upper-case line that
    close to a secrecy or urgency word is taken as that stamp, for a person to confirm (a missed
    MẬT would show a classified document to anyone)."""
    key = re.sub(r"[^a-z ]", "", fold(text).lower()).strip()
    if not _is_upper(text) or not 3 <= len(key) <= 10 or len(key.split()) > 2:
        return None
    for name, table in (("do_mat", DO_MAT), ("do_khan", DO_KHAN)):
        for word, value in table.items():
            if Levenshtein.distance(key, word) == 1:
                return name, value
    return None


def _scan_header(lines: list[Line], page: PageLines) -> _Header:
    head = _Header()
    lines = [_without_party_name(ln) for ln in lines]
    seen_star = False
    for i, line in enumerate(lines):
        key = _key(line.text)
        if _is_upper(line.text) and (head.numbered and head.dated) and _centred(line, page) and \
                (match_doc_type(line.text) or _unknown_type(line.text)):
            head.title_index = i
            break
        if match_doc_type(line.text) and _is_upper(line.text) and (head.numbered or head.dated):
            head.title_index = i
            break
        if _BODY_START.match(key) and line.text.strip()[:1].isupper():
            break                       # the body (or "Kính gửi") starts: no more header
        if line.box and page.height and line.box[1] > _HEADER_SHARE * page.height:
            break
        mark = mark_of(line.text)
        if mark:
            head.marks.append((mark[0], mark[1], line))
        elif head.numbered and (near := _near_mark(line.text)):
            head.marks.append((near[0], near[1], line))
            head.guessed_marks.append(line)
        elif _similar(key, _PARTY) > 0.8:
            continue
        elif head.date is None and _DATE_LINE.search(key) and parse_date(line.text):
            head.date = line
        elif head.dated is None and _DATE_LOOSE.search(key):
            head.date_partial = line
        elif head.so is None and _SO_LINE.match(key) and find_so_ky_hieu(line.text):
            head.so = line
        elif head.numbered is None and _SO_LINE.match(key) and _PARTIAL_NUMBER.search(line.text):
            head.so_partial = line
        elif _VV.match(line.text.strip()):
            head.vv.append(line)
        elif head.vv and not _is_upper(line.text) and (not page.has_geometry or _left(line, page)) \
                and not key.startswith("kinh gui"):
            head.vv.append(line)
        elif "*" in line.text and len(re.sub(r"\W", "", line.text)) <= 1:
            seen_star = True            # the star under the organ block ends it
        elif len(re.sub(r"[\W_]", "", line.text)) < 2:
            continue                    # specks
        elif head.numbered is None and not seen_star and _is_upper(line.text) \
                and not _SO_LINE.match(key) and not _SYMBOL.search(line.text) \
                and (not page.has_geometry or _left(line, page)):
            head.organ.append(line)
    if head.organ and head.organ[0].box is not None:
        head.organ = join_rows(head.organ)      # "VĂN  PHÒNG" spaced out in bold type
    head.organ = head.organ[-2:]        # superior and organ: what stands above them is a stamp
    return head


def _co_quan(organ: list[Line]) -> tuple[str | None, bool]:
    """The issuing organ from the two-line organ block, and whether it is sure (a block read as
    one line lost a line: the superior or the organ itself)."""
    texts = [re.sub(r"^[\W_]+|[\W_]+$", "", nfc(ln.text)) for ln in organ if len(_key(ln.text)) > 2]
    texts = [t for t in texts if t]
    if not texts:
        return None, False
    specks = [_SPECKS.sub(" ", t) for t in texts]        # "HẢI 'PHÒNG", "LÊ.CHÂN"
    if specks != texts:
        organ_name, _ = _co_quan_of(specks)
        return organ_name, False
    return _co_quan_of(texts)


_SPECKS = re.compile(r"(?<=\w)[.'`‘’]+(?=\w)|(?<=\s)[.'`‘’]+(?=\w)")


def _co_quan_of(texts: list[str]) -> tuple[str, bool]:
    if len(texts) == 1:
        return _state_organ(texts[0]) or _organ_case(texts[0]), False
    return _two_line_organ(texts[-2], texts[-1]), len(texts) == 2


# A state body's organ block names the body, then its unit: "ỦY BAN NHÂN DÂN / TỈNH QUẢNG NGÃI".
_STATE_BODIES = ("Ủy ban nhân dân", "Hội đồng nhân dân")
_UNIT_KINDS = ("thành phố", "thị xã", "thị trấn", "tỉnh", "huyện", "quận", "xã", "phường")
_UNIT_BY_FOLD = {fold(k).lower(): k for k in _UNIT_KINDS}


def _state_organ(text: str) -> str | None:
    """``ỦY BAN NHÂN DÂN TỈNH QUẢNG NGÃI`` → ``Ủy ban nhân dân tỉnh Quảng Ngãi`` (OCR slips in the
    body's name snapped), else None."""
    words = text.split()
    for body in _STATE_BODIES:
        if len(words) > 4 and _similar(" ".join(words[:4]), body) >= 0.8:
            return f"{body} {_unit_case(' '.join(words[4:]))}"
    return None


def _unit_case(text: str) -> str:
    """``TỈNH QUẢNG NGÃI`` → ``tỉnh Quảng Ngãi``; ``THÀNH PHỐ …`` → ``thành phố …``."""
    words = text.split()
    for n in (2, 1):
        kind = _UNIT_BY_FOLD.get(fold(" ".join(words[:n])).lower())
        if kind and len(words) > n:
            return f"{kind} {_proper_case(' '.join(words[n:]))}"
    return _proper_case(text)


def _two_line_organ(superior: str, own: str) -> str:
    state = _state_organ(f"{superior} {own}")
    if state and len(superior.split()) == 4:
        return state
    if _similar(" ".join(superior.split()[:2]), "ĐẢNG BỘ") >= 0.7 or \
            _key(superior).replace(" ", "").startswith("dangbo"):
        words = superior.split()[2:]
        if words and _key(words[0]) == "tinh":
            words = words[1:]
        elif len(words) > 1 and _key(" ".join(words[:2])) == "thanh pho":
            words = words[2:]
        place = " ".join(words)
        own_key = _key(own)
        if any(own_key == _key(kind) for kind in ORGAN_KINDS):
            return f"{_organ_case(own)} {_proper_case(place)}"
        return _organ_case(own)
    return f"{_organ_case(own)} {_organ_case(superior)}"


def _trich_yeu(lines: list[Line], start: int, page: PageLines) -> list[Line]:
    """Title lines after the type line: centred, until the body starts."""
    out: list[Line] = []
    prev = lines[start]
    for line in lines[start + 1:start + 8]:
        if len(re.sub(r"[\W\d_]", "", line.text)) < 2:
            continue                    # specks read as "!" or "—" between title lines
        line = Line(re.sub(r"^[\W_]+", "", line.text.strip()), line.box, line.words)
        key, first = _key(line.text), line.text.strip()[:1]
        # trích yếu starts in lower case ("về …", "thực hiện …"); the body with a capital
        if first.isupper() and (_BODY_START.match(key) or not out or
                                (line.box is None and len(key.split()) > 4)):
            break
        if key.startswith("noi nhan"):
            break
        if line.box and prev.box:
            height = max(1, prev.box[3] - prev.box[1])
            gap = line.box[1] - prev.box[3]
            centre = (line.box[0] + line.box[2]) / 2
            if gap > 1.2 * height or abs(centre - page.width / 2) > 0.08 * page.width:
                break
        out.append(line)
        prev = line
    return out


def _despeckle(text: str) -> str:
    """Specks OCR reads as quotes or dots inside a title (``sơ “kết``, ``nông. nghiệp``)."""
    text = re.sub(r"[“”\"ˆ`‘’]", "", text)
    text = re.sub(r"(\w)\.(\s+)(?=[a-zà-ỹđ])", r"\1\2", text)
    text = re.sub(r"^[\W_]+", "", text)
    return re.sub(r"\s+", " ", text).strip()


_PHRASES = sorted(((p.split(), fold(p).lower()) for p in TITLE_PHRASES), key=lambda p: -len(p[0]))
_EDGE = ",.;:()"


def _repair_phrases(text: str) -> tuple[str, bool]:
    """Stock phrases read with a slipped tone mark put right (``đấy mạnh`` → ``đẩy mạnh``,
    ``nặm 1983`` → ``năm 1983``); returns (text, doubtful): doubtful when words stand one letter
    away from a stock phrase (``an ninh Vương thực``), a misread no rule can undo."""
    words, doubtful, i = text.split(), False, 0
    while i < len(words):
        step = 1
        for phrase, folded in _PHRASES:
            n = len(phrase)
            core = [w.strip(_EDGE) for w in words[i:i + n]]
            if len(core) < n:
                continue
            key = fold(" ".join(core)).lower()
            if key == folded:
                for j, right in enumerate(phrase):
                    if core[j].lower() != right.lower():
                        fixed = right[0].upper() + right[1:] if core[j][:1].isupper() else right
                        words[i + j] = words[i + j].replace(core[j], fixed)
                step = n
                break
            if n > 1 and len(folded) >= 7 and Levenshtein.distance(key, folded) == 1:
                doubtful = True
        if fold(words[i]).lower() == "nam" and i + 1 < len(words) and re.fullmatch(r"\d{4}\W?", words[i + 1]):
            words[i] = "Năm" if words[i][:1].isupper() else "năm"
        i += step
    return " ".join(words), doubtful


def _drop_stutter(text: str) -> str:
    """OCR sometimes repeats a word's last letter as a word of its own: ``và à Nhà`` → ``và Nhà``."""
    words = text.split()
    kept = [w for i, w in enumerate(words)
            if not (i and len(w) == 1 and w.isalpha() and words[i - 1].endswith(w))]
    return " ".join(kept)


def _page_one(page: PageLines, fields: dict[str, Extracted]) -> None:
    lines = _strip_registration_stamp(without_esignature(page.lines))
    head = _scan_header(lines, page)
    if head.so is not None:
        number = find_so_ky_hieu(head.so.text)[0]
        digits = re.match(r"\d+", number).group(0)
        conf = min(head.so.conf_of(digits), head.so.conf)
        # Party numbers have two digits at least (08-CTr/TU), written right after "Số"
        clean = re.match(r"^\s*S\S{0,2}\s*:?\s*" + digits + r"\s*[-/]", head.so.text) is not None
        fields["so_ky_hieu"] = Extracted(number, conf, [1],
                                         conf < DIGITS_MIN_CONF or len(digits) < 2 or not clean)
        if handwritten_number(head.so, digits):
            fields["so_ky_hieu"] = _pen_number(page, head.so, Extracted(number, conf)) or \
                Extracted(number, conf, [1], True)
    elif head.so_partial is not None:
        match = _PARTIAL_NUMBER.search(head.so_partial.text)
        kind = match.group(1) or match.group(3)
        implied = type_of_number(f"0-{kind}/X")
        if implied:     # the printed "-CV/VPTU" still names the type
            fields["loai_van_ban"] = Extracted(implied, head.so_partial.conf, [1],
                                               head.so_partial.conf < TEXT_MIN_CONF)
        pen = _pen_number(page, head.so_partial, None)
        if pen is not None:
            fields["so_ky_hieu"] = pen
    if head.dated is not None:
        text = head.dated.text
        iso = parse_date(text) if head.date is not None else None
        conf = head.dated.conf
        iso, plausible = plausible_date(iso)
        fields["ngay_ban_hanh"] = Extracted(iso, conf, [1], iso is None or conf < DIGITS_MIN_CONF
                                            or not plausible or handwritten_day(head.dated))
        if fields["ngay_ban_hanh"].review:
            fields["ngay_ban_hanh"] = _pen_date(page, head.dated, iso) or fields["ngay_ban_hanh"]
        place = re.split(r",|\bng[aà]y\b", text, maxsplit=1)[0]
        place = re.sub(r"^[\W\d_]+|[\W\d_]+$", "", place)
        if place:
            pconf = min([w.conf for w in head.dated.words if w.text.strip(",") in place.split()] or [conf])
            fields["dia_danh"] = Extracted(place, pconf, [1], pconf < _prose_floor(page)
                                           or not _vietnamese(place))
    for name, value, line in head.marks:
        fields.setdefault(name, Extracted(value, line.conf, [1], line.conf < TEXT_MIN_CONF
                                          or line in head.guessed_marks))
    organ, sure = _co_quan(head.organ)
    if organ:
        conf = min((ln.conf for ln in head.organ), default=1.0)
        fields["co_quan_ban_hanh"] = Extracted(organ, conf, [1], conf < TEXT_MIN_CONF or not sure)
    title_lines: list[Line] = []
    type_line = lines[head.title_index] if head.title_index is not None else None
    if type_line is not None and match_doc_type(type_line.text):
        fields["loai_van_ban"] = Extracted(match_doc_type(type_line.text), type_line.conf, [1],
                                           type_line.conf < TEXT_MIN_CONF)
        title_lines = _trich_yeu(lines, head.title_index, page)
    elif type_line is not None and _unknown_type(type_line.text):
        kind = type_line.text.strip().capitalize()
        fields["loai_van_ban"] = Extracted(kind, type_line.conf, [1], True)
        title_lines = _trich_yeu(lines, head.title_index, page)
    elif head.vv:
        fields["loai_van_ban"] = Extracted("Công văn", 1.0, [1])
        title_lines = head.vv
        title_lines[0] = Line(_VV.sub(lambda m: "V/v " + m.group(0)[-1], title_lines[0].text.strip()),
                              title_lines[0].box, title_lines[0].words)
    if title_lines:
        text = " ".join(ln.text.strip() for ln in title_lines)
        conf = min(ln.conf for ln in title_lines)
        text = re.sub(r"[\s.,;:|\-–—_'\"`~¬]+$", "", _despeckle(text))     # specks after the end
        text, doubtful = _repair_phrases(_drop_stutter(text))
        odd_start = not text or any(len(w) == 1 and w.isalpha() for w in text.split())
        odd_start = odd_start or re.search(r"\w[.,:;]\w", text) is not None   # "tình.hình"
        fields["trich_yeu"] = Extracted(text, conf, [1], conf < _prose_floor(page) or odd_start
                                        or doubtful)


_PRINTED_REST = re.compile(r"[-–/]\s*[A-Za-zĐđ]{1,6}\s*[-–/]\s*[A-ZĐ][A-ZĐa-z0-9]*(?:-[A-ZĐ][A-ZĐa-z0-9]*)?")


def _pen_number(page: PageLines, line: Line, read: Extracted | None) -> Extracted | None:
    """The number written by hand into the blank of ``line``, read by the digit recogniser.

    Trusted only when its calibrated confidence says so and Tesseract, in the same blank, read
    the same digits (``read``): two readers agreeing. Alone it may drop a thin "1" (a "15" read
    "5" with confidence on a real day), so it is otherwise a best guess for the archivist: the
    surer of the two readings, flagged.
    """
    pen = read_pen_number(page, line)
    rest = _PRINTED_REST.search(line.text)
    if pen is None or rest is None:
        return None
    values = find_so_ky_hieu(pen.digits + rest.group(0))
    if not values:
        return None
    before = line.text[:rest.start()]
    tesseract_digits = read.value.split("/")[0].split("-")[0] if read is not None else \
        "".join(re.findall(r"\d", before))
    sure = pen.trusted and tesseract_digits == pen.digits
    if not sure and read is not None and read.confidence > pen.confidence:
        return Extracted(read.value, read.confidence, [1], True)
    return Extracted(values[0], pen.confidence, [1], not sure)


_MONTH_YEAR = re.compile(r"\bth\w{2,4}\s*(\d{1,2})\s*n\w{1,3}\s*(\d{4})\b")


def _pen_date(page: PageLines, line: Line, read: str | None) -> Extracted | None:
    """The date with the day written by hand into its blank, read by the digit recogniser, and
    the printed month and year. Trusted only when Tesseract read the same day (``read``) and
    the recogniser is calibrated-sure; else the best guess, for the archivist to confirm."""
    pen = read_pen_day(page, line)
    month_year = _MONTH_YEAR.search(fold(line.text).lower())
    if pen is None or month_year is None:
        return None
    iso, plausible = plausible_date(parse_date(f"ngày {pen.digits} tháng {month_year.group(1)} "
                                               f"năm {month_year.group(2)}"))
    if iso is None:
        return None
    sure = pen.trusted and plausible and read == iso and not handwritten_day(line, month=True)
    return Extracted(iso, pen.confidence, [1], not sure)


# --- last page ------------------------------------------------------------------------------------

def _last_page(page: PageLines, page_no: int, fields: dict[str, Extracted]) -> None:
    lines = before_copy_block(page.lines, page.height)
    start = next((i for i, ln in enumerate(lines) if _key(ln.text).startswith("noi nhan")), None)
    if start is None:
        return
    anchor = lines[start]
    below = lines[start + 1:]
    if page.has_geometry:
        left = [ln for ln in below if _left(ln, page)]
        right = [ln for ln in lines[start:] if _right(ln, page)]
        # the signature may start level with "Nơi nhận:"
        right += [ln for ln in lines[max(0, start - 2):start] if _right(ln, page)
                  and anchor.box and ln.box[3] > anchor.box[1]]
        right = join_rows(right)
    else:
        items_end = start + 1
        while items_end < len(lines) and _RECIPIENT.match(lines[items_end].text.strip()):
            items_end += 1
        left, right = lines[start + 1:items_end], lines[items_end:]
    recipients = [ln for ln in left if _RECIPIENT.match(ln.text.strip())]
    values, confs, guessed = [], [], False
    for line in recipients:
        value = _clean_item(line.text)
        stock = _stock_recipient(value)
        values.append(stock[0] if stock else value)
        confs.append(1.0 if stock and stock[1] else line.conf)
        guessed = guessed or bool(stock and not stock[1])
    if recipients:
        conf = min(confs)
        debris = any(len(re.sub(r"\W", "", v)) < 3 for v in values) or _lines_lost(anchor, recipients, left)
        debris = debris or not _key(values[-1]).startswith("luu") or guessed   # file copy last
        fields["noi_nhan"] = Extracted([v for v in values if len(re.sub(r"\W", "", v)) >= 3], conf,
                                       [page_no], conf < LIST_MIN_CONF or debris)
    _signature(right, page_no, fields, _prose_floor(page))


def _lines_lost(anchor: Line, recipients: list[Line], left: list[Line]) -> bool:
    """A recipient line the OCR dropped or read without its dash leaves a hole in the list."""
    if anchor.box is None or not recipients or recipients[0].box is None:
        return False
    tops = [anchor.box[1]] + [ln.box[1] for ln in recipients]
    pitches = sorted(b - a for a, b in zip(tops, tops[1:]))
    pitch = pitches[len(pitches) // 2]
    if any(b - a > 1.6 * pitch for a, b in zip(tops, tops[1:])):
        return True
    last = recipients[-1].box[3]
    return any(ln not in recipients and ln.box[1] < last and len(_key(ln.text)) > 3 for ln in left)


_VIETNAMESE = re.compile(r"^[\sA-Za-z0-9ĐđÀ-ỹ.,;:()/\-–'\"]*$")
_FOREIGN = set("ñÑïÏÿŸçÇşŞœŒæÆøØåÅäÄëËöÖüÜßĩ"[:-1]) - set("Ĩĩ")


def _vietnamese(text: str) -> bool:
    """Only letters Vietnamese uses (OCR reads ``ñải`` for ``Hải``)."""
    return not any(ch in _FOREIGN for ch in text) and bool(_VIETNAMESE.match(text))


def _plausible_text(line: Line) -> bool:
    """Not seal or signature-stroke debris: some letters, read with some confidence."""
    return len(re.sub(r"[^\w]", "", line.text)) >= 2 and line.conf >= 0.3 or \
        bool(_authority(line.text))


# Seal and signature-stroke debris OCR reads around a name's words.
_DEBRIS = "`'\".,:;|[](){}-–—ˆ“”‘’„~¬=_"


def _name_words(line: Line) -> list[Word]:
    """The words of a signer's name in a line: seal and signature debris before it dropped."""
    words = [w for w in line.words if w.text.strip(_DEBRIS)] if line.words else \
        [Word(t, (0, 0, 0, 0), 1.0) for t in line.text.split()]
    start = len(words)
    while start > 0 and _is_name_word(words[start - 1].text):
        start -= 1
    if 0 < start < len(words) and _as_family_name(words[start].text) is None \
            and _as_family_name(words[start - 1].text) is not None:
        start -= 1                      # the family name, misread in case or with a stroke on it
    name = words[start:]
    while len(name) > 2 and len(name[0].text.strip(_DEBRIS)) == 1:
        name = name[1:]                 # a stray capital from the seal, not an initial
    if len(name) >= 2 and not _is_upper(" ".join(w.text for w in name)):
        return name
    return []


def _is_name_word(text: str) -> bool:
    text = text.strip(_DEBRIS)
    return bool(text) and text[0].isupper() and text.isalpha() and (len(text) == 1 or text[1:].islower())


def _signature(lines: list[Line], page_no: int, fields: dict[str, Extracted],
               prose_floor: float = PROSE_MIN_CONF) -> None:
    authority, title, name = [], None, None
    found: tuple[str, float, bool] | None = None
    for line in lines:
        text = line.text.strip()
        if _authority(text) and title is None:
            authority.append(line)
        elif title is None and (found := _title_in(line)) is not None:
            title = line
        elif title is None and _is_upper(text) and _plausible_text(line):
            title = line
        elif (title is not None or authority) and _name_words(line) or \
                title is None and not authority and line is lines[-1] and _name_words(line):
            name = line                                   # the last such line is the name
    off_centre = _off_centre([ln for ln in authority + [title, name] if ln is not None])
    if authority or title:
        snapped = [_canonical_authority(ln.text) for ln in authority]
        values = [v for v, _ in snapped]
        conf = min((ln.conf for ln in authority), default=1.0)
        known = all(ok for _, ok in snapped)
        # a deputy signs "K/T …" and a committee's secretary "T/M …": none read means one was lost
        lost = not authority and title is not None and _title_value(title, found)[0] in _NEEDS_AUTHORITY
        fields["the_thuc_ky"] = Extracted(values, conf, [page_no], conf < TEXT_MIN_CONF or not known
                                          or lost or any(ln in off_centre for ln in authority))
    if title:
        value, known = _title_value(title, found)
        conf = found[1] if found else title.conf
        deputy_missing = any(v.startswith("K/T ") and not value.startswith("PHÓ") for v in
                             fields["the_thuc_ky"].value)
        fields["chuc_vu_nguoi_ky"] = Extracted(value, conf, [page_no],
                                               conf < TEXT_MIN_CONF or not known
                                               or title in off_centre or deputy_missing)
    _deputy_title(authority, fields, page_no)
    if authority and title is None:
        _secretary_title(lines, authority, fields, page_no)
    if name:
        words = _name_words(name)
        text, repaired = _fix_family_name(" ".join(w.text.strip(_DEBRIS) for w in words))
        conf = min(w.conf for w in words)
        fields["nguoi_ky"] = Extracted(text, conf, [page_no], conf < prose_floor or name in off_centre
                                       or not _plausible_name(text) or repaired)


def _title_in(line: Line) -> tuple[str, float, bool] | None:
    """The known title a signature line ends with, seal or stroke debris before it dropped:
    (title, confidence of its words, whether nothing with letters stood before it)."""
    words = line.words or [Word(t, (0, 0, 0, 0), 1.0) for t in line.text.split()]
    for start in range(len(words)):
        tail = words[start:]
        key = _key(re.sub(r"^[\W\d_]+", "", " ".join(w.text for w in tail)))
        if key in _TITLE_KEYS:
            clean = not any(ch.isalpha() for w in words[:start] for ch in w.text)
            title = _TITLE_KEYS[key]
            before = words[start - 1].text.rstrip(".,:;") if start else ""
            if before.isupper() and fold(before).lower().endswith("o") and f"PHÓ {title}" in TITLES:
                title = f"PHÓ {title}"      # "ĐHÓ BÍ THƯ", "_PỊ Ó BÍ THƯ": PHÓ under a stroke
            return title, min(w.conf for w in tail), clean
    return None


def _title_value(line: Line, found: tuple[str, float, bool] | None) -> tuple[str, bool]:
    """The signer's title (value, known): the one found in the line, else the line snapped, else
    a title whose start the seal cut off (``RƯỚNG BAN`` → ``TRƯỞNG BAN``), never as known."""
    if found is not None:
        return found[0], found[2]
    value, known = _snap_title(line.text)
    return (value, known) if known else (_cut_title(line.text) or value, False)


def _cut_title(text: str) -> str | None:
    """The shortest known title that the line's last words end like (the seal or a stroke took
    its start: ``RƯỚNG BAN``, ``„©EI TÁ NH VĂN PHÒNG``): a guess, for a person to confirm."""
    words = [w for w in text.split() if len(w) > 1]     # seal specks between the words
    for start in range(len(words)):
        key = _key(" ".join(words[start:]))
        cut = sorted((t for t in TITLES if len(key) >= 6 and len(_key(t)) >= len(key)
                      and _similar(key, _key(t)[-len(key):]) >= 0.85), key=len)
        if cut:
            return cut[0]
    return None


def _secretary_title(lines: list[Line], authority: list[Line], fields: dict[str, Extracted],
                     page_no: int) -> None:
    """``T/M`` a committee is signed by its (deputy) secretary: a garbled line under it that still
    ends in ``THƯ`` is read as ``BÍ THƯ``, a guess for a person to confirm."""
    if not any(v.startswith("T/M ") for v in fields["the_thuc_ky"].value):
        return
    start = lines.index(authority[-1]) + 1
    for line in lines[start:start + 2]:
        words = line.text.split()
        if len(words) >= 2 and fold(words[-1]).lower() == "thu" and words[-1].isupper():
            fields["chuc_vu_nguoi_ky"] = Extracted("BÍ THƯ", line.conf, [page_no], True)
            return


def _deputy_title(authority: list[Line], fields: dict[str, Extracted], page_no: int) -> None:
    """A deputy signs ``K/T <HEAD>`` over ``PHÓ <HEAD>``: when the title line was lost or garbled
    under the seal, the authority line names it."""
    kt = [v for v in fields["the_thuc_ky"].value if v.startswith("K/T ")] if "the_thuc_ky" in fields else []
    if not kt or f"PHÓ {kt[-1][4:]}" not in TITLES:
        return
    deputy = f"PHÓ {kt[-1][4:]}"
    title = fields.get("chuc_vu_nguoi_ky")
    if title is not None and title.value == deputy:
        return
    conf = min(ln.conf for ln in authority)
    sure = conf >= LIST_MIN_CONF and not fields["the_thuc_ky"].review and title is None
    fields["chuc_vu_nguoi_ky"] = Extracted(deputy, conf, [page_no], not sure)


def _fix_family_name(text: str) -> tuple[str, bool]:
    """A family name with a misread tone mark (``Trình`` → ``Trịnh``, ``Định`` → ``Đinh``) or in
    the wrong case (``DƯống``), when only one family name folds to it; or one misread letter
    (``Kguyễn`` → ``Nguyễn``), which is a guess: returns (text, guessed). The name still goes to
    review if its words were unsure."""
    words = text.split()
    family = _as_family_name(words[0]) if words else None
    if family is None:
        return text, False
    words[0] = family[0]
    return " ".join(words), family[1]


def _as_family_name(word: str) -> tuple[str, bool] | None:
    """(family name, guessed) that ``word`` reads as, or None."""
    word = word.strip(_DEBRIS)
    glued = [word[k:] for k in range(1, len(word) - 1) if word[k:] in FAMILY_NAMES]
    if glued and not word[:1].isupper():
        return glued[0], False          # a stroke glued before it: ".„šsNguyễn"
    if not word.isalpha():
        return None
    word = word[:1].upper() + word[1:].lower()
    if word in FAMILY_NAMES:
        return word, False
    folded = fold(word).lower()
    matches = _FAMILY_BY_FOLD.get(folded, [])
    if len(matches) == 1:
        return matches[0], False
    near = [n for k, names in _FAMILY_BY_FOLD.items() for n in names
            if len(k) == len(folded) >= 3 and sum(a != b for a, b in zip(k, folded)) == 1]
    return (near[0], True) if len(near) == 1 else None


def _off_centre(lines: list[Line]) -> list[Line]:
    """Signature lines are centred on one axis; a line whose centre strays was cut (the seal
    covers the left of the block: ``CHÁNH VĂN PHÒNG`` read for ``PHÓ CHÁNH VĂN PHÒNG``)."""
    boxed = [ln for ln in lines if ln.box is not None]
    if len(boxed) < 2:
        return []
    centres = sorted((ln.box[0] + ln.box[2]) / 2 for ln in boxed)
    axis = centres[len(centres) // 2]
    height = sorted(ln.box[3] - ln.box[1] for ln in boxed)[len(boxed) // 2]
    strays = [ln for ln in boxed if abs((ln.box[0] + ln.box[2]) / 2 - axis) > 1.5 * height]
    return boxed if len(boxed) == 2 and strays else strays   # two lines: either may be the cut one


def _plausible_name(text: str) -> bool:
    """A Vietnamese name: 2–5 words, a known family name first, each word a capital and small
    letters (``Đỗ Hữu Vinh``): anything else is likely a misread or a cut-off name."""
    words = text.split()
    return 2 <= len(words) <= 5 and words[0] in FAMILY_NAMES and all(
        w[0].isupper() and w[1:].islower() and w.isalpha() or len(w) == 1 and w.isupper() for w in words)


_TITLE_KEYS = {_key(t): t for t in TITLES}
_FAMILY_BY_FOLD: dict[str, list[str]] = {}
for _name in FAMILY_NAMES:
    _FAMILY_BY_FOLD.setdefault(fold(_name).lower(), []).append(_name)


def _snap_title(text: str) -> tuple[str, bool]:
    """A signer's title or authority body snapped to the known ones (OCR: ``BÍ THỰ`` → ``BÍ THƯ``);
    returns (value, known)."""
    text = re.sub(r"\s+", " ", text.strip(" .,:;'\"")).upper()
    words = text.split()
    for start in range(1, min(3, len(words))):      # specks before it: "HN PHÓ BÍ THƯ"
        if len(words[start - 1]) <= 2 and _key(" ".join(words[start:])) in _TITLE_KEYS:
            return _TITLE_KEYS[_key(" ".join(words[start:]))], False
    best = max(TITLES, key=lambda t: _similar(text, t))
    if _key(text).replace(" ", "") == _key(best).replace(" ", ""):     # "BÍTHƯ"
        return best, True
    if _similar(text, best) >= 0.9 and _key(best)[:3] == _key(text)[:3]:
        return best, True        # an OCR slip inside; a cut-off start ("HÁNH …") is not repaired
    return text, False


def _authority(text: str) -> tuple[str, str] | None:
    """(``T/M``|``K/T``|``T/L``|``T/UQ``, rest) when ``text`` is an authority line, tolerating
    OCR debris in the short prefix (``_.Tï/M BAN THƯỜNG VỤ``)."""
    text = re.sub(r"^[\W_]+", "", text.strip())
    m = _AUTHORITY.match(text)
    if m:
        letters = re.sub(r"[^A-Z]", "", m.group(1))
        return {"TM": "T/M", "KT": "K/T", "TL": "T/L", "TUQ": "T/UQ"}[letters], m.group(2)
    head, _, rest = text.partition(" ")
    if len(head) <= 5 and "/" in head and rest and _is_upper(rest):
        upper = head.upper()
        if upper.startswith("K"):
            return "K/T", rest
        for tail, prefix in (("UQ", "T/UQ"), ("M", "T/M"), ("L", "T/L")):
            if upper.endswith(tail):
                return prefix, rest
    return None


def _canonical_authority(text: str) -> tuple[str, bool]:
    parts = _authority(text)
    if parts is None:
        return text.strip(), False
    prefix, rest = parts
    rest = " ".join(w for w in rest.split() if len(w) > 1)     # seal specks between the words
    body, known = _snap_title(rest)
    return f"{prefix} {body if known else _cut_title(rest) or body}", known


# --- the whole item -------------------------------------------------------------------------------

_NUMBER_LIKE = re.compile(r"\b\d{1,4}\s*[-–]\s*[A-Za-zĐđ]{1,5}\s*/\s*\w+")


def _citations(pages: list[PageLines], own: str | None) -> Extracted:
    """Document numbers cited in the body; unsure when any of their digits was read unsurely (more
    so on a poor scan), or when something shaped like a number could not be read as one (the
    list then misses it)."""
    found: list[str] = []
    pages_seen: list[int] = []
    conf, missed = 1.0, False
    for number, page in enumerate(pages, start=1):
        floor = DIGITS_MIN_CONF if page.mean_conf >= POOR_PAGE_CONF else POOR_PAGE_DIGITS_CONF
        for line in page.lines:
            values = find_so_ky_hieu(line.text)
            if number == 1 and own in values and _SO_LINE.match(_key(line.text)):
                continue
            missed = missed or len(_NUMBER_LIKE.findall(line.text)) > len(values)
            if values:
                conf = min(conf, min(line.conf_of(re.match(r"\d+", v).group(0)) for v in values)
                           * DIGITS_MIN_CONF / floor)
            for value in values:
                if value != own and value not in found:
                    found.append(value)
                    pages_seen.append(number)
    return Extracted(found, conf, sorted(set(pages_seen)), conf < DIGITS_MIN_CONF or missed)


def extract_fields(pages: list[PageLines]) -> dict[str, Extracted]:
    """All catalogue fields of one item (its pages in order); absent fields are None values."""
    fields: dict[str, Extracted] = {}
    if not pages:
        return fields
    _page_one(pages[0], fields)
    for number in range(len(pages), 0, -1):
        _last_page(pages[number - 1], number, fields)
        if "noi_nhan" in fields or "nguoi_ky" in fields:
            break
    _snap_places(fields)
    _vote_place(fields, pages)
    own = fields["so_ky_hieu"].value if "so_ky_hieu" in fields else None
    fields["so_ky_hieu_trich_dan"] = _citations(pages, own)
    _cross_check(fields)
    _check_title_years(fields)
    for name in EXTRACTED_FIELDS:
        if name not in fields:
            empty = [] if name in LIST_FIELDS else None
            # no signature block found: its authority lines are unknown, not absent
            unsure = name in REQUIRED or (name == "the_thuc_ky" and "chuc_vu_nguoi_ky" not in fields)
            fields[name] = Extracted(empty, 0.0, [], unsure)
    return fields


_PLACE_BY_FOLD = {fold(p).lower(): p for p in PLACES}


def _known_place(text: str) -> str | None:
    return _PLACE_BY_FOLD.get(fold(text).lower())


def _snap_places(fields: dict[str, Extracted]) -> None:
    """Place names with a slipped tone mark (``Quynh Phụ``, ``Tiền Hái``) spelled as the gazetteer
    does; a địa danh one letter away from the organ's own place (``Tiền Hỏi`` under ``Huyện ủy Tiền
    Hải``) takes it, for a person to confirm."""
    organ, place = fields.get("co_quan_ban_hanh"), fields.get("dia_danh")
    organ_place = None
    if organ is not None and organ.value:
        words = organ.value.split()
        for n in (3, 2):
            known = _known_place(" ".join(words[-n:])) if len(words) > n else None
            if known:
                organ.value, organ_place = " ".join(words[:-n] + [known]), known
                break
        else:
            _near_place(organ)
    if place is None or not place.value:
        return
    known = _known_place(place.value)
    if known:
        place.value = known
    elif organ_place and Levenshtein.distance(fold(place.value).lower(), fold(organ_place).lower()) == 1:
        place.value, place.review = organ_place, True


def _near_place(organ: Extracted) -> None:
    """An organ ending two letters away from exactly one known place (``tỉnh Quản Gngãi``) takes
    that place, for a person to confirm."""
    words = organ.value.split()
    for n in (3, 2):
        if len(words) <= n:
            continue
        tail = fold(" ".join(words[-n:])).lower().replace(" ", "")
        scored = sorted((Levenshtein.distance(tail, k.replace(" ", "")), p)
                        for k, p in _PLACE_BY_FOLD.items())
        (best, place), (second, _) = scored[0], scored[1]
        if len(tail) >= 6 and best <= 2 and second > best:
            organ.value, organ.review = " ".join(words[:-n] + [place]), True
            return


def _vote_place(fields: dict[str, Extracted], pages: list[PageLines]) -> None:
    """A district's documents name it twice in the header (``HUYỆN ỦY TIỀN HẢI`` and ``Tiền Hải,
    ngày …``): when OCR spells the two differently, the spelling the pages use most wins."""
    organ, place = fields.get("co_quan_ban_hanh"), fields.get("dia_danh")
    if organ is None or place is None or not organ.value or not place.value:
        return
    tail = organ.value.split()[-len(place.value.split()):]
    candidate = " ".join(tail)
    if candidate == place.value or fold(candidate).lower() != fold(place.value).lower():
        return
    text = "\n".join(line.text for page in pages for line in page.lines).lower()
    counts = {v: text.count(v.lower()) for v in (candidate, place.value)}
    if counts[candidate] == counts[place.value]:
        organ.review = place.review = True
        return
    best = max(counts, key=counts.get)
    organ.value = " ".join(organ.value.split()[:-len(tail)] + [best])
    place.value = best


def _check_title_years(fields: dict[str, Extracted]) -> None:
    """A title speaks of its own year, the one before or the next (``sơ kết … năm 1990``): a year
    after the next, or long before, is a misread digit (``1999`` for ``1990``)."""
    title, day = fields.get("trich_yeu"), fields.get("ngay_ban_hanh")
    if title is None or not title.value or day is None or not day.value:
        return
    year = int(day.value[:4])
    if any(not year - 30 <= int(y) <= year + 1 for y in re.findall(r"\b(1[89]\d\d|20\d\d)\b", title.value)):
        title.review = True


def _cross_check(fields: dict[str, Extracted]) -> None:
    """The number's abbreviation names the type: when they disagree, one of them is misread."""
    number, kind = fields.get("so_ky_hieu"), fields.get("loai_van_ban")
    if number is None:
        return
    implied = type_of_number(number.value)
    if implied and (kind is None or kind.value not in DOC_TYPES and _similar(kind.value, implied) >= 0.5):
        # no title line, or a garbled one ("LUẬN" for "KẾT LUẬN"): the number names the type
        fields["loai_van_ban"] = Extracted(implied, number.confidence, [1], number.review)
    elif kind is not None and implied and implied != kind.value and \
            not (implied.startswith("Chương trình") and kind.value.startswith("Chương trình")):
        number.review = kind.review = True
