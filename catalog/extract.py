"""Read an item's catalogue fields from its OCR'd pages: each part of the page has its reader.

Page 1 carries the header (organ block and ``Số …`` left; party name, place and date right), the
secrecy/urgency stamps, the title (type + trích yếu) or, for a công văn, ``V/v …`` under the number.
The last page carries ``Nơi nhận`` (bottom left) and the signature block (bottom right: authority
lines T/M, K/T, T/L, T/UQ; the signer's title; the name). Each value is returned with a confidence
(Tesseract's word confidences of the words it came from) and whether a person should check it: a
value is never guessed, and a registration stamp's ``Số``/``Ngày`` is never taken for the document's.

The readers: :mod:`~luutru.catalog.header` (page 1), :mod:`~luutru.catalog.recipients` and
:mod:`~luutru.catalog.signature` (the last page), :mod:`~luutru.catalog.citations` (the body);
what they share is in :mod:`~luutru.catalog.fieldtext`. Here they are put together, and the
fields checked against each other (the number's type, the places, the years in the title).
"""

from __future__ import annotations

import re

from rapidfuzz.distance import Levenshtein

from luutru.catalog.citations import read_citations
from luutru.catalog.fieldtext import Extracted, on_left, on_right, prose_floor, similar, text_key
from luutru.catalog.header import read_page_one
from luutru.catalog.model import LIST_FIELDS
from luutru.catalog.pagelines import PageLines, join_rows
from luutru.catalog.patterns import DOC_TYPES, type_of_number
from luutru.catalog.recipients import RECIPIENT, read_recipients
from luutru.catalog.signature import read_signature
from luutru.catalog.stamps import before_copy_block
from luutru.catalog.vocab import PLACES
from luutru.textnorm import fold

# The fields read from the pages (the model's ngon_ngu and ghi_chu are not).
EXTRACTED_FIELDS = ("so_ky_hieu", "loai_van_ban", "ngay_ban_hanh", "co_quan_ban_hanh", "trich_yeu",
                    "nguoi_ky", "chuc_vu_nguoi_ky", "the_thuc_ky", "dia_danh", "do_mat", "do_khan",
                    "noi_nhan", "so_ky_hieu_trich_dan")
# Fields every Party document has: missing means "look at it", not "it has none".
REQUIRED = ("so_ky_hieu", "loai_van_ban", "ngay_ban_hanh", "co_quan_ban_hanh", "trich_yeu",
            "nguoi_ky", "chuc_vu_nguoi_ky", "dia_danh", "noi_nhan")


def extract_fields(pages: list[PageLines]) -> dict[str, Extracted]:
    """All catalogue fields of one item (its pages in order); absent fields are None values."""
    fields: dict[str, Extracted] = {}
    if not pages:
        return fields
    read_page_one(pages[0], fields)
    for number in range(len(pages), 0, -1):
        _last_page(pages[number - 1], number, fields)
        if "noi_nhan" in fields or "nguoi_ky" in fields:
            break
    _snap_places(fields)
    _vote_place(fields, pages)
    own = fields["so_ky_hieu"].value if "so_ky_hieu" in fields else None
    fields["so_ky_hieu_trich_dan"] = read_citations(pages, own)
    _cross_check(fields)
    _check_title_years(fields)
    for name in EXTRACTED_FIELDS:
        if name not in fields:
            empty = [] if name in LIST_FIELDS else None
            # no signature block found: its authority lines are unknown, not absent
            unsure = name in REQUIRED or (name == "the_thuc_ky" and "chuc_vu_nguoi_ky" not in fields)
            fields[name] = Extracted(empty, 0.0, [], unsure)
    return fields


def _last_page(page: PageLines, page_no: int, fields: dict[str, Extracted]) -> None:
    lines = before_copy_block(page.lines, page.height)
    start = next((i for i, ln in enumerate(lines) if text_key(ln.text).startswith("noi nhan")), None)
    if start is None:
        return
    anchor = lines[start]
    below = lines[start + 1:]
    if page.has_geometry:
        left = [ln for ln in below if on_left(ln, page)]
        right = [ln for ln in lines[start:] if on_right(ln, page)]
        # the signature may start level with "Nơi nhận:"
        right += [ln for ln in lines[max(0, start - 2):start] if on_right(ln, page)
                  and anchor.box and ln.box[3] > anchor.box[1]]
        right = join_rows(right)
    else:
        items_end = start + 1
        while items_end < len(lines) and RECIPIENT.match(lines[items_end].text.strip()):
            items_end += 1
        left, right = lines[start + 1:items_end], lines[items_end:]
    recipients = read_recipients(anchor, left, page_no)
    if recipients is not None:
        fields["noi_nhan"] = recipients
    read_signature(right, page_no, fields, prose_floor(page))


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
    if implied and (kind is None or kind.value not in DOC_TYPES and similar(kind.value, implied) >= 0.5):
        # no title line, or a garbled one ("LUẬN" for "KẾT LUẬN"): the number names the type
        fields["loai_van_ban"] = Extracted(implied, number.confidence, [1], number.review)
    elif kind is not None and implied and implied != kind.value and \
            not (implied.startswith("Chương trình") and kind.value.startswith("Chương trình")):
        number.review = kind.review = True
