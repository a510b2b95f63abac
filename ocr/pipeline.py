"""The OCR stage over an archive: clean, read and keep every ingested page, then each original's PDF.

One page is one unit of work, done by :func:`ocr_page` in a worker process: load that page alone
from its original, clean it (:mod:`luutru.ocr.cleanup`), recognise it (:mod:`luutru.ocr.recognize`,
one Tesseract run normally), and write its outputs into its page folder. ``ocr.json``, the page's
provenance, is removed first and written last, so its presence means the page is done with the
settings it records; a run killed at any moment loses only the pages in flight, and the next run
does exactly what is left. When every page of an original is done, its searchable PDF is (re)built.
"""

from __future__ import annotations

import errno
import io
import os
import re
import socket
import sys
import time
from collections.abc import Iterable, Iterator
from dataclasses import asdict, dataclass, field, replace
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

import numpy as np
from PIL import Image
from tqdm import tqdm

from luutru import pagetext
from luutru.archive import (Archive, PageFiles, PageRef, atomic_write_bytes, atomic_write_text,
                            read_json, remove_stale_temp_files, write_json)
from luutru.ocr.alto import InvalidAlto, finish_alto
from luutru.ocr.cleanup import CleanupOptions, CleanupResult, StepRecord, clean_page
from luutru.ocr.engine import TesseractFailed, engine_name, page_image, tesseract_version
from luutru.ocr.executors import Executor, local_executor
from luutru.ocr.marks import mark_page, marks_current
from luutru.ocr.models import DEFAULT_MODEL, ModelLocation, locate
from luutru.ocr.pdf import archive_pdf_page, build_document_pdf, made_faithfully
from luutru.ocr.recognize import Recognition, recognize
from luutru.ocr.runlock import ocr_run_lock
from luutru.ocr.textlayer import read_text_layer
from luutru.pageimage import BadInput, load_page, pdf_page_is_born_digital
from luutru.textnorm import nfc

# The version of the code that makes a page's text (loading, clean-up, recognition), recorded in
# each page's settings: bump it when that code changes what a page reads as, and `luutru ocr` reads
# pages made by older code again without --redo. 2: PDF scans decoded as stored, Tesseract kept
# in-process (tesserocr, libtesseract 5.5), the page number of continuation pages read.
# 3: born-digital PDF pages read from their own text layer; tiny text upscaled by its height.
# 4: the page's lines written with their word boxes (lines.json, luutru.pagetext): pages read
# before are read again, since the other stages take the lines from that file alone.
PIPELINE_VERSION = 4
TEXT_LAYER_STEP = StepRecord("text-layer", {"source": "pdftotext -bbox-layout"},
                             {"born_digital": True, "ocr": False}, 0.0)
PROVENANCE = PageFiles.PROVENANCE
OUTPUT_FILES = PageFiles.OUTPUTS
# marks.json (+ mark-N.png crops): the stamps found on the page (luutru.ocr.marks), written
# before ocr.json
# Pages below these are flagged for a person to review (a warning, never an error).
LOW_QUALITY = 0.80          # share of tokens that are valid Vietnamese syllables
LOW_CONFIDENCE = 60.0       # Tesseract's mean word confidence, 0..100
PNG_COMPRESS_LEVEL = 3


@dataclass(frozen=True)
class OcrOptions:
    """How pages are read; everything here is recorded in each page's provenance."""

    cleanup: CleanupOptions = field(default_factory=CleanupOptions)
    debug_images: bool = False           # keep clean-up intermediates in the page's debug/
    tesseract_config: str = ""           # extra Tesseract arguments

    def settings(self, model: ModelLocation) -> dict[str, Any]:
        """What decides a page's reading: a page read with other settings is read again."""
        return {"pipeline": PIPELINE_VERSION, "model": model.name, "model_sha256": model.sha256,
                "lang": model.lang, "cleanup_disabled": sorted(self.cleanup.disabled),
                "binarize_method": self.cleanup.binarize_method,
                "target_dpi": self.cleanup.target_dpi, "min_dpi": self.cleanup.min_dpi,
                "tesseract_config": self.tesseract_config}


