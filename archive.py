"""The archive on disk: where every stage reads and writes, and how it writes safely.

The archive directory is the record. Its layout (documented for people in ``ARCHIVE.md``, which
:func:`Archive.open` writes into every archive):

    originals/<aa>/<sha256>.<ext>       write-once copy of each scanned file (read-only)
    originals/<aa>/<sha256>.json        what we know of it: format, pages, where it came from
    pages/<sha256>/<NNNN>/page.json     one page of an original (NNNN = 1-based page index)
    pages/<sha256>/<NNNN>/...           that page's derivatives (clean image, text, hOCR, ALTO, PDF)
    documents/<sha256>.pdf              searchable PDF of a whole original
    quarantine/                         input that could not be ingested, each with its reason
    catalog/                            the XML catalogue (fonds → file → item)
    editorial/                          editors' proofread text and footnotes per item (not rebuildable)
    index/                              search indexes (derived, rebuildable)
    access/                             reading-room accounts and audit log (private; back it up)
    cache/                              page images sized for the reading room (derived)
    tmp/                                scratch space for atomic writes (safe to delete)

Everything but ``originals/``, the quarantine and what an archivist typed in can be rebuilt.
Every write goes through a temporary file in the same directory and ``os.replace``, so a killed
process leaves either the old file or the new one, never half of one.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from glob import escape as glob_escape
from pathlib import Path
from typing import Any

ARCHIVE_ENV = "LUUTRU_ARCHIVE"
LAYOUT_VERSION = 1
_CHUNK = 1 << 20


def _current_umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


_UMASK = _current_umask()


def default_archive_path() -> Path:
    """``$LUUTRU_ARCHIVE`` if set, else ``./archive``."""
    return Path(os.environ.get(ARCHIVE_ENV) or "archive")


# --- atomic, durable writes -------------------------------------------------------------------

def _fsync_dir(directory: Path) -> None:
    try:
        fd = os.open(directory, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def atomic_write_bytes(path: Path, data: bytes) -> None:
    """Write ``data`` to ``path`` so that readers see the old file or the complete new one.
    A file of the archive's record gets its checksum recorded first (:func:`record_checksum`)."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp_name = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        os.fchmod(fd, 0o666 & ~_UMASK)  # mkstemp makes 0600; records are ordinary files
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        if has_checksum(path):
            record_checksum(path, hashlib.sha256(data).hexdigest(), len(data))
        os.replace(tmp_name, path)
    except BaseException:
        Path(tmp_name).unlink(missing_ok=True)
        raise
    _fsync_dir(path.parent)


def remove_stale_temp_files(path: Path) -> None:
    """Remove what a writer killed by ``kill -9`` mid-write left of its temporary copies of
    ``path``. Only for a caller that alone writes ``path`` (under a lock, or its page's worker)."""
    path = Path(path)
    for stale in path.parent.glob(f".{glob_escape(path.name)}.*.tmp"):
        stale.unlink(missing_ok=True)


def atomic_write_text(path: Path, text: str) -> None:
    atomic_write_bytes(path, text.encode("utf-8"))


def dump_json(obj: Any) -> str:
    """Stable, human-readable JSON: same object, same bytes (so records diff well)."""
    return json.dumps(obj, ensure_ascii=False, indent=2, sort_keys=True) + "\n"


def write_json(path: Path, obj: Any) -> None:
    atomic_write_text(path, dump_json(obj))


def read_json(path: Path) -> Any:
    with open(path, encoding="utf-8") as handle:
        return json.load(handle)


