"""The editorial layer: an editor's proofread text of a document, kept beside the OCR, never over it.

The OCR stage owns ``pages/…/text.txt`` and may rewrite it (``luutru ocr --redo``); the catalogue is
rebuilt from it. What an editor typed is neither: it is archivist-level record, one JSON file per
catalogued item, ``editorial/<item-id>.json``::

    {"item_id": "vb-…-0001",
     "pages": {"<sha256>:<index>": {"text": "…", "editor": "an", "at": "2026-…Z"}},
     "notes": {"1": "Đồng chí Đinh Minh Quyết, Bí thư Huyện ủy (1988–1993)."},
     "history": [{"editor": "an", "at": "…", "action": "set", "pages": ["<sha256>:<index>"]}]}

A page with an entry is proofread: the volume prints the editor's text for it and marks nothing on
it. A page without one is still machine-read. Editorial footnotes (chú thích) are written in the
text as ``[^1]`` and defined on a line of their own, ``[^1]: the note``; the definitions are kept
in ``notes`` and the references stay in the text where the note belongs.

Writes go through the archive's atomic writes under a lock, so two editors saving two pages of one
document at once both keep their page.
"""

from __future__ import annotations

import datetime as dt
import difflib
import fcntl
import re
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from luutru import pagetext
from luutru.archive import Archive, PageRef, read_json, write_json
from luutru.errors import LuutruError
from luutru.textnorm import nfc

EDITORIAL_DIR = "editorial"
PAGE_BREAK = "\f"
NOTE_REF = re.compile(r"\[\^(\w{1,12})\]")
_NOTE_DEF = re.compile(r"^\s*\[\^(\w{1,12})\]:\s*(.+?)\s*$")
_ITEM_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,120}$")


class EditorialError(LuutruError, ValueError):
    """An editor's text that cannot be stored; the message (Vietnamese) says why."""


@dataclass
class PageEdit:
    text: str
    editor: str
    at: str


@dataclass
class EditorialRecord:
    """One document's editorial layer (see the module docstring for the file)."""

    item_id: str
    pages: dict[str, PageEdit] = field(default_factory=dict)
    notes: dict[str, str] = field(default_factory=dict)
    history: list[dict[str, Any]] = field(default_factory=list)

    def to_json(self) -> dict[str, Any]:
        return {"item_id": self.item_id, "notes": dict(self.notes), "history": list(self.history),
                "pages": {key: page.__dict__ for key, page in self.pages.items()}}

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> "EditorialRecord":
        pages = {key: PageEdit(nfc(p["text"]), p.get("editor") or "", p.get("at") or "")
                 for key, p in (data.get("pages") or {}).items()}
        return cls(data["item_id"], pages, dict(data.get("notes") or {}), list(data.get("history") or []))

    @property
    def editors(self) -> list[str]:
        return sorted({page.editor for page in self.pages.values() if page.editor})

    @property
    def updated_at(self) -> str:
        return max((page.at for page in self.pages.values()), default="")

    def is_proofread(self, item: dict[str, Any]) -> bool:
        """Every page of the item has the editor's text."""
        return all(key in self.pages for key in item.get("pages") or [])


# --- where it lives ----------------------------------------------------------------------------

def editorial_dir(archive: Archive) -> Path:
    return archive.root / EDITORIAL_DIR


def record_path(archive: Archive, item_id: str) -> Path:
    if not _ITEM_ID.match(item_id):
        raise EditorialError(f"mã văn bản không hợp lệ: {item_id!r}")
    return editorial_dir(archive) / f"{item_id}.json"


@contextmanager
def _locked(archive: Archive) -> Iterator[None]:
    directory = editorial_dir(archive)
    directory.mkdir(parents=True, exist_ok=True)
    with open(directory / ".lock", "a") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def _now() -> str:
    return dt.datetime.now(dt.timezone.utc).replace(microsecond=0).isoformat().replace("+00:00", "Z")


# --- reading -----------------------------------------------------------------------------------

def load_record(archive: Archive, item_id: str) -> EditorialRecord | None:
    """The item's editorial layer, or None when no editor has touched it."""
    path = record_path(archive, item_id)
    if not path.exists():
        return None
    return EditorialRecord.from_json(read_json(path))


def iter_records(archive: Archive) -> Iterator[EditorialRecord]:
    for path in sorted(editorial_dir(archive).glob("*.json")):
        yield EditorialRecord.from_json(read_json(path))


def ocr_page_text(archive: Archive, page_key: str) -> str:
    return nfc(pagetext.read_text(archive.page_dir(PageRef.parse(page_key))) or "")