@dataclass
class PageOutcome:
    page: str                            # PageRef key "sha:index"
    status: str                          # "done" | "skipped" | "failed"
    reason: str | None = None            # failed: machine code
    message: str | None = None           # failed: for people
    warnings: list[str] = field(default_factory=list)
    seconds: float = 0.0
    peak_rss_kb: int = 0                 # of the process that read the page
    peak_tesseract_rss_kb: int = 0       # of the largest Tesseract it ran (upper bound: Linux
                                         # counts the parent's pages at fork in the child)


@dataclass
class DocumentsBuilt:
    """Document PDFs an executor built elsewhere (a Celery worker), yielded among the pages'
    outcomes: the entries :func:`build_document_pdfs` returns."""

    entries: list[dict[str, Any]]


@dataclass
class OcrReport:
    model: str
    done: list[str] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)
    failed: list[dict[str, Any]] = field(default_factory=list)
    warnings: list[dict[str, str]] = field(default_factory=list)
    documents: list[dict[str, Any]] = field(default_factory=list)
    seconds: float = 0.0
    peak_rss_kb: int = 0                 # largest of any process that read a page
    peak_tesseract_rss_kb: int = 0

    def add(self, outcome: PageOutcome, source: str | None) -> None:
        self.peak_rss_kb = max(self.peak_rss_kb, outcome.peak_rss_kb)
        self.peak_tesseract_rss_kb = max(self.peak_tesseract_rss_kb, outcome.peak_tesseract_rss_kb)
        if outcome.status == "failed":
            self.failed.append({"page": outcome.page, "source": source,
                                "reason": outcome.reason, "message": outcome.message})
            return
        (self.done if outcome.status == "done" else self.skipped).append(outcome.page)
        self.warnings += [{"page": outcome.page, "source": source, "warning": w}
                          for w in outcome.warnings]

    def add_documents(self, built: list[dict[str, Any]]) -> None:
        """Document PDFs made, or (a full disk) not made: those are failures a person must see."""
        for entry in built:
            if "failed" in entry:
                self.failed.append({"page": f"{entry['original']}:pdf", "source": entry["source"],
                                    "reason": entry["failed"],
                                    "message": f"PDF tài liệu chưa tạo được: {entry['message']}"})
            else:
                self.documents.append(entry)

    @property
    def exit_code(self) -> int:
        """2 when some page could not be read (a person should look), else 0."""
        return 2 if self.failed else 0

    def summary_text(self) -> str:
        """For people (archivists read Vietnamese)."""
        lines = [f"OCR (mô hình {self.model}): {len(self.done)} trang đã đọc, "
                 f"{len(self.skipped)} trang đã có sẵn, {len(self.failed)} trang lỗi, "
                 f"{len(self.warnings)} cảnh báo; {len(self.documents)} PDF tài liệu được tạo."]
        lines += [f"  lỗi {f['source']} trang {f['page'].split(':')[1]}: {f['reason']} — "
                  f"{f['message']}" for f in self.failed]
        lines += [f"  cần xem lại {w['source']} trang {w['page'].split(':')[1]}: {w['warning']}"
                  for w in self.warnings]
        return "\n".join(lines)

    def to_json(self) -> dict[str, Any]:
        return {"model": self.model, "pages_done": len(self.done),
                "pages_skipped": len(self.skipped), "pages_failed": len(self.failed),
                "failed": self.failed, "warnings": self.warnings, "documents": self.documents,
                "seconds": round(self.seconds, 2), "peak_rss_mb": round(self.peak_rss_kb / 1024, 1),
                "peak_tesseract_rss_mb": round(self.peak_tesseract_rss_kb / 1024, 1)}


# --- one page -----------------------------------------------------------------------------------

def is_current(page_dir: Path, settings: dict[str, Any]) -> bool:
    """True when the page was read to completion with exactly these settings."""
    try:
        return read_json(page_dir / PROVENANCE).get("settings") == settings
    except (OSError, ValueError):
        return False


