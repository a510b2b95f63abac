"""Page image clean-up before OCR: a pipeline of small steps, each recorded and switchable off.

Originals are never touched: :func:`clean_page` is a pure function from a decoded scan (BGR colour
or greyscale) to a new single-channel image plus a record of what every step did, which the OCR
stage writes into the page's provenance (``ocr.json``). A person can look at each intermediate
image with ``CleanupOptions(debug_dir=...)``.

Steps, in order (``STEPS``):

- ``color``: greyscale conversion that turns red/violet seals into paper, so a seal over the
  signer's name does not become garbage: a seal pixel takes its brightest channel, which is
  near-white for red ink and stays dark for black type printed under the seal. Only round seals
  go: coloured text stamps (a red "TUYỆT MẬT", a registration stamp) are page text and stay ink. Blue is
  left as ink by default: in filled-in forms the handwritten number and date are blue pen, and
  they are page text (``stamp_hues=(..., "blue")`` drops it too). On a greyscale scan (a
  photocopy) the seal is mid-grey under black type: a round piece of such ink is lightened to
  paper inside the seal, type stays (``_grey_seals``).
- ``illumination``: divide by a smooth background estimate (uneven light, binding-shadow
  gradient, yellowed or tinted paper); regions far darker than the paper (scanner bed, shadow
  core) become white instead of amplified noise.
- ``borders``: what is left of black scanner-bed borders and punch holes becomes paper (large
  dark regions touching the edge, round holes).
- ``orientation``: quarter turns. Text lines are found by projection profiles on a small ink
  mask (which way has empty rows between lines), and up/down by where the ink lies around each
  line's x-height band: Vietnamese puts tone and vowel marks above letters far more often than
  anything hangs below. A short page (too few lines to tell) is upright when its ink sits in the
  upper part. Tesseract OSD was slow (0.65 s at half scale) and wrong on a noisy scan with
  borders, so it is only the last resort when neither test can decide (never on dev).
- ``deskew``: sub-degree skew by projection profiles (Postl's sharpness criterion) on a ~100 dpi
  ink mask of letter-sized marks, coarse then fine search.
- ``upscale``: pages under ``min_dpi`` are enlarged to ``target_dpi`` (Tesseract's LSTM wants
  x-heights of 20+ px); done before binarisation so that works on the final grid. A page whose
  letters are tiny whatever its stated resolution (``MIN_TEXT_PX``) is enlarged by its text height.
- ``binarize``: the image Tesseract gets (see ``BINARIZE_METHODS``).
- ``rules``: boxes round stamps, underlines and table rules removed (Tesseract drops a word in a
  tight box: a boxed "MẬT" went missing, and with it the item's secrecy level).
- ``despeckle``: on the black-and-white page, ink specks far from any letter (toner, dust, salt
  noise) are dropped; a diacritic or full stop is as small but sits next to its letter. With
  binarisation off, a 3×3 median where salt-and-pepper noise is measured.

Measurements (dev corpus, ``bench/cleanup.py``, tesseract 5.3 ``-l vie`` default psm, one core):

- Geometry, 110 pages: orientation right on 110/110 (4 turned pages, 0 OSD calls); skew error
  mean 0.037°, max 0.20°. ``jdeskew`` 0.4.2 (adaptive radial projection) on the 78 unturned
  t1–t3 pages: mean 0.10°, max 0.38°, 3 pages off by > 0.2°, 0.049 CPU s/page; ours on the same
  input: mean 0.022°, max 0.165°, 0.039 CPU s/page, so no dependency for it. (``deskew`` needs
  scikit-image + SciPy; not tried.)
- Binarisation, CER on all 55 t2+t3 pages: Otsu t2 3.85 % / t3 4.47 %; Sauvola (k 0.2, 5 mm
  window) 3.65 % / 5.44 %; greyscale to Tesseract (``none``) was worst on a subset (t2 5.75 %,
  t3 11.1 % vs Otsu 5.0 % / 8.7 %). Default: Otsu, after the light is flattened. ``doxapy``'s
  Sauvola agrees with ours on 99.7 % of pixels; ours (quarter-resolution threshold) is 0.017 s.
- CER, all 110 dev pages (raw = the decoded page straight to Tesseract):

  ========  =====  =====  ======  =====  =======
  config    t0     t1     t2      t3     overall
  ========  =====  =====  ======  =====  =======
  raw       3.59   2.72   19.56   8.32   8.58
  default   3.47   2.66    3.81   4.47   3.60
  ========  =====  =====  ======  =====  =======

  Much of what is left on t0/t1 (and part of t2/t3) is reading order of the two header columns
  and the signature block, which is layout's job, not pixels'.
- Each step switched off, 4 t2 + 4 t3 pages (an earlier default, before ``unlit`` regions were
  whitened; default on the same pages: t2 4.01 %, t3 6.77 %): no-color 4.30 / 8.63,
  no-illumination 2.84 / 6.52, no-borders 2.45 / 6.77, no-orientation 4.01 / 6.77 (no turned
  page in the subset), no-deskew 22.7 / 7.30, no-upscale 3.45 / 7.32, no-despeckle 5.56 / 8.71,
  binarize=none 6.80 / 10.5. The t2 gains of no-illumination/no-borders came from one page whose
  binding shadow was amplified into fake text lines (183 edits); whitening unlit regions fixed
  it (58 edits), and the full-corpus default above includes that fix.
- Speed: 0.148 CPU s/page on one core (``cv2.setNumThreads(1)``, all 110 pages, no OSD call;
  0.237 before the rewrites that keep every page's bytes: rules opened on candidate rows and
  windows only, specks found from their boxes, one analysis of the ink for orientation and
  deskew), peak RSS of the benchmark process 300 MB (decoding included). Interleaved on 16 pages
  (s/page): rules 0.056 -> 0.011, despeckle 0.046 -> 0.018, deskew 0.033 -> 0.020, orientation
  0.039 -> 0.034, colour 0.030 -> 0.015, illumination 0.028 -> 0.020. What is left is mostly
  whole-page passes that the output depends on (resizes to the analysis resolutions, the deskew
  rotation, Otsu's histogram, the labelling of specks).
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import asdict, dataclass, field, replace
from pathlib import Path
from typing import Any

import cv2
import numpy as np

from luutru.archive import atomic_write_bytes
from luutru.pageimage import DEFAULT_MAX_PIXELS

STEPS: tuple[str, ...] = ("color", "illumination", "borders", "orientation", "deskew",
                          "upscale", "binarize", "rules", "despeckle")
BINARIZE_METHODS: tuple[str, ...] = ("none", "otsu", "sauvola", "adaptive")

_ANALYSIS_DPI = 100          # resolution of the small ink mask used to measure orientation/skew
_MM_PER_INCH = 25.4


@dataclass(frozen=True)
class CleanupOptions:
    """What to run. ``disabled`` holds step names from ``STEPS`` (CLI: ``--no-deskew`` etc.)."""

    disabled: frozenset[str] = frozenset()
    binarize_method: str = "otsu"
    target_dpi: int = 300
    min_dpi: int = 250
    debug_dir: Path | None = None
    max_skew: float = 5.0                      # degrees searched either side of level
    stamp_hues: tuple[str, ...] = ("red", "violet")   # add "blue" to drop blue ink too
    osd_fallback: bool = True                  # ask Tesseract OSD when the profile test is unsure
    speck_reach_mm: float = 1.0                # specks nearer than this to a letter are kept
    max_pixels: int = DEFAULT_MAX_PIXELS       # upscaling never makes a page larger than ingest allows

    def __post_init__(self) -> None:
        unknown = set(self.disabled) - set(STEPS)
        if unknown:
            raise ValueError(f"unknown clean-up step(s) {sorted(unknown)}; steps are {list(STEPS)}")
        if self.binarize_method not in BINARIZE_METHODS:
            raise ValueError(f"unknown binarize method {self.binarize_method!r}; "
                             f"choose one of {list(BINARIZE_METHODS)}")
        unknown_hues = set(self.stamp_hues) - set(_HUES)
        if unknown_hues:
            raise ValueError(f"unknown stamp hue(s) {sorted(unknown_hues)}; choose from {list(_HUES)}")


@dataclass
class StepRecord:
    """What one step did, JSON-able, for the page's provenance."""

    name: str
    params: dict[str, Any]
    effect: dict[str, Any]
    seconds: float

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass
class CleanupResult:
    """The cleaned page. ``rotation``: clockwise quarter turn the scan had (undone by turning it
    back counter-clockwise); ``skew``: degrees counter-clockwise the text was tilted (undone)."""

    image: np.ndarray
    dpi: int
    rotation: int = 0
    skew: float = 0.0
    steps: list[StepRecord] = field(default_factory=list)

    def provenance(self) -> dict[str, Any]:
        return {"dpi": self.dpi, "rotation": self.rotation, "skew": self.skew,
                "steps": [step.to_dict() for step in self.steps]}


