"""Small archives built on disk for the access tests: the record as ``luutru run`` leaves it
(``pages/<sha>/<NNNN>/`` with ``page.json``, ``text.txt``, ``clean.png``; original records and
document PDFs; the catalogue XML through luutru's own validated writer), each document with a
secrecy mark of a known kind, so a test knows exactly who may see what.

Every page's text holds the common word ``chung`` and a token of its own (``kxaab``…), which a
test searches for and looks for in every page it is shown.
"""

from __future__ import annotations

import hashlib
import io
from dataclasses import dataclass, field
from pathlib import Path

from PIL import Image

from luutru.archive import Archive, PageRef, dump_json
from luutru.catalog.model import (ARCHIVIST, INVENTORY, MACHINE, FieldValue, FileRecord, Fonds,
                                  Item)
from luutru.catalog.record import fonds_path, read_fonds_file, write_fonds

COMMON = "chung"
LEVEL = {None: 0, "Mật": 1, "Tối mật": 2, "Tuyệt mật": 3, "unsure": 3}


def token(n: int) -> str:
    """A word of its own for page ``n``: letters only (the analyser keeps it whole), eight of
    them from a hash, so no two tokens are within a typo of each other (search forgives one)."""
    digest = hashlib.sha256(f"token-{n}".encode()).hexdigest()[:8]
    return "kx" + "".join(chr(ord("a") + int(ch, 16)) for ch in digest)


@dataclass
class DocSpec:
    mark: str | None = None          # None, Mật, Tối mật, Tuyệt mật, or "unsure" (seen, not read)
    decision: str | None = None      # the archivist's own decision: Công khai, Hạn chế, None
    pages: int = 1


@dataclass
class FileSpec:
    access: str | None = None        # the inventory's: Công khai, Hạn chế, None (machine rule)
    docs: list[DocSpec] = field(default_factory=list)


@dataclass
class FondsSpec:
    code: str
    policy: str | None = None        # review-first, open-unless-marked, None (the default)
    files: list[FileSpec] = field(default_factory=list)


@dataclass
class BuiltDoc:
    id: str
    fonds: str
    file: str
    spec: DocSpec
    file_access: str | None
    pages: list[str]                 # page keys
    tokens: list[str]                # one per page
    title_token: str                 # in its trích yếu

    @property
    def sha(self) -> str:
        return PageRef.parse(self.pages[0]).sha256


@dataclass
class BuiltArchive:
    archive: Archive
    docs: list[BuiltDoc]
    loose: list[tuple[str, str]]     # (page key, token) of pages no item claims


def _png() -> bytes:
    buffer = io.BytesIO()
    Image.new("L", (60, 85), 255).save(buffer, format="PNG")
    return buffer.getvalue()


_PDF = b"%PDF-1.4\n1 0 obj<</Type/Catalog>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n"


def _original(archive: Archive, sha: str, fonds: str, file: str, source: str, count: int) -> None:
    archive.original_record_path(sha).parent.mkdir(parents=True, exist_ok=True)
    archive.original_record_path(sha).write_text(dump_json({
        "sha256": sha, "format": "png", "page_count": count, "pages": list(range(1, count + 1)),
        "bad_pages": [], "stored_as": f"{sha}.png",
        "source": {"fonds": fonds, "file": file, "path": source}}), encoding="utf-8")
    archive.document_pdf_path(sha).parent.mkdir(parents=True, exist_ok=True)
    archive.document_pdf_path(sha).write_bytes(_PDF)


def _page(archive: Archive, ref: PageRef, fonds: str, file: str, source: str, count: int,
          text: str) -> None:
    page_dir = archive.page_dir(ref)
    page_dir.mkdir(parents=True, exist_ok=True)
    (page_dir / "page.json").write_text(dump_json({
        "original": ref.sha256, "index": ref.index, "page_count": count, "source": source,
        "fonds": fonds, "file": file, "width": 60, "height": 85, "dpi": 10}), encoding="utf-8")
    (page_dir / "text.txt").write_text(text + "\n", encoding="utf-8")
    (page_dir / "ocr.json").write_text("{}", encoding="utf-8")
    (page_dir / "clean.png").write_bytes(_png())


