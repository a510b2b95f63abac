"""Render Vietnamese text onto a page image, for the demo batch and for tests.

Pages are drawn with a font that has every Vietnamese glyph (Liberation 2 or DejaVu from Debian);
Debian's older ``fonts-liberation`` 1.x lacks them and would draw boxes for ả, ộ, ệ.

:func:`render_lines` draws plain lines top to bottom; :func:`render_page` draws one page of a
:class:`~luutru.samples.documents.SampleDocument` with the Party layout, the red seal over the
signature and, if asked, a note in pen in the margin (neither is page text).
"""

from __future__ import annotations

import math
import random
from dataclasses import dataclass

from PIL import Image, ImageChops, ImageDraw

from luutru.samples.documents import SampleDocument
from luutru.samples.layout import RIGHT_BLOCK_X, Placed
from luutru.samples.fonts import FONT_CANDIDATES, font_path, load_font

__all__ = ["A4_MM", "FONT_CANDIDATES", "Line", "draw_margin_note", "draw_placed", "draw_seal", "font_path",
           "load_font", "page_size_px", "render_lines", "render_page"]

A4_MM = (210, 297)
SEAL_RED = (205, 38, 38)
PEN_BLUE = (30, 45, 150)


@dataclass(frozen=True)
class Line:
    """One line of text placed on the page: ``x_mm`` from the left edge, or centred if None."""

    text: str
    x_mm: float | None = 25.0
    style: str = "serif"
    size_pt: float = 13.0


def page_size_px(dpi: int, size_mm: tuple[float, float] = A4_MM) -> tuple[int, int]:
    return round(size_mm[0] / 25.4 * dpi), round(size_mm[1] / 25.4 * dpi)


def render_lines(lines: list[Line | str], dpi: int = 200, size_mm: tuple[float, float] = A4_MM,
                 top_mm: float = 20.0, line_spacing: float = 1.5) -> Image.Image:
    """Draw ``lines`` top to bottom on a white page; plain strings are left-aligned body text."""
    width, height = page_size_px(dpi, size_mm)
    page = Image.new("L", (width, height), 255)
    draw = ImageDraw.Draw(page)
    y = top_mm / 25.4 * dpi
    for line in lines:
        if isinstance(line, str):
            line = Line(line)
        size_px = max(6, round(line.size_pt / 72 * dpi))
        font = load_font(line.style, size_px)
        if line.text:
            text_width = draw.textlength(line.text, font=font)
            x = (width - text_width) / 2 if line.x_mm is None else line.x_mm / 25.4 * dpi
            draw.text((x, y), line.text, fill=0, font=font)
        y += size_px * line_spacing
    return page


# --- Party document pages --------------------------------------------------------------------

def render_page(doc: SampleDocument, page_no: int, dpi: int = 200, *, seal: bool = True,
                note: str | None = None, colour: bool = True,
                seed: int = 0) -> tuple[Image.Image, list[str]]:
    """Page ``page_no`` (1-based) of ``doc`` as a clean scan, and its truth lines.

    ``colour`` False gives a greyscale page (the seal then prints grey, as on a bitonal scanner).
    ``seed`` varies the hand-drawn parts (signature stroke, note position) only.
    """
    rng = random.Random(seed * 7919 + page_no)
    placed = doc.layout[page_no - 1]
    page = Image.new("RGB", page_size_px(dpi), (255, 255, 255))
    draw = ImageDraw.Draw(page)
    for line in placed:
        draw_placed(draw, line, dpi)
    names = [line for line in placed if line.role == "name"]
    if names:
        _draw_signature(draw, names[0], dpi, rng)
        if seal:
            signer_top = min(line.y_mm for line in placed if line.role == "signer")
            centre = (RIGHT_BLOCK_X - 17, (signer_top + names[0].y_mm) / 2)
            page = draw_seal(page, centre, 19.0, dpi, doc.meta["co_quan_ban_hanh"], rng=rng)
    if note:
        page = draw_margin_note(page, note, dpi, rng)
    if not colour:
        page = page.convert("L")
    return page, list(doc.pages[page_no - 1])


def _px(mm: float, dpi: int) -> float:
    return mm / 25.4 * dpi


def draw_placed(draw: ImageDraw.ImageDraw, line: Placed, dpi: int, ink=(20, 20, 20)) -> None:
    """Draw one laid-out line (baseline-anchored) with its underline, frame or rule."""
    size_px = max(6, round(line.size_pt / 72 * dpi))
    font = load_font(line.style, size_px)
    x, y = _px(line.x_mm, dpi), _px(line.y_mm, dpi)
    width = draw.textlength(line.text, font=font)
    if line.align == "justify" and " " in line.text:
        _draw_justified(draw, line, font, x, y, _px(line.width_mm, dpi), ink)
    else:
        left = {"left": x, "justify": x, "center": x - width / 2, "right": x - width}[line.align]
        draw.text((left, y), line.text, font=font, fill=ink, anchor="ls")
    left = {"center": x - width / 2, "right": x - width}.get(line.align, x)
    thick = max(1, round(size_px / 16))
    if line.underline:
        draw.line([(left, y + size_px * 0.15), (left + width, y + size_px * 0.15)], fill=ink, width=thick)
    if line.box:
        pad = size_px * 0.3
        draw.rectangle([left - pad, y - size_px * 0.95, left + width + pad, y + size_px * 0.35],
                       outline=ink, width=thick)
    if line.rule_below:
        half = _px(18, dpi)
        rule_x = x if line.align == "center" else left + width / 2
        draw.line([(rule_x - half, y + size_px * 0.6), (rule_x + half, y + size_px * 0.6)], fill=ink,
                  width=thick)


