"""``luutru verify`` on the demo archive: every injected fault found (flipped byte, truncation,
deletion; originals and derived files), each audit a PREMIS event, and a damaged original restored
from the replica after the replica's hash is checked."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from midway import holds_open_under, kill_midway

from luutru.archive import Archive, sha256_file
from luutru.preserve.events import iter_events
from luutru.preserve.fixity import iter_originals, verify

LUUTRU = [sys.executable, "-m", "luutru.cli"]


def flip(path: Path, at: int = 100) -> None:
    os.chmod(path, 0o644)
    data = bytearray(path.read_bytes())
    data[min(at, len(data) - 1)] ^= 0x01
    path.write_bytes(bytes(data))


def truncate(path: Path) -> None:
    os.chmod(path, 0o644)
    path.write_bytes(path.read_bytes()[: path.stat().st_size // 2])


def inject(archive: Archive) -> dict[str, tuple[str, str]]:
    """One fault of each kind in originals and in derived files; what verify must say of each."""
    originals = list(iter_originals(archive))
    a, b, c = originals[0], originals[1], originals[2]
    pages = sorted(archive.pages_dir.glob("*/*/"))
    page_a, page_b = pages[0], pages[-1]
    catalog = sorted(archive.catalog_dir.glob("*.xml"))[0]
    document = sorted(archive.documents_dir.glob("*.pdf"))[0]
    flip(a.path)
    truncate(b.path)
    c.path.unlink()
    flip(page_a / "text.txt")
    truncate(page_a / "ocr.alto.xml")
    (page_b / "ocr.pdf").unlink()
    (page_b / "page.json").unlink()
    flip(catalog, at=200)
    truncate(document)
    stray = page_a / "notes.txt"
    stray.write_text("not of the record")
    rel = lambda p: p.relative_to(archive.root).as_posix()  # noqa: E731
    return {rel(a.path): ("changed", "original"), rel(b.path): ("changed", "original"),
            rel(c.path): ("missing", "original"), rel(page_a / "text.txt"): ("changed", "derived"),
            rel(page_a / "ocr.alto.xml"): ("changed", "derived"),
            rel(page_b / "ocr.pdf"): ("missing", "derived"),
            rel(page_b / "page.json"): ("missing", "derived"),
            rel(catalog): ("changed", "derived"), rel(document): ("changed", "derived"),
            rel(stray): ("unexpected", "derived")}


def test_a_clean_archive_verifies_and_the_audit_is_an_event(demo_archive_copy):
    report = verify(demo_archive_copy)
    assert report.findings == [] and report.exit_code == 0
    assert report.originals == len(list(iter_originals(demo_archive_copy))) and report.files > 50
    events = list(iter_events(demo_archive_copy))
    assert [(e.type, e.outcome, e.all_objects) for e in events] == [("fixity check", "success", True)]
    assert events[0].id == report.event


@pytest.mark.parametrize("jobs", [1, 2])
def test_every_injected_fault_is_found(demo_archive_copy, monkeypatch, jobs):
    """In this process (1 job) and in worker processes, over many batches of files."""
    from luutru.preserve import fixity
    clean = verify(demo_archive_copy, jobs=jobs)
    expected = inject(demo_archive_copy)
    monkeypatch.setattr(fixity, "BATCH", 7)
    report = verify(demo_archive_copy, jobs=jobs)
    found = {f.path: (f.kind, f.what) for f in report.findings}
    assert found == expected
    assert 0 < report.bytes < clean.bytes    # the missing files are not read
    assert report.exit_code == 2
    event = list(iter_events(demo_archive_copy))[-1]
    assert event.outcome == "failure" and len(event.extra["problems"]) == len(expected)


def test_cli_exits_2_and_says_what_is_wrong(demo_archive_copy):
    expected = inject(demo_archive_copy)
    done = subprocess.run([*LUUTRU, "verify", "--json", "-a", str(demo_archive_copy.root)],
                          capture_output=True, text=True, timeout=300)
    assert done.returncode == 2 and "Traceback" not in done.stderr
    assert {f["path"] for f in json.loads(done.stdout)["findings"]} == set(expected)
    text = subprocess.run([*LUUTRU, "verify", "--sample", "50%", "-a", str(demo_archive_copy.root)],
                          capture_output=True, text=True, timeout=300)
    assert text.returncode in (0, 2) and "Đã kiểm tra" in text.stdout and "mẫu 50%" in text.stdout


def test_since_and_sample_narrow_the_audit(demo_archive_copy):
    everything = len(list(iter_originals(demo_archive_copy)))
    assert verify(demo_archive_copy, since=__import__("datetime").date(2999, 1, 1)).originals == 0
    assert verify(demo_archive_copy, sample=0.5).originals == round(everything * 0.5)


def test_replica_restores_a_damaged_original_after_checking_its_hash(demo_archive_copy, tmp_path):
    archive, replica = demo_archive_copy, tmp_path / "replica"
    first = verify(archive, replica=replica)          # the copy is made (as ingest does)
    assert {f.kind for f in first.findings} == {"replicated"} and first.exit_code == 0
    originals = list(iter_originals(archive))
    damaged, lost, bad_copy = originals[0], originals[1], originals[2]
    flip(damaged.path)
    lost.path.unlink()
    flip(replica / bad_copy.path.relative_to(archive.root))

    report = verify(archive, replica=replica)

    kinds = {f.path: f.kind for f in report.findings}
    rel = lambda o: o.path.relative_to(archive.root).as_posix()  # noqa: E731
    assert kinds[rel(damaged)] == "restored" and kinds[rel(lost)] == "restored"
    assert kinds[rel(bad_copy)] == "replicated" and report.exit_code == 0
    assert sha256_file(damaged.path) == damaged.sha256 and sha256_file(lost.path) == lost.sha256
    assert damaged.path.stat().st_mode & 0o222 == 0
    assert sha256_file(replica / rel(bad_copy)) == bad_copy.sha256
    types = [e.type for e in iter_events(archive)]
    assert types.count("recovery") == 2 and types.count("replication") >= 1
    assert verify(archive, replica=replica).findings == []


def test_both_copies_bad_is_said_and_nothing_guessed(demo_archive_copy, tmp_path):
    archive, replica = demo_archive_copy, tmp_path / "replica"
    verify(archive, replica=replica)
    original = next(iter_originals(archive))
    flip(original.path)
    flip(replica / original.path.relative_to(archive.root))
    report = verify(archive, replica=replica)
    assert report.exit_code == 2
    assert {f.what for f in report.problems} == {"original", "replica"}


def test_ingest_copies_originals_to_the_replica(tmp_path):
    from test_ingest_samples import write_image
    from luutru.ingest import ingest_batch
    write_image(tmp_path / "scans" / "F" / "H" / "a.png", "PNG")
    archive = Archive.open(tmp_path / "archive")
    ingest_batch(archive, tmp_path / "scans", replica=tmp_path / "replica")
    original = next(iter_originals(archive))
    copy = tmp_path / "replica" / original.path.relative_to(archive.root)
    assert sha256_file(copy) == original.sha256
    assert copy.with_suffix(".json").read_bytes() == archive.original_record_path(original.sha256).read_bytes()


@pytest.fixture(scope="module")
def big_archive(demo_archive, tmp_path_factory) -> Archive:
    """The demo archive and 16 uncompressed A4 scans (9 MB each): enough bytes that an audit is
    seen at work, and killed there."""
    from PIL import Image, ImageDraw

    from luutru.ingest import ingest_batch
    root = tmp_path_factory.mktemp("big")
    shutil.copytree(demo_archive.root, root / "archive")
    folder = root / "scans" / "PHONG-12" / "HS-2019-004"
    folder.mkdir(parents=True)
    for number in range(16):
        page = Image.new("L", (2480, 3508), 255)
        ImageDraw.Draw(page).rectangle((200, 200 + 150 * number, 2200, 260 + 150 * number), 0)
        page.save(folder / f"raw-{number:02d}.tif", compression=None, dpi=(300, 300))
    archive = Archive.open(root / "archive")
    assert ingest_batch(archive, root / "scans").originals_added == 16
    return archive


def _events(archive: Archive) -> set[str]:
    return {p.name for p in (archive.root / "preservation" / "events").glob("*")}


def _whole_copies(archive: Archive, replica: Path) -> list[Path]:
    """The replica's originals under their final names, each checked to be whole."""
    copies = [p for p in (replica / "originals").glob("*/*")
              if not p.name.startswith(".") and p.suffix != ".json"]
    for copy in copies:
        assert sha256_file(copy) == copy.name.split(".")[0], f"{copy} is half-written"
    for record in (replica / "originals").glob("*/*.json"):
        json.loads(record.read_text(encoding="utf-8"))
    return copies