def _do_mat(mark: str | None) -> FieldValue | None:
    if mark == "unsure":  # the mark reader saw a stamp it could not read
        return FieldValue(None, MACHINE, 0.3, [1], review=True)
    return FieldValue(mark, MACHINE, 0.95, [1]) if mark else None


def build_archive(root: Path, fonds_specs: list[FondsSpec], loose_pages: int = 0) -> BuiltArchive:
    """Write the archive; its index is not built (call ``reindex``)."""
    archive = Archive.open(root)
    docs: list[BuiltDoc] = []
    counter = 0
    for fonds_spec in fonds_specs:
        fonds = Fonds(fonds_spec.code)
        if fonds_spec.policy:
            fonds.fields["chinh_sach_tiep_can"] = FieldValue(fonds_spec.policy, INVENTORY)
        for f, file_spec in enumerate(fonds_spec.files, start=1):
            file_code = f"HS-{f:03d}"
            record = FileRecord(file_code, fonds.code)
            if file_spec.access:
                record.fields["muc_do_tiep_can"] = FieldValue(file_spec.access, INVENTORY)
            for d, spec in enumerate(file_spec.docs, start=1):
                source = f"{fonds.code}/{file_code}/doc-{d}.png"
                sha = hashlib.sha256(f"{root}/{source}".encode()).hexdigest()
                _original(archive, sha, fonds.code, file_code, source, spec.pages)
                keys, tokens = [], []
                for n in range(1, spec.pages + 1):
                    counter += 1
                    tokens.append(token(counter))
                    ref = PageRef(sha, n)
                    _page(archive, ref, fonds.code, file_code, source, spec.pages,
                          f"Văn bản {COMMON} {tokens[-1]}")
                    keys.append(ref.key)
                counter += 1
                title = token(counter)
                fields = {"so_ky_hieu": FieldValue(f"{counter}-CV/TU", MACHINE, 0.9, [1]),
                          "loai_van_ban": FieldValue("Công văn", MACHINE, 0.9, [1]),
                          "trich_yeu": FieldValue(f"về việc {title}", MACHINE, 0.9, [1])}
                if (do_mat := _do_mat(spec.mark)) is not None:
                    fields["do_mat"] = do_mat
                if spec.decision:
                    fields["muc_do_tiep_can"] = FieldValue(spec.decision, ARCHIVIST)
                item = Item(f"vb-{sha[:16]}-0001", fonds.code, file_code, source, 1, spec.pages,
                            keys, fields)
                record.items.append(item)
                docs.append(BuiltDoc(item.id, fonds.code, file_code, spec, file_spec.access,
                                     keys, tokens, title))
            fonds.files.append(record)
        write_fonds(archive, fonds)
    loose = []
    if loose_pages:
        sha = hashlib.sha256(f"{root}/loose".encode()).hexdigest()
        _original(archive, sha, fonds_specs[0].code, "HS-LOOSE", "loose.png", loose_pages)
        for n in range(1, loose_pages + 1):
            counter += 1
            ref = PageRef(sha, n)
            _page(archive, ref, fonds_specs[0].code, "HS-LOOSE", "loose.png", loose_pages,
                  f"Trang {COMMON} {token(counter)}")
            loose.append((ref.key, token(counter)))
    return BuiltArchive(archive, docs, loose)


def set_item_field(archive: Archive, fonds_code: str, item_id: str, name: str,
                   value: FieldValue | None) -> None:
    """Change one field of one item in the catalogue XML (an archivist's edit from another
    process, seen by nothing else: the index is left as it was)."""
    path = fonds_path(archive, fonds_code)
    fonds = read_fonds_file(path)
    for record in fonds.files:
        for item in record.items:
            if item.id == item_id:
                if value is None:
                    item.fields.pop(name, None)
                else:
                    item.fields[name] = value
    write_fonds(archive, fonds)
