"""Secrecy and urgency stamps (độ mật, độ khẩn) found and read on the page image, not in its text.

A missed ``MẬT`` shows a classified document to anyone, and the page's OCR is a poor witness for
it: Tesseract drops a word in a tight box, and a red stamp half under the seal is noise to it. So
this reader looks at the page as scanned — before seal suppression, before rules and boxes are
removed — and reads each stamp on its own:

1. **Candidates**, anywhere on the page, at ~100 dpi: ink is split into glyph-sized marks and
   large ones (frames, seal rings, borders); glyphs are joined into short lines. A line is a
   candidate when it looks like a stamp: coloured ink (red, violet), a frame around it, or
   upper-case glyphs only (all of one height). A mark has 1–4 words and 3–16 letters, so long
   header lines and body text are never read here.
2. **Reading**: each crop gets its own binarisation (on its darkest channel, so red ink is as dark
   as black), is levelled by its own skew and sized for Tesseract, and is read as one line
   (psm 7) — without the frame first, then with it — by the full Vietnamese model; when that is
   not clearly a mark nor clearly other text, again with the character set restricted to the
   letters of the six marks.
3. **Matching**: the reading, folded (no diacritics, lower case), against the six marks by edit
   distance. An exact match read with fair confidence is ``read``; a near match, or a framed or
   coloured stamp that cannot be read, is ``unsure`` (closed until a person decides); clearly
   other text (``CÔNG VĂN ĐẾN``, a title) is dropped. A shape that reads as no mark at all and
   stands in another office's block — a registration stamp's frame holding ``CÔNG VĂN ĐẾN`` or the
   clerk's ``Số:``/``Ngày:``, or an e-signature block's logo with the issuer, an e-mail address
   or the signing time beside it (read as a block; the words are ``luutru.stampwords``, shared
   with the catalogue) — is dropped too; anything read near a mark stays unsure.

The result goes into the page folder as ``marks.json`` (written before ``ocr.json``) with a crop
``mark-N.png`` per mark, for the archivist who decides.

Round seals are found first (by their ring; on a grey scan among the large shapes only, where
text cannot fake a circle) and their ink taken out — only the coloured ink on a colour scan — so
a seal neither hides as a stamp nor joins the stamp it was pressed over to the number above it; a
framed or coloured line touching a seal in the header that cannot be read is ``unsure``, with the
mark its visible start reads as (``KHẤ`` → Khẩn).

Measured by ``bench/marks.py`` (dev + dev-forms + 72 rendered variants: red/black, framed or not,
±5°, faded, half under a seal, tiers t0–t3): secrecy marks closed on 100 % of classified documents
(also by the stamps alone; 52 % by the text alone), urgency found on 100 %, exact level 100 %,
unsure on 3.2 % of unmarked documents; on two held-out sets of variants (``--seed``; the stamps
alone, half of them under a seal) secrecy closed on 48 of 48, urgency found on 46 of 48; real
scans: 1 of 78 pages (1 of 26 documents: a handwritten note in the margin) unsure, down from 4 (3
documents) before other offices' blocks (an e-signature logo, a registration box) were known. Cost ~120–140 CPU ms per page on 2 shared
cores: ~30 ms to find candidates at 100 dpi, then ~20–40 ms per Tesseract reading of a crop (most
pages have 2–6 candidates, most read once).
"""

from __future__ import annotations

import io
import re
import threading
from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

import cv2

import numpy as np
from PIL import Image
from rapidfuzz.distance import Levenshtein

from luutru.archive import (PageFiles, atomic_write_bytes, checksum_path, read_json,
                            remove_stale_temp_files, write_json)
from luutru.stampwords import is_esignature_text, is_registration_text
from luutru.textnorm import fold, nfc

MARKS_FILE = PageFiles.MARKS
MARKS_VERSION = 2                # 2: seals taken out first (a stamp half under one is found)
SECRECY, URGENCY = "secrecy", "urgency"
READ, UNSURE = "read", "unsure"
# level -> (kind, folded form)
LEVELS: dict[str, tuple[str, str]] = {
    "Mật": (SECRECY, "mat"), "Tối mật": (SECRECY, "toi mat"), "Tuyệt mật": (SECRECY, "tuyet mat"),
    "Khẩn": (URGENCY, "khan"), "Thượng khẩn": (URGENCY, "thuong khan"), "Hỏa tốc": (URGENCY, "hoa toc"),
}
SECRECY_ORDER = ("Mật", "Tối mật", "Tuyệt mật")
URGENCY_ORDER = ("Khẩn", "Thượng khẩn", "Hỏa tốc")


def _mark_letters() -> str:
    """The letters of the six marks (and "hẹn giờ") in both cases, their vowels with every hat
    and tone: a restricted reading may see ``MÂT`` (the dot lost), and the match is on folded
    letters anyway."""
    import unicodedata

    vowels = []
    for base in "aeiouy":
        for hat in ("", "\u0302", "\u0306", "\u031b"):
            for tone in ("", "\u0300", "\u0301", "\u0309", "\u0303", "\u0323"):
                letter = unicodedata.normalize("NFC", base + hat + tone)
                if len(letter) == 1:
                    vowels.append(letter)
    letters = "".join(vowels) + "mtkhngcđrd"
    return "".join(sorted(set(letters + letters.upper()))) + "()"


# for the restricted reading
WHITELIST = _mark_letters()

ANALYSIS_DPI = 100
CROP_CAP_PX = 24                 # cap height the crop is scaled to (larger read worse)
MIN_CAP_MM, MAX_CAP_MM = 2.3, 12.0
MAX_LINE_MM = 75.0
CAP_WIDTHS = (1.8, 16.0)         # a mark line's width in cap heights: MẬT 2.5–4, HỎA TỐC (HẸN GIỜ) ~14
MAX_WORDS = 4
HEADER_SHARE = 0.30              # the header zone: the top of the page, where marks are stamped
MAX_CANDIDATES = 12              # per page; the strongest first
READ_CONFIDENCE = 0.55           # Tesseract word confidence (0..1) for a "read" mark
OTHER_TEXT_CONFIDENCE = 0.70     # a reading this sure of other text is not a mark
BESIDE_MM = (10.0, 75.0)         # left, right of an unreadable shape: its block's words are looked for

_RED_HUES = ((0, 12), (165, 180), (125, 165))     # red, its wrap-around, violet (OpenCV hue 0..180)