def temp_file_for(path: Path) -> tuple[int, Path]:
    """A new temporary file beside ``path`` (an open descriptor and its name), named as
    :func:`remove_stale_temp_files` finds it, with the permissions of an ordinary file: for a
    writer that streams a large file before :func:`atomic_move_into` gives it its name."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, name = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    os.fchmod(fd, 0o666 & ~_UMASK)
    return fd, Path(name)


def atomic_move_into(src: Path, dst: Path) -> None:
    """Move a finished temporary file (made in the same file system) to ``dst`` atomically."""
    dst.parent.mkdir(parents=True, exist_ok=True)
    if has_checksum(dst):
        record_checksum(dst, sha256_file(src), Path(src).stat().st_size)
    os.replace(src, dst)
    _fsync_dir(dst.parent)


# --- checksums of the record's files (fixity) ------------------------------------------------
#
# Every file of the record that is not named by its own hash (page records and their OCR outputs,
# document PDFs, the catalogue, the editors' layer, the originals' records) gets a sidecar ``.<name>.sha256`` holding
# "<sha256> <size>", written by the same call that writes the file, just before the file takes its
# name: ``luutru verify`` checks each file against it. A process killed between the two leaves a
# sidecar ahead of its file, which the stage's own re-run (or ``luutru repair``) brings level.

CHECKSUM_SUFFIX = ".sha256"
_HEX64 = frozenset("0123456789abcdef")


def _is_sha(name: str) -> bool:
    return len(name) == 64 and set(name) <= _HEX64


def has_checksum(path: Path) -> bool:
    """Whether ``path`` is a file of an archive's record that carries a checksum sidecar (told by
    where it lies, so a writer needs no archive object and an export elsewhere gets none)."""
    if not isinstance(path, Path):  # verify asks of every file: no second parse of a Path
        path = Path(path)
    parts = path.parts
    if path.name.startswith(".") or len(parts) < 3:
        return False
    parent, grand = parts[-2], parts[-3]
    if len(parts) >= 4 and parts[-4] == "pages" and _is_sha(grand) and parent.isdigit():
        return True
    if parent == "documents" and path.suffix == ".pdf" and _is_sha(path.stem):
        return True
    if parent == "catalog" and path.suffix == ".xml":
        return True
    if parent == "editorial" and path.suffix == ".json":
        return True
    return grand == "originals" and path.suffix == ".json" and _is_sha(path.stem)


def checksum_path(path: Path) -> Path:
    path = Path(path)
    return path.with_name(f".{path.name}{CHECKSUM_SUFFIX}")


def record_checksum(path: Path, sha256: str, size: int) -> None:
    """Record what ``path`` is about to hold. Written atomically but not fsynced (cheap): after a
    power loss a missing sidecar reads as "unrecorded", never as damage."""
    sidecar = checksum_path(path)
    tmp = sidecar.with_name(f"{sidecar.name}.{os.getpid()}.tmp")
    tmp.write_text(f"{sha256} {size}\n", encoding="ascii")
    os.replace(tmp, sidecar)


def record_file_checksum(path: Path) -> None:
    """For a writer that names its file itself (a library saving in place): record what it holds."""
    record_checksum(path, sha256_file(path), Path(path).stat().st_size)


def read_checksum(path: Path) -> tuple[str, int] | None:
    """The (sha256, size) recorded for ``path``, None if none or unreadable."""
    try:
        sha, size = checksum_path(path).read_text(encoding="ascii").split()
        return sha, int(size)
    except (OSError, ValueError, UnicodeDecodeError):
        return None


def sha256_file(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for chunk in iter(lambda: handle.read(_CHUNK), b""):
            digest.update(chunk)
    return digest.hexdigest()


# --- value objects ----------------------------------------------------------------------------

@dataclass(frozen=True, order=True)
class PageRef:
    """A page is identified by the SHA-256 of its original and its 1-based index in it."""

    sha256: str
    index: int

    @property
    def key(self) -> str:
        return f"{self.sha256}:{self.index}"

    @classmethod
    def parse(cls, key: str) -> "PageRef":
        sha, _, index = key.partition(":")
        return cls(sha, int(index))


@dataclass(frozen=True)
class PageFiles:
    """The files of one page folder, named in one place, and whether the page has been read.

    Every stage asks this type for a page's paths instead of spelling file names out, so the
    layout can be read (and changed) here alone.
    """

    directory: Path

    RECORD = "page.json"        # what ingest knows of the page (written at ingest)
    CLEAN = "clean.png"         # the cleaned page OCR read
    TEXT = "text.txt"           # the page's text in reading order, UTF-8 NFC
    LINES = "lines.json"        # the same lines with word boxes and confidences (luutru.pagetext)
    HOCR = "ocr.hocr"           # Tesseract's hOCR
    ALTO = "ocr.alto.xml"       # ALTO of the same reading
    PDF = "ocr.pdf"             # one-page searchable PDF
    PROVENANCE = "ocr.json"     # how the page was read; written last, so it marks a read page
    MARKS = "marks.json"        # secrecy/urgency stamps found on the page (+ mark-N.png crops)
    MARK_CROP = "mark-{}.png"   # the crop of the N-th stamp (1-based), beside MARKS
    CORRECTIONS = "corrections.json"   # words a correction stage changed in text.txt (none yet)
    OUTPUTS = (CLEAN, TEXT, LINES, HOCR, ALTO, PDF)

    @property
    def record(self) -> Path:
        return self.directory / self.RECORD

    @property
    def clean(self) -> Path:
        return self.directory / self.CLEAN

    @property
    def text(self) -> Path:
        return self.directory / self.TEXT

    @property
    def lines(self) -> Path:
        return self.directory / self.LINES

    @property
    def hocr(self) -> Path:
        return self.directory / self.HOCR

    @property
    def corrections(self) -> Path:
        return self.directory / self.CORRECTIONS

    @property
    def alto(self) -> Path:
        return self.directory / self.ALTO

    @property
    def pdf(self) -> Path:
        return self.directory / self.PDF

    @property
    def provenance(self) -> Path:
        return self.directory / self.PROVENANCE

    @property
    def marks(self) -> Path:
        return self.directory / self.MARKS

    @classmethod
    def holds(cls, name: str) -> bool:
        """Is ``name`` one of the files a page folder holds (its record, outputs, marks, crops,
        corrections)?"""
        return (name in (cls.RECORD, cls.PROVENANCE, cls.MARKS, cls.CORRECTIONS, *cls.OUTPUTS)
                or bool(re.fullmatch(r"mark-\d+\.png", name)))

    def is_read(self) -> bool:
        """Has OCR finished this page? (Its provenance is written after every other output.)"""
        return self.provenance.exists()


# --- the archive ------------------------------------------------------------------------------

_README = """# luutru archive

