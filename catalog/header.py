"""Page 1 of a document: the header (organ block and ``Số …`` left; party name, place and date
right), the secrecy/urgency stamps, and the title (type + trích yếu) or, for a công văn, ``V/v …``
under the number. A registration stamp's ``Số``/``Ngày`` is never taken for the document's; a
number or day written by hand is read by the digit recogniser too."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from rapidfuzz.distance import Levenshtein

from luutru.catalog.fieldtext import (DIGITS_MIN_CONF, SO_LINE, TEXT_MIN_CONF, Extracted, is_upper,
                                      is_vietnamese, on_left, prose_floor, similar, text_key)
from luutru.catalog.handwriting import (handwritten_day, handwritten_number, read_pen_day,
                                        read_pen_number)
from luutru.catalog.pagelines import Line, PageLines, join_rows
from luutru.catalog.patterns import (DO_KHAN, DO_MAT, find_so_ky_hieu, mark_of, match_doc_type,
                                     parse_date, plausible_date, type_of_number)
from luutru.catalog.stamps import is_copy_head, is_received_head, without_esignature
from luutru.catalog.vocab import KNOWN_ORGANS, ORGAN_KINDS, TITLE_PHRASES
from luutru.textnorm import fold, nfc

_PARTY = "dang cong san viet nam"
_STAMP_HEAD = re.compile(r"^(cong|van|vb|cv)\b.{0,10}\bden\b")
_STAMP_LINE = re.compile(r"^(so|ngay|chuyen|van phong (tinh|thanh) uy)\b\s*:?")
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
        s = similar(head, organ)
        if s > score and s >= 0.8:
            best, score = (organ, n), s
    if best is None:
        return _proper_case(text)
    organ, n = best
    rest = " ".join(words[n:])
    return f"{organ} {_proper_case(rest)}".strip()


def _strip_registration_stamp(lines: list[Line]) -> list[Line]:
    """Drop a receiving office's ``CÔNG VĂN ĐẾN / Số: / Ngày:`` stamp, or a copying office's
    ``SAO Y BẢN CHÍNH / Số: …/SY-… / …, ngày …``: their numbers and dates are not ours."""
    out, skipping, head = [], 0, None
    keys = [text_key(ln.text) for ln in lines]
    for i, (line, key) in enumerate(zip(lines, keys)):
        stamp_head = _STAMP_HEAD.match(key) or is_received_head(line) or is_copy_head(line)
        if stamp_head or ("den" in key.split() and i + 1 < len(keys)
                          and _STAMP_LINE.match(keys[i + 1]) and "cong" in key):
            skipping, head = 4, line
            if out and text_key(out[-1].text).startswith("van phong") and is_upper(out[-1].text) \
                    and not any(text_key(o.text) == _PARTY for o in out[-1:]):
                if len(out) == 1 or not is_upper(out[-2].text):
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
    if not is_upper(line.text):
        return line
    scores = [(similar(" ".join(words[i:i + 5]), "ĐẢNG CỘNG SẢN VIỆT NAM"), i)
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
    key = text_key(text)
    return (mark_of(text) is None and similar(key, _PARTY) < 0.8 and 1 <= len(key.split()) <= 4
            and len(key) >= 4 and not any(ch.isdigit() for ch in key))


def _near_mark(text: str) -> tuple[str, str] | None:
    """A stamp read one letter wrong (``MẠIT``): under the number, a short upper-case line that
    close to a secrecy or urgency word is taken as that stamp, for a person to confirm (a missed
    MẬT would show a classified document to anyone)."""
    key = re.sub(r"[^a-z ]", "", fold(text).lower()).strip()
    if not is_upper(text) or not 3 <= len(key) <= 10 or len(key.split()) > 2:
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
        key = text_key(line.text)
        if is_upper(line.text) and (head.numbered and head.dated) and _centred(line, page) and \
                (match_doc_type(line.text) or _unknown_type(line.text)):
            head.title_index = i
            break
        if match_doc_type(line.text) and is_upper(line.text) and (head.numbered or head.dated):
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
        elif similar(key, _PARTY) > 0.8:
            continue
        elif head.date is None and _DATE_LINE.search(key) and parse_date(line.text):
            head.date = line
        elif head.dated is None and _DATE_LOOSE.search(key):
            head.date_partial = line
        elif head.so is None and SO_LINE.match(key) and find_so_ky_hieu(line.text):
            head.so = line
        elif head.numbered is None and SO_LINE.match(key) and _PARTIAL_NUMBER.search(line.text):
            head.so_partial = line
        elif _VV.match(line.text.strip()):
            head.vv.append(line)
        elif head.vv and not is_upper(line.text) and (not page.has_geometry or on_left(line, page)) \
                and not key.startswith("kinh gui"):
            head.vv.append(line)
        elif "*" in line.text and len(re.sub(r"\W", "", line.text)) <= 1:
            seen_star = True            # the star under the organ block ends it
        elif len(re.sub(r"[\W_]", "", line.text)) < 2:
            continue                    # specks
        elif head.numbered is None and not seen_star and is_upper(line.text) \
                and not SO_LINE.match(key) and not _SYMBOL.search(line.text) \
                and (not page.has_geometry or on_left(line, page)):
            head.organ.append(line)
    if head.organ and head.organ[0].box is not None:
        head.organ = join_rows(head.organ)      # "VĂN  PHÒNG" spaced out in bold type
    head.organ = head.organ[-2:]        # superior and organ: what stands above them is a stamp
    return head


def _co_quan(organ: list[Line]) -> tuple[str | None, bool]:
    """The issuing organ from the two-line organ block, and whether it is sure (a block read as
    one line lost a line: the superior or the organ itself)."""
    texts = [re.sub(r"^[\W_]+|[\W_]+$", "", nfc(ln.text)) for ln in organ if len(text_key(ln.text)) > 2]
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
        if len(words) > 4 and similar(" ".join(words[:4]), body) >= 0.8:
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
    if similar(" ".join(superior.split()[:2]), "ĐẢNG BỘ") >= 0.7 or \
            text_key(superior).replace(" ", "").startswith("dangbo"):
        words = superior.split()[2:]
        if words and text_key(words[0]) == "tinh":
            words = words[1:]
        elif len(words) > 1 and text_key(" ".join(words[:2])) == "thanh pho":
            words = words[2:]
        place = " ".join(words)
        own_key = text_key(own)
        if any(own_key == text_key(kind) for kind in ORGAN_KINDS):
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
        key, first = text_key(line.text), line.text.strip()[:1]
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


def read_page_one(page: PageLines, fields: dict[str, Extracted]) -> None:
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
            fields["dia_danh"] = Extracted(place, pconf, [1], pconf < prose_floor(page)
                                           or not is_vietnamese(place))
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
        fields["trich_yeu"] = Extracted(text, conf, [1], conf < prose_floor(page) or odd_start
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
