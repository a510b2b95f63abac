"""The recogniser seam: what the OCR stage asks of an engine, and Tesseract behind it.

:func:`luutru.ocr.recognize.recognize` decides a page's lines (yield check, fallback reading,
page number, reading order) from what an engine reads; it never looks at how the engine reads.
An engine is anything with a ``name`` and a :meth:`OcrEngine.read` that turns an image into
lines of words, each with its box in the image's pixels and a confidence 0..100 (-1: unknown).
It need not write hOCR: ``renderings`` are the engine's own files of the same reading (hOCR,
ALTO, a one-page PDF) when it makes them, and an engine that makes none returns none.

Two engines implement it today: :class:`TesseractEngine` (the page text) and the handwritten-
digit reader (:class:`luutru.catalog.digits.DigitReader`, one region of a form). A neural engine
is one more class with the same ``read``.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Protocol

import numpy as np

from luutru.ocr.engine import run_tesseract
from luutru.ocr.layout import TextLine, Word, parse_hocr

__all__ = ["EngineReading", "OcrEngine", "TesseractEngine", "TextLine", "Word"]


@dataclass
class EngineReading:
    """One reading of an image: its lines in the engine's order, and the engine's own files."""

    lines: list[TextLine]
    renderings: dict[str, bytes] = field(default_factory=dict)  # "hocr", "alto", "pdf"


class OcrEngine(Protocol):
    """A recogniser the OCR stage can run on a cleaned page or a part of one."""

    @property
    def name(self) -> str:
        """Recorded in the page's provenance."""
        ...

    def read(self, image: np.ndarray, dpi: int, *, psm: int,
             renderings: Sequence[str] = ()) -> EngineReading:
        """Read ``image`` (uint8, grey or BGR) at ``dpi``. ``psm``: the page segmentation
        wanted, in Tesseract's numbering, the common vocabulary (3 automatic, 4 one column of
        lines, 6 one block, 7 one line); an engine that cannot choose ignores it.
        ``renderings``: the engine's own files wanted besides the lines (those it cannot make
        are left out)."""
        ...


@dataclass(frozen=True)
class TesseractEngine:
    """Tesseract (:mod:`luutru.ocr.engine`): one run per reading, its hOCR parsed into lines."""

    lang: str = "vie"
    tessdata_dir: str | None = None
    config: str = ""
    name: str = "tesseract"

    def read(self, image: np.ndarray, dpi: int, *, psm: int,
             renderings: Sequence[str] = ()) -> EngineReading:
        wanted = tuple(dict.fromkeys(("hocr", *renderings)))
        outputs = run_tesseract(image, dpi=dpi, psm=psm, lang=self.lang,
                                tessdata_dir=self.tessdata_dir, outputs=wanted, config=self.config)
        return EngineReading(parse_hocr(outputs["hocr"]),
                             {name: outputs[name] for name in renderings})