def test_kill_9_while_hashing_leaves_no_event_and_a_rerun_is_clean(big_archive):
    archive, before = big_archive, _events(big_archive)
    kill_midway(["verify", "--jobs", "1", "-a", str(archive.root)],
                lambda process: holds_open_under(process, archive.originals_dir))
    assert _events(archive) == before                     # mid-way: the audit was not recorded

    done = subprocess.run([*LUUTRU, "verify", "--json", "-a", str(archive.root)],
                          capture_output=True, text=True, timeout=600)

    assert done.returncode == 0, done.stdout + done.stderr
    new = _events(archive) - before
    assert len(new) == 1 and not any(name.endswith(".tmp") for name in new)
    event = json.loads((archive.root / "preservation" / "events" / new.pop()).read_text())
    assert (event["type"], event["outcome"]) == ("fixity check", "success")


def test_kill_9_while_copying_to_the_replica_leaves_whole_copies_only(big_archive, tmp_path):
    archive, replica = big_archive, tmp_path / "replica"
    total = len(list(iter_originals(archive)))
    kill_midway(["verify", "--jobs", "1", "--replica", str(replica), "-a", str(archive.root)],
                lambda _: len(_whole_copies(archive, replica)) >= 1)
    assert 1 <= len(_whole_copies(archive, replica)) < total   # mid-way, and nothing half

    done = subprocess.run([*LUUTRU, "verify", "--json", "--replica", str(replica),
                           "-a", str(archive.root)], capture_output=True, text=True, timeout=600)

    assert done.returncode == 0, done.stdout + done.stderr
    assert len(_whole_copies(archive, replica)) == total
    assert not [p for p in replica.rglob("*") if p.name.endswith(".partial")]
    for path in (archive.root / "preservation" / "events").glob("*"):
        json.loads(path.read_text(encoding="utf-8"))
    assert verify(archive, replica=replica).findings == []


def test_an_archive_from_before_checksums_is_adopted_once(demo_archive_copy):
    archive = demo_archive_copy
    for sidecar in archive.root.rglob(".*.sha256"):
        sidecar.unlink()
    before = verify(archive)
    assert before.exit_code == 2 and {f.kind for f in before.findings} == {"unrecorded"}
    adopted = verify(archive, adopt=True)
    assert adopted.exit_code == 0 and {f.kind for f in adopted.findings} == {"adopted"}
    assert "message digest calculation" in [e.type for e in iter_events(archive)]
    flip(next(archive.pages_dir.glob("*/*/text.txt")))
    assert [f.kind for f in verify(archive).findings] == ["changed"]
