"""The OCR stage: each ingested page cleaned, read with Tesseract (Vietnamese), and kept.

Library API (what ``luutru ocr`` and ``luutru run`` call)::

    from luutru.ocr import ocr_archive, OcrOptions
    report = ocr_archive(archive, jobs=2, model="best")
    report.to_json()

Per page (``archive.page_dir(ref)``): ``clean.png``, ``text.txt``, ``lines.json`` (the same lines
with word boxes: what the other stages read, :mod:`luutru.pagetext`), ``ocr.hocr``,
``ocr.alto.xml``, ``ocr.pdf`` and, written last, ``ocr.json`` (provenance); per original:
``documents/<sha>.pdf``.
The names are loaded on first use, so importing one module of the stage (say ``engine``) does
not import all of them.
"""

from __future__ import annotations

import importlib
from typing import Any

__all__ = ["OcrOptions", "OcrReport", "ocr_archive", "ocr_page"]


def __getattr__(name: str) -> Any:
    if name in __all__:
        return getattr(importlib.import_module("luutru.ocr.pipeline"), name)
    raise AttributeError(f"module 'luutru.ocr' has no attribute {name!r}")