@dataclass
class Candidate:
    """A line that may be a stamp, in analysis pixels of the upright page."""

    box: tuple[int, int, int, int]            # x0, y0, x1, y1 of its glyphs
    frame: tuple[int, int, int, int] | None   # the box drawn round it, if any
    coloured: bool
    upper: bool
    angle: float = 0.0                        # degrees its glyphs' baseline climbs to the right
    by_seal: bool = False                     # touching a round seal: its reading is not trusted
    in_header: bool = False                   # in the top of the page, where marks are stamped
    colour_only: bool = False                 # found in the coloured ink alone: read from it
    seal_piece: bool = False                  # on or by the signer's seal: its lettering, the name
    seals: list[tuple[int, int, int]] = field(default_factory=list)   # rings it touches (x, y, r)
    short: bool = False                       # a word or two alone in the header zone

    @property
    def strong(self) -> bool:
        """Framed, coloured, or under a seal in the header: it looks like a stamp whatever it says."""
        return self.frame is not None or self.coloured or self.by_seal


@dataclass
class Mark:
    kind: str | None                          # SECRECY | URGENCY | None (unreadable stamp)
    level: str | None
    text: str                                 # the raw reading
    confidence: float
    status: str                               # READ | UNSURE
    bbox: tuple[int, int, int, int]           # original page pixels
    crop: np.ndarray | None = field(default=None, repr=False)
    crop_name: str | None = None

    def to_json(self) -> dict[str, Any]:
        return {"kind": self.kind, "level": self.level, "text": self.text,
                "confidence": round(float(self.confidence), 3), "status": self.status,
                "bbox": [int(v) for v in self.bbox], "crop": self.crop_name}


# --- matching a reading against the six marks ---------------------------------------------------

def _key(text: str) -> str:
    """Folded letters and single spaces: ``TỐI  MẬT.`` → ``toi mat``; ``(hẹn giờ)`` dropped."""
    text = re.sub(r"\(.*?\)?$", " ", fold(nfc(text)))
    return re.sub(r"\s+", " ", re.sub(r"[^a-z ]", " ", text)).strip()


def match_level(text: str) -> tuple[str | None, int]:
    """The mark nearest to ``text`` and its edit distance (spaces ignored), e.g. ``("Tối mật", 0)``."""
    key = _key(text).replace(" ", "")
    if not key:
        return None, 99
    best, distance = None, 99
    for level, (_, folded) in LEVELS.items():
        d = Levenshtein.distance(key, folded.replace(" ", ""))
        # on a tie the longer (stricter) mark wins
        if d < distance or (d == distance and best and len(folded) > len(LEVELS[best][1])):
            best, distance = level, d
    return best, distance


def _near(level: str | None, distance: int) -> bool:
    """Close enough to take as that mark for a person to confirm: one letter misread (two in the
    long marks). ``HƯỚNG DẪN`` is three from ``THƯỢNG KHẨN``, ``khác`` one from ``khẩn``: a
    confident reading of a real word is judged by :func:`_other_text` first."""
    return level is not None and distance <= (2 if len(LEVELS[level][1]) >= 9 else 1)


def _enough(text: str, candidate: Candidate) -> bool:
    """Enough read to take a near match as a mark. On the signer's seal, whose lettering and the
    signature across it break into pieces (``MA`` of ``VIỆT NAM``, a scrawl read ``thần``): three
    letters, in capitals as a stamp's are."""
    if not candidate.seal_piece:
        return True
    letters = [ch for ch in text if ch.isalpha()]
    return len(_key(text).replace(" ", "")) >= 3 and sum(ch.isupper() for ch in letters) > len(letters) / 2


