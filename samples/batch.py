"""A scanning batch on disk with its answers: scans, inventory.csv, manifest.csv and truth/.

``make_batch`` writes the layout of ``/work/shared/corpus/README.md``: ``scans/<fonds>/<file>/…``,
and next to the scans folder ``inventory.csv`` (the archivist's list of hồ sơ, an input of
``luutru ingest --inventory``; inside the scans folder ingest would take it for a bad scan),
``manifest.csv`` (one row per page) and ``truth/<doc_id>/page-NNN.txt`` + ``meta.json``, so the
same scorers and the same pipeline run on a generated batch as on the corpus. Same seed, same bytes; files that
already exist are left alone, so running it twice is cheap.
"""

from __future__ import annotations

import csv
import io
import os
import random
import time
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
from PIL import Image

from luutru.archive import atomic_write_bytes, dump_json
from luutru.samples import vocab
from luutru.samples.degrade import SKEW_SPREAD, Degradation, degrade_tier
from luutru.samples.documents import RANDOM, SampleDocument, generate_document
from luutru.samples.render import render_page

FORMATS = ("tif-lzw", "tif-lzw-grey", "tif-g4", "jpg", "png", "pdf", "hs-pdf")
MANIFEST_COLUMNS = ["doc_id", "page_no", "tier", "source", "page_index", "dpi", "rotation", "skew_deg"]
INVENTORY_COLUMNS = ["fonds_code", "fonds_name", "file_code", "file_title", "start_date", "end_date", "pages",
                     "shelf", "retention", "access", "muc_luc"]
_PDF_DATE = time.gmtime(1_704_067_200)  # 2024-01-01        # fixed, so a PDF's bytes depend on the seed only


@dataclass
class DocPlan:
    """How one document of a batch is made and scanned.

    ``fmt``: ``tif-lzw`` (colour multi-page TIFF), ``tif-lzw-grey``, ``tif-g4`` (bitonal CCITT G4),
    ``jpg`` / ``png`` (one file per page), ``pdf`` (image-only PDF of the document) or ``hs-pdf``
    (documents of the same hồ sơ with this format share one image-only PDF, back to back).
    """

    fmt: str = "png"
    tier: str = "t0"
    pages: int | None = 1
    doc_type: str | None = None
    year: int | None = None
    fonds: str | None = None
    file_code: str | None = None
    do_mat: object = None
    do_khan: object = RANDOM
    dpi: int = 200
    rotation: int = 0
    skew_deg: float | None = None
    seal: bool = True
    note: str | None = None
    font: str | None = None


@dataclass
class BatchInfo:
    scans_dir: Path
    truth_dir: Path                               # corpus-style root: manifest.csv and truth/
    manifest: list[dict] = field(default_factory=list)
    documents: dict[str, dict] = field(default_factory=dict)   # doc_id → meta.json content
    files: list[Path] = field(default_factory=list)            # scan files of the batch
    written: list[Path] = field(default_factory=list)          # files this run wrote
    skipped: list[Path] = field(default_factory=list)          # files that were there already

    @property
    def pages(self) -> int:
        return len(self.manifest)

    @property
    def inventory(self) -> Path:
        """The hồ sơ inventory, beside the scans folder as in the corpus (not inside it)."""
        return self.scans_dir.resolve().parent / "inventory.csv"


def default_plans(count: int, seed: int, tiers: tuple[str, ...] = ("t0",), pages: int = 1,
                  dpi: int = 150) -> list[DocPlan]:
    """``count`` small documents in one hồ sơ, cycling through PNG, LZW TIFF and JPEG."""
    year = random.Random(seed).randint(1990, 2023)
    formats = ["png", "tif-lzw", "jpg"]
    return [DocPlan(fmt=formats[i % len(formats)], tier=tiers[i % len(tiers)], pages=pages, year=year,
                    fonds="PHONG-12", file_code=f"HS-{year}-001", dpi=dpi, do_khan=None)
            for i in range(count)]


TIER_DPI = {"t0": (300,), "t1": (300,), "t2": (200, 300), "t3": (150, 200)}
SINGLE_FILE_FORMATS = ("tif-lzw", "tif-lzw-grey", "tif-g4", "jpg", "png", "pdf")