@dataclass
class _Page:
    """The page as it moves through the steps."""

    image: np.ndarray
    dpi: int
    options: CleanupOptions
    rotation: int = 0
    skew: float = 0.0
    analysis: tuple[np.ndarray, _Points] | None = None    # (image, its ink points) to reuse
    level_angle: tuple[_Points, float] | None = None      # coarse skew found on those points

    def ink_points(self) -> _Points:
        """The analysis ink of the current image (see :func:`_ink_points`), found once per image."""
        if self.analysis is None or self.analysis[0] is not self.image:
            self.analysis = (self.image, _ink_points(self.image, self.dpi))
        return self.analysis[1]


# --- helpers shared by several steps ----------------------------------------------------------

def _to_gray(image: np.ndarray) -> np.ndarray:
    if image.ndim == 2 or image.shape[2] == 1:
        return image.reshape(image.shape[:2])
    if image.shape[2] == 4:
        image = cv2.cvtColor(image, cv2.COLOR_BGRA2BGR)
    return cv2.cvtColor(image, cv2.COLOR_BGR2GRAY)


def _px(mm: float, dpi: float) -> int:
    return max(1, round(mm / _MM_PER_INCH * dpi))


def _odd(n: int) -> int:
    return n if n % 2 else n + 1


def components(mask: np.ndarray) -> tuple[int, np.ndarray, np.ndarray, np.ndarray]:
    """8-connected components with stats and centroids, as ``cv2.connectedComponentsWithStats``.

    Grana's block-based algorithm (BBDT) explicitly: OpenCV's default for 8-connectivity took 2.3×
    the CPU on a 300-dpi page here (0.077 against 0.033 s), for the same labels.
    """
    return cv2.connectedComponentsWithStatsWithAlgorithm(mask, 8, cv2.CV_32S, cv2.CCL_GRANA)


def _shrink(gray: np.ndarray, dpi: int, to_dpi: int) -> tuple[np.ndarray, float]:
    """Downscale by a whole factor to ``to_dpi`` or a bit more (never up); returns image and scale.

    Whole factors take OpenCV's fast path for area averaging (a fractional one is ~10× slower).
    """
    factor = max(1, int(dpi / to_dpi))
    if factor == 1:
        return gray, 1.0
    return cv2.resize(gray, None, fx=1 / factor, fy=1 / factor, interpolation=cv2.INTER_AREA), 1 / factor


def _percentile(gray: np.ndarray, q: float) -> int:
    """Percentile of a uint8 image from its histogram (np.percentile sorts: much slower)."""
    counts = np.bincount(gray.ravel(), minlength=256)
    return int(np.searchsorted(np.cumsum(counts), q / 100 * gray.size))


def _paper_level(gray: np.ndarray) -> int:
    """Brightness of the paper: a high percentile, so ink and borders don't pull it down."""
    return _percentile(gray[::4, ::4], 90)


def _ink_points(gray: np.ndarray, dpi: int) -> _Points:
    """The ink pixels of a small binary mask at ~_ANALYSIS_DPI holding letter-sized marks only.

    Specks (noise, foxing), long strokes (border edges, drum streaks, rules) and big marks (seal
    ring, signature) would blur the line profiles that orientation and skew are measured on.
    Components are kept or dropped by looking up the labels of the ink pixels only, not of the
    whole mask.
    """
    small, scale = _shrink(gray, dpi, _ANALYSIS_DPI)
    sdpi = dpi * scale
    block = _odd(_px(8, sdpi))
    mask = cv2.adaptiveThreshold(small, 1, cv2.ADAPTIVE_THRESH_MEAN_C, cv2.THRESH_BINARY_INV, block, 20)
    count, labels, stats, _ = components(mask)
    width, height, area = stats[:, cv2.CC_STAT_WIDTH], stats[:, cv2.CC_STAT_HEIGHT], stats[:, cv2.CC_STAT_AREA]
    keep = (area >= 3) & (np.maximum(width, height) <= _px(12, sdpi))
    keep[0] = False
    found = cv2.findNonZero(mask)        # (x, y) row by row, as np.nonzero, in a fifth of the time
    xs, ys = found.reshape(-1, 2).T if found is not None else (np.zeros(0, np.int32),) * 2
    kept = keep[labels[ys, xs]]
    return _Points.of_pixels(ys[kept], xs[kept], mask.shape)


def _rotate_quarter(image: np.ndarray, quarter_turns_ccw: int) -> np.ndarray:
    return np.ascontiguousarray(np.rot90(image, quarter_turns_ccw))


# --- projection profiles (orientation and skew) -----------------------------------------------

def _sharpness(profiles: np.ndarray) -> np.ndarray:
    """Postl's criterion for each profile (row): text lines aligned with the rows give steep
    profile edges. Integer arithmetic: exact, whatever the order of the sums."""
    diff = np.diff(profiles, axis=-1)
    return (diff * diff).sum(axis=-1)