def ocr_page(archive: Archive, ref: PageRef, options: OcrOptions, model: ModelLocation,
             redo: bool = False) -> PageOutcome:
    """Read one page into its page folder; never raises for a bad page (the outcome says why)."""
    started = time.monotonic()
    page_dir = archive.page_dir(ref)
    settings = options.settings(model)
    if not redo and is_current(page_dir, settings) and marks_current(page_dir):
        return PageOutcome(ref.key, "skipped")
    try:
        if not redo and is_current(page_dir, settings):      # read before stamps were looked for
            outcome = _add_marks(archive, ref, page_dir, model)
        else:
            outcome = _read_page(archive, ref, page_dir, options, model, settings)
    except BadInput as error:
        outcome = PageOutcome(ref.key, "failed", error.reason, error.message)
    except TesseractFailed as error:
        outcome = PageOutcome(ref.key, "failed", "tesseract-failed", str(error))
    except InvalidAlto as error:
        outcome = PageOutcome(ref.key, "failed", "invalid-alto", str(error))
    except Exception as error:  # noqa: BLE001 — one bad page must not stop the batch
        outcome = PageOutcome(ref.key, "failed", *_unexpected(error))
    outcome.seconds = time.monotonic() - started
    outcome.peak_rss_kb, outcome.peak_tesseract_rss_kb = _peak_rss_kb()
    return outcome


def _unexpected(error: Exception) -> tuple[str, str]:
    """Reason and message of an unforeseen failure; a full disk is said as such."""
    if getattr(error, "errno", None) in (errno.ENOSPC, errno.EDQUOT):
        return "disk-full", f"Ổ đĩa của kho lưu trữ đã đầy ({error}); giải phóng chỗ trống rồi chạy lại."
    return "ocr-error", f"{type(error).__name__}: {error}"


@dataclass(frozen=True)
class PageJob:
    """What reading any page of one batch takes, handed to an executor (:mod:`luutru.ocr.executors`).

    Picklable for a local worker process; a distributed executor sends its parts as JSON and the
    worker rebuilds it with its own archive path and its own (checked) copy of the model.
    """

    root: str                            # the archive, as the process that reads sees it
    options: OcrOptions
    model: ModelLocation
    redo: bool = False

    def read(self, ref: PageRef) -> PageOutcome:
        return ocr_page(Archive(self.root), ref, self.options, self.model, self.redo)

    def already_read(self, ref: PageRef) -> bool:
        """True when the page is read with these settings (:meth:`read` reads it no more, but
        may still look for its stamps: see :meth:`nothing_to_do`)."""
        return not self.redo and is_current(Archive(self.root).page_dir(ref),
                                            self.options.settings(self.model))

    def nothing_to_do(self, ref: PageRef) -> bool:
        """True when :meth:`read` would do nothing: the page is read and its stamps looked for."""
        return self.already_read(ref) and marks_current(Archive(self.root).page_dir(ref))

    def build_documents(self, originals: list[str]) -> list[dict[str, Any]]:
        """The PDFs of ``originals`` whose pages are all read (:func:`build_document_pdfs`)."""
        return build_document_pdfs(Archive(self.root), originals, self.model, self.options)