def corpus_plans(count: int, seed: int, tiers: tuple[str, ...] = ("t0", "t1", "t2", "t3")) -> list[DocPlan]:
    """``count`` documents like an evaluation corpus: hồ sơ of 2–5 documents, one in four bound into
    a single PDF, formats mixed, tiers in turn with their resolution, turns on poor scans, notes in
    pen and typewriter type on aged (t3) originals, about one in ten classified."""
    rng = random.Random(f"luutru-corpus:{seed}")
    plans: list[DocPlan] = []
    used: set[tuple[str, str]] = set()
    while len(plans) < count:
        fonds = rng.choice(sorted(vocab.FONDS))
        year = rng.randint(1985, 2023)
        file_code = f"HS-{year}-{rng.randint(1, 40):03d}"
        if (fonds, file_code) in used:
            continue
        used.add((fonds, file_code))
        bundled = rng.random() < 0.25
        for _ in range(min(rng.randint(2, 5), count - len(plans))):
            tier = tiers[len(plans) % len(tiers)]
            plans.append(DocPlan(
                fmt="hs-pdf" if bundled else rng.choice(SINGLE_FILE_FORMATS), tier=tier, pages=None,
                year=year, fonds=fonds, file_code=file_code, do_mat=RANDOM, dpi=rng.choice(TIER_DPI[tier]),
                rotation=rng.choice([0, 0, 0, 90, 180, 270]) if tier == "t2" else 0,
                note=rng.choice(vocab.NOTES) if tier == "t3" and rng.random() < 0.6 else None,
                font="mono" if tier == "t3" and year < 1995 else None))
    return plans


def make_batch(outdir: Path | str, seed: int = 0, documents: int | list[DocPlan] = 3,
               tiers: tuple[str, ...] = ("t0",), *, pages: int = 1, dpi: int = 150,
               truth_dir: Path | str | None = None) -> BatchInfo:
    """Write a batch of scans to ``outdir`` and its answers to ``truth_dir`` (default: outdir's parent).

    ``documents`` is a number of small documents (``pages`` pages each, at ``dpi``, tiers in turn)
    or an explicit list of :class:`DocPlan`.
    """
    scans = Path(outdir)
    truth = Path(truth_dir) if truth_dir is not None else scans.resolve().parent
    plans = documents if isinstance(documents, list) else default_plans(documents, seed, tiers, pages, dpi)
    info = BatchInfo(scans, truth)
    generated = [(f"sample-{i:04d}", plan, _generate(plan, seed, i)) for i, plan in enumerate(plans, 1)]
    bundles: dict[Path, list[tuple[str, DocPlan, SampleDocument]]] = {}
    for number, (doc_id, plan, doc) in enumerate(generated, 1):
        folder = scans / doc.meta["fonds_code"] / doc.meta["file_code"]
        if plan.fmt == "hs-pdf":
            bundles.setdefault(folder / f"{doc.meta['file_code']}.pdf", []).append((doc_id, plan, doc))
        else:
            _write_document(info, folder, f"doc-{number:04d}", doc_id, plan, doc, seed)
    for path, members in bundles.items():
        _write_bundle(info, path, members, seed)
    info.manifest.sort(key=lambda row: (row["doc_id"], row["page_no"]))
    _write_answers(info, generated)
    return info


def _generate(plan: DocPlan, seed: int, index: int) -> SampleDocument:
    if plan.fmt not in FORMATS:
        raise ValueError(f"unknown format {plan.fmt!r}; one of {', '.join(FORMATS)}")
    rng = random.Random(f"luutru-samples:{seed}:{index}")
    doc = generate_document(rng, doc_type=plan.doc_type, year=plan.year, fonds=plan.fonds, file=plan.file_code,
                            do_mat=plan.do_mat, do_khan=plan.do_khan, pages=plan.pages, font=plan.font)
    doc.meta["tier"] = plan.tier
    doc.meta["handwritten_notes"] = [plan.note] if plan.note else []
    return doc


def page_geometry(plan: DocPlan, seed: int, index: int, n_pages: int) -> list[Degradation]:
    """Skew and turn of each page, drawn up front so a skipped file's manifest rows need no rendering."""
    rng = random.Random(f"luutru-geometry:{seed}:{index}")
    spread = SKEW_SPREAD.get(plan.tier, 0.0)
    return [Degradation(round(plan.skew_deg if plan.skew_deg is not None else rng.uniform(-spread, spread), 2),
                        plan.rotation) for _ in range(n_pages)]


