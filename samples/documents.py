"""Synthetic Vietnamese Party documents: catalogue fields, page text and page layout.

A generated document follows the layout of Hướng dẫn 36-HD/VPTW: left header block (superior organ,
issuing organ, ``*``, ``Số …``), right header block (``ĐẢNG CỘNG SẢN VIỆT NAM``, place and date),
title, body, ``Nơi nhận:`` and signature block. The same random seed always gives the same document.

``SampleDocument.pages`` is the ground truth in the corpus convention (one printed line per line, in
reading order) and ``SampleDocument.layout`` places exactly those lines, in the same order, on A4
pages in millimetres, so the renderer draws what the truth says and nothing else.
"""

from __future__ import annotations

import random
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import date
from functools import lru_cache

from luutru.samples import vocab
from luutru.samples.fonts import FONT_NAMES, pt_to_mm, style_name, text_width_mm
from luutru.textnorm import nfc

PAGE_W, PAGE_H = 210.0, 297.0
LEFT, RIGHT, TOP, BOTTOM = 30.0, 192.0, 20.0, 277.0
LEFT_BLOCK_X, RIGHT_BLOCK_X = 66.0, 148.0        # centres of the two header blocks
BODY_X = (LEFT + RIGHT) / 2
INDENT = 12.0
BODY_PT, HEADER_PT, SMALL_PT = 14.0, 13.0, 13.0
LINE = 1.32                                        # line pitch / font size

RANDOM = object()   # "choose at random" for do_mat / do_khan, where None means "none"


@dataclass(frozen=True)
class Placed:
    """One printed line: ``x_mm`` is its left edge (left/justify), centre (center) or right edge."""

    text: str
    x_mm: float
    y_mm: float               # baseline
    align: str = "left"       # left | center | right | justify
    width_mm: float = 0.0     # for justify: the width to spread the words over
    font: str = "serif"       # serif | mono
    size_pt: float = BODY_PT
    bold: bool = False
    italic: bool = False
    underline: bool = False
    box: bool = False         # a stamp such as MẬT, drawn in a frame
    rule_below: bool = False  # the short rule under a title / under ĐẢNG CỘNG SẢN VIỆT NAM
    role: str = "body"        # header | stamp | title | body | noi_nhan | signer | name | page_no

    @property
    def style(self) -> str:
        return style_name(self.font, self.bold, self.italic)


@dataclass
class SampleDocument:
    meta: dict
    pages: list[list[str]]
    layout: list[list[Placed]]
    font: str = "serif"


@dataclass(frozen=True)
class Organ:
    """Who issues a document and how it is headed and signed."""

    name: str                     # co_quan_ban_hanh
    header: tuple[str, str]       # left header: superior line, organ line (bold)
    symbol: str                   # after the slash in số và ký hiệu
    dia_danh: str
    committee: str                # "Tỉnh ủy Thái Bình": whose office keeps the records
    cap: str                      # "Tỉnh ủy" (short, as in "Văn phòng Tỉnh ủy")
    actor: str                    # who "ban hành": "Ban Thường vụ Tỉnh ủy", "Ban Tổ chức Tỉnh ủy"
    types: tuple[str, ...]
    signers: tuple[tuple[tuple[str, ...], str], ...]   # (the_thuc_ky, chuc_vu)


@dataclass
class _Unit:
    text: str
    kind: str = "para"            # para | heading | article
    cites: tuple[str, ...] = ()


# --- organs ----------------------------------------------------------------------------------

def _committee_organ(province: vocab.Province) -> Organ:
    cap = "Thành ủy" if province.city else "Tỉnh ủy"
    return Organ(province.committee, (province.superior_line, cap.upper()), "TU", province.name,
                 province.committee, cap, f"Ban Thường vụ {cap}", tuple(vocab.COMMITTEE_TYPES),
                 ((("T/M BAN THƯỜNG VỤ",), "BÍ THƯ"), (("T/M BAN THƯỜNG VỤ",), "PHÓ BÍ THƯ"),
                  (("T/M BAN THƯỜNG VỤ", "K/T BÍ THƯ"), "PHÓ BÍ THƯ")))