def _read_page(archive: Archive, ref: PageRef, page_dir: Path, options: OcrOptions,
               model: ModelLocation, settings: dict[str, Any]) -> PageOutcome:
    timings: dict[str, float] = {}
    clock = time.monotonic()
    (page_dir / PROVENANCE).unlink(missing_ok=True)   # from here on the page is not done
    for name in (*OUTPUT_FILES, PROVENANCE):          # what a killed run was writing
        remove_stale_temp_files(page_dir / name)
    record = archive.page_record(ref)
    original = archive.stored_original(ref.sha256)
    image = page_array(load_page(original, record["format"], ref.index, record.get("dpi")))
    clock = _lap(timings, "load", clock)
    if record["format"] == "pdf" and pdf_page_is_born_digital(original, ref.index):
        cleaned = CleanupResult(image, int(record["dpi"]), steps=[TEXT_LAYER_STEP])
        mark_page(image, cleaned.dpi, page_dir, 0, model.lang, _tessdata(model))   # stamps
        recognition = read_text_layer(original, ref.index, cleaned.dpi)     # no OCR: its own text
        clock = _lap(timings, "recognize", clock)
    else:
        cleanup = replace(options.cleanup, debug_dir=page_dir / "debug" if options.debug_images else None)
        cleaned = clean_page(image, int(record["dpi"]), cleanup)
        clock = _lap(timings, "cleanup", clock)
        # secrecy/urgency stamps, read on the page as scanned (before seal and box removal)
        mark_page(image, int(record["dpi"]), page_dir, cleaned.rotation, model.lang, _tessdata(model))
        del image
        clock = _lap(timings, "marks", clock)
        recognition = recognize(cleaned.image, cleaned.dpi, lang=model.lang,
                                tessdata_dir=str(model.tessdata_dir) if model.tessdata_dir else None,
                                config=options.tesseract_config)
        clock = _lap(timings, "recognize", clock)
    _write_outputs(page_dir, cleaned.image, cleaned.dpi, recognition)
    _lap(timings, "write", clock)
    warnings = page_warnings(recognition)
    write_json(page_dir / PROVENANCE, _provenance(ref, settings, model, cleaned, recognition,
                                                  warnings, timings))
    return PageOutcome(ref.key, "done", warnings=warnings)


def _add_marks(archive: Archive, ref: PageRef, page_dir: Path,
               model: ModelLocation) -> PageOutcome:
    """Look for stamps on a page read before they were looked for, without reading it again."""
    record = archive.page_record(ref)
    image = page_array(load_page(archive.stored_original(ref.sha256),
                                 record["format"], ref.index, record.get("dpi")))
    rotation = int((read_json(page_dir / PROVENANCE).get("cleanup") or {}).get("rotation") or 0)
    mark_page(image, int(record["dpi"]), page_dir, rotation, model.lang, _tessdata(model))
    return PageOutcome(ref.key, "skipped")


def _tessdata(model: ModelLocation) -> str | None:
    return str(model.tessdata_dir) if model.tessdata_dir else None


def page_array(image: Image.Image) -> np.ndarray:
    """A decoded page as OpenCV wants it: grey stays grey (1 channel), colour becomes BGR."""
    if image.mode in ("I;16", "I;16B", "I;16L"):     # 16-bit grey scans: keep the top 8 bits
        return (np.asarray(image, dtype=np.uint16) >> 8).astype(np.uint8)
    if image.mode in ("1", "L", "LA", "I", "F"):
        return np.asarray(image.convert("L"))
    return np.asarray(image.convert("RGB"))[:, :, ::-1].copy()


def _write_outputs(page_dir: Path, image: np.ndarray, dpi: int, recognition: Recognition) -> None:
    files = PageFiles(page_dir)
    atomic_write_bytes(files.clean, png_bytes(image, dpi))
    atomic_write_text(files.text, nfc(recognition.text).rstrip("\n") + "\n")
    atomic_write_bytes(files.lines, pagetext.encode(page_text(recognition, image)))
    atomic_write_bytes(files.hocr, finish_hocr(recognition.hocr, files.CLEAN))
    atomic_write_bytes(files.alto, finish_alto(recognition.alto, files.CLEAN))
    atomic_write_bytes(files.pdf, recognition.pdf)


def page_text(recognition: Recognition, image: np.ndarray) -> pagetext.PageText:
    """The lines of the page's text with their words' boxes on ``image`` (the page read); each
    word knows the line of the text it is on."""
    lines: dict[int, list[pagetext.Word]] = {}
    for word in recognition.words:
        lines.setdefault(word.line, []).append(pagetext.Word(nfc(word.text), word.bbox, word.conf))
    return pagetext.PageText([pagetext.Line(tuple(words)) for _, words in sorted(lines.items())],
                             (image.shape[1], image.shape[0]))