@dataclass(frozen=True)
class _Points:
    """Ink pixel coordinates of a small mask (an even sample on inky pages, for speed)."""

    ys: np.ndarray
    xs: np.ndarray
    height: int
    width: int

    all_ys: np.ndarray | None = None     # every ink pixel, in row-major order (for quarter turns)
    all_xs: np.ndarray | None = None

    @classmethod
    def of_pixels(cls, ys: np.ndarray, xs: np.ndarray, shape: tuple[int, int],
                  limit: int = 40_000) -> "_Points":
        """``ys``, ``xs``: a mask's ink pixels in row-major order (as ``np.nonzero`` gives them)."""
        step = -(-len(ys) // limit) if len(ys) else 1
        return cls(ys[::step].astype(np.float64), xs[::step].astype(np.float64), *shape,
                   all_ys=ys, all_xs=xs)

    def rotated(self, quarter_turns_ccw: int) -> "_Points":
        """The points of ``np.rot90(mask, quarter_turns_ccw)``, sampled as that mask would be."""
        ys, xs, height, width = self.all_ys, self.all_xs, self.height, self.width
        for _ in range(quarter_turns_ccw % 4):
            ys, xs, height, width = width - 1 - xs, ys, width, height
        order = np.lexsort((xs, ys))
        return _Points.of_pixels(ys[order], xs[order], (height, width))

    def turned(self) -> "_Points":
        """The same ink after ``np.rot90(mask, 1)`` (a quarter turn counter-clockwise)."""
        return _Points(self.width - 1 - self.xs, self.ys, self.width, self.height)

    def profile(self, angle: float) -> np.ndarray:
        """Ink per row after tilting by ``angle`` degrees (positive = content tilted counter-clockwise)."""
        return self.profiles(np.array([angle]))[0]

    def profiles(self, angles: np.ndarray) -> np.ndarray:
        """:meth:`profile` for each of ``angles`` (one row each), in a few array operations
        instead of several per angle: the same numbers, a third less time on a search."""
        size = max(self.height, self.width)
        rads = [np.deg2rad(angle) for angle in angles]
        cos = np.array([np.cos(rad) for rad in rads])[:, None]
        sin = np.array([np.sin(rad) for rad in rads])[:, None]
        bins = ((self.ys * cos + self.xs * sin) + size).astype(np.int64)
        bins += np.arange(len(angles))[:, None] * (3 * size)
        return np.bincount(bins.ravel(), minlength=len(angles) * 3 * size).reshape(len(angles), 3 * size)


def _best_angle(points: _Points, max_skew: float, fine: bool = True,
                coarse: float | None = None) -> tuple[float, float]:
    """Skew angle (degrees, counter-clockwise) maximising profile sharpness, and that sharpness.

    ``coarse``: the coarse search's angle on these points, when orientation has already found it.
    """
    if len(points.ys) < 50:
        return 0.0, 0.0

    def search(angles: np.ndarray) -> tuple[float, float]:
        scores = np.concatenate([_sharpness(points.profiles(angles[start:start + 12]))
                                 for start in range(0, len(angles), 12)])
        best = int(np.argmax(scores))
        return float(angles[best]), float(scores[best])

    if coarse is None:
        angle, score = search(np.arange(-max_skew, max_skew + 1e-9, 0.25))
    else:
        angle, score = coarse, 0.0
    if fine:
        angle, score = search(np.arange(angle - 0.25, angle + 0.25 + 1e-9, 0.025))
    return round(angle, 3), score


def _gap_share(points: _Points, angle: float) -> float:
    """Share of rows inside the text area that are (nearly) empty at ``angle``.

    Text lines leave empty rows between them; across the lines (columns) ink is almost
    everywhere, even for typewriter type whose letters align in columns.
    """
    if len(points.ys) < 50:
        return 0.0
    profile = points.profile(angle)
    filled = np.flatnonzero(profile)
    lo, hi = np.percentile(filled, [5, 95]).astype(int)
    inside = profile[lo:hi + 1]
    if len(inside) == 0:
        return 0.0
    return float((inside <= 0.1 * np.percentile(inside, 95)).mean())


def _up_down_balance(points: _Points, angle: float) -> tuple[float, int]:
    """Share of off-core ink that lies above each text line's x-height band, and lines seen.

    Upright Vietnamese text puts most of it above (capitals, ascenders, tone and vowel marks);
    upside-down text puts it below.
    """
    if len(points.ys) < 50:
        return 0.5, 0
    profile = points.profile(angle).astype(np.float64)
    smooth = np.convolve(profile, np.ones(5) / 5, mode="same")
    in_line = smooth > 0.05 * smooth.max()
    edges = np.flatnonzero(np.diff(in_line.astype(np.int8)))
    starts, ends = edges[::2] + 1, edges[1::2] + 1
    above = below = 0.0
    lines = 0
    for start, end in zip(starts, ends):
        rows = profile[start:end]
        if len(rows) < 4 or rows.sum() < 10:
            continue
        core = np.flatnonzero(rows >= 0.5 * rows.max())
        above += rows[: core[0]].sum()
        below += rows[core[-1] + 1:].sum()
        lines += 1
    if above + below == 0:
        return 0.5, lines
    return float(above / (above + below)), lines


# --- the steps --------------------------------------------------------------------------------
# Each step takes the page, changes page.image (never in place), and returns (params, effect).

_HUES = {"red": ((0, 12), (165, 180)), "violet": ((125, 165),), "blue": ((95, 125),)}


def _step_color(page: _Page) -> tuple[dict, dict]:
    hues = page.options.stamp_hues
    params = {"hues": list(hues), "min_saturation": 40, "min_value": 70, "grow_mm": 0.4,
              "seal_min_mm": _SEAL_MIN_MM, "seal_aspect": list(_SEAL_ASPECT)}
    image = page.image
    if image.ndim == 2 or image.shape[2] == 1:
        page.image, effect = _grey_seals(image.reshape(image.shape[:2]), page.dpi)
        return params, effect
    if image.shape[2] == 4:
        image = cv2.cvtColor(image, cv2.COLOR_BGRA2BGR)
    gray = cv2.cvtColor(image, cv2.COLOR_BGR2GRAY)
    # Colour is judged at half resolution: scanners' JPEG stores chroma at half resolution anyway.
    half = cv2.resize(image, None, fx=0.5, fy=0.5, interpolation=cv2.INTER_AREA)
    hsv = cv2.cvtColor(half, cv2.COLOR_BGR2HSV)
    selected = np.zeros(hsv.shape[:2], np.uint8)
    for low, high in _hue_ranges(hues):
        in_range = cv2.inRange(hsv, (low, params["min_saturation"], params["min_value"]), (high - 1, 255, 255))
        selected = cv2.bitwise_or(selected, in_range)
    seals, seal_count = _seal_regions(selected, page.dpi / 2)
    # Grow the mask over the seal's anti-aliased, JPEG-blurred edges; black type next to it stays
    # black, since its brightest channel is dark too.
    grow = _odd(2 * _px(params["grow_mm"], page.dpi / 2) + 1)
    selected = cv2.dilate(selected, cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (grow, grow)))
    size = (gray.shape[1], gray.shape[0])
    seal_ink = cv2.bitwise_and(selected, seals)
    stamp_share = 0.0
    if seal_count and seal_ink.any():
        whitened = cv2.resize(seal_ink, size, interpolation=cv2.INTER_NEAREST) > 0
        val = cv2.resize(hsv[..., 2], size, interpolation=cv2.INTER_LINEAR)
        # A seal pixel becomes as bright as its brightest channel: red ink on paper is near-white
        # in the red channel, while black ink over the seal stays dark in every channel. Coloured
        # ink that is not a seal (a red "MẬT" stamp, a registration stamp, a number written in
        # pen) is page text and stays ink.
        np.copyto(gray, val, where=whitened)
        stamp_share = float(whitened.mean())
    page.image = gray
    return params, {"seals": seal_count, "stamp_pixels": round(stamp_share, 5),
                    "coloured_ink_kept": round(float(((selected > 0) & (seals == 0)).mean()), 5)}


