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

from luutru.samples import vocab
from luutru.samples.fonts import FONT_NAMES
from luutru.samples.layout import (BOTTOM, CLOSING_ROLES, TOP, Heading, Paragraph, Placed,  # noqa: F401
                                   closing_block, layout_document)
from luutru.textnorm import nfc

RANDOM = object()   # "choose at random" for do_mat / do_khan, where None means "none"


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
               count: int) -> tuple[list[Paragraph], Callable[[int], list[Paragraph]]]:
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
    units = [Paragraph(rng.choice(vocab.OPENINGS).format(cite=phrase, actor=organ.actor, tail=tail), cites=cites)]
    sections = list(dtype.sections)
    per_section = max(2, count // max(1, len(sections))) if sections else count
    item = 0
    for index in range(count):
        if sections and index % per_section == 0 and index // per_section < len(sections):
            units.append(Paragraph(sections[index // per_section], "heading"))
            item = 0
        item += 1
        text, cited = _cited_paragraph(rng, ctx, day, organ)
        units.append(Paragraph(f"{item}. {text}", "para", cited))
    closing = Paragraph(rng.choice(vocab.CLOSINGS_BY_TYPE.get(dtype.code, vocab.CLOSINGS)).format(**ctx))
    return units, lambda kept: [closing]


def _cited_paragraph(rng: random.Random, ctx: dict, day: date, organ: Organ) -> tuple[str, tuple[str, ...]]:
    text = _paragraph(rng, ctx, rng.choice([1, 1, 2, 2, 3]))
    if rng.random() < 0.08:
        phrase, number = citation(rng, day, organ)
        return text[:-1] + f", theo đúng tinh thần {phrase}.", (number,)
    return text, ()


def _article_units(rng: random.Random, ctx: dict, count: int) -> tuple[list[Paragraph], Callable]:
    first = Paragraph("Điều 1. " + rng.choice(vocab.ARTICLE_FIRST).format(**ctx))
    middle = [Paragraph(f"Điều {n}. " + " ".join(
                    [rng.choice(vocab.ARTICLE_MIDDLE)] + ([_paragraph(rng, ctx, 1)] if rng.random() < 0.6 else [])))
              for n in range(2, count // 2 + 2)]
    last = [template.format(**ctx) for template in vocab.ARTICLE_LAST]

    def closing(kept: int) -> list[Paragraph]:
        return [Paragraph(f"Điều {kept + n}. {text}") for n, text in enumerate(last, 1)]
    return [first] + middle, closing


def recipients(rng: random.Random, organ: Organ) -> list[str]:
    short = organ.cap
    above = [r.format(committee=organ.committee, short=short) for r in vocab.RECIPIENTS_ABOVE]
    below = [r.format(committee=organ.cap, short=short) for r in vocab.RECIPIENTS_BELOW]
    chosen = rng.sample(above, rng.randint(0, 2)) + rng.sample(below, rng.randint(1, 3))
    return chosen + [f"Lưu Văn phòng {organ.cap}" if rng.random() < 0.7 else "Lưu VT"]


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
    """One document of fonds ``fonds`` (a code of ``vocab.FONDS``; random if None).

    ``doc_type`` is a code (``NQ``) or a name (``Nghị quyết``); ``pages`` the page count to fill
    (random 1–4 if None); ``do_mat`` / ``do_khan``: a mark such as ``"Mật"``, None for none, random
    if not given; ``font``: ``serif`` or ``mono`` (typewriter; random before 1995 if None).
    """
    fonds_obj = vocab.FONDS[fonds] if fonds else rng.choice(list(vocab.FONDS.values()))
    year = year or rng.randint(1985, 2024)
    organ, dtype = _organ_and_type(rng, fonds_obj, doc_type)
    font = font or ("mono" if year < 1995 and rng.random() < 0.5 else "serif")
    target = pages or rng.choice([1, 1, 2, 2, 2, 3, 3, 4])
    day = random_date(rng, year)
    number = f"{rng.randint(1, dtype.max_number):02d}-{dtype.code}/{organ.symbol}"
    topic = rng.choice(vocab.TOPICS)
    summary = trich_yeu(rng, dtype.code, organ, topic, year)
    secrecy = rng.choice([None] * 8 + ["Mật", "Tối mật"]) if do_mat is RANDOM else do_mat
    urgency = rng.choice([None] * 8 + ["Khẩn", "Hỏa tốc"]) if do_khan is RANDOM else do_khan
    the_thuc, chuc_vu = rng.choice(organ.signers)
    signer = person_name(rng)
    noi_nhan = recipients(rng, organ)
    heading = Heading(organ.header, number, date_line(organ.dia_danh, day), dtype.name, summary,
                      tuple(mark.upper() for mark in (secrecy, urgency) if mark), _addressee(rng, dtype, organ),
                      is_cong_van=dtype.code == "CV")
    ctx = dict(kind=dtype.name.lower(), Kind=dtype.name, org=organ.actor, cap=organ.cap, year=year,
               next=year + rng.randint(2, 5), topic=topic, place=organ.dia_danh)
    main, closing_units = body_units(rng, dtype, organ, day, ctx, count=10 * target + 6)
    closing = closing_block(font, noi_nhan, the_thuc, chuc_vu, signer)
    kept = _fit(font, heading, main, closing_units, closing, target, fill=rng.uniform(0.25, 0.85))
    layout = [[_nfc_line(line) for line in page] for page in layout_document(font, heading, kept, closing)]
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
    return SampleDocument(meta=_nfc_meta(meta), pages=[[line.text for line in page] for page in layout],
                          layout=layout, font=font)


def _organ_and_type(rng: random.Random, fonds: vocab.Fonds, doc_type: str | None) -> tuple[Organ, vocab.DocType]:
    organ = choose_organ(rng, fonds)
    dtype = _pick_type(rng, organ, doc_type)
    if dtype.code not in organ.types:      # e.g. a nghị quyết: only a committee issues it
        province = vocab.PROVINCES[fonds.province]
        organ = _district_organ(province, fonds.district) if fonds.district else _committee_organ(province)
    return organ, dtype


def _addressee(rng: random.Random, dtype: vocab.DocType, organ: Organ) -> str | None:
    """Who a công văn or tờ trình is addressed to (its "Kính gửi:" line)."""
    if dtype.code == "CV":
        return rng.choice(vocab.KINH_GUI).format(committee=organ.cap)
    if dtype.code == "TTr":
        return f"Ban Thường vụ {organ.cap}"
    return None


def _fit(font: str, heading: Heading, main: list[Paragraph], closing_units: Callable[[int], list[Paragraph]],
         closing: tuple[list[Placed], float], target: int, fill: float) -> list[Paragraph]:
    """The longest prefix of the body that ends on page ``target`` about ``fill`` of the way down."""
    best = [main[0]] + closing_units(1)
    for k in range(1, len(main) + 1):
        prefix = main[:k]
        if prefix[-1].kind == "heading":
            continue
        candidate = prefix + closing_units(k)
        pages = layout_document(font, heading, candidate, closing)
        if len(pages) > target:
            break
        best = candidate
        last_y = max(line.y_mm for line in pages[-1] if line.role not in CLOSING_ROLES)
        if len(pages) == target and last_y > TOP + fill * (BOTTOM - TOP):
            break
    return best


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