def _draw_justified(draw, line: Placed, font, x: float, y: float, width: float, ink) -> None:
    words = line.text.split(" ")
    widths = [draw.textlength(word, font=font) for word in words]
    gap = (width - sum(widths)) / (len(words) - 1)
    space = draw.textlength(" ", font=font)
    if not 0.6 * space <= gap <= 3.5 * space:
        gap = space
    for word, word_width in zip(words, widths):
        draw.text((x, y), word, font=font, fill=ink, anchor="ls")
        x += word_width + gap


def _draw_signature(draw: ImageDraw.ImageDraw, name: Placed, dpi: int, rng: random.Random) -> None:
    """A pen stroke in the gap above the signer's name."""
    cx, base = _px(name.x_mm, dpi), _px(name.y_mm - 9, dpi)
    span, amp = _px(22, dpi), _px(rng.uniform(3, 6), dpi)
    turns = rng.uniform(2.5, 4.0)
    points = []
    for i in range(60):
        t = i / 59
        points.append((cx - span / 2 + span * t, base - amp * math.sin(t * math.pi * turns) * (0.4 + t)))
    draw.line(points, fill=(25, 30, 90), width=max(1, round(dpi / 100)), joint="curve")


def draw_seal(page: Image.Image, centre_mm: tuple[float, float], radius_mm: float, dpi: int,
              organ: str, colour=SEAL_RED, rng: random.Random | None = None) -> Image.Image:
    """A round Party seal in red ink, multiplied over the page so the text under it stays visible."""
    rng = rng or random.Random(0)
    size = round(_px(2 * radius_mm + 2, dpi))
    layer = Image.new("RGB", (size, size), (255, 255, 255))
    draw = ImageDraw.Draw(layer)
    c, r = size / 2, _px(radius_mm, dpi)
    ring = max(2, round(_px(0.8, dpi)))
    draw.ellipse([c - r, c - r, c + r, c + r], outline=colour, width=ring)
    inner = r * 0.62
    draw.ellipse([c - inner, c - inner, c + inner, c + inner], outline=colour, width=max(1, ring // 2))
    _draw_star(draw, c, c, inner * 0.7, colour)
    _text_on_arc(layer, "ĐẢNG CỘNG SẢN VIỆT NAM", c, r * 0.81, 200, 340, colour, dpi)
    _text_on_arc(layer, organ.upper(), c, r * 0.81, 160, 20, colour, dpi)
    layer = layer.rotate(rng.uniform(-25, 25), resample=Image.BICUBIC, fillcolor=(255, 255, 255))
    x, y = round(_px(centre_mm[0], dpi) - size / 2), round(_px(centre_mm[1], dpi) - size / 2)
    region = page.crop((x, y, x + size, y + size))
    page.paste(ImageChops.multiply(region, layer), (x, y))
    return page


def _draw_star(draw: ImageDraw.ImageDraw, cx: float, cy: float, radius: float, colour) -> None:
    points = []
    for k in range(10):
        rad = radius if k % 2 == 0 else radius * 0.4
        angle = -math.pi / 2 + k * math.pi / 5
        points.append((cx + rad * math.cos(angle), cy + rad * math.sin(angle)))
    draw.polygon(points, fill=colour)


def _text_on_arc(layer: Image.Image, text: str, c: float, radius: float, start_deg: float, end_deg: float,
                 colour, dpi: int) -> None:
    """Letters along an arc; angles in degrees clockwise from 3 o'clock (image coordinates)."""
    n = len(text)
    arc_mm = radius / dpi * 25.4 * math.radians(abs(end_deg - start_deg))
    font = load_font("serif-bold", max(6, round(_px(min(3.2, arc_mm / n * 1.4), dpi))))
    clockwise = end_deg > start_deg
    for i, char in enumerate(text):
        if char == " ":
            continue
        angle = start_deg + (end_deg - start_deg) * (i + 0.5) / n
        rad = math.radians(angle)
        glyph = Image.new("L", (font.size * 2, font.size * 2), 0)
        ImageDraw.Draw(glyph).text((font.size, font.size), char, font=font, fill=255, anchor="mm")
        turn = -(angle + 90) if clockwise else -(angle - 90)
        glyph = glyph.rotate(turn, resample=Image.BICUBIC)
        x = c + radius * math.cos(rad) - glyph.width / 2
        y = c + radius * math.sin(rad) - glyph.height / 2
        layer.paste(Image.new("RGB", glyph.size, colour), (round(x), round(y)), glyph)


def draw_margin_note(page: Image.Image, note: str, dpi: int, rng: random.Random) -> Image.Image:
    """A few words "in pen" in the top margin (not page text): letters of uneven size and baseline,
    the whole line tilted, as a quick hand writes."""
    size = max(8, round(15 / 72 * dpi))
    mask = Image.new("L", (round(size * 0.75 * len(note)) + 2 * size, size * 3), 0)
    draw = ImageDraw.Draw(mask)
    x = float(size)
    for char in note:
        font = load_font("hand", max(6, round(size * rng.uniform(0.88, 1.12))))
        draw.text((x, size * 1.5 + rng.uniform(-0.08, 0.08) * size), char, font=font, fill=255, anchor="ls")
        x += draw.textlength(char, font=font) * rng.uniform(0.95, 1.1)
    mask = mask.crop((0, 0, min(mask.width, round(x) + size), mask.height))
    mask = mask.rotate(rng.uniform(-8, 8), expand=True, resample=Image.BICUBIC)
    left = min(round(_px(rng.uniform(95, 150), dpi)), page.width - mask.width)
    top = round(_px(rng.uniform(0, 4), dpi))
    page.paste(Image.new("RGB", mask.size, PEN_BLUE), (left, top), mask)
    return page
