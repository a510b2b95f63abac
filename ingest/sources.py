"""The files of a batch and where each belongs: ``SCANS/<fonds>/<file>/...``.

Paths are kept relative to the SCANS folder given, exactly as the scanner station wrote them (that is
what the ground truth and the scoring tools call a page's ``source``); fonds and file codes are
text luutru stores, so they are NFC.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from luutru.textnorm import nfc


@dataclass(frozen=True)
class SourceFile:
    """One file of the batch: where it is, its path relative to SCANS, its fonds and file."""

    path: Path
    rel: str
    fonds: str | None
    file: str | None

    def as_record(self) -> dict[str, Any]:
        return {"path": self.rel, "fonds": self.fonds, "file": self.file}


def discover(scans: Path, fonds: str | None, file: str | None,
             exclude: Path) -> tuple[list[SourceFile], list[dict[str, str]]]:
    """Every file to ingest under ``scans`` (or ``scans`` itself), and those left alone, with why.

    Hidden files (``.DS_Store``, ``._x.tif``) and anything that is not a regular file (a FIFO
    would block the batch, a dangling link has no bytes) are listed as skipped, never dropped
    silently. ``exclude`` (the archive itself, should it live inside SCANS) is not walked.
    """
    fonds, file = _code(fonds), _code(file)
    if scans.is_file():
        return [SourceFile(scans, scans.name, fonds, file)], []
    sources: list[SourceFile] = []
    skipped: list[dict[str, str]] = []
    for path in sorted(_walk_files(scans, exclude)):
        rel = path.relative_to(scans)
        if any(part.startswith(".") for part in rel.parts):
            skipped.append({"path": rel.as_posix(), "reason": "hidden-file"})
        elif not path.is_file():
            skipped.append({"path": rel.as_posix(), "reason": "not-a-regular-file"})
        else:
            sources.append(SourceFile(path, rel.as_posix(), *placement(rel.parts[:-1], fonds, file)))
    return sources, skipped


def placement(folders: tuple[str, ...], fonds: str | None,
              file: str | None) -> tuple[str | None, str | None]:
    """Fonds and file of a file in ``folders`` (below SCANS). A level the options already name is
    not read from the folders: with ``--fonds`` alone, the first folder is the file."""
    levels = [nfc(level) for level in folders]
    if fonds is None:
        fonds = levels.pop(0) if levels else None
    if file is None:
        file = levels.pop(0) if levels else None
    return fonds, file


def _code(value: str | None) -> str | None:
    if value is None:
        return None
    return nfc(value.strip()) or None


def _walk_files(root: Path, exclude: Path) -> Iterator[Path]:
    excluded = exclude.resolve()
    for directory, folders, names in os.walk(root):
        folders[:] = [f for f in folders if (Path(directory) / f).resolve() != excluded]
        for name in names:
            yield Path(directory) / name