def _cut_level(text: str) -> str | None:
    """The one mark that starts as ``text`` does (``KHẤ`` → Khẩn): the reading of a stamp whose
    end lies under a seal. None when no mark, or more than one, starts so."""
    key = _key(text).replace(" ", "")
    if len(key) < 2:
        return None
    starts = [level for level, (_, folded) in LEVELS.items()
              if Levenshtein.distance(key, folded.replace(" ", "")[:len(key)]) <= len(key) // 4]
    return starts[0] if len(starts) == 1 else None


def _far(text: str, distance: int) -> bool:
    """Five letters or more read, and more than half of them would have to change to make a
    mark (``VĂN BẢN ĐẾN`` of a registration stamp); an unreadable stamp reads as less."""
    letters = len(_key(text).replace(" ", ""))
    return letters >= 5 and distance >= max(3, letters / 2)


def _other_text(text: str, conf: float, distance: int) -> bool:
    """A reading that is clearly something else: read with confidence and not the mark, or a
    word in lower case (stamps are capitals; a hand's "Mật" folds to the mark exactly)."""
    letters = _key(text).replace(" ", "")
    if len(letters) < 3 or distance == 0:
        return False
    lower = sum(ch.islower() for ch in text) > sum(ch.isupper() for ch in text)
    if lower:
        return conf >= READ_CONFIDENCE
    return conf >= OTHER_TEXT_CONFIDENCE and distance > 1   # "TÕỐI MẬT" is the mark misread


# --- finding candidates -------------------------------------------------------------------------

def _grey_and_colour(image: np.ndarray, scale: float) -> tuple[np.ndarray, np.ndarray | None]:
    """The page at analysis size: its darkest channel (red ink is dark there) and a mask of
    red/violet ink (None for a grey scan)."""
    small = cv2.resize(image, None, fx=scale, fy=scale, interpolation=cv2.INTER_AREA)
    if small.ndim == 2:
        return small, None
    return small.min(axis=2), _coloured(small)


def _coloured(image: np.ndarray) -> np.ndarray:
    """Red and violet ink of a BGR image as 255 on 0."""
    hsv = cv2.cvtColor(image, cv2.COLOR_BGR2HSV)
    colour = np.zeros(hsv.shape[:2], np.uint8)
    for low, high in _RED_HUES:
        colour |= cv2.inRange(hsv, (low, 50, 60), (high - 1, 255, 255))
    return colour


def _ink(grey: np.ndarray, dpi: float) -> np.ndarray:
    """Ink as 255 on 0: dark against its neighbourhood (uneven light and faded ink both pass)."""
    window = int(round(8 / 25.4 * dpi)) | 1
    return cv2.adaptiveThreshold(grey, 255, cv2.ADAPTIVE_THRESH_MEAN_C, cv2.THRESH_BINARY_INV,
                                 window, 12)


def find_candidates(grey: np.ndarray, colour: np.ndarray | None, dpi: float) -> list[Candidate]:
    """Lines on the (analysis-size, upright) page that may be stamps, strongest first."""
    mm = dpi / 25.4
    ink = _ink(grey, dpi)
    rings = seal_rings(colour, mm) if colour is not None else ink_rings(ink, mm)
    # a seal's ring, lettering and emblem are no stamp, and they join what they touch (the number,
    # the stamp under them) into one shape: the seal's ink goes before anything is measured
    ink = _without_seals(ink, rings, colour)
    rules, horizontal = _rules(ink, mm)
    not_rules = cv2.bitwise_not(cv2.dilate(rules, np.ones((3, 3), np.uint8)))
    text = cv2.bitwise_and(ink, not_rules)
    if colour is not None:
        colour = _without_seals(colour, rings)
    candidates, glyph_mask = _lines(text, colour, rules, horizontal, mm)
    if colour is not None:
        # coloured ink on its own: a red stamp over black type (the number) is a line of its own
        same = [c.box for c in candidates if c.coloured]
        for candidate in _lines(cv2.bitwise_and(colour, not_rules), colour, rules, horizontal, mm)[0]:
            if candidate.coloured and candidate.box not in same:
                candidate.colour_only = True
                candidates.append(candidate)
    framed = [c.frame for c in candidates if c.frame is not None]
    candidates += [_framed_only(frame, glyph_mask, colour) for frame in _frames(horizontal, mm)
                   if not any(_overlap(frame, other) > 0.5 for other in framed)
                   and _one_line_inside(glyph_mask, frame, mm)
                   and _has_upright_side(rules, frame, mm)]
    header = HEADER_SHARE * grey.shape[0]
    blots = _seal_sized(colour, mm) if colour is not None else []
    for candidate in candidates:
        # a seal in the header is stamped over something; below it, a seal is the signer's, and
        # pieces of it (emblem, lettering, the signature across it) are no stamp
        candidate.seals = [ring for ring in rings if _touches_circle(candidate.box, ring)]
        within = any(_share_in_circle(candidate.box, ring) >= 0.6 for ring in rings)
        candidate.in_header = candidate.box[1] < header
        # a stamp the seal was pressed over: coloured, or framed, or on a grey scan (where
        # colour tells nothing and the seal's disc took the frame's side) capitals or a short word
        # in the left column, under the number, where the rules on form put the marks (the
        # signer's title by the signature's seal is on the right)
        if candidate.in_header and candidate.seals and not within and (
                candidate.coloured or candidate.frame is not None
                or (colour is None and (candidate.upper or candidate.short)
                    and candidate.box[2] < 0.5 * grey.shape[1])):
            candidate.by_seal = True
        elif within or candidate.seals or any(_inside(candidate.box, blot) for blot in blots):
            candidate.frame, candidate.coloured, candidate.upper = None, False, False
            candidate.seal_piece = True
    candidates.sort(key=lambda c: (not c.strong, c.box[1]))
    return candidates[:MAX_CANDIDATES]


def _lines(text: np.ndarray, colour: np.ndarray | None, rules: np.ndarray, horizontal: np.ndarray,
           mm: float) -> tuple[list[Candidate], np.ndarray]:
    """The candidate lines of one ink mask (letters joined into lines, each judged by
    :func:`_line_candidate`), and the mask of its letters."""
    _, labels, stats, _ = cv2.connectedComponentsWithStats(text, connectivity=8)
    heights, widths = stats[:, cv2.CC_STAT_HEIGHT], stats[:, cv2.CC_STAT_WIDTH]
    areas = stats[:, cv2.CC_STAT_AREA]
    # bold letters touch at this resolution: a wide piece of a letter's height is letters too
    glyph = (heights >= 1.2 * mm) & (heights <= MAX_CAP_MM * mm) & (areas >= 4)
    glyph &= (widths <= 15 * mm) | ((widths <= MAX_LINE_MM * mm) & (areas >= 0.12 * widths * heights))
    glyph[0] = False
    glyph_mask = np.where(glyph[labels], 255, 0).astype(np.uint8)
    # the letters of a line join (across a word space too); lines stay apart, and diacritics
    # (apart from their letters) are left out of the line's box: the crop's margin takes them in
    joined = cv2.morphologyEx(glyph_mask, cv2.MORPH_CLOSE,
                              cv2.getStructuringElement(cv2.MORPH_RECT, (max(3, int(4.5 * mm)), 1)))
    lines = cv2.connectedComponentsWithStats(joined, connectivity=8)[2]
    candidates = []
    for x, y, w, h, _area in lines[1:]:
        candidate = _line_candidate(glyph_mask, labels, stats, glyph, colour, rules, horizontal,
                                    (x, y, x + w, y + h), mm)
        if candidate is not None:
            candidates.append(candidate)
    return candidates, glyph_mask


def _seal_sized(colour: np.ndarray, mm: float) -> list[tuple[int, int, int, int]]:
    """Boxes of coloured shapes as large as a seal in both directions (round or not: a state
    seal's emblem, a seal with a signature across it)."""
    close = max(3, int(2.5 * mm)) | 1
    merged = cv2.morphologyEx(colour, cv2.MORPH_CLOSE,
                              cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (close, close)))
    stats = cv2.connectedComponentsWithStats(merged, connectivity=8)[2][1:]
    return [(int(x), int(y), int(x + w), int(y + h)) for x, y, w, h, _ in stats
            if min(w, h) >= 18 * mm]


def _inside(box: tuple[int, int, int, int], outer: tuple[int, int, int, int]) -> bool:
    cx, cy = (box[0] + box[2]) / 2, (box[1] + box[3]) / 2
    return outer[0] <= cx <= outer[2] and outer[1] <= cy <= outer[3]


def _share_in_circle(box: tuple[int, int, int, int], ring: tuple[int, int, int]) -> float:
    """How much of ``box`` lies inside the ring: a seal's own lettering and star lie within it, a
    stamp the seal was pressed over reaches out of it."""
    x, y, r = ring
    xs, ys = np.meshgrid(np.linspace(box[0], box[2], 8), np.linspace(box[1], box[3], 4))
    return float((((xs - x) ** 2 + (ys - y) ** 2) <= (1.15 * r) ** 2).mean())


