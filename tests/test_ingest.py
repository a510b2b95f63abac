"""The ingest library on real files: every format stored once, bad input quarantined, re-runs
and duplicates never add anything."""

from __future__ import annotations

import fcntl
import os
import shutil

import pytest
from test_ingest_samples import (BATCH_PAGES, archive_snapshot, make_bad_batch, make_batch,
                                 write_image, write_tiff)

from luutru.archive import Archive, PageRef, read_json, sha256_file
from luutru.ingest import IngestBusy, InventoryError, ingest_batch


def test_every_format_is_stored_write_once_with_page_records(archive, tmp_path):
    paths = make_batch(tmp_path / "scans")
    report = ingest_batch(archive, tmp_path / "scans")

    assert sorted(report.ingested) == paths and report.ok
    assert report.originals_added == len(paths) and report.pages_added == BATCH_PAGES
    records = {r["source"]["path"]: r for r in archive.iter_original_records()}
    assert sorted(records) == paths
    tiff = records["PHONG-41/HS-2008-015/doc-0001.tif"]
    stored = archive.stored_original(tiff["sha256"])
    assert stored == archive.original_path(tiff["sha256"], ".tif")
    assert sha256_file(stored) == tiff["sha256"] == sha256_file(tmp_path / "scans" / tiff["source"]["path"])
    assert stored.stat().st_mode & 0o222 == 0
    assert (tiff["format"], tiff["page_count"], tiff["source"]["fonds"], tiff["source"]["file"]) == (
        "tiff", 3, "PHONG-41", "HS-2008-015")
    assert records["PHONG-17/HS-1990-016/digital.pdf"]["has_text"] is True
    assert records["PHONG-41/HS-2008-015/HS-2008-015.pdf"]["has_text"] is False
    digital = records["PHONG-17/HS-1990-016/digital.pdf"]["sha256"]
    assert archive.page_record(PageRef(digital, 1))["has_text"] is True

    page = archive.page_record(PageRef(tiff["sha256"], 2))
    assert page == {"original": tiff["sha256"], "index": 2, "page_count": 3,
                    "source": "PHONG-41/HS-2008-015/doc-0001.tif", "fonds": "PHONG-41",
                    "file": "HS-2008-015", "width": 827, "height": 1169, "dpi": 100,
                    "dpi_estimated": False, "mode": "1", "format": "tiff", "has_text": False}
    png = records["PHONG-41/HS-2008-015/doc-0005_p001.png"]
    assert archive.page_record(PageRef(png["sha256"], 1))["dpi_estimated"] is True
    assert len(list(archive.iter_page_refs())) == BATCH_PAGES


def test_rerun_is_a_no_op(archive, tmp_path):
    paths = make_batch(tmp_path / "scans")
    ingest_batch(archive, tmp_path / "scans")
    before = archive_snapshot(archive.root)
    mtimes = {p: p.stat().st_mtime_ns for p in archive.pages_dir.rglob("page.json")}

    again = ingest_batch(archive, tmp_path / "scans")

    assert again.ingested == [] and sorted(again.already_ingested) == paths
    assert again.duplicates == [] and again.pages_added == 0 and again.ok
    assert archive_snapshot(archive.root) == before
    assert {p: p.stat().st_mtime_ns for p in archive.pages_dir.rglob("page.json")} == mtimes


def test_same_bytes_under_another_name_or_batch_are_duplicates(archive, tmp_path):
    scans = tmp_path / "scans"
    first = write_tiff(scans / "PHONG-41" / "HS-1" / "doc-0001.tif", 2, "group4")
    shutil.copy(first, scans / "PHONG-41" / "HS-1" / "copy-of-doc.tif")
    later = tmp_path / "batch-2" / "PHONG-41" / "HS-2"
    later.mkdir(parents=True)
    shutil.copy(first, later / "renamed.tif")
    sha = sha256_file(first)

    one = ingest_batch(archive, scans)
    two = ingest_batch(archive, tmp_path / "batch-2")

    assert one.ingested == ["PHONG-41/HS-1/copy-of-doc.tif"]  # sorted: 'c' before 'd'
    assert [(d.path, d.duplicate_of, d.first_path) for d in one.duplicates] == [
        ("PHONG-41/HS-1/doc-0001.tif", sha, "PHONG-41/HS-1/copy-of-doc.tif")]
    assert [(d.path, d.duplicate_of) for d in two.duplicates] == [("PHONG-41/HS-2/renamed.tif", sha)]
    assert two.ingested == [] and two.pages_added == 0
    assert len(list(archive.iter_original_records())) == 1
    assert len(list(archive.iter_page_refs())) == 2
    assert archive.original_record(sha)["also_seen_as"] == ["PHONG-41/HS-1/doc-0001.tif",
                                                           "PHONG-41/HS-2/renamed.tif"]


def test_bad_input_is_quarantined_and_the_batch_goes_on(archive, tmp_path):
    scans = tmp_path / "scans"
    expected = make_bad_batch(scans)
    good = write_image(scans / "PHONG-41" / "HS-2008-099" / "good.png", "PNG")

    report = ingest_batch(archive, scans)

    assert {q.path: q.reason for q in report.quarantined} == expected
    assert all(q.message for q in report.quarantined) and not report.ok
    assert sorted(report.ingested) == ["PHONG-41/HS-2008-099/good.png",
                                       "PHONG-41/HS-2008-099/three-pages.tif"]
    entries = {r["paths"][0]["path"]: r for r in
               (read_json(p) for p in archive.quarantine_dir.glob("*/reason.json"))}
    assert {path: e["reason"] for path, e in entries.items()} == expected
    for path, entry in entries.items():  # the bytes are kept for a person to look at
        kept = archive.quarantine_dir / (entry["sha256"]) / entry["stored_as"]
        assert kept.read_bytes() == (scans / path).read_bytes()
        assert kept.stat().st_mode & 0o222 == 0
    assert good.exists()