def _advisory_organ(province: vocab.Province, rng: random.Random) -> Organ:
    body, abbr, head, deputy = rng.choice(vocab.ADVISORY_BODIES)
    cap = "Thành ủy" if province.city else "Tỉnh ủy"
    return Organ(f"{body} {province.committee}", (province.committee.upper(), body.upper()), abbr + "TU",
                 province.name, province.committee, cap, f"{body} {cap}", tuple(vocab.ADVISORY_TYPES),
                 (((), head), ((f"K/T {head}",), deputy)))


def _ubkt_organ(province: vocab.Province) -> Organ:
    cap = "Thành ủy" if province.city else "Tỉnh ủy"
    return Organ(f"Ủy ban Kiểm tra {province.committee}", (province.committee.upper(), "ỦY BAN KIỂM TRA"),
                 "UBKTTU", province.name, province.committee, cap, f"Ủy ban Kiểm tra {cap}",
                 tuple(vocab.UBKT_TYPES),
                 ((("T/M ỦY BAN KIỂM TRA",), "CHỦ NHIỆM"), (("K/T CHỦ NHIỆM",), "PHÓ CHỦ NHIỆM")))


def _district_organ(province: vocab.Province, district: str) -> Organ:
    kind = dict((n, k) for k, n in province.districts)[district]
    cap = f"{kind.capitalize()} ủy"
    return Organ(f"{cap} {district}", (province.superior_line, f"{cap} {district}".upper()),
                 "HU" if kind == "huyện" else "QU", district, f"{cap} {district}", cap,
                 f"Ban Thường vụ {cap}", tuple(vocab.COMMITTEE_TYPES),
                 ((("T/M BAN THƯỜNG VỤ",), "BÍ THƯ"), (("T/M BAN THƯỜNG VỤ",), "PHÓ BÍ THƯ"),
                  ((f"T/M {cap.upper()}",), "BÍ THƯ")))


def choose_organ(rng: random.Random, fonds: vocab.Fonds) -> Organ:
    province = vocab.PROVINCES[fonds.province]
    if fonds.district:
        return _district_organ(province, fonds.district)
    roll = rng.random()
    if roll < 0.6:
        return _committee_organ(province)
    if roll < 0.9:
        return _advisory_organ(province, rng)
    return _ubkt_organ(province)


# --- small formatters ------------------------------------------------------------------------

def person_name(rng: random.Random) -> str:
    if rng.random() < 0.3:
        return f"{rng.choice(vocab.SURNAMES)} {rng.choice(vocab.MIDDLE_FEMALE)} {rng.choice(vocab.GIVEN_FEMALE)}"
    return f"{rng.choice(vocab.SURNAMES)} {rng.choice(vocab.MIDDLE_MALE)} {rng.choice(vocab.GIVEN_MALE)}"


def date_line(place: str, day: date) -> str:
    """``Thái Bình, ngày 05 tháng 3 năm 2008``: day on two digits, months 1 and 2 too."""
    month = f"{day.month:02d}" if day.month < 3 else str(day.month)
    return f"{place}, ngày {day.day:02d} tháng {month} năm {day.year}"


def short_date(day: date) -> str:
    """The hyphenated form used inside a citation: ``29-4-2012``."""
    return f"{day.day}-{day.month}-{day.year}"


def random_date(rng: random.Random, year: int) -> date:
    start = date(year, 1, 1).toordinal()
    return date.fromordinal(start + rng.randrange(365))


def congress(year: int) -> str:
    """Roman number of the latest national Party congress in ``year``."""
    roman = vocab.CONGRESSES[0][1]
    for held, number in vocab.CONGRESSES:
        if held <= year:
            roman = number
    return roman


