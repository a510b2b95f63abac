"""Where a point of the cleaned page lies on the original scan.

Word boxes (hOCR, ALTO) are in the pixels of ``clean.png``, which clean-up made from the original
by, in this order: a quarter turn (orientation), a small rotation about the centre (deskew) and
an enlargement (low-resolution pages); no step crops. A page's provenance (``ocr.json``) records
each of them, so the way back is exact, and a reader looking at the original scan can see the
words found on it too, as the slanted quadrilaterals they are there.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np


@dataclass(frozen=True)
class PageGeometry:
    """The transforms clean-up applied to one page, enough to map clean pixels back."""

    quarter_turns: int                     # counter-clockwise turns applied to the original
    skew_degrees: float                    # the rotation deskew applied (0: none)
    scale: float                           # enlargement after deskew (1: none)
    clean_size: tuple[int, int]            # (width, height) of clean.png

    @property
    def turned_size(self) -> tuple[int, int]:
        """The page's size after the quarter turn, before enlargement."""
        width, height = self.clean_size
        return round(width / self.scale), round(height / self.scale)

    @property
    def original_size(self) -> tuple[int, int]:
        width, height = self.turned_size
        return (height, width) if self.quarter_turns % 2 else (width, height)

    @classmethod
    def from_provenance(cls, record: dict[str, Any], clean_size: tuple[int, int]) -> PageGeometry:
        """From a page's ``ocr.json`` and the size of its ``clean.png`` (the hOCR page box)."""
        cleanup = record.get("cleanup") or {}
        effects = {step.get("name"): step.get("effect") or {} for step in cleanup.get("steps", [])}
        deskew = effects.get("deskew", {})
        upscale = effects.get("upscale", {})
        turns = int(cleanup.get("rotation", 0)) // 90 % 4
        skew = float(deskew.get("angle", 0.0)) if deskew.get("rotated") else 0.0
        scale = float(upscale.get("factor", 1.0)) if upscale.get("scaled") else 1.0
        return cls(turns, skew, scale, (int(clean_size[0]), int(clean_size[1])))

    def to_original(self, points: np.ndarray) -> np.ndarray:
        """``points`` (n × 2: x, y in clean pixels) in the original's pixels."""
        return self.unturn(self.to_turned(points))

    def to_turned(self, points: np.ndarray) -> np.ndarray:
        """``points`` (n × 2, clean pixels) on the page as it was after the quarter turn, before
        deskew: the original's pixels, read the right way up (still slanted by the skew)."""
        turned = np.asarray(points, dtype=float) / self.scale
        if self.skew_degrees:
            width, height = self.turned_size
            # deskew turned the page by -skew about its centre; turning by +skew undoes it
            back = rotation_matrix((width / 2, height / 2), self.skew_degrees)
            turned = turned @ back[:, :2].T + back[:, 2]
        return turned

    def unturn(self, points: np.ndarray) -> np.ndarray:
        """Undo ``np.rot90(image, k)``: k counter-clockwise quarter turns of the original."""
        width, height = self.original_size
        x, y = points[:, 0], points[:, 1]
        turns = self.quarter_turns % 4
        if turns == 1:       # original (x, y) went to (y, width - x)
            return np.column_stack([width - y, x])
        if turns == 2:       # (x, y) went to (width - x, height - y)
            return np.column_stack([width - x, height - y])
        if turns == 3:       # (x, y) went to (height - y, x)
            return np.column_stack([y, height - x])
        return np.column_stack([x, y])

    def box_to_original(self, box: tuple[int, int, int, int]) -> list[tuple[float, float]]:
        """The four corners (clockwise from the top left as read) of a clean-page box
        ``(x0, y0, x1, y1)`` on the original."""
        x0, y0, x1, y1 = box
        corners = np.array([[x0, y0], [x1, y0], [x1, y1], [x0, y1]], dtype=float)
        return [(float(x), float(y)) for x, y in self.to_original(corners)]


def rotation_matrix(centre: tuple[float, float], degrees: float) -> np.ndarray:
    """The 2 × 3 matrix of OpenCV's ``getRotationMatrix2D(centre, degrees, 1)`` (counter-clockwise
    on the image), computed here so the reading room can map boxes without loading OpenCV."""
    radians = np.deg2rad(degrees)
    cos, sin = np.cos(radians), np.sin(radians)
    x, y = centre
    return np.array([[cos, sin, (1 - cos) * x - sin * y],
                     [-sin, cos, sin * x + (1 - cos) * y]])