def png_bytes(image: np.ndarray, dpi: int) -> bytes:
    """The cleaned page as PNG; a bitonal page as 1-bit (a tenth of the size, the same pixels).

    zlib level 3: a 1-bit A4 page at 300 dpi in 0.045 CPU s instead of 0.062 (level 6), for
    ~13 % more bytes (100 kB instead of 88 kB).
    """
    clean = page_image(image)
    buffer = io.BytesIO()
    clean.save(buffer, format="PNG", dpi=(dpi, dpi), compress_level=PNG_COMPRESS_LEVEL)
    return buffer.getvalue()


_HOCR_IMAGE = re.compile(r'image "[^"]*"')


def finish_hocr(hocr: bytes, image_name: str) -> bytes:
    """hOCR text in NFC, naming the kept image instead of Tesseract's temporary file."""
    text = _HOCR_IMAGE.sub(f'image "{image_name}"', nfc(hocr.decode("utf-8")), count=1)
    return text.encode("utf-8")


def page_warnings(recognition: Recognition) -> list[str]:
    warnings = []
    if recognition.quality < LOW_QUALITY:
        warnings.append(f"low-quality: {recognition.quality:.2f} of words are Vietnamese syllables")
    if recognition.mean_conf < LOW_CONFIDENCE:
        warnings.append(f"low-confidence: mean word confidence {recognition.mean_conf:.0f}")
    if not recognition.text.strip():
        warnings.append("no-text: nothing was read on this page")
    return warnings


def _provenance(ref: PageRef, settings: dict[str, Any], model: ModelLocation, cleaned: Any,
                recognition: Recognition, warnings: list[str],
                timings: dict[str, float]) -> dict[str, Any]:
    return {
        "page": ref.key, "original": ref.sha256, "index": ref.index,
        "settings": settings,
        "tesseract_version": tesseract_version(), "tesseract_engine": engine_name(),
        "model": {"name": model.name, "lang": model.lang, "sha256": model.sha256},
        "cleanup": {"dpi": cleaned.dpi, "rotation": cleaned.rotation,
                    "skew": round(float(cleaned.skew), 3),
                    "steps": [asdict(step) for step in cleaned.steps]},
        "psm": recognition.psm, "attempts": recognition.attempts,
        "page_number": recognition.page_number,
        "mean_conf": round(recognition.mean_conf, 2), "quality": round(recognition.quality, 4),
        "word_count": len(recognition.words), "char_count": len(recognition.text),
        "warnings": warnings,
        "timings": {name: round(seconds, 3) for name, seconds in timings.items()},
        "outputs": list(OUTPUT_FILES),
        "worker": {"host": socket.gethostname(), "pid": os.getpid()},   # which process read it
        "done_at": datetime.now(timezone.utc).isoformat(timespec="seconds"),
    }


def _lap(timings: dict[str, float], name: str, since: float) -> float:
    now = time.monotonic()
    timings[name] = now - since
    return now


def _peak_rss_kb() -> tuple[int, int]:
    """Peak resident memory (kB) of this process and of the largest child it ran (Tesseract)."""
    try:
        import resource
    except ImportError:  # not on every platform
        return 0, 0
    return (int(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss),
            int(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss))


# --- the archive --------------------------------------------------------------------------------