def citation(rng: random.Random, before: date, organ: Organ) -> tuple[str, str]:
    """A cited Party document: (phrase for the body, so_ky_hieu)."""
    if rng.random() < 0.75:
        code = rng.choice(list(vocab.CENTRAL_ISSUERS))
        issuer, symbol = rng.choice(vocab.CENTRAL_ISSUERS[code])
    else:
        code = rng.choice(["NQ", "CT", "KL"])
        issuer, symbol = f"Ban Thường vụ {organ.cap}", organ.symbol if organ.symbol in ("TU", "HU", "QU") else "TU"
    year = max(1976, before.year - rng.choice([0, 1, 1, 2, 3, 5]))
    day = min(random_date(rng, year), before)
    number = f"{rng.randint(1, vocab.DOC_TYPES[code].max_number):02d}-{code}/{symbol}"
    return f"{vocab.DOC_TYPES[code].name} số {number} ngày {short_date(day)} của {issuer}", number


# --- content ---------------------------------------------------------------------------------

def trich_yeu(rng: random.Random, code: str, organ: Organ, topic: str, year: int) -> str:
    kl_actor = organ.actor if organ.actor.startswith("Ban Thường vụ") else f"Ban Thường vụ {organ.cap}"
    options = {
        "NQ": [f"về {topic}", f"về tăng cường sự lãnh đạo của Đảng đối với {topic}"],
        "CT": [f"về {topic}", f"về tăng cường sự lãnh đạo của Đảng đối với {topic}"],
        "KL": [f"của {kl_actor} về {topic}"],
        "QĐ": [f"về việc thành lập Ban Chỉ đạo {topic}", f"về việc ban hành Quy chế về {topic}"],
        "QĐi": [f"về {topic}"],
        "HD": [f"thực hiện {topic}", f"về {topic}"],
        "BC": [f"kết quả {topic} năm {year}", f"sơ kết 6 tháng đầu năm {year} về {topic}",
               f"tổng kết 5 năm thực hiện {topic}"],
        "KH": [f"{topic} năm {year}", f"kiểm tra, giám sát {topic} năm {year}",
               f"triển khai {topic} giai đoạn {year}-{year + 5}"],
        "CTr": [f"thực hiện Nghị quyết Đại hội đại biểu toàn quốc lần thứ {congress(year)} của Đảng",
                f"thực hiện {topic}"],
        "TB": [f"kết luận của Thường trực {organ.cap} về {topic}", f"ý kiến của {kl_actor} về {topic}"],
        "TTr": [f"về việc đề nghị phê duyệt Đề án {topic}", f"về {topic}"],
        "CV": [f"V/v triển khai {topic}", f"V/v báo cáo {topic}", f"V/v góp ý {topic}"],
    }
    return rng.choice(options[code])


def _fill(template: str, rng: random.Random, ctx: dict) -> str:
    values = dict(ctx)
    values.update(n=rng.randint(12, 980), n2=rng.randint(3, 240), few=rng.randint(2, 19),
                  pct=rng.randint(52, 99), pct2=rng.randint(2, 45),
                  gr=f"{rng.randint(5, 11)},{rng.randint(1, 9)}", pov=f"{rng.randint(1, 9)},{rng.randint(1, 9)}")
    return template.format(**values)


def _paragraph(rng: random.Random, ctx: dict, sentences: int) -> str:
    return " ".join(_fill(template, rng, ctx) for template in rng.sample(vocab.SENTENCES, sentences))


