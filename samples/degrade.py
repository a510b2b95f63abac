"""What scanners and old paper do to a page: skew, turns, tint, noise, blur, JPEG, borders, shadows.

Each function takes and returns a PIL image (RGB or L) and draws its randomness from the
``numpy.random.Generator`` it is given, so a seed always gives the same scan. :func:`degrade_tier`
applies the mix of one scan-quality tier (t0–t3 as in the corpus README).
"""

from __future__ import annotations

import io
from dataclasses import dataclass

import numpy as np
from PIL import Image, ImageChops, ImageFilter

PAPER_TINTS = [(247, 242, 228), (242, 238, 226), (250, 246, 236), (238, 232, 214)]


def _white(image: Image.Image):
    return 255 if image.mode == "L" else (255, 255, 255)


def skew(image: Image.Image, angle_deg: float) -> Image.Image:
    """Turn the content ``angle_deg`` counter-clockwise inside the same page size (a crooked sheet)."""
    if not angle_deg:
        return image
    return image.rotate(angle_deg, resample=Image.BILINEAR, fillcolor=_white(image))


def rotate_quarter(image: Image.Image, rotation: int) -> Image.Image:
    """Turn the page ``rotation`` degrees clockwise (0, 90, 180, 270): a sheet fed sideways."""
    turns = {0: None, 90: Image.Transpose.ROTATE_270, 180: Image.Transpose.ROTATE_180,
             270: Image.Transpose.ROTATE_90}
    if rotation not in turns:
        raise ValueError(f"rotation must be 0, 90, 180 or 270, not {rotation}")
    return image if turns[rotation] is None else image.transpose(turns[rotation])


def _array(image: Image.Image) -> np.ndarray:
    return np.asarray(image, dtype=np.float32)


def _image(array: np.ndarray, mode: str) -> Image.Image:
    return Image.fromarray(np.clip(array, 0, 255).astype(np.uint8), mode)


def tint(image: Image.Image, colour: tuple[int, int, int] = PAPER_TINTS[0]) -> Image.Image:
    """Off-white paper: multiply the page by a paper colour."""
    rgb = image.convert("RGB")
    return ImageChops.multiply(rgb, Image.new("RGB", rgb.size, colour))


def noise(image: Image.Image, sigma: float, rng: np.random.Generator) -> Image.Image:
    """Sensor noise: Gaussian, ``sigma`` in grey levels."""
    array = _array(image)
    grain = rng.standard_normal(array.shape[:2], dtype=np.float32) * np.float32(sigma)
    return _image(array + (grain[..., None] if array.ndim == 3 else grain), image.mode)


def salt_pepper(image: Image.Image, amount: float, rng: np.random.Generator) -> Image.Image:
    """Dust and toner specks: ``amount`` of the pixels turned black or white."""
    array = _array(image).copy()
    mask = rng.random(array.shape[:2])
    array[mask < amount / 2] = 0
    array[mask > 1 - amount / 2] = 255
    return _image(array, image.mode)


def blur(image: Image.Image, radius: float) -> Image.Image:
    return image.filter(ImageFilter.GaussianBlur(radius)) if radius > 0 else image


def jpeg_artefacts(image: Image.Image, quality: int = 40) -> Image.Image:
    """Round-trip through a low-quality JPEG, as an office scanner's compression leaves it."""
    buffer = io.BytesIO()
    image.save(buffer, "JPEG", quality=quality)
    buffer.seek(0)
    return Image.open(buffer).convert(image.mode)


def _multiply(image: Image.Image, factor: np.ndarray) -> Image.Image:
    array = _array(image)
    if array.ndim == 3:
        factor = factor[..., None]
    return _image(array * factor, image.mode)


def dark_border(image: Image.Image, dpi: int, rng: np.random.Generator, max_mm: float = 6.0) -> Image.Image:
    """Black scanner-bed bands along some edges, where the sheet did not cover the glass."""
    array = _array(image).copy()
    for side in rng.choice(4, size=rng.integers(1, 4), replace=False):
        band = int(rng.uniform(1.5, max_mm) / 25.4 * dpi)
        target = {0: np.s_[:band, :], 1: np.s_[-band:, :], 2: np.s_[:, :band], 3: np.s_[:, -band:]}[int(side)]
        array[target] = rng.uniform(10, 40)
    return _image(array, image.mode)


def binding_shadow(image: Image.Image, dpi: int, side: str = "left", width_mm: float = 18.0,
                   depth: float = 0.55) -> Image.Image:
    """The dark fall-off near the spine of a bound hồ sơ."""
    height, width = image.height, image.width
    span = max(1, int(width_mm / 25.4 * dpi))
    ramp = np.ones(width, dtype=np.float32)
    edge = 1.0 - depth * (1.0 - np.linspace(0.0, 1.0, span)) ** 2
    if side == "left":
        ramp[:span] = edge
    else:
        ramp[-span:] = edge[::-1]
    return _multiply(image, np.broadcast_to(ramp, (height, width)))


def uneven_light(image: Image.Image, rng: np.random.Generator, strength: float = 0.18) -> Image.Image:
    """A broad brighter/darker gradient across the page (lid not closed, lamp ageing)."""
    height, width = image.height, image.width
    angle = rng.uniform(0, 2 * np.pi)
    xs = np.linspace(0, np.cos(angle), width, dtype=np.float32)
    ys = np.linspace(0, np.sin(angle), height, dtype=np.float32)
    ramp = xs[None, :] + ys[:, None]
    ramp = (ramp - ramp.min()) / max(1e-6, float(ramp.max() - ramp.min()))
    return _multiply(image, 1.0 - strength * ramp)