_SEAL_MAX_MM = 50.0          # larger round-ish grey ink is a block of faint text, not a seal
_GREY_SEAL_GAP = 60          # grey levels between type and a seal's ink for the seal to be told


def _grey_seals(gray: np.ndarray, dpi: int) -> tuple[np.ndarray, dict]:
    """A greyscale scan's seals made lighter than type: a red seal photocopied or scanned in grey
    is mid-grey, the type printed over it black, and binarisation would keep both (the signer's
    name under the seal was then lost to OCR on every such page of the dev corpus' t3 tier).

    Mid-grey ink away from black ink is taken as seal candidates; a large, round piece of it is a
    seal (as :func:`_seal_regions` tells coloured ones); inside it, ink lighter than midway between
    the type's and the seal's levels becomes paper."""
    half = cv2.resize(gray, None, fx=0.5, fy=0.5, interpolation=cv2.INTER_AREA)
    paper = _paper_level(half)
    inky = half[half < paper - 40]
    if inky.size < 100:
        return gray, {"seals": 0, "greyscale": True}
    type_level = _percentile(inky, 5)
    dark = (half < type_level + 40).astype(np.uint8)
    near_dark = cv2.dilate(dark, cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (5, 5))) > 0
    mid = ((half >= type_level + _GREY_SEAL_GAP) & (half < paper - 40) & ~near_dark)
    seals, count = _seal_regions(mid.astype(np.uint8) * 255, dpi / 2, max_mm=_SEAL_MAX_MM)
    seals, count = _ringed(seals, mid, dpi / 2)
    if not count:
        return gray, {"seals": 0, "greyscale": True}
    seal_level = int(np.median(half[(seals > 0) & mid]))
    if seal_level - type_level < _GREY_SEAL_GAP:
        return gray, {"seals": 0, "greyscale": True}
    inside = cv2.resize(seals, (gray.shape[1], gray.shape[0]), interpolation=cv2.INTER_NEAREST) > 0
    cut = (type_level + seal_level) // 2
    out = gray.copy()
    out[inside & (gray >= cut)] = max(paper, int(_paper_level(gray)))
    return out, {"seals": count, "greyscale": True, "type_level": type_level,
                 "seal_level": seal_level, "stamp_pixels": round(float(inside.mean()), 5)}


# Share of a seal's outline where its ring lies (dev: seals 0.79–1.0; a block of blurred text
# on a page turned upside down, as big and as square, 0.58).
_RING_COVER = 0.75


def _ringed(seals: np.ndarray, mid: np.ndarray, dpi: float) -> tuple[np.ndarray, int]:
    """The seal regions whose outline is a ring of candidate ink, as a seal's is; a block of
    blurred grey type is as big and as square, but the ellipse round it crosses line gaps."""
    kept = np.zeros_like(seals)
    _, _, stats, _ = components(seals)
    reach = _px(0.5, dpi)
    angles = np.linspace(0, 2 * np.pi, 72, endpoint=False)
    found = 0
    for x, y, width, height, _area in stats[1:]:
        cover = 0
        for radius in (0.40, 0.44, 0.48):
            xs = (x + width / 2 + radius * width * np.cos(angles)).astype(int)
            ys = (y + height / 2 + radius * height * np.sin(angles)).astype(int)
            cover = max(cover, sum(mid[max(0, b - reach):b + reach + 1,
                                       max(0, a - reach):a + reach + 1].any()
                                   for a, b in zip(xs, ys)))
        if cover >= _RING_COVER * len(angles):
            kept[y:y + height, x:x + width] = 255
            found += 1
    return kept, found


def _hue_ranges(hues: tuple[str, ...]) -> list[tuple[int, int]]:
    """The hue ranges of ``hues``, those that touch joined (red's upper end and violet: one pass)."""
    joined: list[tuple[int, int]] = []
    for low, high in sorted(r for name in hues for r in _HUES[name]):
        if joined and low <= joined[-1][1]:
            joined[-1] = (joined[-1][0], max(high, joined[-1][1]))
        else:
            joined.append((low, high))
    return joined


_SEAL_MIN_MM = 18.0          # a Party seal is 30–40 mm across; stamps of text are lower than this
_SEAL_ASPECT = (0.7, 1.45)   # round: about as wide as high (a "MẬT" box is 4–5× wider than high)


def _seal_regions(selected: np.ndarray, dpi: float,
                  max_mm: float | None = None) -> tuple[np.ndarray, int]:
    """Mask of the round seals among coloured ink, with everything inside them (star, text).

    Pieces of one seal (ring, star, lettering) are merged by a closing first; a merged piece is a
    seal when it is large and about as wide as high. Rectangular stamps with text in them (độ mật,
    độ khẩn, "CÔNG VĂN ĐẾN") fail that test and are kept as ink: they are what the catalogue
    reads the secrecy level from.
    """
    seals = np.zeros_like(selected)
    x, y, width, height = cv2.boundingRect(selected)
    if not width:
        return seals, 0
    close = _odd(_px(2.5, dpi))
    # The closing only reaches `close` px beyond the coloured ink: worked on that part of the page.
    # (Twice as far, so the erosion near the cut sees the dilation's paper, as on the whole page.)
    top, left = max(0, y - 2 * close), max(0, x - 2 * close)
    part = (slice(top, y + height + 2 * close), slice(left, x + width + 2 * close))
    merged = cv2.morphologyEx(selected[part], cv2.MORPH_CLOSE,
                              cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (close, close)))
    count, _, stats, _ = components(merged)
    stats[:, 0] += left
    stats[:, 1] += top
    margin = _px(1.0, dpi)
    found = 0
    for x, y, width, height, _area in stats[1:]:
        if min(width, height) < _px(_SEAL_MIN_MM, dpi):
            continue
        if max_mm is not None and max(width, height) > _px(max_mm, dpi):
            continue
        if not _SEAL_ASPECT[0] <= width / height <= _SEAL_ASPECT[1]:
            continue
        cv2.rectangle(seals, (x - margin, y - margin), (x + width + margin, y + height + margin), 255, -1)
        found += 1
    return seals, found


