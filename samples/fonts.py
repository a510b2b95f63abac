"""Fonts with every Vietnamese glyph, and text widths in millimetres for laying pages out.

Debian's older ``fonts-liberation`` 1.x lacks ả, ộ, ệ and would draw boxes, hence Liberation 2
(``fonts-liberation2``) first and DejaVu as the fallback.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from PIL import ImageFont

_LIB = "/usr/share/fonts/truetype/liberation2/"
_DEJAVU = "/usr/share/fonts/truetype/dejavu/"

FONT_CANDIDATES = {
    "serif": [_LIB + "LiberationSerif-Regular.ttf", _DEJAVU + "DejaVuSerif.ttf"],
    "serif-bold": [_LIB + "LiberationSerif-Bold.ttf", _DEJAVU + "DejaVuSerif-Bold.ttf"],
    "serif-italic": [_LIB + "LiberationSerif-Italic.ttf", _DEJAVU + "DejaVuSerif-Italic.ttf"],
    "serif-bolditalic": [_LIB + "LiberationSerif-BoldItalic.ttf", _DEJAVU + "DejaVuSerif-BoldItalic.ttf"],
    "mono": [_LIB + "LiberationMono-Regular.ttf", _DEJAVU + "DejaVuSansMono.ttf"],
    "mono-bold": [_LIB + "LiberationMono-Bold.ttf", _DEJAVU + "DejaVuSansMono-Bold.ttf"],
    "mono-italic": [_LIB + "LiberationMono-Italic.ttf", _DEJAVU + "DejaVuSansMono-Oblique.ttf"],
    "mono-bolditalic": [_LIB + "LiberationMono-BoldItalic.ttf", _DEJAVU + "DejaVuSansMono-BoldOblique.ttf"],
    # margin notes "in pen": the slanted sans looks more like quick handwriting than a serif
    "hand": [_DEJAVU + "DejaVuSans-Oblique.ttf", _LIB + "LiberationSans-Italic.ttf"],
}

FONT_NAMES = {"serif": "Liberation Serif", "mono": "Liberation Mono"}

_MEASURE_PX = 200   # measure at a large size, then scale: widths stay stable across dpi


@lru_cache(maxsize=None)
def font_path(style: str = "serif") -> str:
    for candidate in FONT_CANDIDATES[style]:
        if Path(candidate).exists():
            return candidate
    raise FileNotFoundError(f"no font with Vietnamese glyphs for {style!r}: install fonts-liberation2")


@lru_cache(maxsize=64)
def load_font(style: str, size_px: int) -> ImageFont.FreeTypeFont:
    return ImageFont.truetype(font_path(style), size_px)


def style_name(font: str = "serif", bold: bool = False, italic: bool = False) -> str:
    """``serif`` + bold + italic → ``serif-bolditalic`` (a key of :data:`FONT_CANDIDATES`)."""
    suffix = ("bold" if bold else "") + ("italic" if italic else "")
    return f"{font}-{suffix}" if suffix else font


@lru_cache(maxsize=200_000)
def _width_units(style: str, text: str) -> float:
    return load_font(style, _MEASURE_PX).getlength(text)


def text_width_mm(text: str, style: str, size_pt: float) -> float:
    """Printed width of ``text`` at ``size_pt`` points, in millimetres."""
    return _width_units(style, text) / _MEASURE_PX * size_pt / 72 * 25.4


def pt_to_mm(size_pt: float) -> float:
    return size_pt / 72 * 25.4
