"""Issuing organs as a facet: OCR variants folded into the nearest known organ, unsure ones flagged.

The catalogue's ``co_quan_ban_hanh`` is read by OCR, so one organ appears as several spellings
("Văn phòng Thành ủy Hải. Phòng"). The known organs are every Party organ the catalogue's closed
vocabulary can name — a committee of a province or district (``Tỉnh ủy Thái Bình``) and the boards
of each (``Ban Tuyên giáo Tỉnh ủy Thái Bình``) — compared on folded letters without punctuation.
A value close to one of them is shown (and filtered) as that organ; a value only fairly close is
kept as written and flagged, for an archivist to correct in the catalogue.
"""

from __future__ import annotations

import re
from functools import lru_cache

from rapidfuzz import process
from rapidfuzz.distance import Levenshtein

from luutru.textnorm import fold, nfc

SURE = 0.93  # normalised similarity from which a variant is that organ
UNSURE = 0.8  # from here to SURE: flagged; below: an organ of its own, left alone


def _key(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "", fold(text))


@lru_cache(maxsize=1)
def known_organs() -> dict[str, str]:
    """Folded key → canonical name of every organ the vocabulary can name."""
    from luutru.catalog.vocab import COMMITTEES, KNOWN_ORGANS, PLACES

    boards = [o for o in KNOWN_ORGANS if o not in COMMITTEES and o != "Ban Thường vụ"]
    names = []
    for place in PLACES:
        for committee in COMMITTEES:
            names.append(f"{committee} {place}")
            names += [f"{board} {committee} {place}" for board in boards]
    return {_key(name): nfc(name) for name in names}


@lru_cache(maxsize=1)
def _keys() -> list[str]:
    return list(known_organs())


@lru_cache(maxsize=4096)
def normalise_organ(value: str) -> tuple[str, bool | None]:
    """(the organ to show, whether that is sure): True folded into (or equal to) a known organ,
    False only close to one (``value`` kept, flagged), None unknown (kept as written)."""
    value = " ".join(nfc(value).split())
    known = known_organs()
    key = _key(value)
    if key in known:
        return known[key], True
    match = process.extractOne(key, _keys(), scorer=Levenshtein.normalized_similarity,
                               score_cutoff=UNSURE)
    if match is None:
        return value, None
    best, score, _ = match
    return (known[best], True) if score >= SURE else (value, False)


def organ_facet(value: str | None) -> tuple[str | None, bool | None]:
    return normalise_organ(value) if value else (None, None)


def unsure_label(value: str) -> str | None:
    """The facet label of an organ value that is only close to a known one, else None."""
    shown, sure = normalise_organ(value)
    if sure is not False:
        return None
    key = _key(value)
    nearest = process.extractOne(key, _keys(),
                                 scorer=Levenshtein.normalized_similarity)[0]
    return f"{value} (chưa chắc; gần với {known_organs()[nearest]})"