def item_text(archive: Archive, item: dict[str, Any], record: EditorialRecord | None = None
              ) -> list[tuple[str, str, bool]]:
    """(page key, text, proofread) for each page of the item: the editor's text, else the OCR."""
    out = []
    for key in item.get("pages") or []:
        page = record.pages.get(key) if record else None
        out.append((key, page.text, True) if page else (key, ocr_page_text(archive, key), False))
    return out


def diff_text(archive: Archive, item: dict[str, Any], record: EditorialRecord) -> str:
    """A unified diff of the OCR against the editor's text, page by page."""
    chunks = []
    for number, key in enumerate(item.get("pages") or [], start=1):
        page = record.pages.get(key)
        if page is None:
            continue
        ocr = ocr_page_text(archive, key).splitlines()
        chunks += difflib.unified_diff(ocr, page.text.splitlines(), f"OCR trang {number}",
                                       f"biên tập trang {number} ({page.editor}, {page.at})",
                                       lineterm="")
    return "\n".join(chunks)


# --- writing -----------------------------------------------------------------------------------

def split_notes(text: str) -> tuple[str, dict[str, str]]:
    """The text without its footnote definition lines, and the definitions (``[^1]: …``)."""
    kept, notes = [], {}
    for line in text.splitlines():
        match = _NOTE_DEF.match(line)
        if match:
            notes[match.group(1)] = match.group(2)
        else:
            kept.append(line.rstrip())
    return "\n".join(kept).strip("\n") + "\n", notes


def _check_refs(record: EditorialRecord) -> None:
    used = {ref for page in record.pages.values() for ref in NOTE_REF.findall(page.text)}
    undefined = sorted(used - set(record.notes))
    if undefined:
        raise EditorialError(f"chú thích [^{undefined[0]}] được dẫn trong văn bản nhưng chưa có "
                             f"dòng định nghĩa “[^{undefined[0]}]: …”")


def _save(archive: Archive, item_id: str, editor: str, change) -> EditorialRecord:
    """Load, apply ``change(record)`` (returns the page keys it touched), check, write; locked."""
    if not editor.strip():
        raise EditorialError("cần tên biên tập viên")
    with _locked(archive):
        record = load_record(archive, item_id) or EditorialRecord(item_id)
        action, keys = change(record)
        _check_refs(record)
        record.history.append({"editor": editor, "at": _now(), "action": action, "pages": keys})
        write_json(record_path(archive, item_id), record.to_json())
    return record


def set_item_text(archive: Archive, item: dict[str, Any], text: str, editor: str) -> EditorialRecord:
    """Store an editor's text for the whole item: pages separated by form feeds (``\\f``), one per
    page of the item; footnote definitions anywhere in it."""
    text = nfc(text.replace("\r\n", "\n"))
    pages = text.split(PAGE_BREAK)
    if pages and not pages[-1].strip() and len(pages) > 1:
        pages = pages[:-1]     # a final form feed closes the last page
    keys = list(item.get("pages") or [])
    if len(pages) != len(keys):
        raise EditorialError(f"văn bản {item['id']} có {len(keys)} trang, tệp có {len(pages)} trang "
                             "(ngăn cách các trang bằng ký tự sang trang \\f)")
    when = _now()

    def change(record: EditorialRecord):
        record.notes = {}
        for key, page_text in zip(keys, pages):
            body, notes = split_notes(page_text)
            record.pages[key] = PageEdit(body, editor, when)
            record.notes.update(notes)
        return "set", keys
    return _save(archive, item["id"], editor, change)


def set_page_text(archive: Archive, item: dict[str, Any], page_key: str, text: str,
                  editor: str) -> EditorialRecord:
    """Store the editor's text of one page (the proofing view's "save"); its footnote
    definitions are added to the document's notes."""
    if page_key not in (item.get("pages") or []):
        raise EditorialError(f"trang {page_key} không thuộc văn bản {item['id']}")
    body, notes = split_notes(nfc(text.replace("\r\n", "\n")))

    def change(record: EditorialRecord):
        record.pages[page_key] = PageEdit(body, editor, _now())
        record.notes.update(notes)
        return "page", [page_key]
    return _save(archive, item["id"], editor, change)


def proofread_counts(archive: Archive, items: list[dict[str, Any]]) -> tuple[int, int]:
    """(pages proofread, pages in all) over ``items``: a volume's progress."""
    done = total = 0
    for item in items:
        record = load_record(archive, item["id"])
        keys = item.get("pages") or []
        total += len(keys)
        done += sum(1 for key in keys if record and key in record.pages)
    return done, total