def _scan_pages(doc: SampleDocument, plan: DocPlan, seed: int, index: int,
                geometry: list[Degradation]) -> list[Image.Image]:
    """Render and degrade every page (the seal on the signature page, the note on page 1)."""
    rng = np.random.default_rng([seed, index])
    images = []
    for page_no, record in enumerate(geometry, 1):
        image, _ = render_page(doc, page_no, plan.dpi, seal=plan.seal and page_no == len(geometry),
                               note=plan.note if page_no == 1 else None, seed=seed + index)
        image, _ = degrade_tier(image, plan.tier, plan.dpi, rng, skew_deg=record.skew_deg,
                                rotation=record.rotation)
        images.append(image)
    return images


def _doc_index(doc_id: str) -> int:
    return int(doc_id.rsplit("-", 1)[1])


def _write_document(info: BatchInfo, folder: Path, stem: str, doc_id: str, plan: DocPlan,
                    doc: SampleDocument, seed: int) -> None:
    n = len(doc.pages)
    per_page = plan.fmt in ("jpg", "png")
    if per_page:
        paths = [folder / f"{stem}_p{p:03d}.{plan.fmt}" for p in range(1, n + 1)]
    else:
        paths = [folder / f"{stem}.{'pdf' if plan.fmt == 'pdf' else 'tif'}"]
    info.files.extend(paths)
    todo = [path for path in paths if not path.exists()]
    info.skipped.extend(path for path in paths if path.exists())
    records = page_geometry(plan, seed, _doc_index(doc_id), n)
    if todo:
        images = _scan_pages(doc, plan, seed, _doc_index(doc_id), records)
        if per_page:
            for path, image in zip(paths, images):
                if path in todo:
                    _publish(path, encode_page(image, plan.fmt, plan.dpi))
        else:
            _publish(paths[0], encode_multipage(images, plan.fmt, plan.dpi))
        info.written.extend(todo)
    for page_no, record in enumerate(records, 1):
        path, index = (paths[page_no - 1], 1) if per_page else (paths[0], page_no)
        _add_page(info, doc_id, page_no, plan, path, index, record)
    doc.meta.update(source=paths[0].relative_to(info.scans_dir).as_posix(), first_page=1,
                    last_page=1 if per_page else n)


def _write_bundle(info: BatchInfo, path: Path, members, seed: int) -> None:
    """Several documents of one hồ sơ in a single image-only PDF, back to back."""
    info.files.append(path)
    images, position = [], 0
    exists = path.exists()
    for doc_id, plan, doc in members:
        records = page_geometry(plan, seed, _doc_index(doc_id), len(doc.pages))
        if not exists:
            images.extend(_scan_pages(doc, plan, seed, _doc_index(doc_id), records))
        for page_no, record in enumerate(records, 1):
            _add_page(info, doc_id, page_no, plan, path, position + page_no, record)
        doc.meta.update(source=path.relative_to(info.scans_dir).as_posix(), first_page=position + 1,
                        last_page=position + len(doc.pages))
        position += len(doc.pages)
    if exists:
        info.skipped.append(path)
    else:
        _publish(path, encode_multipage(images, "pdf", members[0][1].dpi))
        info.written.append(path)


def _add_page(info: BatchInfo, doc_id: str, page_no: int, plan: DocPlan, path: Path, index: int, record) -> None:
    info.manifest.append({"doc_id": doc_id, "page_no": page_no, "tier": plan.tier,
                          "source": path.relative_to(info.scans_dir).as_posix(), "page_index": index,
                          "dpi": plan.dpi, "rotation": record.rotation, "skew_deg": record.skew_deg})


# --- encoders --------------------------------------------------------------------------------

def bitonal(image: Image.Image, threshold: int = 150) -> Image.Image:
    """Black and white as a bitonal scanner makes it (a threshold, no dithering)."""
    return image.convert("L").point(lambda v: 255 if v > threshold else 0).convert("1", dither=Image.Dither.NONE)


def encode_page(image: Image.Image, fmt: str, dpi: int) -> bytes:
    buffer = io.BytesIO()
    if fmt == "jpg":
        image.convert("RGB").save(buffer, "JPEG", quality=88, dpi=(dpi, dpi))
    elif fmt == "png":
        image.convert("L").save(buffer, "PNG", dpi=(dpi, dpi))
    else:
        raise ValueError(f"{fmt!r} is not a one-page format")
    return buffer.getvalue()


