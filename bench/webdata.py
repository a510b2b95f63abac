"""A large archive on disk for the reading-room benchmark, shaped like one ``luutru run`` makes.

The reading room reads the record, so the benchmark needs the record: catalogue XML written by
luutru's own writer (validated against the schema), ``pages/<sha>/<NNNN>/`` with ``page.json``,
``text.txt`` and a ``lines.json`` whose words are the text's words with boxes, ``clean.png``
(hard links to a few real rendered page images: the image work per request is real, the disk is
not spent), ``originals/<aa>/<sha>.json`` records and ``documents/<sha>.pdf``. Texts and fields
come from the search benchmark's :func:`synthetic_docs` (``luutru.samples.documents``), so both
benchmarks measure the same vocabulary. The index is then built by the real ``reindex``.

Bench data, not a record: page files are written plainly (no fsync per file), so an interrupted
run is redone from scratch (the stamp is written last).
"""

from __future__ import annotations

import errno
import hashlib
import itertools
import os
import random
import shutil
import sys
import time
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path

from luutru import pagetext
from luutru.archive import Archive, PageRef, dump_json, read_json, write_json
from luutru.catalog.model import (ACCESS_PUBLIC, ACCESS_RESTRICTED, INVENTORY, FieldValue,
                                  FileRecord, Fonds, Item)
from luutru.catalog.record import write_fonds
from luutru.index.model import ItemDoc, PageDoc
from luutru.samples import vocab
from luutru.samples.render import Line, render_lines

sys.path.insert(0, str(Path(__file__).resolve().parent))
from search import synthetic_docs  # noqa: E402  (the search benchmark's generator, one source)

GENERATOR_VERSION = 2      # 2: pages carry lines.json (word boxes), not ocr.hocr
STAMP = "bench-web-stamp.json"
DPI = 300
PAGE_W, PAGE_H = 2480, 3508          # A4 at 300 dpi, as the demo's scans
WORDS_PER_LINE = 11
RESTRICTED_FILE_SHARE = 0.04         # hồ sơ with access "Hạn chế" (their items need clearance Mật)
CITING_SHARE = 0.25                  # items citing one or two earlier items
MAX_LINKS = 60_000                   # ext4 allows 65,000 hard links to one inode


@dataclass
class GenerationReport:
    pages: int
    items: int
    files: int
    fonds: int
    classified_items: int
    restricted_files: int
    generate_s: float
    index_s: float
    disk_bytes: int
    index_bytes: int


def stamp_matches(work: Path, params: dict) -> bool:
    path = work / STAMP
    return path.exists() and read_json(path).get("params") == params


def load_report(work: Path) -> GenerationReport:
    return GenerationReport(**read_json(work / STAMP)["report"])


# --- images and PDFs shared by hard links ----------------------------------------------------

class LinkPool:
    """Hands out hard links to one master file, making a fresh copy before the link limit."""

    def __init__(self, master: Path):
        self.master = master
        self.current = master
        self.copies = 0
        self.links = 0

    def link(self, target: Path) -> None:
        if self.links >= MAX_LINKS:
            self._next_copy()
        try:
            os.link(self.current, target)
        except OSError as exc:
            if exc.errno != errno.EMLINK:
                raise
            self._next_copy()
            os.link(self.current, target)
        self.links += 1

    def _next_copy(self) -> None:
        self.copies += 1
        self.current = self.master.with_name(f"{self.master.stem}-{self.copies}{self.master.suffix}")
        shutil.copyfile(self.master, self.current)
        self.links = 0


def make_masters(directory: Path, sample_text: str) -> tuple[Path, Path]:
    """One real page image (A4, 300 dpi, Vietnamese text) and a 5-page PDF made of it."""
    directory.mkdir(parents=True, exist_ok=True)
    lines = [Line("ĐẢNG CỘNG SẢN VIỆT NAM", None, "serif-bold")]
    for paragraph in sample_text.splitlines()[:12]:
        words = paragraph.split()
        lines += [" ".join(words[i:i + WORDS_PER_LINE]) for i in range(0, len(words), WORDS_PER_LINE)]
    image = render_lines(lines[:60], dpi=DPI)
    png = directory / "clean.png"
    image.save(png, optimize=True)
    pdf = directory / "original.pdf"
    image.save(pdf, save_all=True, append_images=[image] * 4, resolution=DPI)
    return png, pdf


# --- one page's files -------------------------------------------------------------------------

def wrap(text: str) -> list[list[str]]:
    """The page text as OCR lines of words (as Tesseract would give them)."""
    lines = []
    for paragraph in text.splitlines():
        words = paragraph.split()
        lines += [words[i:i + WORDS_PER_LINE] for i in range(0, len(words), WORDS_PER_LINE)]
    return lines