def body_units(rng: random.Random, dtype: vocab.DocType, organ: Organ, day: date, ctx: dict,
               count: int) -> tuple[list[_Unit], Callable[[int], list[_Unit]]]:
    """The body as units, and what closes it given how many articles were kept.

    The caller keeps a prefix of the units so the document fills the pages asked for, then appends
    the closing (for a quyết định: the articles on entry into force and execution, numbered on).
    """
    if dtype.articles:
        return _article_units(rng, ctx, count)
    if rng.random() < 0.6:
        phrase, number = citation(rng, day, organ)
        cites: tuple[str, ...] = (number,)
    else:
        phrase, cites = f"Nghị quyết Đại hội đại biểu toàn quốc lần thứ {congress(day.year)} của Đảng", ()
    tail = vocab.OPENING_TAILS.get(dtype.code, "ban hành {kind} như sau:").format(**ctx)
    units = [_Unit(rng.choice(vocab.OPENINGS).format(cite=phrase, actor=organ.actor, tail=tail), cites=cites)]
    sections = list(dtype.sections)
    per_section = max(2, count // max(1, len(sections))) if sections else count
    item = 0
    for index in range(count):
        if sections and index % per_section == 0 and index // per_section < len(sections):
            units.append(_Unit(sections[index // per_section], "heading"))
            item = 0
        item += 1
        text, cited = _cited_paragraph(rng, ctx, day, organ)
        units.append(_Unit(f"{item}. {text}", "para", cited))
    closing = _Unit(rng.choice(vocab.CLOSINGS_BY_TYPE.get(dtype.code, vocab.CLOSINGS)).format(**ctx))
    return units, lambda kept: [closing]


def _cited_paragraph(rng: random.Random, ctx: dict, day: date, organ: Organ) -> tuple[str, tuple[str, ...]]:
    text = _paragraph(rng, ctx, rng.choice([1, 1, 2, 2, 3]))
    if rng.random() < 0.08:
        phrase, number = citation(rng, day, organ)
        return text[:-1] + f", theo đúng tinh thần {phrase}.", (number,)
    return text, ()


def _article_units(rng: random.Random, ctx: dict, count: int) -> tuple[list[_Unit], Callable]:
    first = _Unit("Điều 1. " + rng.choice(vocab.ARTICLE_FIRST).format(**ctx))
    middle = [_Unit(f"Điều {n}. " + " ".join(
                    [rng.choice(vocab.ARTICLE_MIDDLE)] + ([_paragraph(rng, ctx, 1)] if rng.random() < 0.6 else [])))
              for n in range(2, count // 2 + 2)]
    last = [template.format(**ctx) for template in vocab.ARTICLE_LAST]

    def closing(kept: int) -> list[_Unit]:
        return [_Unit(f"Điều {kept + n}. {text}") for n, text in enumerate(last, 1)]
    return [first] + middle, closing


def recipients(rng: random.Random, organ: Organ) -> list[str]:
    short = organ.cap
    above = [r.format(committee=organ.committee, short=short) for r in vocab.RECIPIENTS_ABOVE]
    below = [r.format(committee=organ.cap, short=short) for r in vocab.RECIPIENTS_BELOW]
    chosen = rng.sample(above, rng.randint(0, 2)) + rng.sample(below, rng.randint(1, 3))
    return chosen + [f"Lưu Văn phòng {organ.cap}" if rng.random() < 0.7 else "Lưu VT"]


# --- layout ----------------------------------------------------------------------------------

def _pitch(size_pt: float) -> float:
    return pt_to_mm(size_pt) * LINE


def wrap(text: str, width_mm: float, style: str, size_pt: float, first_indent: float = 0.0) -> list[str]:
    """Greedy word wrap by measured width (what a word processor does, near enough)."""
    lines: list[str] = []
    current: list[str] = []
    limit = width_mm - first_indent
    for word in text.split():
        trial = " ".join(current + [word])
        if current and text_width_mm(trial, style, size_pt) > limit:
            lines.append(" ".join(current))
            current, limit = [word], width_mm
        else:
            current.append(word)
    if current:
        lines.append(" ".join(current))
    return lines


class _Pager:
    """Places lines top to bottom, starting a new page (with its page number) when one is full."""

    def __init__(self, font: str):
        self.font = font
        self.pages: list[list[Placed]] = [[]]
        self.y = TOP

    def new_page(self) -> None:
        self.pages.append([])
        number = str(len(self.pages))
        self.pages[-1].append(Placed(number, BODY_X, TOP - 6, "center", font=self.font, size_pt=SMALL_PT,
                                     role="page_no"))
        self.y = TOP + 4

    def room(self) -> float:
        return BOTTOM - self.y

    def add(self, line: Placed, pitch: float) -> None:
        if self.y + pitch > BOTTOM:
            self.new_page()
        self.y += pitch
        self.pages[-1].append(_at(line, self.y))


def _at(line: Placed, y: float) -> Placed:
    return Placed(**{**line.__dict__, "y_mm": y})


def _header(pager: _Pager, organ: Organ, number: str, dline: str, vv: str | None,
            stamps: list[str]) -> None:
    font = pager.font
    pitch = _pitch(HEADER_PT)
    y0 = TOP + 4
    left = [Placed(organ.header[0], LEFT_BLOCK_X, y0, "center", font=font, size_pt=HEADER_PT, role="header"),
            Placed(organ.header[1], LEFT_BLOCK_X, y0 + pitch, "center", font=font, size_pt=HEADER_PT,
                   bold=True, role="header"),
            Placed("*", LEFT_BLOCK_X, y0 + 2 * pitch, "center", font=font, size_pt=HEADER_PT, role="header"),
            Placed(f"Số {number}", LEFT_BLOCK_X, y0 + 3 * pitch, "center", font=font, size_pt=HEADER_PT,
                   role="header")]
    y = y0 + 3 * pitch
    if vv:
        for text in wrap(vv, 70, style_name(font, italic=True), 12.5):
            y += _pitch(12.5)
            left.append(Placed(text, LEFT_BLOCK_X, y, "center", font=font, size_pt=12.5, italic=True,
                               role="header"))
    for stamp in stamps:
        y += _pitch(HEADER_PT) + 2
        left.append(Placed(stamp, LEFT_BLOCK_X, y, "center", font=font, size_pt=HEADER_PT, bold=True,
                           box=True, role="stamp"))
    right = [Placed("ĐẢNG CỘNG SẢN VIỆT NAM", RIGHT_BLOCK_X, y0, "center", font=font, size_pt=15, bold=True,
                    underline=True, role="header"),
             Placed(dline, RIGHT_BLOCK_X, y0 + 3 * pitch, "center", font=font, size_pt=HEADER_PT,
                    italic=True, role="header")]
    pager.pages[0].extend(left + right)
    pager.y = y + 8


def _title(pager: _Pager, dtype: vocab.DocType, summary: str) -> None:
    font = pager.font
    pager.add(Placed(dtype.name.upper(), BODY_X, 0, "center", font=font, size_pt=15, bold=True,
                     role="title"), _pitch(15))
    lines = wrap(summary, 140, style_name(font, bold=True), BODY_PT)
    for i, text in enumerate(lines):
        pager.add(Placed(text, BODY_X, 0, "center", font=font, size_pt=BODY_PT, bold=True, role="title",
                         rule_below=i == len(lines) - 1), _pitch(BODY_PT))
    pager.y += 7


def _kinh_gui(pager: _Pager, recipient: str) -> None:
    pager.add(Placed(f"Kính gửi: {recipient}", BODY_X, 0, "center", font=pager.font, size_pt=BODY_PT,
                     role="body"), _pitch(BODY_PT))
    pager.y += 5


def _wrapped_unit(unit: _Unit, font: str) -> tuple[Placed, ...]:
    return _wrapped_text(unit.text, unit.kind == "heading", font)


@lru_cache(maxsize=8192)
def _wrapped_text(text: str, bold: bool, font: str) -> tuple[Placed, ...]:
    """A paragraph wrapped once: fitting a body to its pages lays the same paragraphs out many times."""
    style = style_name(font, bold)
    width = RIGHT - LEFT
    lines = wrap(text, width, style, BODY_PT, first_indent=INDENT)
    placed = []
    for i, text in enumerate(lines):
        x = LEFT + (INDENT if i == 0 else 0)
        last = i == len(lines) - 1
        placed.append(Placed(text, x, 0, "left" if last or bold else "justify", width - (x - LEFT), font=font,
                             size_pt=BODY_PT, bold=bold))
    return tuple(placed)


def _closing_block(font: str, noi_nhan: list[str], the_thuc: tuple[str, ...], chuc_vu: str,
                   name: str) -> tuple[list[Placed], float]:
    """Nơi nhận (left) and signature (right), positioned relative to y = 0; returns lines and height."""
    pitch = _pitch(SMALL_PT)
    lines = [Placed("Nơi nhận:", LEFT, pitch, font=font, size_pt=SMALL_PT, bold=True, italic=True,
                    underline=True, role="noi_nhan")]
    for i, item in enumerate(noi_nhan):
        end = "." if i == len(noi_nhan) - 1 else ","
        for j, text in enumerate(wrap(f"- {item}{end}", 86, style_name(font), 12.5)):
            lines.append(Placed(text, LEFT + (0 if j == 0 else 3), lines[-1].y_mm + _pitch(12.5), font=font,
                                size_pt=12.5, role="noi_nhan"))
    left_height = lines[-1].y_mm
    y = 0.0
    for text in the_thuc + (chuc_vu,):
        y += pitch
        lines.append(Placed(text, RIGHT_BLOCK_X, y, "center", font=font, size_pt=SMALL_PT, bold=True,
                            role="signer"))
    y += 26
    lines.append(Placed(name, RIGHT_BLOCK_X, y, "center", font=font, size_pt=BODY_PT, bold=True, role="name"))
    return lines, max(left_height, y) + 2


def layout_document(font: str, organ: Organ, dtype: vocab.DocType, number: str, dline: str, summary: str,
                    stamps: list[str], kinh_gui: str | None, units: list[_Unit],
                    closing: tuple[list[Placed], float]) -> list[list[Placed]]:
    pager = _Pager(font)
    is_cv = dtype.code == "CV"
    _header(pager, organ, number, dline, summary if is_cv else None, stamps)
    if not is_cv:
        _title(pager, dtype, summary)
    if kinh_gui:
        _kinh_gui(pager, kinh_gui)
    pitch = _pitch(BODY_PT)
    for unit in units:
        lines = _wrapped_unit(unit, font)
        if unit.kind == "heading" and pager.room() < 3 * pitch:
            pager.new_page()       # a heading never ends a page
        for line in lines:
            pager.add(line, pitch)
        pager.y += 1.2
    block, height = closing
    pager.y += 4
    if pager.room() < height:
        pager.new_page()
    base = pager.y
    pager.pages[-1].extend(_at(line, base + line.y_mm) for line in block)
    return pager.pages


def _pick_type(rng: random.Random, organ: Organ, doc_type: str | None) -> vocab.DocType:
    if doc_type is None:
        return vocab.DOC_TYPES[rng.choice(organ.types)]
    for dtype in vocab.DOC_TYPES.values():
        if doc_type in (dtype.code, dtype.name):
            return dtype
    raise ValueError(f"unknown document type {doc_type!r}; known: {', '.join(vocab.DOC_TYPES)}")


def generate_document(rng: random.Random, *, doc_type: str | None = None, year: int | None = None,
                      fonds: str | None = None, file: str | None = None, do_mat=RANDOM, do_khan=RANDOM,
                      pages: int | None = None, font: str | None = None) -> SampleDocument:
    """One document. ``doc_type`` is a code (``NQ``) or name (``Nghị quyết``); ``pages`` the page count
    to fill (1–6; random if None); ``do_mat``/``do_khan`` None for none, default random."""
    fonds_obj = vocab.FONDS[fonds] if fonds else rng.choice(list(vocab.FONDS.values()))
    year = year or rng.randint(1985, 2024)
    organ = choose_organ(rng, fonds_obj)
    dtype = _pick_type(rng, organ, doc_type)
    if dtype.code not in organ.types:      # e.g. a nghị quyết: only a committee issues it
        province = vocab.PROVINCES[fonds_obj.province]
        organ = _district_organ(province, fonds_obj.district) if fonds_obj.district else _committee_organ(province)
    font = font or ("mono" if year < 1995 and rng.random() < 0.5 else "serif")
    target = pages or rng.choice([1, 1, 2, 2, 2, 3, 3, 4])
    day = random_date(rng, year)
    number = f"{rng.randint(1, dtype.max_number):02d}-{dtype.code}/{organ.symbol}"
    topic = rng.choice(vocab.TOPICS)
    summary = trich_yeu(rng, dtype.code, organ, topic, year)
    secrecy = rng.choice([None] * 8 + ["Mật", "Tối mật"]) if do_mat is RANDOM else do_mat
    urgency = rng.choice([None] * 8 + ["Khẩn", "Hỏa tốc"]) if do_khan is RANDOM else do_khan
    stamps = [s.upper() for s in (secrecy, urgency) if s]
    the_thuc, chuc_vu = rng.choice(organ.signers)
    signer = person_name(rng)
    noi_nhan = recipients(rng, organ)
    kinh_gui = None
    if dtype.code == "CV":
        kinh_gui = rng.choice(vocab.KINH_GUI).format(committee=organ.cap)
    elif dtype.code == "TTr":
        kinh_gui = f"Ban Thường vụ {organ.cap}"
    ctx = dict(kind=dtype.name.lower(), Kind=dtype.name, org=organ.actor, cap=organ.cap, year=year, next=year + rng.randint(2, 5), topic=topic,
               place=organ.dia_danh)
    main, closing_units = body_units(rng, dtype, organ, day, ctx, count=10 * target + 6)
    closing = _closing_block(font, noi_nhan, the_thuc, chuc_vu, signer)
    fill = rng.uniform(0.25, 0.85)
    args = (font, organ, dtype, number, date_line(organ.dia_danh, day), summary, stamps, kinh_gui)

    kept = _fit(main, closing_units, closing, args, target, fill)
    layout = layout_document(*args, kept, closing)
    cited: list[str] = []
    for unit in kept:
        cited.extend(c for c in unit.cites if c not in cited)
    meta = {
        "so_ky_hieu": number, "loai_van_ban": dtype.name, "ngay_ban_hanh": day.isoformat(),
        "co_quan_ban_hanh": organ.name, "trich_yeu": summary, "nguoi_ky": signer,
        "chuc_vu_nguoi_ky": chuc_vu, "the_thuc_ky": list(the_thuc), "dia_danh": organ.dia_danh,
        "do_mat": secrecy, "do_khan": urgency, "noi_nhan": noi_nhan, "so_ky_hieu_trich_dan": cited,
        "fonds_code": fonds_obj.code, "file_code": file or f"HS-{year}-{rng.randint(1, 30):03d}",
        "pages": len(layout), "font": FONT_NAMES[font], "handwritten_notes": [],
    }
    layout = [[_nfc_line(line) for line in page] for page in layout]
    return SampleDocument(meta=_nfc_meta(meta), pages=[[line.text for line in page] for page in layout],
                          layout=layout, font=font)


def _fit(main: list[_Unit], closing_units: Callable[[int], list[_Unit]], closing, args, target: int,
         fill: float) -> list[_Unit]:
    """The longest prefix of the body that ends on page ``target`` about ``fill`` of the way down."""
    best = [main[0]] + closing_units(1)
    for k in range(1, len(main) + 1):
        prefix = main[:k]
        if prefix[-1].kind == "heading":
            continue
        candidate = prefix + closing_units(k)
        pages = layout_document(*args, candidate, closing)
        if len(pages) > target:
            break
        best = candidate
        last_y = max(line.y_mm for line in pages[-1] if line.role not in _CLOSING_ROLES)
        if len(pages) == target and last_y > TOP + fill * (BOTTOM - TOP):
            break
    return best


_CLOSING_ROLES = ("noi_nhan", "signer", "name")


def _nfc_line(line: Placed) -> Placed:
    return Placed(**{**line.__dict__, "text": nfc(line.text)})


def _nfc_meta(meta: dict) -> dict:
    def norm(value):
        if isinstance(value, str):
            return nfc(value)
        if isinstance(value, list):
            return [norm(v) for v in value]
        return value
    return {key: norm(value) for key, value in meta.items()}


# --- fast text for search benchmarks ---------------------------------------------------------

@dataclass(frozen=True)
class TextPage:
    """One page of benchmark text with its document's catalogue fields (shared by its pages)."""

    doc_id: str
    page_no: int
    text: str
    meta: dict = field(hash=False, compare=False)


def generate_corpus_text(n_pages: int, seed: int, *, pool_size: int = 4000) -> Iterator[TextPage]:
    """``n_pages`` pages of realistic Party-document text, fast (no layout, no rendering).

    Paragraphs and document headings are drawn from pools filled once per call, so the vocabulary
    and word frequencies are those of :func:`generate_document` while a page costs only a few
    random picks and a join. About 15 % of documents are classified (Mật, Tối mật, Tuyệt mật).
    """
    rng = random.Random(seed)
    pool = _paragraph_pool(rng, pool_size)
    templates = _heading_pool(rng, max(50, pool_size // 8))
    pick, n_pool = rng.random, len(pool)
    made, doc_no = 0, 0
    while made < n_pages:
        doc_no += 1
        meta, header = _light_document(rng, templates, doc_no)
        for page_no in range(1, min(meta["pages"], n_pages - made) + 1):
            body = "\n".join([pool[int(pick() * n_pool)] for _ in range(7 + int(pick() * 4))])
            text = (header + "\n" + body) if page_no == 1 else f"{page_no}\n{body}"
            yield TextPage(meta["doc_id"], page_no, text, meta)
            made += 1


def _paragraph_pool(rng: random.Random, size: int) -> list[str]:
    provinces = list(vocab.PROVINCES.values())
    pool = []
    for _ in range(size):
        province = rng.choice(provinces)
        year = rng.randint(1985, 2024)
        ctx = dict(org=f"Ban Thường vụ {province.committee}", cap="Thành ủy" if province.city else "Tỉnh ủy",
                   year=year, next=year + 3, topic=rng.choice(vocab.TOPICS), place=province.name)
        pool.append(_paragraph(rng, ctx, 2))
    return pool


def _heading_pool(rng: random.Random, size: int) -> list[tuple[vocab.Fonds, Organ, vocab.DocType, int, str]]:
    """(fonds, organ, type, year, trích yếu) combinations; a document adds its number and date."""
    pool = []
    for _ in range(size):
        fonds = rng.choice(list(vocab.FONDS.values()))
        organ = choose_organ(rng, fonds)
        dtype = vocab.DOC_TYPES[rng.choice(organ.types)]
        year = rng.randint(1985, 2024)
        pool.append((fonds, organ, dtype, year, trich_yeu(rng, dtype.code, organ, rng.choice(vocab.TOPICS), year)))
    return pool


_SECRECY = (None,) * 17 + ("Mật", "Tối mật", "Tuyệt mật")
_PAGE_COUNTS = (1, 2, 2, 3, 3, 4, 5)


def _light_document(rng: random.Random, templates, doc_no: int) -> tuple[dict, str]:
    pick = rng.random
    fonds, organ, dtype, year, summary = templates[int(pick() * len(templates))]
    day = date(year, 1 + int(pick() * 12), 1 + int(pick() * 28))
    number = f"{1 + int(pick() * dtype.max_number):02d}-{dtype.code}/{organ.symbol}"
    secrecy = _SECRECY[int(pick() * len(_SECRECY))]
    meta = {"doc_id": f"bench-{doc_no:07d}", "so_ky_hieu": number, "loai_van_ban": dtype.name,
            "ngay_ban_hanh": day.isoformat(), "co_quan_ban_hanh": organ.name, "trich_yeu": summary,
            "do_mat": secrecy, "fonds_code": fonds.code, "file_code": f"HS-{year}-{1 + int(pick() * 30):03d}",
            "dia_danh": organ.dia_danh, "pages": _PAGE_COUNTS[int(pick() * len(_PAGE_COUNTS))]}
    stamp = [secrecy.upper()] if secrecy else []
    header = "\n".join([*organ.header, "*", f"Số {number}", *stamp, "ĐẢNG CỘNG SẢN VIỆT NAM",
                        date_line(organ.dia_danh, day), dtype.name.upper(), summary])
    return meta, header
