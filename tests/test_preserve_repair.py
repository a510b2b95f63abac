"""``luutru repair`` rebuilds exactly the damaged pages' derived files, says what it cannot rebuild,
and touches nothing else."""

from __future__ import annotations

import json
import os
import subprocess
import sys

from midway import kill_midway
from test_preserve_verify import flip, truncate

from luutru.archive import PageRef, checksum_path, read_checksum, sha256_file
from luutru.preserve.fixity import iter_originals, verify
from luutru.preserve.repair import repair

LUUTRU = [sys.executable, "-m", "luutru.cli"]


def _pages(archive) -> list:
    return sorted(archive.pages_dir.glob("*/*/"))


def _bytes(archive) -> dict[str, bytes]:
    return {p.relative_to(archive.root).as_posix(): p.read_bytes()
            for p in sorted(archive.pages_dir.rglob("*")) if p.is_file()
            and p.name not in ("ocr.json", ".ocr.json.sha256", "ocr.pdf", ".ocr.pdf.sha256")}


def test_repair_rebuilds_the_damaged_pages_only(demo_archive_copy):
    archive = demo_archive_copy
    before = _bytes(archive)
    pages = _pages(archive)
    damaged_text, lost_record, old_style = pages[0], pages[2], pages[3]
    untouched = [p for p in pages if p not in (damaged_text, lost_record, old_style)]
    mtimes = {p: (p / "ocr.json").stat().st_mtime_ns for p in untouched}
    flip(damaged_text / "text.txt")
    truncate(damaged_text / "ocr.alto.xml")
    (lost_record / "page.json").unlink()
    truncate(old_style / "page.json")                 # and no checksum to tell: an old archive
    checksum_path(old_style / "page.json").unlink()
    document = sorted(archive.documents_dir.glob("*.pdf"))[-1]
    truncate(document)

    report = repair(archive)

    assert report.exit_code == 0, report.to_json()
    rel = lambda p: p.relative_to(archive.root).as_posix()  # noqa: E731
    assert set(report.rebuilt) >= {rel(damaged_text) + "/", rel(lost_record / "page.json"),
                                   rel(old_style / "page.json")}
    assert rel(document) in report.rebuilt or document.stem == damaged_text.parent.name
    assert _bytes(archive) == before       # the same bytes as first written (PDFs carry a date)
    assert {p: (p / "ocr.json").stat().st_mtime_ns for p in untouched} == mtimes
    assert verify(archive).problems == []


def test_what_cannot_be_rebuilt_is_said_and_left_alone(demo_archive_copy):
    archive = demo_archive_copy
    original = next(iter_originals(archive))
    flip(original.path)
    catalog = sorted(archive.catalog_dir.glob("*.xml"))[0]
    flip(catalog, at=300)
    page_text = archive.page_dir(PageRef(original.sha256, 1)) / "text.txt"
    flip(page_text)
    damaged = {p: p.read_bytes() for p in (original.path, catalog, page_text)}

    done = subprocess.run([*LUUTRU, "repair", "-a", str(archive.root)], capture_output=True,
                          text=True, timeout=600)

    assert done.returncode == 2 and "Traceback" not in done.stderr
    assert "KHÔNG dựng lại được" in done.stdout
    assert original.path.relative_to(archive.root).as_posix() in done.stdout
    assert catalog.relative_to(archive.root).as_posix() in done.stdout
    assert {p: p.read_bytes() for p in damaged} == damaged     # never guessed over
    os.chmod(original.path, 0o444)


def _whole(path) -> bool:
    recorded = read_checksum(path)
    return recorded is not None and sha256_file(path) == recorded[0]


def test_kill_9_while_reading_pages_again_then_repair_again_finishes_clean(demo_archive_copy):
    archive = demo_archive_copy
    damaged = _pages(archive)[:6]
    for page in damaged:
        flip(page / "text.txt")
    mended = lambda: [p for p in damaged if _whole(p / "text.txt")]  # noqa: E731

    kill_midway(["repair", "-a", str(archive.root)], lambda _: len(mended()) >= 1)

    assert 1 <= len(mended()) < len(damaged)              # killed while re-reading the pages
    rel = lambda p: p.relative_to(archive.root).as_posix()  # noqa: E731
    touched = tuple(rel(p) + "/" for p in damaged) + tuple(f"documents/{p.parent.name}"
                                                            for p in damaged)
    assert all(f.path.startswith(touched) for f in verify(archive).problems)  # nothing else hit
    for path in archive.root.rglob("*.json"):
        json.loads(path.read_text(encoding="utf-8"))

    done = subprocess.run([*LUUTRU, "repair", "-a", str(archive.root)], capture_output=True,
                          text=True, timeout=600)

    assert done.returncode == 0, done.stdout + done.stderr
    assert verify(archive).findings == [] and len(mended()) == len(damaged)
