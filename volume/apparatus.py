"""The apparatus of a document volume: index of names, index of places, abbreviations, chronology.

Built from the catalogue (signers, places of issue, numbers) and from the documents' text as the
volume prints it, so an editor's correction corrects the indexes too. Each index entry points to
the documents it occurs in by an anchor placed where it occurs; the PDF turns each anchor into the
page it lands on (WeasyPrint's ``target-counter``), the DOCX into a PAGEREF field.

Names in the text are found where documents introduce them ("đồng chí Đinh Minh Quyết"), places
after an administrative word ("tỉnh Thái Bình", "huyện Kiến Xương") or, for a province, on their
own ("Tỉnh ủy Thái Bình"); the gazetteer (:mod:`luutru.volume.gazetteer`) tells a place from a
capitalised phrase and gives the index its name ("Kiến Xương (Thái Bình)"). Only words read for
sure are indexed (a doubtful reading never is).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field

from luutru.textnorm import fold
from luutru.volume import gazetteer

# Abbreviations Party documents use in numbers and text (Quy định 66-QĐ/TW, Hướng dẫn 36-HD/VPTW).
ABBREVIATIONS = {
    "BCH": "Ban Chấp hành", "BTV": "Ban Thường vụ", "BCT": "Bộ Chính trị", "BBT": "Ban Bí thư",
    "TW": "Trung ương", "TU": "Tỉnh ủy", "ThU": "Thành ủy", "HU": "Huyện ủy", "QU": "Quận ủy",
    "ĐU": "Đảng ủy", "ĐB": "Đảng bộ", "CB": "Chi bộ", "VPTU": "Văn phòng Tỉnh ủy",
    "VPTW": "Văn phòng Trung ương", "BTG": "Ban Tuyên giáo", "BTGTU": "Ban Tuyên giáo Tỉnh ủy",
    "BTC": "Ban Tổ chức", "BDV": "Ban Dân vận", "UBKT": "Ủy ban Kiểm tra",
    "NQ": "Nghị quyết", "CT": "Chỉ thị", "KL": "Kết luận", "QĐ": "Quyết định", "QC": "Quy chế",
    "QĐi": "Quy định", "HD": "Hướng dẫn", "BC": "Báo cáo", "KH": "Kế hoạch", "TB": "Thông báo",
    "TTr": "Tờ trình", "CV": "Công văn", "CTr": "Chương trình", "ĐA": "Đề án", "BB": "Biên bản",
    "UBND": "Ủy ban nhân dân", "HĐND": "Hội đồng nhân dân", "MTTQ": "Mặt trận Tổ quốc",
    "CNXH": "chủ nghĩa xã hội", "HTX": "hợp tác xã", "T/M": "Thay mặt", "K/T": "Ký thay",
    "T/L": "Thừa lệnh", "T/UQ": "Thừa ủy quyền", "TM.": "Thay mặt", "KT.": "Ký thay",
    "TL.": "Thừa lệnh", "ĐCSVN": "Đảng Cộng sản Việt Nam",
}
_TOKEN = re.compile(r"[\w/]+\.?")
_WORD = re.compile(r"\w+")
# What introduces a person's name, and a place's (lower case: "tỉnh Thái Bình", not "Tỉnh ủy").
_NAME_INTRODUCERS = (("đồng", "chí"), ("đ/c",))
# What introduces a place, and the gazetteer's levels it may be (none: a commune, not listed).
_PLACE_LEVELS = {("tỉnh",): (gazetteer.PROVINCE, gazetteer.FORMER),
                 ("thành", "phố"): (gazetteer.PROVINCE, gazetteer.DISTRICT),
                 ("huyện",): (gazetteer.DISTRICT,), ("quận",): (gazetteer.DISTRICT,),
                 ("thị", "xã"): (gazetteer.DISTRICT,), ("xã",): (), ("phường",): (),
                 ("thị", "trấn"): ()}


@dataclass
class IndexEntry:
    """One name or place and the anchors (one per document it occurs in) where it stands."""

    name: str
    anchors: list[str] = field(default_factory=list)
    documents: list[int] = field(default_factory=list)   # the documents' numbers in the volume


@dataclass
class Occurrence:
    """Something to index found in one document: the anchor the volume places there."""

    kind: str           # name | place
    name: str
    anchor: str


def abbreviations_used(texts: Iterable[str]) -> list[tuple[str, str]]:
    """(abbreviation, meaning) for those the volume's numbers and text hold, alphabetically."""
    found: set[str] = set()
    for text in texts:
        for token in _TOKEN.findall(text):
            for part in re.split(r"[-/]", token.rstrip(".")) + [token]:
                if part in ABBREVIATIONS:
                    found.add(part)
    return sorted(((a, ABBREVIATIONS[a]) for a in found), key=lambda pair: fold(pair[0]))


def _words(text: str) -> tuple[list[str], list[str]]:
    """The text's words, and each without the punctuation around it."""
    words = text.replace("/", " / ").split()
    return words, [w.strip(".,;:()“”\"'") for w in words]


def _name_word(word: str) -> bool:
    """A capitalised word of a name: "Thái", not "ỦY" (capitals) nor "19-NQ"."""
    return word[:1].isupper() and not word.isupper() and bool(_WORD.fullmatch(word))