def test_tiff_with_a_bad_page_keeps_its_good_pages(archive, tmp_path):
    scans = tmp_path / "scans"
    make_bad_batch(scans)
    report = ingest_batch(archive, scans)
    bad_page = next(q for q in report.quarantined if q.reason == "bad-page")
    record = archive.original_record(bad_page.sha256)
    assert bad_page.bad_pages == [2]
    assert [b["index"] for b in record["bad_pages"]] == [2] and record["pages"] == [1, 3]
    assert [ref.index for ref in archive.iter_page_refs() if ref.sha256 == bad_page.sha256] == [1, 3]


def test_quarantine_is_stable_across_reruns(archive, tmp_path):
    scans = tmp_path / "scans"
    expected = make_bad_batch(scans)
    ingest_batch(archive, scans)
    before = archive_snapshot(archive.root)
    again = ingest_batch(archive, scans)
    assert {q.path: q.reason for q in again.quarantined} == expected
    assert archive_snapshot(archive.root) == before


def test_extension_that_lies_is_read_by_content(archive, tmp_path):
    liar = write_image(tmp_path / "scans" / "F" / "H" / "scan.tif", "JPEG")
    report = ingest_batch(archive, tmp_path / "scans")
    record = archive.original_record(sha256_file(liar))
    assert report.ingested == ["F/H/scan.tif"] and record["format"] == "jpeg"
    assert record["stored_as"].endswith(".jpg")
    assert any("scan.tif" in warning for warning in report.warnings)


def test_fonds_and_file_from_options_or_folders(archive, tmp_path):
    scans = tmp_path / "scans"
    write_image(scans / "HS-7" / "a.png", "PNG", text="một")
    write_image(scans / "HS-8" / "sub" / "b.png", "PNG", text="hai")
    write_image(scans / "loose.png", "PNG", text="ba")
    report = ingest_batch(archive, scans, fonds="PHONG-9")
    placed = {r["source"]["path"]: (r["source"]["fonds"], r["source"]["file"])
              for r in archive.iter_original_records()}
    assert placed == {"HS-7/a.png": ("PHONG-9", "HS-7"), "HS-8/sub/b.png": ("PHONG-9", "HS-8"),
                      "loose.png": ("PHONG-9", None)}
    assert report.warnings and "loose.png" in report.warnings[0]
    single = write_image(tmp_path / "one.jpg", "JPEG")
    ingest_batch(archive, single, fonds="PHONG-1", file="HS-1")
    assert archive.original_record(sha256_file(single))["source"] == {
        "path": "one.jpg", "fonds": "PHONG-1", "file": "HS-1"}


def test_inventory_is_kept_write_once_and_unlisted_files_warned(archive, tmp_path):
    make_batch(tmp_path / "scans")
    inventory = tmp_path / "muc-luc.csv"
    inventory.write_text("fonds_code,fonds_name,file_code,file_title\n"
                         "PHONG-41,Phông Tỉnh ủy Thái Bình,HS-2008-015,Tập nghị quyết năm 2008\n",
                         encoding="utf-8")
    report = ingest_batch(archive, tmp_path / "scans", inventory=inventory)
    stored = archive.root / "inputs" / "inventories" / f"{sha256_file(inventory)}.csv"
    assert report.inventory == sha256_file(inventory)
    assert stored.read_bytes() == inventory.read_bytes() and stored.stat().st_mode & 0o222 == 0
    assert report.warnings == ["Hồ sơ PHONG-17/HS-1990-016 không có trong mục lục hồ sơ."]


def test_unusable_inventory_stops_before_anything_is_ingested(archive, tmp_path):
    make_batch(tmp_path / "scans")
    bad = tmp_path / "bad.csv"
    bad.write_text("a,b\n1,2\n", encoding="utf-8")
    with pytest.raises(InventoryError, match="file_code"):
        ingest_batch(archive, tmp_path / "scans", inventory=bad)
    assert list(archive.iter_original_records()) == []


def test_one_ingest_at_a_time(archive, tmp_path):
    make_batch(tmp_path / "scans")
    with open(archive.tmp_dir / "ingest.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        with pytest.raises(IngestBusy):
            ingest_batch(archive, tmp_path / "scans")


def test_hidden_and_special_files_are_skipped_and_listed(archive, tmp_path):
    write_image(tmp_path / "scans" / "F" / "H" / "a.png", "PNG")
    (tmp_path / "scans" / "F" / "H" / ".DS_Store").write_bytes(b"\0\0\0\1Bud1")
    os.mkfifo(tmp_path / "scans" / "F" / "H" / "pipe.tif")
    report = ingest_batch(archive, tmp_path / "scans")
    assert report.skipped == [{"path": "F/H/.DS_Store", "reason": "hidden-file"},
                              {"path": "F/H/pipe.tif", "reason": "not-a-regular-file"}]
    assert report.ingested == ["F/H/a.png"]


def test_archive_inside_the_scans_folder_is_not_ingested(tmp_path):
    write_image(tmp_path / "F" / "H" / "a.png", "PNG")
    inside = Archive.open(tmp_path / "archive")
    ingest_batch(inside, tmp_path)
    report = ingest_batch(inside, tmp_path)
    assert report.already_ingested == ["F/H/a.png"] and report.ingested == []
    assert report.quarantined == [] and report.duplicates == []
