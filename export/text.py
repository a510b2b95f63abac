"""``luutru export text``: each read page's text as a file, in the layout scoring tools read."""

from __future__ import annotations

from pathlib import Path

from luutru.access import STRICTEST_LEVEL
from luutru.archive import Archive, atomic_write_text
from luutru.export.items import page_levels


def export_text(archive: Archive, outdir: Path, clearance: int = 0) -> dict[str, int]:
    """Write each read page's text to ``OUTDIR/<source>/page-NNN.txt`` (NNN: page in its file).

    That is the layout scoring tools read (``score_ocr.py --pred-by-source``): the source is the
    scanned file's path as it was ingested, used as a folder. Only pages ``clearance`` (0..3)
    covers are written or counted: a page's level is its catalogue item's, and a page no item
    claims needs at least the first level (:func:`luutru.export.items.page_levels`).
    """
    levels = page_levels(archive)
    written = missing = 0
    for ref in archive.iter_page_refs():
        if levels.get(ref.key, STRICTEST_LEVEL) > clearance:
            continue
        text_path = archive.page_files(ref).text
        source = (archive.page_record_or_none(ref) or {}).get("source")  # damaged: not read
        if not source or not archive.page_files(ref).is_read():
            missing += 1
            continue
        target = Path(outdir) / source / f"page-{ref.index:03d}.txt"
        atomic_write_text(target, text_path.read_text(encoding="utf-8"))
        written += 1
    return {"written": written, "not_read": missing}