def _touches_circle(box: tuple[int, int, int, int], ring: tuple[int, int, int]) -> bool:
    x, y, r = ring
    nearest_x, nearest_y = min(max(x, box[0]), box[2]), min(max(y, box[1]), box[3])
    return (nearest_x - x) ** 2 + (nearest_y - y) ** 2 <= (r * 1.1) ** 2


def _frames(horizontal: np.ndarray, mm: float) -> list[tuple[int, int, int, int]]:
    """Rectangles of a stamp's size: two horizontal strokes of about the same span, one a line
    or two above the other, nothing straight between them. Found from the horizontal sides only,
    so a frame whose side runs into the seal's ring or a rule is still found."""
    stats = cv2.connectedComponentsWithStats(horizontal, connectivity=8)[2][1:]
    sides = [(int(x), int(y), int(x + w), int(y + h)) for x, y, w, h, _ in stats
             if 8 * mm <= w <= 100 * mm and h <= 3 * mm]
    sides.sort(key=lambda side: side[1])
    found = []
    for i, top in enumerate(sides):
        for bottom in sides[i + 1:]:
            gap = bottom[1] - top[3]
            if gap > 25 * mm:
                break
            overlap = min(top[2], bottom[2]) - max(top[0], bottom[0])
            shorter = min(top[2] - top[0], bottom[2] - bottom[0])
            if gap >= 3 * mm and overlap >= 0.8 * shorter and shorter >= 0.7 * max(
                    top[2] - top[0], bottom[2] - bottom[0]) and gap <= (shorter / 1.5):
                found.append((min(top[0], bottom[0]), top[1], max(top[2], bottom[2]), bottom[3]))
                break                                   # the nearest stroke below closes it
    return found


def _one_line_inside(glyph_mask: np.ndarray, frame: tuple[int, int, int, int], mm: float) -> bool:
    """Letters inside, in one line (a mark is one line; a registration stamp has several)."""
    x0, y0, x1, y1 = frame
    rows = glyph_mask[y0:y1, x0:x1].any(axis=1)
    if not rows.any():
        return False
    inked = np.flatnonzero(rows)
    return not (np.diff(inked) > 1.2 * mm).any()


def _has_upright_side(rules: np.ndarray, frame: tuple[int, int, int, int], mm: float) -> bool:
    """A left or right side drawn down most of the frame's height."""
    x0, y0, x1, y1 = frame
    band = max(2, int(round(1.5 * mm)))
    tall = 0.6 * (y1 - y0)
    return any(rules[y0:y1, max(0, a):b].astype(bool).sum(axis=0).max(initial=0) >= tall
               for a, b in ((x0 - 1, x0 + band), (x1 - band, x1 + 1)))


