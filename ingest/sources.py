"""The files of a batch and where each belongs: ``SCANS/<fonds>/<file>/...``.

Paths are kept relative to the SCANS folder given, exactly as the scanner station wrote them (that is
what the ground truth and the scoring tools call a page's ``source``); fonds and file codes are
text luutru stores, so they are NFC.
"""

from __future__ import annotations

import os
import stat
import unicodedata
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


@dataclass(frozen=True)
class Problem:
    """Something under SCANS that is reported to a person and never read: a symbolic link (it
    may point anywhere, the archive's own secrets included), a folder that cannot be listed."""

    path: str
    reason: str
    message: str


SYMLINK_MESSAGE = ("Liên kết tượng trưng (symlink): không được theo, không nhập; hãy chép chính "
                   "tệp hoặc thư mục vào thư mục ảnh quét.")


CONTROLS_MESSAGE = ("Tên có ký tự điều khiển (không in được); đã nhập dưới tên viết lại (\\xNN "
                    "thay cho ký tự đó). Hãy đổi tên tệp hoặc thư mục ở máy quét.")


def discover(scans: Path, fonds: str | None, file: str | None, exclude: Path
             ) -> tuple[list[SourceFile], list[dict[str, str]], list[Problem]]:
    """Every file to ingest under ``scans`` (or ``scans`` itself), those left alone, and those
    refused, with why.

    Hidden files (``.DS_Store``, ``._x.tif``) and anything that is not a regular file (a FIFO
    would block the batch) are listed as skipped, never dropped silently. Symbolic links are
    never followed (a link to ``ARCHIVE/access/secret.key`` or ``/etc/passwd`` would copy it into
    the archive) and folders that cannot be read are refused: both need a person. ``exclude``
    (the archive itself, should it live inside SCANS) is not walked.
    """
    fonds, file = _code(fonds), _code(file)
    if scans.is_file():
        return [SourceFile(scans, escape_controls(scans.name), fonds, file)], [], []
    sources: list[SourceFile] = []
    skipped: list[dict[str, str]] = []
    problems: list[Problem] = []
    for path, problem in sorted(_walk(scans, exclude), key=lambda entry: entry[0]):
        rel = escape_controls(path.relative_to(scans).as_posix())
        if problem is not None:
            problems.append(Problem(rel, *problem))
            continue
        mode = path.lstat().st_mode
        if any(part.startswith(".") for part in path.relative_to(scans).parts):
            skipped.append({"path": rel, "reason": "hidden-file"})
        elif stat.S_ISLNK(mode):
            problems.append(Problem(rel, "symlink", SYMLINK_MESSAGE))
        elif not stat.S_ISREG(mode):
            skipped.append({"path": rel, "reason": "not-a-regular-file"})
        else:
            folders = tuple(escape_controls(part) for part in path.relative_to(scans).parts[:-1])
            sources.append(SourceFile(path, rel, *placement(folders, fonds, file)))
            if has_controls(path.relative_to(scans).as_posix()):
                problems.append(Problem(rel, "control-characters", CONTROLS_MESSAGE))
    return sources, skipped, problems


def escape_controls(text: str) -> str:
    """``text`` with every control character written as ``\\xNN`` (an ESC in a file name
    cannot go into XML, a terminal would obey it): what a person can read and type again."""
    return "".join(f"\\x{ord(ch):02x}" if unicodedata.category(ch) == "Cc" else ch
                   for ch in text)


def has_controls(text: str) -> bool:
    return any(unicodedata.category(ch) == "Cc" for ch in text)


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


def _walk(root: Path, exclude: Path) -> Iterator[tuple[Path, tuple[str, str] | None]]:
    """Every entry under ``root`` that is not a folder, without following links: (path, None),
    or (path, (reason, message)) for a folder that is a link or cannot be listed."""
    excluded = exclude.resolve()
    errors: list[OSError] = []
    for directory, folders, names in os.walk(root, onerror=errors.append):
        while errors:
            yield _unreadable(errors.pop())
        kept = []
        for folder in folders:
            path = Path(directory) / folder
            if path.is_symlink():
                yield path, ("symlink", SYMLINK_MESSAGE)
            elif path.resolve() != excluded:
                kept.append(folder)
        folders[:] = kept
        for name in names:
            yield Path(directory) / name, None
    while errors:
        yield _unreadable(errors.pop())


def _unreadable(error: OSError) -> tuple[Path, tuple[str, str]]:
    reason = error.strerror or str(error)
    return Path(error.filename), ("unreadable-folder",
                                  f"Không đọc được thư mục ({reason}); các tệp trong đó chưa được "
                                  "nhập. Hãy sửa quyền truy cập rồi chạy lại lệnh nhập.")
