"""``archive_status`` and ``luutru status`` count what is really on disk."""

from __future__ import annotations

import json
import subprocess
import sys

from test_ingest_samples import BATCH_PAGES, make_bad_batch, make_batch

from luutru.archive import atomic_write_text
from luutru import status as status_module
from luutru.ingest import ingest_batch
from luutru.status import archive_status, register_counter, status_lines


def test_counts_per_stage_fonds_and_quarantine(archive, tmp_path):
    make_batch(tmp_path / "scans")
    make_bad_batch(tmp_path / "scans")
    ingest_batch(archive, tmp_path / "scans")
    refs = list(archive.iter_page_refs())
    done = [ref for ref in refs if archive.page_record(ref)["fonds"] == "PHONG-17"]
    for ref in done:  # the OCR stage marks a finished page by writing ocr.json last
        atomic_write_text(archive.page_dir(ref) / "ocr.json", "{}")

    status = archive_status(archive)

    assert status["originals"] == 8 and status["pages"] == len(refs) == BATCH_PAGES + 2
    assert status["pages_ocr_done"] == len(done) == 1
    assert status["quarantined"] == 7
    assert status["quarantine_reasons"] == {
        "bad-page": 1, "corrupt-image": 1, "empty-file": 1, "encrypted-pdf": 1,
        "image-too-large": 1, "truncated-image": 1, "unsupported-type": 1}
    assert status["by_fonds"]["PHONG-17"] == {"originals": 1, "files": 1, "pages": 1,
                                              "pages_ocr_done": 1}
    assert status["by_fonds"]["PHONG-41"] == {"originals": 7, "files": 2, "pages": BATCH_PAGES + 1,
                                              "pages_ocr_done": 0}


def test_later_stages_add_their_counts(archive, monkeypatch):
    monkeypatch.setattr(status_module, "_COUNTERS", {})
    register_counter("test_items", lambda a: len(list(a.catalog_dir.glob("*.xml"))))
    status = archive_status(archive)
    assert status["test_items"] == 0 and status["originals"] == 0
    assert any("test_items: 0" in line for line in status_lines(status))


def test_status_command_json(archive, tmp_path):
    make_batch(tmp_path / "scans")
    ingest_batch(archive, tmp_path / "scans")
    done = subprocess.run([sys.executable, "-m", "luutru.cli", "status", "--json", "-a",
                           str(archive.root)], capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    status = json.loads(done.stdout)
    assert (status["originals"], status["pages"], status["pages_ocr_done"], status["quarantined"]) == (
        7, BATCH_PAGES, 0, 0)
    missing = subprocess.run([sys.executable, "-m", "luutru.cli", "status", "-a",
                              str(tmp_path / "nowhere")], capture_output=True, text=True, timeout=60)
    assert missing.returncode == 1 and "ARCHIVE.md" in missing.stderr