def _framed_only(frame: tuple[int, int, int, int], glyph_mask: np.ndarray,
                 colour: np.ndarray | None) -> Candidate:
    x0, y0, x1, y1 = frame
    inside = glyph_mask[y0:y1, x0:x1] > 0
    coloured = colour is not None and inside.any() and \
        float(colour[y0:y1, x0:x1][inside].mean()) > 0.4 * 255
    margin = max(1, (y1 - y0) // 6)
    return Candidate((x0 + margin, y0 + margin, x1 - margin, y1 - margin), frame, bool(coloured),
                     False)


def _without_seals(ink: np.ndarray, rings: list[tuple[int, int, int]],
                   colour: np.ndarray | None = None) -> np.ndarray:
    """The ink that is not a round seal's: the disc of each ring (its star and lettering too) is
    left out, so the seal is not taken for a stamp; a stamp half under the seal keeps its other
    half. Given the page's ``colour`` mask, only coloured ink is left out of the discs: black
    type or a photocopied stamp under a red seal stays whole."""
    if not rings:
        return ink
    discs = np.zeros_like(ink)
    for x, y, r in rings:
        cv2.circle(discs, (x, y), int(r * 1.08), 255, -1)
    if colour is not None:
        discs = cv2.bitwise_and(discs, cv2.dilate(colour, np.ones((3, 3), np.uint8)))
    return cv2.bitwise_and(ink, cv2.bitwise_not(discs))


def seal_rings(colour: np.ndarray, mm: float) -> list[tuple[int, int, int]]:
    """Round seals' rings in the coloured ink (x, y, radius), found by their circle even where a
    stamp touches them (which joins the two into one shape that is no longer round)."""
    blurred = cv2.GaussianBlur(colour, (5, 5), 0)
    found = cv2.HoughCircles(blurred, cv2.HOUGH_GRADIENT, dp=2, minDist=int(30 * mm), param1=100,
                             param2=40, minRadius=int(12 * mm), maxRadius=int(24 * mm))
    rings = []
    for x, y, r in (np.round(found[0]).astype(int) if found is not None else []):
        angles = np.linspace(0, 2 * np.pi, 90, endpoint=False)
        xs = np.clip((x + r * np.cos(angles)).astype(int), 0, colour.shape[1] - 1)
        ys = np.clip((y + r * np.sin(angles)).astype(int), 0, colour.shape[0] - 1)
        near = cv2.dilate(colour, np.ones((5, 5), np.uint8))
        if (near[ys, xs] > 0).mean() >= 0.5:            # a ring of ink, not letters in a circle
            rings.append((int(x), int(y), int(r)))
    return rings


def ink_rings(ink: np.ndarray, mm: float) -> list[tuple[int, int, int]]:
    """Round seals' rings on a grey or bitonal scan, where a red seal is grey ink like the rest.

    Text crossed by a circle has ink on it too, so a ring counts only as a thin round stroke: ink
    on most of the circle, and far less on the circles just inside and outside it (text is as
    dense there as on the circle)."""
    # a ring is one large shape (with whatever it crosses); letters and words are small ones
    count, labels, stats, _ = cv2.connectedComponentsWithStats(ink, connectivity=8)
    large = (stats[:, cv2.CC_STAT_WIDTH] >= 20 * mm) & (stats[:, cv2.CC_STAT_HEIGHT] >= 20 * mm)
    large[0] = False
    if not large.any():
        return []
    shapes = np.where(large[labels], 255, 0).astype(np.uint8)
    blurred = cv2.GaussianBlur(shapes, (5, 5), 0)
    found = cv2.HoughCircles(blurred, cv2.HOUGH_GRADIENT, dp=2, minDist=int(30 * mm), param1=100,
                             param2=40, minRadius=int(12 * mm), maxRadius=int(24 * mm))
    near = cv2.dilate(shapes, np.ones((3, 3), np.uint8)) > 0
    angles = np.linspace(0, 2 * np.pi, 180, endpoint=False)

    def share(x: int, y: int, r: float) -> float:
        xs = np.clip((x + r * np.cos(angles)).astype(int), 0, ink.shape[1] - 1)
        ys = np.clip((y + r * np.sin(angles)).astype(int), 0, ink.shape[0] - 1)
        return float(near[ys, xs].mean())

    rings = []
    for x, y, r in (np.round(found[0]).astype(int) if found is not None else []):
        on = max(share(x, y, r + d) for d in (-1, 0, 1))
        off = max(share(x, y, r - 2.5 * mm), share(x, y, r + 2.5 * mm))
        if on >= 0.6 and off <= 0.5 * on:
            rings.append((int(x), int(y), int(r)))
    return rings


def _rules(ink: np.ndarray, mm: float) -> tuple[np.ndarray, np.ndarray]:
    """Straight strokes longer than any letter's: frames' sides, underlines, table rules.

    Ink is thickened across a stroke first, so a frame stamped 5° crooked still has long runs.
    Returns the strokes' ink and the (thickened) horizontal strokes.
    """
    across = max(3, int(round(0.8 * mm)))
    flat = cv2.dilate(ink, np.ones((across, 1), np.uint8))
    horizontal = cv2.morphologyEx(flat, cv2.MORPH_OPEN, np.ones((1, int(7 * mm)), np.uint8))
    upright = cv2.dilate(ink, np.ones((1, across), np.uint8))
    vertical = cv2.morphologyEx(upright, cv2.MORPH_OPEN, np.ones((int(5 * mm), 1), np.uint8))
    return cv2.bitwise_and(cv2.bitwise_or(horizontal, vertical), ink), horizontal


def _frame_round(rules: np.ndarray, horizontal: np.ndarray, box: tuple[int, int, int, int],
                 mm: float) -> tuple[int, int, int, int] | None:
    """The frame drawn round one line: a side above and below it within a line's height (a box
    of several lines, such as a registration stamp, is not a mark's frame), and one on the left
    or the right."""
    x0, y0, x1, y1 = box
    reach = int(max(1.0 * (y1 - y0), 2.5 * mm))
    height, width = rules.shape
    top, bottom = max(0, y0 - reach), min(height, y1 + reach)
    left, right = max(0, x0 - reach), min(width, x1 + reach)
    # a side drawn up to 5° crooked drifts across rows: rows are taken together that far
    drift = max(1, int(0.09 * (x1 - x0)))
    band = cv2.dilate(horizontal[:, x0:x1], np.ones((drift, 1), np.uint8))
    wide = (band > 0).sum(axis=1) >= 0.7 * max(1, x1 - x0)
    tall = (rules[y0:y1] > 0).sum(axis=0) >= 0.6 * max(1, y1 - y0)
    sides = {"top": _last(wide[top:y0], top), "bottom": _first(wide[y1:bottom], y1),
             "left": _last(tall[left:x0], left), "right": _first(tall[x1:right], x1)}
    if sides["top"] is None or sides["bottom"] is None or (sides["left"] is None and sides["right"] is None):
        return None
    return (sides["left"] if sides["left"] is not None else left, sides["top"],
            sides["right"] if sides["right"] is not None else right, sides["bottom"])


def _first(flags: np.ndarray, offset: int) -> int | None:
    hits = np.flatnonzero(flags)
    return int(offset + hits[0]) if len(hits) else None


def _last(flags: np.ndarray, offset: int) -> int | None:
    hits = np.flatnonzero(flags)
    return int(offset + hits[-1] + 1) if len(hits) else None


def _line_candidate(glyph_mask, labels, stats, glyph, colour, rules, horizontal, box,
                    mm) -> Candidate | None:
    x0, y0, x1, y1 = (int(v) for v in box)
    if x1 - x0 > MAX_LINE_MM * mm or y1 - y0 < MIN_CAP_MM * mm:
        return None
    inked = glyph_mask[y0:y1, x0:x1] > 0
    inside = np.unique(labels[y0:y1, x0:x1][inked])
    inside = inside[glyph[inside]]
    if not len(inside):
        return None
    heights = stats[inside, cv2.CC_STAT_HEIGHT].astype(float)
    keep = heights >= 0.45 * heights.max()               # not dots, commas, loose diacritics
    bodies = heights[keep]
    cap = float(np.median(bodies))
    if not MIN_CAP_MM * mm <= cap <= MAX_CAP_MM * mm or not CAP_WIDTHS[0] <= (x1 - x0) / cap <= CAP_WIDTHS[1]:
        return None
    words = _words(inked, cap)
    if words > MAX_WORDS:
        return None
    bottoms = (stats[inside, cv2.CC_STAT_TOP] + stats[inside, cv2.CC_STAT_HEIGHT])[keep]
    descending = int((bottoms > _baseline(stats[inside][keep], bottoms) + 0.2 * cap).sum())
    # capitals: no letter of x-height among them (an accent only makes a letter taller), and
    # nothing hangs below the line but a dot joined to its letter
    short_bodies = int((bodies < 0.8 * cap).sum())      # one may be a letter cut by the frame
    upper = bool(short_bodies <= max(1, 0.15 * len(bodies)) and descending <= max(1, 0.15 * len(bodies)))
    # a word or two standing alone in the header zone: where a stamp, or a hand's "Mật", goes
    short = words <= 2 and (x1 - x0) / cap <= 7 and y0 < HEADER_SHARE * glyph_mask.shape[0]
    coloured = colour is not None and float(colour[y0:y1, x0:x1][inked].mean()) > 0.4 * 255
    frame = _frame_round(rules, horizontal, (x0, y0, x1, y1), mm)
    if not (upper or short or coloured or frame):
        return None
    points = cv2.findNonZero(inked.astype(np.uint8))
    angle = _baseline_angle(points) if points is not None and len(points) > 10 else 0.0
    return Candidate((x0, y0, x1, y1), frame, bool(coloured), upper, angle, short=short)


def _baseline(shapes: np.ndarray, bottoms: np.ndarray) -> np.ndarray:
    """Where each letter's baseline is: a straight line through the bottoms (a stamp up to 5°
    crooked has its letters' bottoms climbing along it), fitted robustly as the median line."""
    centres = shapes[:, cv2.CC_STAT_LEFT] + shapes[:, cv2.CC_STAT_WIDTH] / 2
    if len(bottoms) < 4:
        return np.full(len(bottoms), np.median(bottoms))
    i, j = np.triu_indices(len(bottoms), 1)
    apart = centres[j] != centres[i]
    slopes = (bottoms[j] - bottoms[i])[apart] / (centres[j] - centres[i])[apart]
    slope = float(np.clip(np.median(slopes), -0.1, 0.1)) if len(slopes) else 0.0   # within ±5.7°
    return np.median(bottoms - slope * centres) + slope * centres


def _words(piece: np.ndarray, cap: float) -> int:
    """Words in a line: runs of inked columns separated by gaps wider than a letter space."""
    inked = piece.any(axis=0)
    run, words = 0, 1
    for column in inked:
        if column:
            if run >= 0.45 * cap:
                words += 1
            run = 0
        else:
            run += 1
    return words


def _baseline_angle(points: np.ndarray) -> float:
    """The angle of a line's ink (degrees, positive: climbing to the right), within ±8°."""
    vx, vy, _, _ = cv2.fitLine(points.astype(np.float32), cv2.DIST_L2, 0, 0.01, 0.01).ravel()
    if vx < 0:
        vx, vy = -vx, -vy
    return float(np.clip(-np.degrees(np.arctan2(vy, vx)), -8, 8))

# --- reading one candidate ----------------------------------------------------------------------

class _Reader:
    """Tesseract for one line, kept loaded (tesserocr) or run as a command (pytesseract)."""

    def __init__(self, lang: str = "vie", tessdata_dir: str | None = None):
        self.lang, self.tessdata_dir = lang, tessdata_dir

    def read(self, image: Image.Image, restricted: bool, psm: int = 7) -> tuple[str, float]:
        """(text, mean word confidence 0..1) of a one-line image."""
        try:
            return _read_api(image, self.lang, self.tessdata_dir, restricted, psm)
        except ImportError:
            return _read_cli(image, self.lang, self.tessdata_dir, restricted, psm)


_API_LOCK = threading.Lock()


@lru_cache(maxsize=2)
def _line_api(lang: str, tessdata_dir: str | None):
    import tesserocr

    from luutru.ocr.engine import default_tessdata_dir
    path = tessdata_dir or str(default_tessdata_dir() or "")
    return tesserocr.PyTessBaseAPI(path=path, lang=lang, psm=tesserocr.PSM.SINGLE_LINE)


def _read_api(image: Image.Image, lang: str, tessdata_dir: str | None, restricted: bool,
              psm: int) -> tuple[str, float]:
    with _API_LOCK:
        api = _line_api(lang, tessdata_dir)
        api.SetPageSegMode(psm)
        api.SetVariable("tessedit_char_whitelist", WHITELIST if restricted else "")
        api.SetImage(image)
        api.SetSourceResolution(300)
        text = api.GetUTF8Text()
        confidences = [c for c in api.AllWordConfidences() if c >= 0]
        api.Clear()
    return nfc(text).strip(), (float(np.mean(confidences)) / 100 if confidences else 0.0)


def _read_cli(image: Image.Image, lang: str, tessdata_dir: str | None, restricted: bool,
              psm: int) -> tuple[str, float]:
    import pytesseract

    config = f"--psm {psm}" + (f" -c tessedit_char_whitelist={WHITELIST}" if restricted else "")
    if tessdata_dir:
        config = f'--tessdata-dir "{tessdata_dir}" ' + config
    data = pytesseract.image_to_data(image, lang=lang, config=config,
                                     output_type=pytesseract.Output.DICT)
    words = [(w, float(c)) for w, c in zip(data["text"], data["conf"]) if w.strip() and float(c) >= 0]
    if not words:
        return "", 0.0
    return nfc(" ".join(w for w, _ in words)), float(np.mean([c for _, c in words])) / 100


def _crop_images(page: np.ndarray, candidate: Candidate, scale: float) -> list[tuple[str, np.ndarray]]:
    """The candidate's crops at page resolution, binarised, levelled and sized: without its frame,
    then (if framed) with it."""
    x0, y0, x1, y1 = candidate.box
    pad = 0.35 * (y1 - y0)
    crops = [("line", (x0 - 2 * pad, y0 - pad, x1 + 2 * pad, y1 + pad))]
    if candidate.coloured and not candidate.colour_only and page.ndim == 3:
        crops.insert(0, ("colour", crops[0][1]))       # the stamp's ink without what is under it
    if candidate.frame is not None:
        fx0, fy0, fx1, fy1 = candidate.frame
        crops.append(("frame", (fx0 - pad, fy0 - pad, fx1 + pad, fy1 + pad)))
    height, width = page.shape[:2]
    out = []
    for name, (a, b, c, d) in crops:
        box = (max(0, int(a / scale)), max(0, int(b / scale)),
               min(width, int(np.ceil(c / scale))), min(height, int(np.ceil(d / scale))))
        piece = page[box[1]:box[3], box[0]:box[2]]
        if piece.size == 0:
            continue
        piece = _seals_removed(piece, candidate, (box[0] * scale, box[1] * scale), scale)
        if (candidate.colour_only or name == "colour") and piece.ndim == 3:
            piece = 255 - _coloured(piece)             # the stamp's ink alone, black on white
        out.append((name, _prepare(piece, (y1 - y0) / scale, candidate.angle,
                                   drop_frame=name != "frame")))
    return out


def _seals_removed(piece: np.ndarray, candidate: Candidate, origin: tuple[float, float],
                   scale: float) -> np.ndarray:
    """The crop with the seals the candidate touches made paper, as the candidates were found: on
    a colour scan a black line loses the coloured ink only (what lies under the seal stays), a
    coloured line and a grey scan lose each seal's disc."""
    if not candidate.seals:
        return piece
    piece = piece.copy()
    if piece.ndim == 3 and not candidate.coloured and not candidate.colour_only:
        piece[cv2.dilate(_coloured(piece), np.ones((3, 3), np.uint8)) > 0] = 255
        return piece
    for x, y, r in candidate.seals:
        centre = (int(round((x - origin[0]) / scale)), int(round((y - origin[1]) / scale)))
        cv2.circle(piece, centre, int(r * 1.08 / scale), (255, 255, 255), -1)
    return piece


def _prepare(piece: np.ndarray, line_px: float, angle: float, drop_frame: bool) -> np.ndarray:
    grey = piece.min(axis=2) if piece.ndim == 3 else piece
    factor = float(np.clip(CROP_CAP_PX * 1.25 / max(line_px, 1.0), 0.3, 6.0))
    grey = cv2.resize(grey, None, fx=factor, fy=factor,
                      interpolation=cv2.INTER_CUBIC if factor > 1 else cv2.INTER_AREA)
    grey = cv2.GaussianBlur(grey, (3, 3), 0)
    _, binary = cv2.threshold(grey, 0, 255, cv2.THRESH_BINARY + cv2.THRESH_OTSU)
    if abs(angle) >= 0.5:
        h, w = binary.shape
        matrix = cv2.getRotationMatrix2D((w / 2, h / 2), -angle, 1.0)
        binary = cv2.warpAffine(binary, matrix, (w, h), flags=cv2.INTER_NEAREST,
                                borderMode=cv2.BORDER_CONSTANT, borderValue=255)
    if drop_frame:
        binary = _without_frame(binary)
    return cv2.copyMakeBorder(binary, 12, 12, 12, 12, cv2.BORDER_CONSTANT, value=255)


def _without_frame(binary: np.ndarray) -> np.ndarray:
    """A frame's sides and rules that reach the crop's edge become paper, and so do pieces of
    the lines above and below; the line's letters stay."""
    ink = (binary == 0).astype(np.uint8)
    count, labels, stats, _ = cv2.connectedComponentsWithStats(ink, connectivity=8)
    h, w = binary.shape
    out = binary.copy()
    for index in range(1, count):
        x, y, cw, ch, area = stats[index]
        touches = x == 0 or y == 0 or x + cw >= w or y + ch >= h
        thin = area < 0.2 * cw * ch or min(cw, ch) < 0.12 * h
        neighbour = (y == 0 or y + ch >= h) and not 0.2 * h <= y + ch / 2 <= 0.8 * h
        if touches and ((thin and (cw > 0.6 * w or ch > 0.8 * h)) or neighbour):
            out[labels == index] = 255
    return out


def read_candidate(page: np.ndarray, candidate: Candidate, scale: float,
                   reader: _Reader) -> tuple[str | None, str, float, str | None, np.ndarray]:
    """(level or None, reading, confidence, status or None when not a mark, crop shown).

    Each crop (without its frame, then with it) is read by the full model; a clear mark is
    taken, clear other text is dropped; otherwise the restricted reading decides, and what is
    still neither is ``unsure`` when it looks like a stamp or reads close to a mark.
    """
    crops = _crop_images(page, candidate, scale)
    unsure: tuple[str | None, str, float, str | None, np.ndarray] | None = None
    for _name, crop in crops:
        image = Image.fromarray(crop)
        text, conf = reader.read(image, restricted=False)
        level, distance = match_level(text)
        if level and distance == 0 and conf >= READ_CONFIDENCE:
            return level, text, conf, READ, crop
        if _other_text(text, conf, distance):
            return None, text, conf, None, crop      # clearly something else
        near = _near(level, distance) and _enough(text, candidate)
        restricted, r_conf = reader.read(image, restricted=True)
        r_level, r_distance = match_level(restricted)
        if r_level and r_distance == 0 and r_conf >= READ_CONFIDENCE and (candidate.strong or near):
            return r_level, restricted, r_conf * 0.9, READ, crop
        if _far(text, distance) and _far(restricted, r_distance) and (
                not candidate.by_seal or conf >= READ_CONFIDENCE):
            return None, text, conf, None, crop      # words, and none of them a mark
        if unsure is None and near:
            unsure = (level, text, conf * 0.6, UNSURE, crop)
        elif unsure is None and _near(r_level, r_distance) and _enough(restricted, candidate):
            unsure = (r_level, restricted, r_conf * 0.5, UNSURE, crop)
        elif unsure is None and candidate.by_seal:
            # a stamp the seal was pressed over, its end hidden: what shows is the mark's start
            block, _ = reader.read(image, restricted=True, psm=6)
            shown = max((text, restricted, block), key=lambda t: len(_key(t)))
            unsure = (_cut_level(shown), shown, min(conf, r_conf) * 0.5, UNSURE, crop)
        elif unsure is None and candidate.strong and not candidate.colour_only and (
                _stamp_frame(candidate) or (candidate.upper and candidate.in_header)):
            # a frame, or a line of capitals where marks are stamped, that cannot be read (colour
            # alone is no such evidence: pieces of a seal, a signature in ink, an e-signature
            # block are coloured too; a coloured line read on its own counts only if it reads)
            unsure = (None, text or restricted, min(conf, r_conf) * 0.5, UNSURE, crop)
    if unsure is not None and unsure[0] is None and _in_foreign_block(page, candidate, scale, reader):
        return None, unsure[1], unsure[2], None, unsure[4]
    if unsure is not None:
        return unsure
    return None, "", 0.0, None, crops[0][1] if crops else np.zeros((1, 1), np.uint8)


def _stamp_frame(candidate: Candidate) -> bool:
    """A frame that may hold a stamp: in the header, where marks are stamped; below it, round a
    line of capitals or of coloured ink (a stamp's letters) — a frame round small letters there
    is a table's cell, or the top of a black seal's ring arching over the signer's title."""
    return candidate.frame is not None and (candidate.in_header or candidate.upper
                                            or candidate.coloured)


def _in_foreign_block(page: np.ndarray, candidate: Candidate, scale: float, reader: _Reader) -> bool:
    """An unreadable stamp-like shape that is part of someone else's block: a registration
    stamp's frame (it holds "CÔNG VĂN ĐẾN" or the clerk's "Số: … Ngày: …"), or the e-signature
    block's logo (its words — the issuer, an e-mail address, the signing time — stand right of
    it). Only a shape that reads as no mark at all is judged so: whatever reads near a mark
    stays unsure, and a registration stamp beside an unreadable stamp does not open it."""
    mm = ANALYSIS_DPI / 25.4
    if candidate.frame is not None:
        fx0, fy0, fx1, fy1 = candidate.frame
        inside = _block_reading(page, (fx0 - 0.5 * mm, fy0 - 0.5 * mm, fx1 + 0.5 * mm, fy1 + 0.5 * mm),
                                scale, reader)
        if any(is_registration_text(line) or is_esignature_text(line) for line in inside):
            return True
    x0, y0, x1, y1 = candidate.box
    around = max(y1 - y0, 8 * mm)          # whole lines of the block above and below it
    beside = _block_reading(page, (x0 - BESIDE_MM[0] * mm, y0 - around, x1 + BESIDE_MM[1] * mm,
                                   y1 + around), scale, reader)
    return any(is_esignature_text(line) for line in beside)


def _block_reading(page: np.ndarray, region: tuple[float, float, float, float], scale: float,
                   reader: _Reader) -> list[str]:
    """The lines of a region of the page (analysis pixels) read as a block (psm 6)."""
    height, width = page.shape[:2]
    a, b, c, d = region
    piece = page[max(0, int(b / scale)):min(height, int(np.ceil(d / scale))),
                 max(0, int(a / scale)):min(width, int(np.ceil(c / scale)))]
    if piece.size == 0:
        return []
    grey = piece.min(axis=2) if piece.ndim == 3 else piece
    _, binary = cv2.threshold(grey, 0, 255, cv2.THRESH_BINARY + cv2.THRESH_OTSU)
    text, _ = reader.read(Image.fromarray(binary), restricted=False, psm=6)
    return [line for line in text.splitlines() if line.strip()]


# --- a page -------------------------------------------------------------------------------------

def _upright(image: np.ndarray, rotation: int) -> np.ndarray:
    """The page turned back by the clockwise ``rotation`` (0/90/180/270) the scan had."""
    return np.rot90(image, k=(rotation // 90) % 4) if rotation % 360 else image


def _to_original(box: tuple[int, int, int, int], rotation: int,
                 shape: tuple[int, int]) -> tuple[int, int, int, int]:
    """A box on the upright page in the original scan's pixels (``shape``: original h, w)."""
    x0, y0, x1, y1 = box
    height, width = shape
    turns = (rotation // 90) % 4
    if turns == 0:
        return box
    if turns == 1:    # np.rot90(k=1): upright[y, x] = original[x, W - 1 - y]
        return (width - y1, x0, width - y0, x1)
    if turns == 2:
        return (width - x1, height - y1, width - x0, height - y0)
    return (y0, height - x1, y1, height - x0)


def find_marks(image: np.ndarray, dpi: int, rotation: int = 0, lang: str = "vie",
               tessdata_dir: str | None = None) -> list[Mark]:
    """Every secrecy/urgency stamp on a decoded page (BGR colour or grey, as scanned).

    ``rotation``: the clockwise quarter turn clean-up found the scan had (its provenance's
    ``cleanup.rotation``); the page is looked at upright and boxes are given in the scan's pixels.
    """
    upright = _upright(image, rotation)
    scale = ANALYSIS_DPI / float(dpi)
    grey, colour = _grey_and_colour(upright, scale)
    reader = _Reader(lang, tessdata_dir)
    marks: list[Mark] = []
    for candidate in find_candidates(grey, colour, ANALYSIS_DPI):
        level, text, conf, status, crop = read_candidate(upright, candidate, scale, reader)
        if status is None:
            continue
        x0, y0, x1, y1 = candidate.frame or candidate.box
        box = (int(x0 / scale), int(y0 / scale), int(np.ceil(x1 / scale)), int(np.ceil(y1 / scale)))
        kind = LEVELS[level][0] if level else None
        marks.append(Mark(kind, level, text, conf, status,
                          _to_original(box, rotation, image.shape[:2]), crop))
    return _dedupe(marks)


def _dedupe(marks: list[Mark]) -> list[Mark]:
    """One mark per stamp: a line found twice (with and without its frame) counts once."""
    kept: list[Mark] = []
    for mark in marks:
        if any(_overlap(mark.bbox, other.bbox) > 0.5 for other in kept):
            continue
        kept.append(mark)
    for number, mark in enumerate(kept, start=1):
        mark.crop_name = PageFiles.MARK_CROP.format(number)
    return kept


def _overlap(a: Sequence[int], b: Sequence[int]) -> float:
    width = min(a[2], b[2]) - max(a[0], b[0])
    height = min(a[3], b[3]) - max(a[1], b[1])
    if width <= 0 or height <= 0:
        return 0.0
    smaller = min((a[2] - a[0]) * (a[3] - a[1]), (b[2] - b[0]) * (b[3] - b[1]))
    return width * height / max(1, smaller)


# --- the page folder ----------------------------------------------------------------------------

def write_marks(page_dir: Path, marks: list[Mark]) -> None:
    """``marks.json`` and its crops, each written atomically; crops first, so the JSON never names
    a crop that is not there. Crops of an earlier reading that are no longer named are removed."""
    names = set()
    for mark in marks:
        if mark.crop is not None and mark.crop_name:
            buffer = io.BytesIO()
            Image.fromarray(mark.crop).save(buffer, format="PNG", optimize=True)
            atomic_write_bytes(page_dir / mark.crop_name, buffer.getvalue())
            names.add(mark.crop_name)
    write_json(page_dir / MARKS_FILE, {"version": MARKS_VERSION,
                                       "marks": [mark.to_json() for mark in marks]})
    for old in page_dir.glob(PageFiles.MARK_CROP.format("*")):
        if old.name not in names:
            old.unlink(missing_ok=True)
            checksum_path(old).unlink(missing_ok=True)


def remove_marks_temp_files(page_dir: Path) -> None:
    remove_stale_temp_files(page_dir / MARKS_FILE)
    for index in range(1, MAX_CANDIDATES + 1):
        remove_stale_temp_files(page_dir / PageFiles.MARK_CROP.format(index))


def marks_current(page_dir: Path) -> bool:
    """True when the page's stamps were looked for by this version of the reader."""
    try:
        return read_json(page_dir / MARKS_FILE).get("version") == MARKS_VERSION
    except (OSError, ValueError, AttributeError):
        return False


def mark_page(image: np.ndarray, dpi: int, page_dir: Path, rotation: int = 0, lang: str = "vie",
              tessdata_dir: str | None = None) -> list[Mark]:
    """Find the stamps on one decoded page and record them in its folder (``marks.json``)."""
    remove_marks_temp_files(page_dir)
    marks = find_marks(image, dpi, rotation, lang, tessdata_dir)
    write_marks(page_dir, marks)
    return marks
