"""Render Vietnamese text onto a page image, for the demo batch and for tests.

Pages are drawn with a font that has every Vietnamese glyph (Liberation 2 or DejaVu from Debian);
Debian's older ``fonts-liberation`` 1.x lacks them and would draw boxes for ả, ộ, ệ.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from PIL import Image, ImageDraw, ImageFont

FONT_CANDIDATES = {
    "serif": ["/usr/share/fonts/truetype/liberation2/LiberationSerif-Regular.ttf",
              "/usr/share/fonts/truetype/dejavu/DejaVuSerif.ttf"],
    "serif-bold": ["/usr/share/fonts/truetype/liberation2/LiberationSerif-Bold.ttf",
                   "/usr/share/fonts/truetype/dejavu/DejaVuSerif-Bold.ttf"],
    "mono": ["/usr/share/fonts/truetype/liberation2/LiberationMono-Regular.ttf",
             "/usr/share/fonts/truetype/dejavu/DejaVuSansMono.ttf"],
}

A4_MM = (210, 297)


@lru_cache(maxsize=None)
def font_path(style: str = "serif") -> str:
    for candidate in FONT_CANDIDATES[style]:
        if Path(candidate).exists():
            return candidate
    raise FileNotFoundError(f"no font with Vietnamese glyphs for {style!r}: install fonts-liberation2")


@lru_cache(maxsize=64)
def load_font(style: str, size_px: int) -> ImageFont.FreeTypeFont:
    return ImageFont.truetype(font_path(style), size_px)


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