def page_lines(lines: list[list[str]]) -> bytes:
    """The page's ``lines.json`` (as the OCR stage writes it): ``lines`` with plausible boxes."""
    step = min(80, (PAGE_H - 500) // max(1, len(lines)))
    read, word_no = [], 0
    for n, words in enumerate(lines, start=1):
        y0 = 300 + (n - 1) * step
        y1 = y0 + min(50, step - 4)
        x = 290
        boxed = []
        for word in words:
            width = 30 * len(word) + 10
            word_no += 1
            boxed.append(pagetext.Word(word, (x, y0, x + width, y1), 88 + (word_no * 7) % 12))
            x += width + 20
        read.append(pagetext.Line(tuple(boxed)))
    return pagetext.encode(pagetext.PageText(read, (PAGE_W, PAGE_H)))


def ocr_record(sha: str, index: int, lines: list[list[str]]) -> dict:
    """The OCR provenance a page gets (the keys the stages read; the figures made up)."""
    words = sum(len(ws) for ws in lines)
    return {"attempts": [], "char_count": sum(len(w) + 1 for ws in lines for w in ws),
            "done_at": "2026-01-01T00:00:00+00:00", "index": index, "mean_conf": 92.0,
            "original": sha, "outputs": ["text.txt", "lines.json"], "page": f"{sha}:{index}",
            "psm": 4, "quality": 1.0, "tesseract_version": "5.3.0", "warnings": [],
            "word_count": words}


def write_page(page_dir: Path, page: PageDoc, sha: str, page_count: int, source: str,
               images: LinkPool) -> None:
    page_dir.mkdir(parents=True)
    lines = wrap(page.text)
    record = {"dpi": DPI, "dpi_estimated": False, "file": page.file, "fonds": page.fonds,
              "format": "pdf", "has_text": False, "height": PAGE_H, "index": page.page,
              "mode": "L", "original": sha, "page_count": page_count, "source": source,
              "width": PAGE_W}
    (page_dir / "page.json").write_text(dump_json(record), encoding="utf-8")
    (page_dir / "text.txt").write_text("\n".join(" ".join(ws) for ws in lines) + "\n",
                                       encoding="utf-8")
    (page_dir / "lines.json").write_bytes(page_lines(lines))
    (page_dir / "ocr.json").write_text(dump_json(ocr_record(sha, page.page, lines)),
                                       encoding="utf-8")
    images.link(page_dir / "clean.png")


def write_original(archive: Archive, sha: str, source: str, fonds: str, file: str,
                   page_count: int, pdfs: LinkPool) -> None:
    """The original's record (and its bytes: a shared 5-page PDF), and its searchable PDF."""
    stored = archive.original_path(sha, ".pdf")
    stored.parent.mkdir(parents=True, exist_ok=True)
    pdfs.link(stored)
    pdfs.link(archive.document_pdf_path(sha))
    record = {"also_seen_as": [], "bad_pages": [], "format": "pdf", "has_text": False,
              "ingested_at": "2026-01-01T00:00:00Z", "media_type": "application/pdf",
              "page_count": page_count, "pages": list(range(1, page_count + 1)), "sha256": sha,
              "size": stored.stat().st_size,
              "source": {"file": file, "fonds": fonds, "path": source},
              "stored_as": stored.name}
    archive.original_record_path(sha).write_text(dump_json(record), encoding="utf-8")


# --- the catalogue --------------------------------------------------------------------------------

def _fv(value, confidence: float = 0.95, review: bool = False) -> FieldValue:
    return FieldValue(value, confidence=confidence, pages=[1], review=review)


def catalogue_item(doc: ItemDoc, sha: str, source: str, rng: random.Random) -> Item:
    fields = {"so_ky_hieu": _fv(doc.so_ky_hieu), "loai_van_ban": _fv(doc.loai_van_ban),
              "ngay_ban_hanh": _fv(doc.ngay_ban_hanh),
              "co_quan_ban_hanh": _fv(doc.co_quan_ban_hanh, 0.9),
              "trich_yeu": _fv(doc.trich_yeu, 0.9, review=rng.random() < 0.1),
              "ngon_ngu": FieldValue("Tiếng Việt")}
    if doc.do_mat:
        fields["do_mat"] = _fv(doc.do_mat)
    pages = [f"{sha}:{n}" for n in range(1, len(doc.page_keys) + 1)]
    return Item(id=f"vb-{sha[:16]}-0001", fonds_code=doc.fonds, file_code=doc.file, source=source,
                first_page=1, last_page=len(pages), pages=pages, fields=fields)


def link_citations(items: list[Item], rng: random.Random) -> None:
    """A quarter of the items cite one or two earlier items (both directions, as the catalogue)."""
    for n, item in enumerate(items[1:], start=1):
        if rng.random() < CITING_SHARE:
            for target in (items[i] for i in {rng.randrange(0, n) for _ in range(rng.choice((1, 2)))}):
                item.cites.append(target.id)
                target.cited_by.append(item.id)
                cited = item.fields.setdefault("so_ky_hieu_trich_dan", _fv([]))
                cited.value.append(target.value("so_ky_hieu"))


def write_catalogue(archive: Archive, items: list[Item], rng: random.Random) -> tuple[int, int]:
    """One XML per fonds through luutru's writer (validated); returns (hồ sơ, restricted hồ sơ)."""
    files: dict[tuple[str, str], FileRecord] = {}
    by_fonds: dict[str, list[FileRecord]] = defaultdict(list)
    restricted = 0
    for item in items:
        key = (item.fonds_code, item.file_code)
        if key not in files:
            year = item.file_code.split("-")[1]
            access = ACCESS_RESTRICTED if rng.random() < RESTRICTED_FILE_SHARE else ACCESS_PUBLIC
            restricted += access == ACCESS_RESTRICTED
            files[key] = FileRecord(item.file_code, item.fonds_code, {
                "tieu_de": FieldValue(f"Tập văn bản năm {year}", INVENTORY),
                "thoi_gian_bat_dau": FieldValue(f"{year}-01-01", INVENTORY),
                "thoi_gian_ket_thuc": FieldValue(f"{year}-12-31", INVENTORY),
                "thoi_han_bao_quan": FieldValue("Vĩnh viễn", INVENTORY),
                "muc_do_tiep_can": FieldValue(access, INVENTORY)})
            by_fonds[item.fonds_code].append(files[key])
        files[key].items.append(item)
    for code, records in sorted(by_fonds.items()):
        fonds = Fonds(code, {"ten_phong": FieldValue(vocab.FONDS[code].name(), INVENTORY),
                             "ngon_ngu": FieldValue("Tiếng Việt")},
                      sorted(records, key=lambda r: r.code))
        write_fonds(archive, fonds)
    return len(files), restricted


# --- the whole archive ------------------------------------------------------------------------------

def disk_usage(root: Path) -> int:
    """Bytes on disk, each hard-linked inode counted once."""
    seen, total = set(), 0
    for directory, _dirs, names in os.walk(root):
        for name in names:
            st = os.lstat(os.path.join(directory, name))
            if (st.st_dev, st.st_ino) not in seen:
                seen.add((st.st_dev, st.st_ino))
                total += st.st_blocks * 512
    return total


def refill_empty_index(archive: Archive, progress: bool) -> float | None:
    """A new index format starts empty (``luutru reindex`` fills it): rebuild it from the record
    rather than generate the archive again. Returns the seconds it took, if it had to."""
    from luutru.index.model import SearchRequest
    from luutru.index.update import open_backend, reindex
    with open_backend(archive) as backend:
        if backend.search(SearchRequest("đảng"), suggest=False).total:
            return None
    print("  the search index is empty (a new format?): luutru reindex", file=sys.stderr)
    start = time.perf_counter()
    reindex(archive, progress=progress and sys.stderr.isatty())
    return time.perf_counter() - start


def generate(work: Path, n_pages: int, seed: int = 1, progress: bool = True) -> GenerationReport:
    """The archive ``work/archive`` with ``n_pages`` pages, indexed; reused when the stamp matches."""
    params = {"pages": n_pages, "seed": seed, "version": GENERATOR_VERSION}
    if stamp_matches(work, params):
        report = load_report(work)
        archive = Archive(work / "archive")
        seconds = refill_empty_index(archive, progress)
        if seconds is not None:
            report.index_s = seconds
            report.index_bytes = disk_usage(archive.index_dir)
            write_json(work / STAMP, {"params": params, "report": vars(report)})
        return report
    shutil.rmtree(work / "archive", ignore_errors=True)
    (work / STAMP).unlink(missing_ok=True)
    archive = Archive.open(work / "archive")
    rng = random.Random(seed)
    start = time.perf_counter()
    docs = synthetic_docs(n_pages, seed)
    first_item, first_pages = next(docs)
    png, pdf = make_masters(work / "archive" / "bench-masters", first_pages[0].text)
    images, pdfs = LinkPool(png), LinkPool(pdf)
    items: list[Item] = []
    pages_done = 0
    for doc, pages in itertools.chain([(first_item, first_pages)], docs):
        sha = hashlib.sha256(f"bench-web:{seed}:{doc.id}".encode()).hexdigest()
        source = f"{doc.fonds}/{doc.file}/{doc.id}.pdf"
        for page in pages:
            write_page(archive.page_dir(PageRef(sha, page.page)), page, sha, len(pages), source,
                       images)
        write_original(archive, sha, source, doc.fonds, doc.file, len(pages), pdfs)
        items.append(catalogue_item(doc, sha, source, rng))
        pages_done += len(pages)
        if progress and len(items) % 2000 == 0:
            print(f"  generated {pages_done:,}/{n_pages:,} pages", file=sys.stderr)
    link_citations(items, rng)
    n_files, restricted = write_catalogue(archive, items, rng)
    generate_s = time.perf_counter() - start
    start = time.perf_counter()
    from luutru.index.update import reindex
    reindex(archive, progress=progress and sys.stderr.isatty())
    index_s = time.perf_counter() - start
    report = GenerationReport(
        pages=pages_done, items=len(items), files=n_files, fonds=len({i.fonds_code for i in items}),
        classified_items=sum(1 for i in items if i.value("do_mat")), restricted_files=restricted,
        generate_s=generate_s, index_s=index_s, disk_bytes=disk_usage(archive.root),
        index_bytes=disk_usage(archive.index_dir))
    write_json(work / STAMP, {"params": params, "report": vars(report)})
    return report