This directory is a luutru archive: the record of scanned documents and what was read from them.

| path | what | can be rebuilt? |
|---|---|---|
| `originals/<aa>/<sha256>.<ext>` | the scanned file exactly as received, named by its SHA-256, read-only | **no** (the original) |
| `originals/<aa>/<sha256>.json` | format, page count, resolution and where the file came from (fonds, file, path) | from the originals and ingest logs |
| `pages/<sha256>/<NNNN>/page.json` | page NNNN (1-based) of that original: size, resolution, fonds, file | yes (`luutru ingest`) |
| `pages/<sha256>/<NNNN>/` other files | cleaned image, OCR text (`text.txt`), the same lines with each word's box and confidence (`lines.json`: what every stage reads, see `luutru/pagetext.py`), hOCR and ALTO (Tesseract's own reading, for other tools), one-page PDF, `ocr.json` provenance | yes (`luutru ocr --redo`) |
| `pages/<sha256>/<NNNN>/marks.json`, `mark-N.png` | secrecy/urgency stamps found on the page image (Mật, Tối mật, Tuyệt mật; Khẩn, Thượng khẩn, Hỏa tốc): kind, level, raw reading, confidence, `read` or `unsure`, box in the scan's pixels, and a crop of each for the archivist; an empty list means "looked, found nothing"; written before `ocr.json` | yes (`luutru ocr` fills it in where missing) |
| `pages/<sha256>/<NNNN>/corrections.json` | words a correction stage (a language model, issue 15; none writes it yet) changed in `text.txt`: line, word, the OCR's reading and the corrected one; a volume underlines them until proofread (`luutru.volume.corrections`) | yes (with the correction stage) |
| `documents/<sha256>.pdf` | searchable PDF/A-2b of the whole original: the scans as made, the OCR words invisible over them | yes (`luutru ocr --redo`) |
| `quarantine/` | files that could not be ingested, with a machine-readable reason each | **no** (kept for a person) |
| `catalog/` | the XML catalogue: fonds → file (hồ sơ) → item (văn bản) | machine fields yes; archivist values **no** |
| `editorial/<item-id>.json` | the editors' layer: each proofread page's corrected text (who, when), editorial footnotes (chú thích) and the history of saves; the OCR's `text.txt` is never changed | **no** (typed by editors; survives `luutru ocr --redo` and re-cataloguing) |
| `index/` | search indexes | yes (`luutru reindex`) |
| `access/` | reading-room accounts: `accounts.sqlite` (+ `-wal`, `-shm`) holds users, argon2 password hashes, roles, clearances and the append-only audit log of who saw which classified item; `secret.key` signs sessions (0600; directory 0700); `ratelimit.sqlite` counts login attempts | **no**: the audit log is exported in the preservation packages and restored from them; accounts, password hashes, sessions and `secret.key` never leave the archive (credentials, not record: back them up; losing `secret.key` only logs everyone out) |
| `cache/` | page images sized for the reading room (thumbnails, screen size), IIIF tiles (`cache/iiif/`), one PDF per văn bản (`cache/items/`) | yes (made again on demand) |
| `preservation/events/` | PREMIS events, one JSON file each: fixity audits (`luutru verify`), restorations from the replica, repairs, restores | **no** (exported in the preservation packages) |
| `.<name>.sha256` beside a file | SHA-256 and size the file was written with (page records, OCR outputs, document PDFs, catalogue, originals' records); `luutru verify` checks against them | with its file |
| `tmp/` | scratch space; `ingest.lock` and `ocr.lock` are held (flock) by the ingest and the OCR run under way; `access-pending` marks an access change the search index could not take yet (searches then count only the hits they check against the catalogue) | delete at will when nothing runs, except `access-pending`: `luutru index` removes it once the index has caught up |

Every file is written atomically (temporary file + rename). Text is UTF-8, Unicode NFC.
"""


class Archive:
    """Paths into one archive directory, and the few reads every stage needs."""

    def __init__(self, root: Path | str):
        # Absolute, so that the working directory may change afterwards and so that Flask's
        # send_file (which resolves relative paths against the app's package) finds the files.
        self.root = Path(root).expanduser().absolute()

    @classmethod
    def open(cls, root: Path | str | None = None, create: bool = True) -> "Archive":
        archive = cls(root if root is not None else default_archive_path())
        if create:
            archive.initialise()
        elif not (archive.root / cls.README).exists():
            raise FileNotFoundError(f"{archive.root} is not a luutru archive (no {cls.README})")
        return archive

    def initialise(self) -> None:
        for directory in (self.originals_dir, self.pages_dir, self.documents_dir,
                          self.quarantine_dir, self.catalog_dir, self.index_dir, self.tmp_dir):
            directory.mkdir(parents=True, exist_ok=True)
        readme = self.root / self.README
        if not readme.exists():
            atomic_write_text(readme, _README)
        version = self.root / self.LAYOUT
        if not version.exists():
            write_json(version, {"luutru_archive_layout": LAYOUT_VERSION})

    # file names at the archive's top level and in its private access/ folder
    README = "ARCHIVE.md"                  # what every folder holds, for people
    LAYOUT = "layout.json"                 # the layout version
    QUARANTINE_REASON = "reason.json"      # why a quarantined file is there (one per entry)
    ACCOUNTS = "accounts.sqlite"           # reading-room accounts and the audit log
    SESSION_KEY = "secret.key"             # signs reading-room sessions
    RATELIMIT = "ratelimit.sqlite"         # login attempts counted per address and name
    ACCESS_PENDING = "access-pending"      # in tmp/: an access change the index has not taken yet

    # directories
    @property
    def originals_dir(self) -> Path:
        return self.root / "originals"

    @property
    def pages_dir(self) -> Path:
        return self.root / "pages"

    @property
    def documents_dir(self) -> Path:
        return self.root / "documents"

    @property
    def quarantine_dir(self) -> Path:
        return self.root / "quarantine"

    @property
    def catalog_dir(self) -> Path:
        return self.root / "catalog"

    @property
    def index_dir(self) -> Path:
        return self.root / "index"

    @property
    def tmp_dir(self) -> Path:
        return self.root / "tmp"

    @property
    def access_pending_path(self) -> Path:
        """Present while an access change may not be in the search index yet (written before the
        index is updated, removed after): a search then counts only the hits it has checked."""
        return self.tmp_dir / self.ACCESS_PENDING

    @property
    def access_dir(self) -> Path:
        """Reading-room accounts, the audit log and the session key: private (0700)."""
        return self.root / "access"

    @property
    def inventories_dir(self) -> Path:
        """The archivist's inventories (mục lục hồ sơ) as received: part of the record."""
        return self.root / "inputs" / "inventories"

    # catalogue
    def fonds_path(self, code: str) -> Path:
        """The XML file of one fonds (phông) of the catalogue."""
        return self.catalog_dir / f"{code}.xml"

    def fonds_paths(self) -> list[Path]:
        """Every fonds file of the catalogue, in code order."""
        return sorted(self.catalog_dir.glob("*.xml")) if self.catalog_dir.is_dir() else []

    # originals
    def original_record_path(self, sha256: str) -> Path:
        return self.originals_dir / sha256[:2] / f"{sha256}.json"

    def original_path(self, sha256: str, extension: str) -> Path:
        return self.originals_dir / sha256[:2] / f"{sha256}{extension}"

    def original_record(self, sha256: str) -> dict[str, Any]:
        return read_json(self.original_record_path(sha256))

    def stored_original(self, sha256: str) -> Path:
        """Path of the stored original bytes, whatever their extension."""
        return self.original_record_path(sha256).parent / self.original_record(sha256)["stored_as"]

    def iter_original_records(self) -> Iterator[dict[str, Any]]:
        for path in sorted(self.originals_dir.glob("*/*.json")):
            yield read_json(path)

    # pages
    def page_dir(self, ref: PageRef) -> Path:
        return self.pages_dir / ref.sha256 / f"{ref.index:04d}"

    def page_files(self, ref: PageRef) -> PageFiles:
        return PageFiles(self.page_dir(ref))

    def page_record(self, ref: PageRef) -> dict[str, Any]:
        return read_json(self.page_files(ref).record)

    def page_record_or_none(self, ref: PageRef) -> dict[str, Any] | None:
        """The page's record, or None when ``page.json`` is missing or unreadable (truncated by a
        crash, not JSON): a stage must then treat the page as closed, never as public."""
        try:
            record = self.page_record(ref)
        except (OSError, ValueError):
            return None
        return record if isinstance(record, dict) else None

    def damaged_pages(self) -> list[tuple[PageRef, str]]:
        """Pages whose ``page.json`` an original lists but is missing (``"missing"``), or is there
        but unreadable (``"unreadable"``), in archive order; ``luutru status`` reports them."""
        found: dict[PageRef, str] = {}
        for path in sorted(self.originals_dir.glob("*/*.json")):
            try:
                record = read_json(path)
                indexes = [int(i) for i in record.get("pages") or ()]
            except (OSError, ValueError, TypeError, AttributeError):
                continue  # an unreadable original record: its pages are checked below
            for index in indexes:
                ref = PageRef(path.stem, index)
                if not self.page_files(ref).record.exists():
                    found[ref] = "missing"
        for ref in self.iter_page_refs():
            if self.page_record_or_none(ref) is None:
                found[ref] = "unreadable"
        return sorted(found.items(), key=lambda pair: (pair[0].sha256, pair[0].index))

    def iter_page_refs(self, sha256: str | None = None) -> Iterator[PageRef]:
        """Every ingested page (or every page of one original), in (original, index) order."""
        pattern = f"{sha256 or '*'}/*/{PageFiles.RECORD}"
        for record_path in sorted(self.pages_dir.glob(pattern)):
            sha, index = record_path.parent.parent.name, int(record_path.parent.name)
            yield PageRef(sha, index)

    def document_pdf_path(self, sha256: str) -> Path:
        return self.documents_dir / f"{sha256}.pdf"
