"""Secrecy and urgency stamps as real documents carry them, for tests and ``bench/marks.py``.

:func:`render_page` draws each stamp line of a document (``MẬT``, ``KHẨN``…) as it lays it out,
in black and in a frame. Real stamps vary: red ink or black (a photocopy), with or without a frame,
a few degrees crooked, faded, half under the seal, sometimes written by hand. :func:`render_stamped`
draws a page with its stamps in a given :class:`StampStyle`; :func:`draw_stamp` draws one stamp
anywhere (over the number, on page 3, two on one page).
"""

from __future__ import annotations

from dataclasses import dataclass, replace

from PIL import Image, ImageChops, ImageDraw

from luutru.samples.documents import SampleDocument
from luutru.samples.fonts import load_font
from luutru.samples.render import SEAL_RED, draw_seal, render_page

BLACK = (25, 25, 25)


@dataclass(frozen=True)
class StampStyle:
    colour: tuple[int, int, int] = SEAL_RED
    boxed: bool = True
    angle: float = 0.0            # degrees, counter-clockwise
    fade: float = 0.0             # 0: full ink … 1: paper
    seal: bool = False            # a round seal stamped over the stamp's right half
    hand: bool = False            # written by hand (a slanted, uneven pen) instead of stamped
    size_pt: float = 14.0


def _px(mm: float, dpi: int) -> float:
    return mm / 25.4 * dpi


def draw_stamp(page: Image.Image, text: str, centre_mm: tuple[float, float], dpi: int,
               style: StampStyle = StampStyle()) -> Image.Image:
    """``text`` stamped with its centre at ``centre_mm`` (x, baseline y), multiplied over the page
    so what lies under it stays visible."""
    size = max(8, round(style.size_pt / 72 * dpi))
    font = load_font("hand" if style.hand else "serif-bold", size)
    width = round(font.getlength(text))
    pad = round(size * 0.35)
    layer = Image.new("RGB", (width + 4 * pad, round(size * 1.6) + 4 * pad), (255, 255, 255))
    draw = ImageDraw.Draw(layer)
    colour = tuple(round(c + (255 - c) * style.fade) for c in style.colour)
    base = pad + round(size * 1.15)
    draw.text((2 * pad, base + pad), text, font=font, fill=colour, anchor="ls")
    if style.boxed:
        draw.rectangle([pad, pad, width + 3 * pad, base + pad + round(size * 0.4)], outline=colour,
                       width=max(2, round(size / 14)))
    if style.angle:
        layer = layer.rotate(style.angle, expand=True, resample=Image.BICUBIC,
                             fillcolor=(255, 255, 255))
    x = round(_px(centre_mm[0], dpi) - layer.width / 2)
    y = round(_px(centre_mm[1], dpi) - layer.height * 0.6)
    page = page.convert("RGB")
    region = page.crop((x, y, x + layer.width, y + layer.height))
    page.paste(ImageChops.multiply(region, layer), (x, y))
    if style.seal:
        radius = 17.0           # its edge over the right half of the stamp, as a hurried hand does
        right = (centre_mm[0] + width / 2 / dpi * 25.4 + 0.75 * radius, centre_mm[1] + radius * 0.5)
        page = draw_seal(page, right, radius, dpi, "Văn phòng Tỉnh ủy")
    return page


def render_stamped(doc: SampleDocument, page_no: int, dpi: int, style: StampStyle,
                   seed: int = 0) -> Image.Image:
    """Page ``page_no`` of ``doc`` with its stamp lines drawn in ``style`` instead of the layout's
    black frames (where they stand: under the number)."""
    placed = doc.layout[page_no - 1]
    stamps = [line for line in placed if line.role == "stamp"]
    plain = replace(doc, layout=[list(p) for p in doc.layout])
    plain.layout[page_no - 1] = [line for line in placed if line.role != "stamp"]
    page, _ = render_page(plain, page_no, dpi, seed=seed)
    for line in stamps:
        text = line.text if not style.hand else line.text.capitalize()
        page = draw_stamp(page, text, (line.x_mm, line.y_mm), dpi, style)
    return page
