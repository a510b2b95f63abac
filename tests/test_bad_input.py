"""The bad-input table of issue 16: every row is a batch with one bad thing in it and one good scan.
Each exits 2 with its Vietnamese message, no traceback, and the good scan ingested."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from traceback import format_exception

import pytest
from click.testing import CliRunner
from PIL import Image
from test_ingest_samples import write_image, write_tiff_with_bad_page

from luutru.archive import Archive
from luutru.cli import cli

LUUTRU = [sys.executable, "-m", "luutru.cli"]
GOOD = "F/H/good.png"


def _symlink_to_secret(scans: Path, archive: Path) -> None:
    secret = archive / "access" / "secret.key"
    secret.parent.mkdir(parents=True)
    secret.write_bytes(b"session-signing-key")
    (scans / "F" / "H" / "x.jpg").symlink_to(secret)


def _symlink_to_system_file(scans: Path, archive: Path) -> None:
    (scans / "F" / "H" / "passwd.jpg").symlink_to("/etc/passwd")


def _symlinked_folder(scans: Path, archive: Path) -> None:
    elsewhere = scans.parent / "elsewhere"
    write_image(elsewhere / "p.png", "PNG")
    (scans / "F" / "linked").symlink_to(elsewhere, target_is_directory=True)


def _unreadable_folder(scans: Path, archive: Path) -> None:
    write_image(scans / "F" / "locked" / "p.png", "PNG")
    (scans / "F" / "locked").chmod(0)


def _long_name_with_bad_page(scans: Path, archive: Path) -> None:
    name = "ho-so-" + "rất-dài-" * 22 + ".tif"          # 246+ bytes in UTF-8
    assert 246 <= len(name.encode()) <= 255
    write_tiff_with_bad_page(scans / "F" / "H" / name)


def _escape_in_name(scans: Path, archive: Path) -> None:
    write_image(scans / "F" / "H" / "scan\x1b[31m.png", "PNG", text="Công văn")


def _one_pixel_jpeg(scans: Path, archive: Path) -> None:
    Image.new("L", (1, 1), 255).save(scans / "F" / "H" / "dot.jpg", "JPEG")


# (row, what makes the batch bad, the report's section, its reason, the path it names, a phrase of
# the Vietnamese message)
TABLE: list[tuple[str, Callable[[Path, Path], None], str, str, str, str]] = [
    ("symlink to the archive's key", _symlink_to_secret, "problems", "symlink", "F/H/x.jpg",
     "Liên kết tượng trưng"),
    ("symlink to /etc/passwd", _symlink_to_system_file, "problems", "symlink", "F/H/passwd.jpg",
     "không được theo"),
    ("symlinked folder", _symlinked_folder, "problems", "symlink", "F/linked", "không được theo"),
    ("unreadable folder", _unreadable_folder, "problems", "unreadable-folder", "F/locked",
     "Không đọc được thư mục"),
    ("246-byte name and a bad page", _long_name_with_bad_page, "quarantined", "bad-page", None,
     "Trang 2 hỏng"),
    ("ESC in a file name", _escape_in_name, "problems", "control-characters",
     "F/H/scan\\x1b[31m.png", "ký tự điều khiển"),
    ("1×1 JPEG", _one_pixel_jpeg, "quarantined", "image-too-small", "F/H/dot.jpg",
     "quá nhỏ để là một trang quét"),
]


@pytest.fixture
def workdir(tmp_path):
    yield tmp_path
    for root, folders, _ in os.walk(tmp_path):
        for folder in folders:
            os.chmod(Path(root) / folder, 0o755)


def _ingest(scans: Path, archive: Path, in_process: bool = False):
    """``luutru ingest --json`` in a process of its own; in this one when root must be refused a
    folder (root reads any folder, so the refusal the kernel gives anyone else is given here)."""
    args = ["ingest", str(scans), "--json", "--archive", str(archive)]
    if not in_process:
        env = {**os.environ, "OMP_THREAD_LIMIT": "1"}
        return subprocess.run([*LUUTRU, *args], capture_output=True, text=True, env=env,
                              timeout=120)
    real_scandir = os.scandir

    def refusing_scandir(path="."):
        if isinstance(path, (str, os.PathLike)) and Path(path).name == "locked":
            raise PermissionError(13, "Permission denied", str(path))
        return real_scandir(path)

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(os, "scandir", refusing_scandir)
        result = CliRunner().invoke(cli, args)
    traceback = "".join(format_exception(result.exc_info[1])) if result.exc_info and \
        not isinstance(result.exc_info[1], SystemExit) else ""
    return subprocess.CompletedProcess(args, result.exit_code, result.stdout, traceback)


@pytest.mark.parametrize("row", TABLE, ids=[row[0] for row in TABLE])
def test_bad_input_exits_2_with_its_message_and_the_rest_ingested(workdir, row):
    _, make_bad, section, reason, path, phrase = row
    scans, archive = workdir / "scans", workdir / "archive"
    write_image(scans / GOOD, "PNG")
    Archive.open(archive)
    make_bad(scans, archive)
    as_root = reason == "unreadable-folder" and os.geteuid() == 0

    done = _ingest(scans, archive, as_root)

    assert done.returncode == 2, done.stderr
    assert "Traceback" not in done.stderr
    summary = json.loads(done.stdout)
    entry = next(e for e in summary[section] if e["reason"] == reason)
    assert path is None or entry["path"] == path
    assert phrase in entry["message"]
    assert GOOD in summary["ingested"]
    text = _ingest(scans, archive, as_root)            # a re-run says the same, in words
    assert text.returncode == 2 and "Traceback" not in text.stderr
    assert phrase in text.stdout or section == "quarantined"


def test_a_symlink_never_copies_what_it_points_to(workdir):
    scans, archive = workdir / "scans", workdir / "archive"
    write_image(scans / GOOD, "PNG")
    Archive.open(archive)
    _symlink_to_secret(scans, archive)
    _symlink_to_system_file(scans, archive)
    assert _ingest(scans, archive).returncode == 2
    stored = [p.read_bytes() for p in archive.rglob("*") if p.is_file() and "access" not in p.parts]
    assert not any(b"session-signing-key" in data or b"root:" in data for data in stored)


def test_the_archive_itself_is_never_a_scan_folder(workdir):
    archive = workdir / "archive"
    Archive.open(archive)
    (archive / "access").mkdir()
    (archive / "access" / "secret.key").write_bytes(b"session-signing-key")
    done = _ingest(archive / "access", archive)
    assert done.returncode == 1 and "Traceback" not in done.stderr
    assert "nằm trong kho lưu trữ" in done.stderr
    assert not any(archive.joinpath("quarantine").iterdir())


def test_long_quarantine_name_is_short_and_the_full_name_kept(workdir):
    scans, archive = workdir / "scans", workdir / "archive"
    _long_name_with_bad_page(scans, archive)
    _ingest(scans, archive)
    entry = next((archive / "quarantine").iterdir())
    reason = json.loads((entry / "reason.json").read_text())
    assert len(reason["stored_as"].encode()) <= 120 and reason["stored_as"].endswith(".tif")
    assert reason["paths"][0]["path"].endswith("rất-dài-.tif")
    assert len(reason["paths"][0]["path"].encode()) > 246


def test_escaped_name_is_what_the_records_hold(workdir):
    scans, archive = workdir / "scans", workdir / "archive"
    _escape_in_name(scans, archive)
    _ingest(scans, archive)
    records = [json.loads(p.read_text()) for p in (archive / "originals").glob("*/*.json")]
    assert [r["source"]["path"] for r in records] == ["F/H/scan\\x1b[31m.png"]
    assert not any("\x1b" in p.read_text() for p in (archive / "pages").rglob("page.json"))