def _step_borders(page: _Page) -> tuple[dict, dict]:
    gray = page.image
    small, scale = _shrink(gray, page.dpi, 75)
    sdpi = page.dpi * scale
    paper = _paper_level(gray)
    params = {"dark_below": round(0.65 * paper), "min_width_mm": 3, "hole_mm": [4, 10], "grow_mm": 3}
    dark = (small < params["dark_below"]).astype(np.uint8)
    kernel = cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (_px(3, sdpi),) * 2)
    dark = cv2.morphologyEx(dark, cv2.MORPH_OPEN, kernel)   # strokes of text are thinner than this
    count, labels, stats, _ = components(dark)
    height, width = small.shape
    hole_min, hole_max = _px(4, sdpi), _px(10, sdpi)
    remove = np.zeros(count, bool)
    holes = 0
    for label in range(1, count):
        x, y, w, h, area = stats[label]
        touches_edge = x == 0 or y == 0 or x + w == width or y + h == height
        round_hole = (hole_min <= w <= hole_max and hole_min <= h <= hole_max
                      and abs(w - h) <= 0.3 * max(w, h) and area >= 0.6 * w * h)
        remove[label] = touches_edge or round_hole
        holes += int(round_hole and not touches_edge)
    mask = remove[labels].astype(np.uint8)
    if not mask.any():
        return params, {"border_fraction": 0.0, "holes": 0}
    mask = cv2.dilate(mask, cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (_px(params["grow_mm"], sdpi) * 2 + 1,) * 2))
    full = cv2.resize(mask, (gray.shape[1], gray.shape[0]), interpolation=cv2.INTER_NEAREST)
    cleaned = gray.copy()
    cleaned[full.view(bool)] = paper      # 0/1 already: no conversion pass over the page
    page.image = cleaned
    return params, {"border_fraction": round(float(mask.mean()), 4), "holes": holes}


def _step_orientation(page: _Page) -> tuple[dict, dict]:
    params = {"method": "projection profile + ink above/below lines", "osd_fallback": page.options.osd_fallback}
    upright = page.ink_points()
    turned = upright.turned()
    upright_angle, _ = _best_angle(upright, page.options.max_skew, fine=False)
    page.level_angle = (upright, upright_angle)
    turned_angle, _ = _best_angle(turned, page.options.max_skew, fine=False)
    upright_gaps, turned_gaps = _gap_share(upright, upright_angle), _gap_share(turned, turned_angle)
    quarter = 1 if turned_gaps > upright_gaps else 0
    angle, chosen = (turned_angle, turned) if quarter else (upright_angle, upright)
    balance, lines = _up_down_balance(chosen, angle)
    centre = float(chosen.ys.mean() / chosen.height) if len(chosen.ys) else 0.5
    effect: dict[str, Any] = {"gap_share": [round(upright_gaps, 3), round(turned_gaps, 3)],
                              "ink_centre": round(centre, 3),
                              "ink_above_share": round(balance, 3), "lines": lines}
    if len(upright.ys) < 50:
        upside_down = False
        effect["decided_by"] = "blank page"
    elif abs(balance - 0.5) >= 0.08 and lines >= 12:
        upside_down = balance < 0.5
        effect["decided_by"] = "profile"
    elif abs(centre - 0.5) >= 0.12:
        # A short page (last page, signature block) starts at the top and leaves the rest blank.
        upside_down = centre > 0.5
        effect["decided_by"] = "ink position"
    elif page.options.osd_fallback:
        upside_down, osd = _osd_upside_down(page, quarter)
        effect["decided_by"] = "tesseract-osd"
        effect["osd"] = osd
    else:
        upside_down = False
        effect["decided_by"] = "default (unsure)"
    turns = (quarter + (2 if upside_down else 0)) % 4
    page.rotation = (90 * turns) % 360
    effect["rotation"] = page.rotation
    if turns:
        page.image = _rotate_quarter(page.image, turns)
        page.analysis = (page.image, upright.rotated(turns))
    return params, effect


def _osd_upside_down(page: _Page, quarter: int) -> tuple[bool, dict]:
    """Ask Tesseract's OSD whether the (already quarter-turned) page is upside down."""
    import pytesseract

    small, _ = _shrink(_rotate_quarter(page.image, quarter), page.dpi, 150)
    try:
        osd = pytesseract.image_to_osd(small, config="--psm 0 --dpi 150 -c min_characters_to_try=10",
                                       output_type=pytesseract.Output.DICT)
    except (pytesseract.TesseractError, OSError) as exc:     # OSError: no tesseract binary
        return False, {"error": str(exc).strip()[:200]}
    rotate = int(osd.get("rotate", 0))
    return rotate == 180, {"rotate": rotate, "confidence": float(osd.get("orientation_conf", 0.0))}


def _step_deskew(page: _Page) -> tuple[dict, dict]:
    params = {"max_skew": page.options.max_skew, "analysis_dpi": _ANALYSIS_DPI, "min_correction": 0.1}
    points = page.ink_points()
    coarse = page.level_angle[1] if page.level_angle and page.level_angle[0] is points else None
    angle, _ = _best_angle(points, page.options.max_skew, coarse=coarse)
    page.skew = angle
    if abs(angle) < params["min_correction"]:
        return params, {"angle": angle, "rotated": False}
    gray = page.image
    height, width = gray.shape
    matrix = cv2.getRotationMatrix2D((width / 2, height / 2), -angle, 1.0)
    page.image = cv2.warpAffine(gray, matrix, (width, height), flags=cv2.INTER_LINEAR,
                                borderMode=cv2.BORDER_CONSTANT, borderValue=_paper_level(gray))
    return params, {"angle": angle, "rotated": True}


def _step_illumination(page: _Page) -> tuple[dict, dict]:
    gray = page.image
    small, scale = _shrink(gray, page.dpi, 50)
    params = {"background_kernel_mm": 6, "analysis_dpi": 50, "unlit_below": 0.45, "unlit_grow_mm": 4}
    kernel = cv2.getStructuringElement(cv2.MORPH_RECT, (_px(6, page.dpi * scale),) * 2)
    background = cv2.dilate(small, kernel)                  # local paper brightness, ink removed
    background = cv2.GaussianBlur(background, (0, 0), _px(3, page.dpi * scale))
    paper = _percentile(background, 90)
    # Where the "paper" is darker than this, it is the scanner bed or a binding shadow's core:
    # no readable text, and dividing by it would only blow its noise up into fake letters.
    unlit = (background < params["unlit_below"] * paper).astype(np.uint8)
    if unlit.any():    # and the steep shadow edge next to it, whose noise division blows up too
        grow = _px(params["unlit_grow_mm"], page.dpi * scale) * 2 + 1
        unlit = cv2.dilate(unlit, cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (grow, grow)))
    size = (gray.shape[1], gray.shape[0])
    background = cv2.resize(background, size, interpolation=cv2.INTER_LINEAR)
    low, high = (int(v) for v in cv2.minMaxLoc(background)[:2])
    flat = cv2.divide(gray, background if low >= 1 else np.maximum(background, 1), scale=255)
    if unlit.any():
        flat = cv2.max(flat, cv2.resize(unlit * 255, size, interpolation=cv2.INTER_NEAREST))
    spread = _percentile(small, 95) - _percentile(background[::8, ::8], 5)
    page.image = flat
    return params, {"background_min": low, "background_max": high,
                    "spread_before": spread, "unlit_fraction": round(float(unlit.mean()), 4)}


