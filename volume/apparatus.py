"""The apparatus of a document volume: index of names, index of places, abbreviations, chronology.

Built from the catalogue (signers, places of issue, numbers) and from the documents' text as the
volume prints it, so an editor's correction corrects the indexes too. Each index entry points to
the documents it occurs in by an anchor placed where it occurs; the PDF turns each anchor into the
page it lands on (WeasyPrint's ``target-counter``), the DOCX into a PAGEREF field.

Names in the text are found where documents introduce them ("đồng chí Đinh Minh Quyết"), places
after an administrative word ("tỉnh Thái Bình", "huyện Kiến Xương"): a rule, not a gazetteer, and
only words read for sure (a doubtful reading is never indexed).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field

from luutru.textnorm import fold

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
_PLACE_INTRODUCERS = (("tỉnh",), ("huyện",), ("xã",), ("thành", "phố"), ("quận",), ("thị", "xã"),
                      ("phường",), ("thị", "trấn"))


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


def _capitalised_after(text: str, introducers: tuple[tuple[str, ...], ...], least: int,
                       most: int) -> list[list[str]]:
    """Runs of ``least``..``most`` capitalised words right after one of ``introducers``."""
    words = text.replace("/", " / ").split()
    clean = [w.strip(".,;:()“”\"'") for w in words]
    found = []
    for i in range(len(words)):
        for intro in introducers:
            if tuple(w.lower() for w in clean[i:i + len(intro)]) != intro or not clean[i][:1].islower():
                continue
            j = i + len(intro)
            run = []
            while j < len(clean) and len(run) < most and clean[j][:1].isupper() \
                    and not clean[j].isupper() and _WORD.fullmatch(clean[j]):
                run.append(clean[j])
                if words[j] != clean[j]:
                    break       # punctuation ends the name
                j += 1
            if len(run) >= least:
                found.append(run)
    return found


def names_in(text: str) -> list[str]:
    """Personal names a text introduces ("đồng chí Nguyễn Văn A"): a known family name first."""
    from luutru.catalog.vocab import FAMILY_NAMES
    return [" ".join(run) for run in _capitalised_after(text, _NAME_INTRODUCERS, 2, 4)
            if run[0] in FAMILY_NAMES]


def places_in(text: str) -> list[str]:
    """Place names after an administrative word ("tỉnh Thái Bình" → "Thái Bình")."""
    return [" ".join(run) for run in _capitalised_after(text, _PLACE_INTRODUCERS, 2, 3)]


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
