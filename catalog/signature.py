"""The signature block at the bottom right of the last page: authority lines (T/M, K/T, T/L, T/UQ),
the signer's title and the name, each snapped to the known ones and checked for what a seal or a
pen stroke over them cut off."""

from __future__ import annotations

import re

from luutru.catalog.fieldtext import (LIST_MIN_CONF, PROSE_MIN_CONF, TEXT_MIN_CONF, Extracted,
                                      is_upper, similar, text_key)
from luutru.catalog.pagelines import Line, Word
from luutru.catalog.vocab import FAMILY_NAMES, TITLES
from luutru.textnorm import fold


_AUTHORITY = re.compile(r"^(T\s*[/.]?\s*M|K\s*[/.]?\s*T|T\s*[/.]?\s*L|T\s*[/.]?\s*UQ)[.:]?\s+(\S.*)$")
_NEEDS_AUTHORITY = {"BÍ THƯ", "PHÓ BÍ THƯ", "PHÓ CHÁNH VĂN PHÒNG", "PHÓ TRƯỞNG BAN", "PHÓ CHỦ NHIỆM"}


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
    if len(name) >= 2 and not is_upper(" ".join(w.text for w in name)):
        return name
    return []


def _is_name_word(text: str) -> bool:
    text = text.strip(_DEBRIS)
    return bool(text) and text[0].isupper() and text.isalpha() and (len(text) == 1 or text[1:].islower())


def read_signature(lines: list[Line], page_no: int, fields: dict[str, Extracted],
               prose_floor: float = PROSE_MIN_CONF) -> None:
    authority, title, name = [], None, None
    found: tuple[str, float, bool] | None = None
    for line in lines:
        text = line.text.strip()
        if _authority(text) and title is None:
            authority.append(line)
        elif title is None and (found := _title_in(line)) is not None:
            title = line
        elif title is None and is_upper(text) and _plausible_text(line):
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
        key = text_key(re.sub(r"^[\W\d_]+", "", " ".join(w.text for w in tail)))
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
        key = text_key(" ".join(words[start:]))
        cut = sorted((t for t in TITLES if len(key) >= 6 and len(text_key(t)) >= len(key)
                      and similar(key, text_key(t)[-len(key):]) >= 0.85), key=len)
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


_TITLE_KEYS = {text_key(t): t for t in TITLES}
_FAMILY_BY_FOLD: dict[str, list[str]] = {}


for _name in FAMILY_NAMES:
    _FAMILY_BY_FOLD.setdefault(fold(_name).lower(), []).append(_name)


def _snap_title(text: str) -> tuple[str, bool]:
    """A signer's title or authority body snapped to the known ones (OCR: ``BÍ THỰ`` → ``BÍ THƯ``);
    returns (value, known)."""
    text = re.sub(r"\s+", " ", text.strip(" .,:;'\"")).upper()
    words = text.split()
    for start in range(1, min(3, len(words))):      # specks before it: "HN PHÓ BÍ THƯ"
        if len(words[start - 1]) <= 2 and text_key(" ".join(words[start:])) in _TITLE_KEYS:
            return _TITLE_KEYS[text_key(" ".join(words[start:]))], False
    best = max(TITLES, key=lambda t: similar(text, t))
    if text_key(text).replace(" ", "") == text_key(best).replace(" ", ""):     # "BÍTHƯ"
        return best, True
    if similar(text, best) >= 0.9 and text_key(best)[:3] == text_key(text)[:3]:
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
    if len(head) <= 5 and "/" in head and rest and is_upper(rest):
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