def fade(image: Image.Image, floor: int = 90) -> Image.Image:
    """Faded, low-contrast ink: black becomes ``floor`` grey."""
    array = _array(image)
    return _image(floor + array * (255 - floor) / 255.0, image.mode)


def resample_dpi(image: Image.Image, from_dpi: int, to_dpi: int) -> Image.Image:
    """Scan at a lower resolution than the page was drawn at."""
    if from_dpi == to_dpi:
        return image
    size = (round(image.width * to_dpi / from_dpi), round(image.height * to_dpi / from_dpi))
    return image.resize(size, Image.LANCZOS)


def foxing(image: Image.Image, dpi: int, rng: np.random.Generator, spots: int = 25) -> Image.Image:
    """Brown age spots on old paper."""
    rgb = _array(image.convert("RGB"))
    height, width = rgb.shape[:2]
    for _ in range(spots):
        cy, cx = rng.integers(height), rng.integers(width)
        radius = int(rng.uniform(0.5, 3.0) / 25.4 * dpi) + 1
        y0, y1, x0, x1 = max(0, cy - radius), min(height, cy + radius), max(0, cx - radius), min(width, cx + radius)
        ys, xs = np.ogrid[y0:y1, x0:x1]
        weight = np.clip(1 - ((ys - cy) ** 2 + (xs - cx) ** 2) / radius ** 2, 0, 1)[..., None] * rng.uniform(0.2, 0.5)
        rgb[y0:y1, x0:x1] *= 1 - weight * np.array([0.15, 0.35, 0.6], dtype=np.float32)
    return _image(rgb, "RGB")


def streaks(image: Image.Image, rng: np.random.Generator, count: int = 3) -> Image.Image:
    """Faint vertical lines a dirty photocopier drum leaves."""
    array = _array(image).copy()
    for x in rng.integers(0, image.width, size=count):
        array[:, x:x + int(rng.integers(1, 3))] *= rng.uniform(0.75, 0.9)
    return _image(array, image.mode)


def bleed_through(image: Image.Image, strength: float = 0.12) -> Image.Image:
    """The other side showing through thin paper: a faint mirrored copy of the ink."""
    mirrored = image.convert("L").transpose(Image.Transpose.FLIP_LEFT_RIGHT)
    shade = 1.0 - strength * (1.0 - _array(mirrored) / 255.0)
    return _multiply(image, shade)


@dataclass(frozen=True)
class Degradation:
    """What was done to a page, for manifest.csv."""

    skew_deg: float = 0.0
    rotation: int = 0


SKEW_SPREAD = {"t0": 0.0, "t1": 1.5, "t2": 4.0, "t3": 2.0}    # ± degrees, as in the corpus tiers


def _clean_scan(image: Image.Image, dpi: int, rng: np.random.Generator, angle: float) -> Image.Image:
    return skew(image, angle)


def _office_scan(image: Image.Image, dpi: int, rng: np.random.Generator, angle: float) -> Image.Image:
    image = tint(image, PAPER_TINTS[int(rng.integers(len(PAPER_TINTS)))])
    image = skew(image, angle)
    image = noise(image, 4.0, rng)
    return jpeg_artefacts(image, int(rng.integers(45, 70)))


def _poor_scan(image: Image.Image, dpi: int, rng: np.random.Generator, angle: float) -> Image.Image:
    image = fade(image, int(rng.integers(40, 80)))
    image = tint(image, PAPER_TINTS[int(rng.integers(len(PAPER_TINTS)))])
    image = skew(image, angle)
    image = uneven_light(image, rng)
    image = binding_shadow(image, dpi, "left" if rng.random() < 0.5 else "right")
    image = blur(image, 0.6)
    image = dark_border(image, dpi, rng)
    return salt_pepper(image, 0.002, rng)


def _aged_original(image: Image.Image, dpi: int, rng: np.random.Generator, angle: float) -> Image.Image:
    image = bleed_through(image)
    image = tint(image, (236, 222, 184))
    image = foxing(image, dpi, rng)
    image = skew(image, angle)
    image = streaks(image, rng)
    image = salt_pepper(image, 0.003, rng)
    image = blur(image, 0.5)
    return jpeg_artefacts(image, int(rng.integers(50, 75)))


_TIERS = {"t0": _clean_scan, "t1": _office_scan, "t2": _poor_scan, "t3": _aged_original}


def degrade_tier(image: Image.Image, tier: str, dpi: int, rng: np.random.Generator, *,
                 skew_deg: float | None = None, rotation: int = 0) -> tuple[Image.Image, Degradation]:
    """The scan of a clean page at quality ``tier``: t0 clean, t1 office scan, t2 poor scan, t3 aged
    1980s–1990s original (yellowed, foxed, bleed-through, copier streaks; render it at 150–200 dpi).
    ``skew_deg`` None draws a skew within the tier's spread."""
    if tier not in _TIERS:
        raise ValueError(f"unknown tier {tier!r}: t0, t1, t2 or t3")
    spread = SKEW_SPREAD[tier]
    angle = skew_deg if skew_deg is not None else (float(rng.uniform(-spread, spread)) if spread else 0.0)
    image = _TIERS[tier](image, dpi, rng, angle)
    return rotate_quarter(image, rotation), Degradation(round(angle, 2), rotation)