def encode_multipage(images: list[Image.Image], fmt: str, dpi: int) -> bytes:
    """A multi-page TIFF (LZW colour/grey or CCITT G4) or an image-only PDF (Pillow's PDF writer)."""
    buffer = io.BytesIO()
    if fmt == "pdf":
        pages = [image.convert("RGB") for image in images]
        pages[0].save(buffer, "PDF", save_all=True, append_images=pages[1:], resolution=float(dpi),
                      creationDate=_PDF_DATE, modDate=_PDF_DATE, producer="luutru samples")
        return buffer.getvalue()
    mode, compression = {"tif-lzw": ("RGB", "tiff_lzw"), "tif-lzw-grey": ("L", "tiff_lzw"),
                         "tif-g4": ("1", "group4")}[fmt]
    pages = [bitonal(image) if mode == "1" else image.convert(mode) for image in images]
    pages[0].save(buffer, "TIFF", save_all=True, append_images=pages[1:], compression=compression,
                  dpi=(dpi, dpi))
    return buffer.getvalue()


# --- answers ---------------------------------------------------------------------------------

def _publish(path: Path, data: bytes) -> None:
    """Atomic write, then readable by all: scans and answers are for other people and tools too."""
    atomic_write_bytes(path, data)
    os.chmod(path, 0o644)


def _write_if_missing(info: BatchInfo, path: Path, text: str) -> None:
    if path.exists() and path.read_text(encoding="utf-8") == text:
        info.skipped.append(path)
        return
    _publish(path, text.encode("utf-8"))
    info.written.append(path)


def _csv(rows: list[dict], columns: list[str]) -> str:
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=columns, lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    return buffer.getvalue()


def _write_answers(info: BatchInfo, generated) -> None:
    for doc_id, _plan, doc in generated:
        info.documents[doc_id] = doc.meta
        folder = info.truth_dir / "truth" / doc_id
        for page_no, lines in enumerate(doc.pages, 1):
            _write_if_missing(info, folder / f"page-{page_no:03d}.txt", "\n".join(lines) + "\n")
        _write_if_missing(info, folder / "meta.json", dump_json(doc.meta))
    _write_if_missing(info, info.truth_dir / "manifest.csv", _csv(info.manifest, MANIFEST_COLUMNS))
    _write_if_missing(info, info.inventory,
                      _csv(inventory_rows([doc.meta for _, _, doc in generated]), INVENTORY_COLUMNS))


def inventory_rows(metas: list[dict]) -> list[dict]:
    """One row per hồ sơ, as an archivist's mục lục hồ sơ would list it."""
    files: dict[tuple[str, str], list[dict]] = {}
    for meta in metas:
        files.setdefault((meta["fonds_code"], meta["file_code"]), []).append(meta)
    rows = []
    for (fonds_code, file_code), members in sorted(files.items()):
        fonds = vocab.FONDS[fonds_code]
        dates = sorted(meta["ngay_ban_hanh"] for meta in members)
        rng = random.Random(f"{fonds_code}/{file_code}")
        committee = fonds.name().removeprefix("Phông ")
        rows.append({
            "fonds_code": fonds_code, "fonds_name": fonds.name(), "file_code": file_code,
            "file_title": f"Tập văn bản của {committee} năm {dates[0][:4]}",
            "start_date": dates[0], "end_date": dates[-1], "pages": sum(meta["pages"] for meta in members),
            "shelf": f"Kho {rng.randint(1, 5)}/Giá {rng.randint(1, 30)}/Hộp {rng.randint(1, 200)}",
            "retention": "Vĩnh viễn" if any(meta["do_mat"] for meta in members) else rng.choice(
                ["Vĩnh viễn", "70 năm", "50 năm"]),
            # The archivist's decision on the hồ sơ (Luật Lưu trữ 2024: access is determined
            # before use): a hồ sơ holding a classified document is restricted, the rest public.
            "access": "Hạn chế" if any(meta["do_mat"] for meta in members) else "Công khai",
        })
        # An archive lists its permanent hồ sơ in one mục lục and the rest in another.
        rows[-1]["muc_luc"] = "1" if rows[-1]["retention"] == "Vĩnh viễn" else "2"
    return rows
