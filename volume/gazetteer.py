"""A gazetteer of Vietnamese administrative units, to recognise and name the places of a volume's index.

The documents are historic, so the list is the one before the July 2025 reorganisation: the 63
provinces and centrally-run cities and their 696 districts (``data/don-vi-hanh-chinh.tsv``,
vendored from the MIT-licensed package vietnamadminunits; see the file's header), and the
provinces merged or split between 1975 and 2008 ("Hải Hưng", "Hà Sơn Bình", "Nghệ Tĩnh"…), which
Party documents of the 1980s–90s name. Names are matched by their spelling with the tone mark's
place ignored ("Hoà Bình" is "Hòa Bình") and set in the index as the gazetteer spells them: a
province by its name, a district with its province ("Kiến Xương (Thái Bình)"), a former province
with its years ("Hải Hưng (tỉnh cũ, 1968–1996)"). Wards and communes are not listed (too many
to vendor, and renamed too often); a commune the text names after "xã" is indexed as written.
"""

from __future__ import annotations

import functools
import unicodedata
from dataclasses import dataclass
from pathlib import Path

from luutru.textnorm import nfc

DATA = Path(__file__).with_name("data") / "don-vi-hanh-chinh.tsv"
PROVINCE, DISTRICT, FORMER = "tinh", "huyen", "tinh-cu"
# Provinces of 1975–2008 no longer on the list: (name, years as a province).
FORMER_PROVINCES = (
    ("Hà Tây", "1991–2008"), ("Hà Sơn Bình", "1975–1991"), ("Hải Hưng", "1968–1996"),
    ("Hà Nam Ninh", "1975–1991"), ("Nam Hà", "1991–1996"), ("Nghệ Tĩnh", "1976–1991"),
    ("Bình Trị Thiên", "1976–1989"), ("Nghĩa Bình", "1976–1989"), ("Phú Khánh", "1976–1989"),
    ("Thuận Hải", "1976–1991"), ("Vĩnh Phú", "1968–1996"), ("Hà Bắc", "1962–1996"),
    ("Bắc Thái", "1965–1996"), ("Hoàng Liên Sơn", "1976–1991"), ("Cao Lạng", "1976–1978"),
    ("Hà Tuyên", "1976–1991"), ("Sông Bé", "1976–1996"), ("Minh Hải", "1976–1996"),
    ("Cửu Long", "1976–1991"),
)
# Names provinces on the list had before it: indexed as the document writes them.
OTHER_PROVINCE_NAMES = ("Thừa Thiên Huế",)
_TONES = "\u0300\u0301\u0309\u0303\u0323"


@dataclass(frozen=True)
class Place:
    """One administrative unit as the index names it."""

    name: str
    level: str              # PROVINCE | DISTRICT | FORMER
    province: str = ""      # a district's province
    years: str = ""         # a former province's years

    @property
    def label(self) -> str:
        """The index entry: "Thái Bình", "Kiến Xương (Thái Bình)", "Hải Hưng (tỉnh cũ, 1968–1996)"."""
        if self.level == DISTRICT and self.province:
            return f"{self.name} ({self.province})"
        if self.level == FORMER:
            return f"{self.name} (tỉnh cũ, {self.years})"
        return self.name


def spelling_key(name: str) -> str:
    """Lower case, each syllable's tone mark moved to its end: the old and the new placement of
    the tone ("Hoà", "Hòa") give one key, any other difference of spelling does not."""
    syllables = []
    for syllable in nfc(name).lower().replace("-", " ").split():
        parts = unicodedata.normalize("NFD", syllable)
        tones = "".join(ch for ch in parts if ch in _TONES)
        syllables.append(unicodedata.normalize("NFC", "".join(ch for ch in parts if ch not in _TONES)) + tones)
    return " ".join(syllables)


@functools.cache
def places() -> dict[str, tuple[Place, ...]]:
    """Every name the gazetteer knows (:func:`spelling_key`) → the units of that name."""
    found: dict[str, list[Place]] = {}
    with DATA.open(encoding="utf-8") as handle:
        rows = [line.rstrip("\n").split("\t") for line in handle if not line.startswith("#")]
    for level, name, province, _code in rows[1:]:
        found.setdefault(spelling_key(name), []).append(Place(name, level, province))
    for name, years in FORMER_PROVINCES:
        found.setdefault(spelling_key(name), []).append(Place(name, FORMER, years=years))
    for name in OTHER_PROVINCE_NAMES:
        found.setdefault(spelling_key(name), []).append(Place(name, PROVINCE))
    return {key: tuple(units) for key, units in found.items()}


def lookup(name: str, levels: tuple[str, ...] = (PROVINCE, FORMER, DISTRICT),
           provinces: frozenset[str] = frozenset()) -> Place | None:
    """The unit ``name`` means, of one of ``levels`` (in order of preference): a province before a
    district of the same name unless the level says otherwise ("huyện Thái Bình" is no such
    thing, "thành phố Thái Bình" is the city); among districts of one name in several provinces,
    the one in ``provinces`` (those the document names), else the name alone."""
    units = places().get(spelling_key(name), ())
    for level in levels:
        of_level = [unit for unit in units if unit.level == level]
        if level == DISTRICT and len(of_level) > 1:
            near = [unit for unit in of_level if unit.province in provinces]
            return near[0] if len(near) == 1 else Place(of_level[0].name, DISTRICT)
        if of_level:
            return of_level[0]
    return None


def is_province(name: str) -> bool:
    """Is ``name`` (the whole of it) a province, current or former?"""
    return any(unit.level in (PROVINCE, FORMER) for unit in places().get(spelling_key(name), ()))