# Text whose letters stand under MIN_TEXT_PX (:func:`text_height`) is too small for Tesseract
# whatever resolution the file states (a resized photo, a wrong dpi tag). Measured: rendered body
# text 10 px at 100 dpi, 16 at 150, 32 at 300; the 9 real 300-dpi pages 22-40 (typescript 22-24,
# where enlarging hurt: raw Tesseract CER 3.8 % -> 4.9 % at 1.4x); the 68 dev pages of 250 dpi
# and more 28 and up, noisy t2/t3 included (an unweighted median fell to 7 on one). Such a page is
# scaled so that its letters stand TEXT_PX high, at most MAX_TEXT_FACTOR times, within MAX_PIXELS.
MIN_TEXT_PX = 12
TEXT_PX = 30
MAX_TEXT_FACTOR = 3.0
MAX_PIXELS = 150_000_000       # the ingest's page limit (luutru.pageimage.DEFAULT_MAX_PIXELS)


def text_height(gray: np.ndarray) -> float | None:
    """Height in pixels of the page's letters: the ink-weighted median height of its text-sized
    components (weighted by ink, so that scan noise's many specks do not count), or None."""
    _, ink = cv2.threshold(gray, 0, 255, cv2.THRESH_BINARY_INV | cv2.THRESH_OTSU)
    _, _, stats, _ = components(ink)
    heights, widths, areas = (stats[1:, k] for k in (cv2.CC_STAT_HEIGHT, cv2.CC_STAT_WIDTH,
                                                     cv2.CC_STAT_AREA))
    letters = (heights >= 3) & (heights <= 0.03 * gray.shape[0]) & (widths <= 3 * heights) & (areas >= 4)
    if letters.sum() < 50:
        return None
    order = np.argsort(heights[letters])
    weight = np.cumsum(areas[letters][order])
    return float(heights[letters][order][np.searchsorted(weight, weight[-1] / 2)])


def _step_upscale(page: _Page) -> tuple[dict, dict]:
    options = page.options
    params = {"min_dpi": options.min_dpi, "target_dpi": options.target_dpi, "interpolation": "cubic",
              "min_text_px": MIN_TEXT_PX}
    if page.dpi >= options.min_dpi:
        height = text_height(page.image) if page.image.ndim == 2 else None
        if height is None or height >= MIN_TEXT_PX:
            return params, {"scaled": False, "dpi": page.dpi, "text_px": height}
        pixels = page.image.shape[0] * page.image.shape[1]
        factor = min(MAX_TEXT_FACTOR, TEXT_PX / height, (MAX_PIXELS / pixels) ** 0.5)
        if factor <= 1.05:
            return params, {"scaled": False, "dpi": page.dpi, "text_px": height}
        page.image = cv2.resize(page.image, None, fx=factor, fy=factor, interpolation=cv2.INTER_CUBIC)
        page.dpi = options.target_dpi
        return params, {"scaled": True, "factor": round(factor, 3), "dpi": page.dpi,
                        "by": "text height", "text_px": height}
    factor = options.target_dpi / page.dpi
    # A 6000×6000 page that says 50 dpi would become 36000×36000 (1.3 GP) and exhaust memory:
    # the same pixel limit as ingest caps the enlargement.
    height, width = page.image.shape[:2]
    cap = (options.max_pixels / float(width * height)) ** 0.5
    if factor > cap:
        if cap <= 1.0:
            return params, {"scaled": False, "dpi": page.dpi, "capped_at_pixels": options.max_pixels}
        factor = cap
    page.image = cv2.resize(page.image, None, fx=factor, fy=factor, interpolation=cv2.INTER_CUBIC)
    page.dpi = options.target_dpi if factor == options.target_dpi / page.dpi else round(page.dpi * factor)
    return params, {"scaled": True, "factor": round(factor, 3), "dpi": page.dpi}


def _step_despeckle(page: _Page) -> tuple[dict, dict]:
    if page.options.binarize_method != "none" and "binarize" not in page.options.disabled:
        return _remove_isolated_specks(page)
    params = {"median": 3, "min_noise": 0.002}
    median = cv2.medianBlur(page.image, 3)
    noise = float((cv2.absdiff(page.image, median) > 80).mean())
    if noise < params["min_noise"]:
        return params, {"noise": round(noise, 5), "applied": False}
    page.image = median
    return params, {"noise": round(noise, 5), "applied": True}


def _remove_isolated_specks(page: _Page) -> tuple[dict, dict]:
    """Drop small ink marks with no letter near them (toner, dust, salt noise).

    A diacritic or a full stop is as small as a speck but sits next to its letter, so only
    marks farther than ``near_mm`` from any larger mark go. Measured at half resolution (a 2×2
    block is ink if any of its pixels is), which is 4× cheaper and loses nothing at this size.
    """
    params = {"method": "isolated specks", "max_speck_mm": 0.6, "near_mm": page.options.speck_reach_mm}
    image = page.image      # black and white here: 0 ink, 255 paper
    half = (cv2.resize(image, None, fx=0.5, fy=0.5, interpolation=cv2.INTER_AREA) < 255).astype(np.uint8)
    half_dpi = page.dpi / 2
    count, labels, stats, _ = components(half)
    specks = _Specks.of(labels, stats, _px(params["max_speck_mm"], half_dpi))
    if not len(specks.ids):
        return params, {"specks": 0}
    letters = half.copy()
    letters[specks.ys, specks.xs] = 0
    reach = _odd(2 * _px(params["near_mm"], half_dpi) + 1)
    touched = np.zeros(count, bool)
    touched[specks.labels[_near(letters, specks.ys, specks.xs, reach)]] = True
    isolated = ~touched[specks.labels]
    if isolated.any():
        page.image = _whiten_blocks(image, half.shape, specks.ys[isolated], specks.xs[isolated])
    kept = int(touched[specks.ids].sum())
    return params, {"specks": len(specks.ids) - kept, "kept_near_letters": kept}


