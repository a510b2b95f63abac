"""How far the archive has come: originals, pages, OCR done, quarantine, per fonds.

Later stages add their own counts with :func:`register_counter` (e.g. the catalog's items), so
``luutru status`` grows with the pipeline without this module knowing the stages.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from typing import Any

from luutru.archive import Archive, PageFiles, read_json

UNKNOWN_FONDS = "(không rõ phông)"

_COUNTERS: dict[str, Callable[[Archive], Any]] = {}


def register_counter(name: str, counter: Callable[[Archive], Any]) -> None:
    """Add ``name: counter(archive)`` to every status (a later stage's counts)."""
    _COUNTERS[name] = counter


def archive_status(archive: Archive) -> dict[str, Any]:
    by_fonds: dict[str, dict[str, Any]] = {}
    files: dict[str, set[str]] = {}
    originals = 0
    for record in _original_records(archive):
        fonds = (record.get("source") or {}).get("fonds") or UNKNOWN_FONDS
        _fonds_entry(by_fonds, fonds)["originals"] += 1
        files.setdefault(fonds, set()).add((record.get("source") or {}).get("file") or "")
        originals += 1
    pages = ocr_done = 0
    for ref in archive.iter_page_refs():
        page_dir = archive.page_dir(ref)
        page = archive.page_record_or_none(ref) or {}
        entry = _fonds_entry(by_fonds, page.get("fonds") or UNKNOWN_FONDS)
        done = PageFiles(page_dir).is_read()
        entry["pages"] += 1
        entry["pages_ocr_done"] += done
        pages += 1
        ocr_done += done
    for fonds, codes in files.items():
        by_fonds[fonds]["files"] = len(codes - {""})
    reasons = _quarantine_reasons(archive)
    status = {"originals": originals, "pages": pages, "pages_ocr_done": ocr_done,
              "quarantined": sum(reasons.values()), "quarantine_reasons": reasons,
              "damaged_pages": [{"page": ref.key, "problem": problem}
                                for ref, problem in archive.damaged_pages()],
              "by_fonds": dict(sorted(by_fonds.items()))}
    for name, counter in _COUNTERS.items():
        status[name] = counter(archive)
    return status


def _original_records(archive: Archive):
    """Every readable original record (a damaged one is counted by ``damaged_pages``' pages)."""
    for path in sorted(archive.originals_dir.glob("*/*.json")):
        try:
            record = read_json(path)
        except (OSError, ValueError):
            continue
        if isinstance(record, dict):
            yield record


DAMAGED_TEXT = {"missing": f"mất {PageFiles.RECORD}",
                "unreadable": f"{PageFiles.RECORD} hỏng (không đọc được)"}


def damaged_page_lines(damaged: list[dict[str, str]]) -> list[str]:
    """The damaged page records in Vietnamese: what is wrong, that the page is closed, the fix."""
    if not damaged:
        return []
    lines = [f"  CẢNH BÁO: {len(damaged)} trang có hồ sơ trang bị mất hoặc hỏng; các trang này được "
             f"coi là mật (đóng với người không có quyền) cho đến khi sửa "
             f"(chạy lại `luutru ingest` với thư mục ảnh quét gốc, hoặc khôi phục từ bản sao lưu):"]
    lines += [f"    {d['page']}: {DAMAGED_TEXT.get(d['problem'], d['problem'])}" for d in damaged[:20]]
    if len(damaged) > 20:
        lines.append(f"    … và {len(damaged) - 20} trang khác")
    return lines


def _fonds_entry(by_fonds: dict[str, dict[str, Any]], fonds: str) -> dict[str, Any]:
    return by_fonds.setdefault(fonds, {"originals": 0, "files": 0, "pages": 0, "pages_ocr_done": 0})


def _quarantine_reasons(archive: Archive) -> dict[str, int]:
    reasons: Counter[str] = Counter()
    for path in archive.quarantine_dir.glob(f"*/{Archive.QUARANTINE_REASON}"):
        try:
            reasons[read_json(path)["reason"]] += 1
        except (OSError, ValueError, KeyError):
            reasons["unknown"] += 1
    return dict(sorted(reasons.items()))


def status_lines(status: dict[str, Any]) -> list[str]:
    """The status in Vietnamese, for the archivist."""
    lines = [f"Bản gốc: {status['originals']}   Trang: {status['pages']}   "
             f"Đã OCR: {status['pages_ocr_done']}/{status['pages']}   "
             f"Cách ly: {status['quarantined']}"]
    for fonds, entry in status["by_fonds"].items():
        lines.append(f"  {fonds}: {entry['files']} hồ sơ, {entry['originals']} bản gốc, "
                     f"{entry['pages']} trang, đã OCR {entry['pages_ocr_done']}")
    for reason, count in status["quarantine_reasons"].items():
        lines.append(f"  cách ly [{reason}]: {count}")
    for name in _COUNTERS:
        lines.append(f"  {name}: {status[name]}")
    lines += damaged_page_lines(status.get("damaged_pages") or [])
    return lines
