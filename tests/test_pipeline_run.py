"""`luutru run`: the ingest hands each original to the OCR workers while the batch goes on.

What must hold whatever the overlap: every page of the batch and every page an earlier, stopped
run left unread is read once; each original gets its searchable PDF; an ingest that cannot start
stops the run with its own error; a run killed with ``kill -9`` (workers too) and run again ends
as a clean run does, with no temporary file left behind.
"""

from __future__ import annotations

import fcntl
import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from luutru.archive import Archive, PageRef, sha256_file
from luutru.ingest import IngestBusy, ingest_batch
from luutru.pipeline import run_all
from luutru.samples.render import render_lines

os.environ.setdefault("OMP_THREAD_LIMIT", "1")
DPI = 150
LUUTRU = [sys.executable, "-m", "luutru.cli"]


def _page(text: str):
    return render_lines(["ĐẢNG CỘNG SẢN VIỆT NAM", text], dpi=DPI, size_mm=(120, 40), top_mm=8)


def _make_scans(folder: Path, tag: str, files: int = 3) -> Path:
    """``files`` PNG pages and one two-page TIFF under PHONG-9/HS-<tag>/."""
    target = folder / "PHONG-9" / f"HS-{tag}"
    target.mkdir(parents=True)
    for number in range(files):
        _page(f"Báo cáo số {number} của lô {tag}").save(target / f"doc-{number}.png",
                                                        dpi=(DPI, DPI))
    first, second = _page(f"Nghị quyết lô {tag}"), _page(f"Trang hai lô {tag}")
    first.save(target / "multi.tif", save_all=True, append_images=[second], dpi=(DPI, DPI))
    return folder


def _read_pages(archive: Archive) -> list[PageRef]:
    return [ref for ref in archive.iter_page_refs()
            if (archive.page_dir(ref) / "ocr.json").exists()]


def _temp_files(root: Path) -> list[Path]:
    return [path for path in root.rglob(".*.tmp")]


def test_run_reads_the_batch_and_what_an_earlier_run_left(tmp_path):
    archive = Archive.open(tmp_path / "archive")
    ingest_batch(archive, _make_scans(tmp_path / "earlier", "A"))       # stored, never read
    report = run_all(archive, _make_scans(tmp_path / "scans", "B"), jobs=2)

    assert report.exit_code == 0, report.to_json()
    assert sorted(report.ingest.ingested) == ["PHONG-9/HS-B/doc-0.png", "PHONG-9/HS-B/doc-1.png",
                                              "PHONG-9/HS-B/doc-2.png", "PHONG-9/HS-B/multi.tif"]
    pages = list(archive.iter_page_refs())
    assert len(pages) == 10 and _read_pages(archive) == pages
    ocr = report.stages["ocr"]
    assert sorted(ocr.done) == sorted(ref.key for ref in pages) and not ocr.skipped
    originals = {ref.sha256 for ref in pages}
    assert {document["original"] for document in ocr.documents} == originals
    assert all(archive.document_pdf_path(sha).exists() for sha in originals)
    text = (archive.page_dir(pages[0]) / "text.txt").read_text(encoding="utf-8")
    assert "ĐẢNG" in text

    again = run_all(archive, tmp_path / "scans", jobs=2)
    assert again.exit_code == 0 and not again.ingest.ingested
    assert len(again.stages["ocr"].skipped) == 10 and not again.stages["ocr"].done
    assert not again.stages["ocr"].documents


def test_an_ingest_that_cannot_start_stops_the_run(tmp_path):
    archive = Archive.open(tmp_path / "archive")
    scans = _make_scans(tmp_path / "scans", "C", files=1)
    with open(archive.tmp_dir / "ingest.lock", "w") as lock:   # another ingest holds the archive
        fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
        with pytest.raises(IngestBusy):
            run_all(archive, scans, jobs=2)
    assert not list(archive.iter_page_refs())
    done = subprocess.run([*LUUTRU, "run", str(scans), "-a", str(archive.root), "--json"],
                          capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    assert len(json.loads(done.stdout)["ingested"]) == 2


def test_temporary_copies_a_killed_writer_left_are_removed(tmp_path):
    archive = Archive.open(tmp_path / "archive")
    scans = _make_scans(tmp_path / "scans", "D", files=1)
    tif = scans / "PHONG-9" / "HS-D" / "multi.tif"
    page_dir = archive.page_dir(PageRef(sha256_file(tif), 1))
    page_dir.mkdir(parents=True)
    (page_dir / ".page.json.k1ll3d.tmp").write_text("{", encoding="utf-8")
    (page_dir / ".text.txt.k1ll3d.tmp").write_text("half", encoding="utf-8")
    unrelated = page_dir / "notes.tmp"                          # not a temporary copy: kept
    unrelated.write_text("x", encoding="utf-8")

    report = run_all(archive, scans, jobs=1)
    assert report.exit_code == 0
    assert not _temp_files(archive.root) and unrelated.exists()


def _run_process(scans: Path, archive: Path) -> subprocess.Popen:
    return subprocess.Popen([*LUUTRU, "run", str(scans), "-a", str(archive), "--jobs", "2"],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                            start_new_session=True)       # its own group: the workers die with it


def _status(archive: Path) -> dict:
    done = subprocess.run([*LUUTRU, "status", "-a", str(archive), "--json"],
                          capture_output=True, text=True, check=True)
    return json.loads(done.stdout)


def test_kill_9_during_run_then_run_again_equals_a_clean_run(tmp_path):
    scans = _make_scans(tmp_path / "scans", "E", files=4)
    clean = tmp_path / "clean"
    assert _run_process(scans, clean).wait(timeout=600) == 0

    killed = tmp_path / "killed"
    process = _run_process(scans, killed)
    deadline = time.monotonic() + 300
    while time.monotonic() < deadline and process.poll() is None:
        if list(killed.glob("pages/*/*/ocr.json")):            # OCR under way
            break
        time.sleep(0.01)
    assert process.poll() is None, "the run ended before it could be killed"
    os.killpg(process.pid, signal.SIGKILL)
    process.wait()

    assert _run_process(scans, killed).wait(timeout=600) == 0
    expected, resumed = _status(clean), _status(killed)
    for key in ("originals", "pages", "pages_ocr_done", "quarantined"):
        assert resumed[key] == expected[key], key
    archive = Archive.open(killed)
    assert _read_pages(archive) == list(archive.iter_page_refs())
    assert all(archive.document_pdf_path(sha).exists()
               for sha in {ref.sha256 for ref in archive.iter_page_refs()})
    assert not _temp_files(killed / "pages") and not _temp_files(killed / "originals")
