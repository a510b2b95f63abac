"""Where each printed line of a Party document goes on an A4 page, in millimetres.

Page 1 starts with the two header blocks of Hướng dẫn 36-HD/VPTW side by side (issuing organ and
number on the left, ĐẢNG CỘNG SẢN VIỆT NAM and the date on the right), then the title; the body
flows over as many pages as it needs (each later page headed by its number) and the Nơi nhận and
signature blocks are kept together at the end. Lines are wrapped by measuring the real font, so
what the renderer draws is exactly the truth text, line for line.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

from luutru.samples.fonts import pt_to_mm, style_name, text_width_mm

PAGE_W, PAGE_H = 210.0, 297.0
LEFT, RIGHT, TOP, BOTTOM = 30.0, 192.0, 20.0, 277.0
LEFT_BLOCK_X, RIGHT_BLOCK_X = 66.0, 148.0        # centres of the two header blocks
LEFT_BLOCK_W, RIGHT_BLOCK_W = 76.0, 88.0          # and their widths (28–104 mm, 104–192 mm)
BODY_X = (LEFT + RIGHT) / 2
INDENT = 12.0
BODY_PT, HEADER_PT, SMALL_PT = 14.0, 13.0, 13.0
LINE = 1.32                                        # line pitch / font size


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
class Paragraph:
    """A body paragraph (or section heading) and the Party documents it cites."""

    text: str
    kind: str = "para"            # para | heading
    cites: tuple[str, ...] = ()


@dataclass(frozen=True)
class Heading:
    """What the top of page 1 shows."""

    organ_lines: tuple[str, str]  # superior organ, issuing organ (bold)
    number: str                   # so_ky_hieu, printed after "Số "
    date_line: str
    type_name: str                # "Nghị quyết"; a công văn prints no type line
    summary: str                  # trích yếu (for a công văn the "V/v …" under the number)
    stamps: tuple[str, ...] = ()  # MẬT, KHẨN…
    kinh_gui: str | None = None   # "Kính gửi: …" line of a công văn or tờ trình
    is_cong_van: bool = False


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


def _block_line(text: str, centre: float, y: float, width: float, font: str, size: float,
                role: str = "header", **style) -> Placed:
    """A centred header line, its type a little smaller if it would spill out of its block
    (long organ names, the wide typewriter face)."""
    while size > 10 and text_width_mm(text, style_name(font, style.get("bold", False),
                                                       style.get("italic", False)), size) > width:
        size -= 0.5
    return Placed(text, centre, y, "center", font=font, size_pt=size, role=role, **style)


def _header(pager: _Pager, heading: Heading) -> None:
    font = pager.font
    pitch = _pitch(HEADER_PT)
    y0 = TOP + 4

    def left_line(text: str, y: float, size: float = HEADER_PT, **style) -> Placed:
        return _block_line(text, LEFT_BLOCK_X, y, LEFT_BLOCK_W, font, size, **style)

    left = [left_line(heading.organ_lines[0], y0), left_line(heading.organ_lines[1], y0 + pitch, bold=True),
            left_line("*", y0 + 2 * pitch), left_line(f"Số {heading.number}", y0 + 3 * pitch)]
    y = y0 + 3 * pitch
    if heading.is_cong_van:
        for text in wrap(heading.summary, LEFT_BLOCK_W - 6, style_name(font, italic=True), 12.5):
            y += _pitch(12.5)
            left.append(left_line(text, y, 12.5, italic=True))
    for stamp in heading.stamps:
        y += _pitch(HEADER_PT) + 2
        left.append(left_line(stamp, y, role="stamp", bold=True, box=True))
    right = [_block_line("ĐẢNG CỘNG SẢN VIỆT NAM", RIGHT_BLOCK_X, y0, RIGHT_BLOCK_W, font, 15, bold=True,
                         underline=True),
             _block_line(heading.date_line, RIGHT_BLOCK_X, y0 + 3 * pitch, RIGHT_BLOCK_W, font, HEADER_PT,
                         italic=True)]
    pager.pages[0].extend(left + right)
    pager.y = y + 8


def _title(pager: _Pager, type_name: str, summary: str) -> None:
    font = pager.font
    pager.add(Placed(type_name.upper(), BODY_X, 0, "center", font=font, size_pt=15, bold=True,
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


def _wrapped_unit(unit: Paragraph, font: str) -> tuple[Placed, ...]:
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
        ragged = i == len(lines) - 1 or bold or font == "mono"     # a typewriter cannot justify
        placed.append(Placed(text, x, 0, "left" if ragged else "justify", width - (x - LEFT), font=font,
                             size_pt=BODY_PT, bold=bold))
    return tuple(placed)


def closing_block(font: str, noi_nhan: list[str], the_thuc: tuple[str, ...], chuc_vu: str,
                   name: str) -> tuple[list[Placed], float]:
    """Nơi nhận (left) and signature (right), positioned relative to y = 0; returns lines and height."""
    pitch = _pitch(SMALL_PT)
    lines = [Placed("Nơi nhận:", LEFT, pitch, font=font, size_pt=SMALL_PT, bold=True, italic=True,
                    underline=True, role="noi_nhan")]
    for i, item in enumerate(noi_nhan):
        end = "." if i == len(noi_nhan) - 1 else ","
        for j, text in enumerate(wrap(f"- {item}{end}", 80, style_name(font), 12.5)):
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


def layout_document(font: str, heading: Heading, units: list[Paragraph],
                    closing: tuple[list[Placed], float]) -> list[list[Placed]]:
    """Pages of placed lines: header and title, the body flowing over pages, the closing block."""
    pager = _Pager(font)
    _header(pager, heading)
    if not heading.is_cong_van:
        _title(pager, heading.type_name, heading.summary)
    if heading.kinh_gui:
        _kinh_gui(pager, heading.kinh_gui)
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


CLOSING_ROLES = ("noi_nhan", "signer", "name")