def ocr_archive(archive: Archive, *, redo: bool = False, jobs: int = 1,
                options: OcrOptions | None = None, model: str = DEFAULT_MODEL,
                progress: bool = False, pages: Iterable[PageRef] | None = None,
                executor: Executor | None = None) -> OcrReport:
    """Read every ingested page not yet read with these settings, and each original's PDF.

    ``pages``: the pages to read, taken as they come (an ingest still storing them, say); by
    default every page in the archive. An original's searchable PDF is built as soon as its last
    page is read, while the workers go on with other pages, not all at the end.
    ``executor``: who reads the pages (:mod:`luutru.ocr.executors`); by default this machine,
    in ``jobs`` processes.
    Raises :class:`luutru.ocr.models.ModelMissing` before any work when the model is absent.
    """
    started = time.monotonic()
    options = options or OcrOptions()
    location = locate(model)
    report = OcrReport(model=model)
    streamed = pages is not None             # the total grows as pages come
    refs = pages if streamed else list(archive.iter_page_refs())
    last_pages = _LastPages()
    executor = executor or local_executor(jobs)
    job = PageJob(str(archive.root), options, location, redo)
    with ocr_run_lock(archive), \
            tqdm(total=0 if streamed else len(refs), desc=executor.label, unit="trang",
                 disable=not progress, file=sys.stderr) as bar:
        def handed_over(refs: Iterable[PageRef]) -> Iterator[PageRef]:
            for ref in refs:
                last_pages.expect(ref)
                if streamed:
                    bar.total += 1
                    bar.refresh()
                yield ref

        for outcome in executor.map(job, handed_over(refs)):
            if isinstance(outcome, DocumentsBuilt):          # built by a worker, sent earlier
                report.add_documents(outcome.entries)
                continue
            report.add(outcome, _page_source(archive, outcome.page))
            report.add_documents(executor.build_documents(job, last_pages.finished(outcome.page)))
            bar.update()
    report.seconds = time.monotonic() - started
    return report


class _LastPages:
    """Tells when the last of an original's pages handed to the executor comes back: then its
    PDF is built (by the executor: here, or by a worker).

    A count that drops to zero early (the next pages of the original not handed over yet) only
    costs a look: :func:`build_document_pdfs` builds nothing until every page is read.
    """

    def __init__(self) -> None:
        self.outstanding: dict[str, int] = {}

    def expect(self, ref: PageRef) -> None:
        self.outstanding[ref.sha256] = self.outstanding.get(ref.sha256, 0) + 1

    def finished(self, key: str) -> list[str]:
        """The original of page ``key`` if that was its last page out, else nothing."""
        sha = PageRef.parse(key).sha256
        self.outstanding[sha] -= 1
        return [] if self.outstanding[sha] else [sha]


def _page_source(archive: Archive, key: str) -> str | None:
    try:
        return archive.page_record(PageRef.parse(key)).get("source")
    except (OSError, ValueError):
        return None


# --- documents ----------------------------------------------------------------------------------

def build_document_pdfs(archive: Archive, originals: Iterable[str], model: ModelLocation,
                        options: OcrOptions) -> list[dict[str, Any]]:
    """(Re)build the searchable PDF of each original whose pages are all read and newer than it."""
    built = []
    settings = options.settings(model)
    for sha in sorted(originals):
        page_dirs = [archive.page_dir(ref) for ref in archive.iter_page_refs(sha)]
        if not page_dirs or not all(is_current(d, settings) for d in page_dirs):
            continue
        target = archive.document_pdf_path(sha)
        newest = max(PageFiles(d).pdf.stat().st_mtime_ns for d in page_dirs)
        if (target.exists() and target.stat().st_mtime_ns >= newest
                and made_faithfully(target)):
            continue
        title = _source_path(archive, sha)
        pages = [archive_pdf_page(archive, ref) for ref in archive.iter_page_refs(sha)]
        try:
            result = build_document_pdf(pages, target, title=title)
        except OSError as error:  # a full disk: the pages are kept, the PDF is made next run
            built.append(document_failed(archive, sha, *_unexpected(error)))
            continue
        built.append({"original": sha, "source": title, "path": str(target),
                      "pages": result.pages, "pdfa": result.pdfa, "problems": result.problems})
    return built


def document_failed(archive: Archive, sha: str, reason: str, message: str) -> dict[str, Any]:
    """The entry of a document PDF not made (the report lists it for a person)."""
    return {"original": sha, "source": _source_path(archive, sha),
            "path": str(archive.document_pdf_path(sha)), "failed": reason, "message": message}


def _source_path(archive: Archive, sha: str) -> str | None:
    try:
        return (archive.original_record(sha).get("source") or {}).get("path")
    except (OSError, ValueError):
        return None