def _run_from(words: list[str], clean: list[str], j: int, most: int) -> list[str]:
    """The capitalised words from ``j`` on, at most ``most``; punctuation ends the run."""
    run = []
    while j < len(clean) and len(run) < most and _name_word(clean[j]):
        run.append(clean[j])
        if words[j] != clean[j]:
            break
        j += 1
    return run


def _capitalised_after(text: str, introducers: tuple[tuple[str, ...], ...], least: int,
                       most: int, with_start: bool = False) -> list:
    """Runs of ``least``..``most`` capitalised words right after one of ``introducers`` (with
    the index of each run's first word when ``with_start``)."""
    words, clean = _words(text)
    found = []
    for i in range(len(words)):
        for intro in introducers:
            if tuple(w.lower() for w in clean[i:i + len(intro)]) != intro or not clean[i][:1].islower():
                continue
            run = _run_from(words, clean, i + len(intro), most)
            if len(run) >= least:
                found.append((i + len(intro), run) if with_start else run)
    return found


def _capitalised_runs(text: str) -> list[tuple[int, list[str]]]:
    """Every whole run of capitalised words (index of its first word, the words)."""
    words, clean = _words(text)
    runs = []
    i = 0
    while i < len(words):
        starts = _name_word(clean[i]) and (i == 0 or not _name_word(clean[i - 1])
                                            or words[i - 1] != clean[i - 1])
        run = _run_from(words, clean, i, len(words)) if starts else []
        if run:
            runs.append((i, run))
        i += max(len(run), 1)
    return runs


def names_in(text: str) -> list[str]:
    """Personal names a text introduces ("đồng chí Nguyễn Văn A"): a known family name first."""
    from luutru.catalog.vocab import FAMILY_NAMES
    return [" ".join(run) for run in _capitalised_after(text, _NAME_INTRODUCERS, 2, 4)
            if run[0] in FAMILY_NAMES]


def places_in(text: str, provinces: frozenset[str] = frozenset()) -> list[str]:
    """Places ``text`` names, as the index sets them: after an administrative word, the unit
    the gazetteer knows by the longest run of the capitalised words that follow ("tỉnh Thái Bình"
    → "Thái Bình", "huyện Kiến Xương" → "Kiến Xương (Thái Bình)"; a district's name shared by
    several provinces is told apart by ``provinces``, those the document names), or the run as
    written when the gazetteer has none ("xã Vũ Hòa"); and a capitalised run that is wholly a
    province's name ("Tỉnh ủy Thái Bình", "Hải Phòng, ngày …")."""
    found = []
    introduced = set()
    for intro, levels in sorted(_PLACE_LEVELS.items(), key=lambda pair: -len(pair[0])):
        for start, run in _capitalised_after(text, (intro,), 1, 4, with_start=True):
            if start in introduced:
                continue        # "thị xã Sơn Tây" read already, not again after "xã"
            introduced.add(start)
            place = next((gazetteer.lookup(" ".join(run[:n]), levels, provinces)
                          for n in range(len(run), 0, -1)
                          if levels and gazetteer.lookup(" ".join(run[:n]), levels, provinces)), None)
            if place is not None:
                found.append(place.label)
            elif len(run) >= 2:
                found.append(" ".join(run[:3]))
    for start, run in _capitalised_runs(text):
        if start not in introduced and gazetteer.is_province(" ".join(run)):
            found.append(gazetteer.lookup(" ".join(run), (gazetteer.PROVINCE, gazetteer.FORMER)).label)
    return found


def place_of_issue(place: str, provinces: frozenset[str] = frozenset()) -> str:
    """The place of issue (địa danh) as the index sets it: the gazetteer's name when it holds it
    ("Đông Hưng" → "Đông Hưng (Thái Bình)"), else as catalogued."""
    found = gazetteer.lookup(place.strip(), provinces=provinces)
    return found.label if found else place.strip()


def provinces_in(texts: Iterable[str]) -> frozenset[str]:
    """The provinces ``texts`` name (current ones): what tells apart districts of one name."""
    return frozenset(place for text in texts for place in places_in(text)
                     if gazetteer.lookup(place, (gazetteer.PROVINCE,)) is not None)


def sort_key(name: str) -> tuple[str, str]:
    """Vietnamese alphabetical order, closely enough for an index: đ after d (fold drops it)."""
    bare = name.strip("[?]")
    return fold(bare.replace("Đ", "Dz").replace("đ", "dz")).lower(), name


def build_index(occurrences: Iterable[tuple[int, Occurrence]], kind: str) -> list[IndexEntry]:
    """The index of ``kind``: one entry per name (its first anchor in each document), in
    alphabetical order of the name as written."""
    entries: dict[str, IndexEntry] = {}
    for number, occurrence in occurrences:
        if occurrence.kind != kind:
            continue
        entry = entries.setdefault(occurrence.name, IndexEntry(occurrence.name))
        if number not in entry.documents:
            entry.documents.append(number)
            entry.anchors.append(occurrence.anchor)
    return sorted(entries.values(), key=lambda e: sort_key(e.name))