def _near(mask: np.ndarray, ys: np.ndarray, xs: np.ndarray, reach: int) -> np.ndarray:
    """Whether ``mask`` has ink within the ``reach`` px ellipse round each pixel (ys, xs): what
    ``cv2.dilate(mask, ellipse)`` says there. A few pixels are looked round one by one; many,
    by dilating the whole mask."""
    ellipse = cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (reach, reach))
    dy, dx = np.nonzero(ellipse)
    if len(ys) * len(dy) > mask.size // 8:
        return cv2.dilate(mask, ellipse)[ys, xs] > 0
    at_y, at_x = ys[:, None] + (dy - reach // 2), xs[:, None] + (dx - reach // 2)
    inside = (at_y >= 0) & (at_y < mask.shape[0]) & (at_x >= 0) & (at_x < mask.shape[1])
    seen = mask[np.clip(at_y, 0, mask.shape[0] - 1), np.clip(at_x, 0, mask.shape[1] - 1)] > 0
    return (seen & inside).any(axis=1)


def _whiten_blocks(image: np.ndarray, half_shape: tuple[int, int], ys: np.ndarray,
                   xs: np.ndarray) -> np.ndarray:
    """``image`` with the pixels under half-resolution pixels (ys, xs) made paper, as scaling a
    half-resolution mask back up (nearest) would mark them; on an even-sized page, directly."""
    height, width = image.shape
    if (height, width) != (2 * half_shape[0], 2 * half_shape[1]):
        remove = np.zeros(half_shape, np.uint8)
        remove[ys, xs] = 255
        return cv2.max(image, cv2.resize(remove, (width, height), interpolation=cv2.INTER_NEAREST))
    whitened = image.copy()
    for dy in (0, 1):
        for dx in (0, 1):
            whitened[2 * ys + dy, 2 * xs + dx] = 255
    return whitened


@dataclass(frozen=True)
class _Specks:
    """The components no larger than ``size`` px either way: their labels, and their pixels
    (``ys``, ``xs``, each with its component's label in ``labels``).

    Found from each one's box: no page-sized look-up of every pixel's label, which cost more than
    the labelling itself.
    """

    ids: np.ndarray
    ys: np.ndarray
    xs: np.ndarray
    labels: np.ndarray

    @classmethod
    def of(cls, labels: np.ndarray, stats: np.ndarray, size: int) -> "_Specks":
        small = np.maximum(stats[:, cv2.CC_STAT_WIDTH], stats[:, cv2.CC_STAT_HEIGHT]) <= size
        small[0] = False
        ids = np.flatnonzero(small).astype(np.int32)
        # In slices: a page of salt noise has hundreds of thousands of specks.
        found = [cls._pixels(labels, stats, ids[start:start + 50_000], size)
                 for start in range(0, len(ids), 50_000)] or [(np.zeros(0, np.int32),) * 3]
        ys, xs, owners = (np.concatenate(part) for part in zip(*found))
        return cls(ids, ys, xs, owners)

    @staticmethod
    def _pixels(labels: np.ndarray, stats: np.ndarray, ids: np.ndarray,
                size: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        dy, dx = (grid.ravel().astype(np.int32) for grid in np.mgrid[0:size, 0:size])
        x, y, w, h = (stats[ids, column][:, None] for column in range(4))
        inside = (dx < w) & (dy < h)
        ys, xs = np.minimum(y + dy, labels.shape[0] - 1), np.minimum(x + dx, labels.shape[1] - 1)
        owner = np.broadcast_to(ids[:, None], ys.shape)
        mine = inside & (labels[ys, xs] == owner)
        return ys[mine], xs[mine], owner[mine]


def _step_binarize(page: _Page) -> tuple[dict, dict]:
    method = page.options.binarize_method
    gray = page.image
    params: dict[str, Any] = {"method": method}
    if method == "none":
        return params, {}
    if method == "otsu":
        threshold, page.image = cv2.threshold(gray, 0, 255, cv2.THRESH_BINARY | cv2.THRESH_OTSU)
        return params, {"threshold": float(threshold), "ink_share": _ink_share(page.image)}
    window = _odd(_px(5, page.dpi))
    params["window_px"] = window
    if method == "adaptive":
        params["c"] = 15
        page.image = cv2.adaptiveThreshold(gray, 255, cv2.ADAPTIVE_THRESH_GAUSSIAN_C,
                                           cv2.THRESH_BINARY, window, 15)
    else:
        params.update(k=0.2, r=128)
        page.image = _sauvola(gray, window, 0.2, 128.0)
    return params, {"ink_share": _ink_share(page.image)}


def _step_rules(page: _Page) -> tuple[dict, dict]:
    """Remove ruling lines: boxes drawn round stamps (MẬT, KHẨN), underlines, table rules.

    Tesseract reads a word inside a tight box as part of a picture and drops it (seen on a boxed
    "MẬT" that was then missing from the text, so the item was catalogued as unclassified). Long
    straight horizontal runs are rules; vertical runs count only where they meet a horizontal
    rule, as a box's sides do, so that letters such as l, I or brackets are never touched.
    """
    params = {"horizontal_min_mm": 7.0, "vertical_min_mm": 4.0}
    if page.options.binarize_method == "none" or "binarize" in page.options.disabled:
        return params, {"skipped": "needs the black-and-white page"}
    ink = cv2.threshold(page.image, 127, 255, cv2.THRESH_BINARY_INV)[1]
    horizontal, rule_rows = _horizontal_runs(ink, _px(params["horizontal_min_mm"], page.dpi))
    if not len(rule_rows):
        return params, {"rule_pixels": 0}
    sides = _box_sides(ink, horizontal, rule_rows, _px(params["vertical_min_mm"], page.dpi),
                       _px(1.0, page.dpi))
    rules = horizontal if sides is None else cv2.max(horizontal, sides)
    page.image = cv2.max(page.image, rules)
    return params, {"rule_pixels": int(np.count_nonzero(rules))}


_BLOCK = 8      # px (one 64-bit word of uint8): blocks of ink that tell rows worth opening


def _horizontal_runs(ink: np.ndarray, length: int) -> tuple[np.ndarray, np.ndarray]:
    """``ink`` opened by a horizontal line ``length`` px long (its runs at least that long), and
    the rows that hold any.

    The opening works row by row, so it is computed only on the rows that may hold such a run:
    those with enough whole 8-px blocks of ink side by side (a run of n px covers (n - 7) // 8
    aligned blocks; at the page's edge half the length is enough, as OpenCV's border counts as
    ink). The same pixels as opening the whole page, a fifth of the work on a page of text.
    """
    rows = _rows_with_runs(ink, length - length // 2)
    opened = np.zeros_like(ink)
    if not len(rows):
        return opened, rows
    runs = cv2.morphologyEx(ink[rows], cv2.MORPH_OPEN, cv2.getStructuringElement(cv2.MORPH_RECT, (length, 1)))
    opened[rows] = runs
    return opened, rows[runs.any(axis=1)]


def _rows_with_runs(ink: np.ndarray, length: int) -> np.ndarray:
    """Rows of ``ink`` that may hold a horizontal run of ``length`` px: all the rows that do, and
    a few more."""
    height, width = ink.shape
    need = (length - (_BLOCK - 1)) // _BLOCK
    if need < 1:
        return np.arange(height)
    whole = width // _BLOCK * _BLOCK
    # Each 8-px block read as one 64-bit word: all ink (255) is all ones.
    blocks = (np.ascontiguousarray(ink[:, :whole]).view(np.uint64) == np.uint64(2 ** 64 - 1)).astype(np.uint8)
    if whole < width:      # the last, narrower block is full when all its pixels are ink
        blocks = np.hstack([blocks, (ink[:, whole:].min(axis=1) == 255).astype(np.uint8)[:, None]])
    return np.flatnonzero(cv2.erode(blocks, np.ones((1, need), np.uint8)).any(axis=1))


def _box_sides(ink: np.ndarray, horizontal: np.ndarray, rule_rows: np.ndarray, length: int,
               reach: int) -> np.ndarray | None:
    """Vertical strokes of ink at least ``length`` px long that come within ``reach`` of a rule.

    Looked for in a window round each group of rules rather than on the whole page; when a stroke
    runs out of its window (a table's long rules), on the whole page. Same pixels either way.
    """
    height, width = ink.shape
    margin = 4 * length
    sides = None
    for top, bottom in _row_groups(rule_rows, gap=2 * margin):
        cols = np.flatnonzero(horizontal[top:bottom].any(axis=0))
        rows = slice(max(0, top - margin), min(height, bottom + margin))
        columns = slice(max(0, cols[0] - margin), min(width, cols[-1] + 1 + margin))
        safe = (length if rows.start else 0, (rows.stop - rows.start) - (length if rows.stop < height else 0),
                1 if columns.start else 0, (columns.stop - columns.start) - (1 if columns.stop < width else 0))
        found = _strokes_touching(ink[rows, columns], horizontal[rows, columns], length, reach, safe)
        if found is None:
            return _strokes_touching(ink, horizontal, length, reach, (0, height, 0, width))
        if found.any():
            sides = np.zeros_like(ink) if sides is None else sides
            sides[rows, columns] |= found
    return sides


def _row_groups(rows: np.ndarray, gap: int) -> list[tuple[int, int]]:
    """Runs of ``rows`` (sorted) with no gap wider than ``gap``, as (first, last + 1)."""
    breaks = np.flatnonzero(np.diff(rows) > gap)
    starts = np.concatenate([[0], breaks + 1])
    ends = np.concatenate([breaks, [len(rows) - 1]])
    return [(int(rows[s]), int(rows[e]) + 1) for s, e in zip(starts, ends)]


def _strokes_touching(ink: np.ndarray, horizontal: np.ndarray, length: int, reach: int,
                      safe: tuple[int, int, int, int]) -> np.ndarray | None:
    """The vertical strokes of ``ink`` touching ``horizontal`` (dilated by ``reach``); None when
    one of them leaves ``safe`` (top, bottom, left, right): beyond it, next to the window's edge,
    the opening of a window is not the page's."""
    vertical = cv2.morphologyEx(ink, cv2.MORPH_OPEN, cv2.getStructuringElement(cv2.MORPH_RECT, (1, length)))
    found = np.zeros_like(ink)
    x, y, width, height = cv2.boundingRect(vertical)   # of its ink: few, short strokes if any
    if not (width and height):
        return found
    box = (slice(y, y + height), slice(x, x + width))
    near_rules = cv2.dilate(horizontal, np.ones((reach, reach), np.uint8))[box]
    count, labels, stats, _ = components(vertical[box])
    touching = np.bincount(labels[near_rules > 0], minlength=count) > 0
    touching[0] = False
    sx, sy, sw, sh = stats[touching, :4].T
    top, bottom, left, right = safe
    if ((sy + y < top) | (sy + y + sh > bottom) | (sx + x < left) | (sx + x + sw > right)).any():
        return None
    found[box] = touching[labels].astype(np.uint8) * 255
    return found


def _sauvola(gray: np.ndarray, window: int, k: float, r: float) -> np.ndarray:
    """Sauvola's threshold T = m·(1 + k·(s/R − 1)) from box-filtered local mean and deviation.

    The threshold surface is smooth at the scale of the window, so it is computed at a quarter
    of the resolution and interpolated back: ~10× cheaper than at full size, same result to a
    grey level or two.
    """
    small = cv2.resize(gray, None, fx=0.25, fy=0.25, interpolation=cv2.INTER_AREA).astype(np.float32)
    size = (max(3, window // 4),) * 2
    mean = cv2.boxFilter(small, -1, size, borderType=cv2.BORDER_REFLECT)
    mean_sq = cv2.boxFilter(small * small, -1, size, borderType=cv2.BORDER_REFLECT)
    std = np.sqrt(np.maximum(mean_sq - mean * mean, 0))
    threshold = np.clip(mean * (1 + k * (std / r - 1)), 0, 255).astype(np.uint8)
    threshold = cv2.resize(threshold, (gray.shape[1], gray.shape[0]), interpolation=cv2.INTER_LINEAR)
    return cv2.compare(gray, threshold, cv2.CMP_GT)


def _ink_share(binary: np.ndarray) -> float:
    return round(float((binary[::4, ::4] == 0).mean()), 4)


_STEP_FUNCTIONS: dict[str, Callable[[_Page], tuple[dict, dict]]] = {
    "color": _step_color, "borders": _step_borders, "orientation": _step_orientation,
    "deskew": _step_deskew, "illumination": _step_illumination, "upscale": _step_upscale,
    "despeckle": _step_despeckle, "binarize": _step_binarize, "rules": _step_rules,
}


# --- the pipeline -----------------------------------------------------------------------------

def clean_page(image: np.ndarray, dpi: int, options: CleanupOptions = CleanupOptions()) -> CleanupResult:
    """Clean one decoded page for OCR; ``image`` is BGR colour or greyscale uint8 and is not changed."""
    if image is None or image.dtype != np.uint8 or image.ndim not in (2, 3) or min(image.shape[:2]) < 16:
        raise ValueError("clean_page needs a decoded uint8 image (greyscale or BGR) of at least 16×16 px")
    if dpi <= 0:
        raise ValueError(f"dpi must be positive, got {dpi}")
    page = _Page(image=image, dpi=int(dpi), options=options)
    records: list[StepRecord] = []
    for number, name in enumerate(STEPS, start=1):
        if name in options.disabled:
            if name == "color":
                page.image = _to_gray(page.image)
            records.append(StepRecord(name, {"enabled": False}, {"skipped": "disabled"}, 0.0))
            continue
        started = time.perf_counter()
        params, effect = _STEP_FUNCTIONS[name](page)
        records.append(StepRecord(name, params, effect, round(time.perf_counter() - started, 4)))
        if options.debug_dir is not None:
            _write_debug(Path(options.debug_dir), number, name, page.image)
    return CleanupResult(image=np.ascontiguousarray(page.image), dpi=page.dpi, rotation=page.rotation,
                         skew=page.skew, steps=records)


def _write_debug(directory: Path, number: int, name: str, image: np.ndarray) -> None:
    ok, encoded = cv2.imencode(".png", image)
    if ok:
        atomic_write_bytes(directory / f"{number:02d}-{name}.png", encoded.tobytes())


def options_without(*steps: str, base: CleanupOptions = CleanupOptions()) -> CleanupOptions:
    """``base`` with ``steps`` switched off as well (what the CLI's ``--no-<step>`` flags build)."""
    return replace(base, disabled=frozenset(base.disabled) | frozenset(steps))
