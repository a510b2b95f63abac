"""``luutru ingest`` as a user runs it: a real subprocess, exit codes, ``--json``, and ``kill -9``
at any moment followed by a re-run that finishes the job with nothing lost or duplicated."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from test_ingest_samples import archive_snapshot, make_bad_batch, make_batch, write_image

LUUTRU = [sys.executable, "-m", "luutru.cli"]


def run(*args: str | Path, archive: Path) -> subprocess.CompletedProcess:
    env = {**os.environ, "OMP_THREAD_LIMIT": "1"}
    return subprocess.run([*LUUTRU, *map(str, args), "--archive", str(archive)],
                          capture_output=True, text=True, env=env, timeout=120)


def test_good_batch_exits_0_with_json_summary(tmp_path):
    paths = make_batch(tmp_path / "scans")
    done = run("ingest", tmp_path / "scans", "--json", archive=tmp_path / "a")
    assert done.returncode == 0, done.stderr
    summary = json.loads(done.stdout)
    assert sorted(summary["ingested"]) == paths
    assert summary["duplicates"] == [] and summary["quarantined"] == []
    assert summary["originals_added"] == len(paths) and summary["pages_added"] > len(paths)

    again = json.loads(run("ingest", tmp_path / "scans", "--json", archive=tmp_path / "a").stdout)
    assert again["ingested"] == [] and sorted(again["already_ingested"]) == paths


def test_quarantine_exits_2_without_traceback(tmp_path):
    expected = make_bad_batch(tmp_path / "scans")
    write_image(tmp_path / "scans" / "PHONG-41" / "HS-1" / "a.png", "PNG")
    done = run("ingest", tmp_path / "scans", "--json", archive=tmp_path / "a")
    assert done.returncode == 2 and "Traceback" not in done.stderr
    summary = json.loads(done.stdout)
    assert {q["path"]: q["reason"] for q in summary["quarantined"]} == expected
    assert all(q["message"] for q in summary["quarantined"])
    assert "PHONG-41/HS-1/a.png" in summary["ingested"]

    text = run("ingest", tmp_path / "scans", archive=tmp_path / "a")
    assert text.returncode == 2 and "encrypted-pdf" in text.stdout and "Traceback" not in text.stderr


def test_duplicate_in_json_names_the_first(tmp_path):
    first = write_image(tmp_path / "scans" / "F" / "H" / "a.png", "PNG")
    (tmp_path / "scans" / "F" / "H" / "b.png").write_bytes(first.read_bytes())
    summary = json.loads(run("ingest", tmp_path / "scans", "--json", archive=tmp_path / "a").stdout)
    assert summary["ingested"] == ["F/H/a.png"]
    assert [(d["path"], d["first_path"]) for d in summary["duplicates"]] == [("F/H/b.png", "F/H/a.png")]


def test_unusable_input_is_a_clear_error_exit_1(tmp_path):
    make_batch(tmp_path / "scans")
    (tmp_path / "inv.csv").write_text("x\n1\n", encoding="utf-8")
    done = run("ingest", tmp_path / "scans", "--inventory", tmp_path / "inv.csv", archive=tmp_path / "a")
    assert done.returncode == 1 and "fonds_code" in done.stderr and "Traceback" not in done.stderr
    under_a_file = tmp_path / "inv.csv" / "archive"
    for args, archive in ((["ingest", tmp_path / "nowhere"], tmp_path / "a"),
                          (["ingest", tmp_path / "scans", "--inventory", tmp_path / "missing.csv"],
                           tmp_path / "a"),
                          (["ingest", tmp_path / "scans"], under_a_file)):
        done = run(*args, archive=archive)
        assert done.returncode == 1 and "Traceback" not in done.stderr and done.stderr


@pytest.fixture(scope="module")
def batch_and_clean_run(tmp_path_factory) -> tuple[Path, dict]:
    """A batch of 28 files (every format, every bad kind) and the archive a clean run makes of it."""
    root = tmp_path_factory.mktemp("kill")
    scans = root / "scans"
    for lot in range(3):
        make_batch(scans / f"lot-{lot}", tag=f"lô {lot}")
    make_bad_batch(scans / "lot-bad")
    clean = run("ingest", scans, archive=root / "clean")
    assert clean.returncode == 2  # the bad lot is quarantined
    return scans, archive_snapshot(root / "clean")


def _kill_after(scans: Path, archive: Path, originals: int) -> None:
    """Start an ingest and SIGKILL it once ``originals`` original records exist."""
    process = subprocess.Popen([*LUUTRU, "ingest", str(scans), "--archive", str(archive)],
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                               env={**os.environ, "OMP_THREAD_LIMIT": "1"})
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and process.poll() is None:
        if len(list(archive.glob("originals/*/*.json"))) >= originals:
            break
        time.sleep(0.002)
    assert process.poll() is None, "the batch ended before it could be killed"
    process.send_signal(signal.SIGKILL)
    process.wait()


@pytest.mark.parametrize("kill_at", [1, 8, 17])
def test_kill_9_then_rerun_equals_a_clean_run(tmp_path, batch_and_clean_run, kill_at):
    scans, clean = batch_and_clean_run
    _kill_after(scans, tmp_path / "killed", kill_at)
    resumed = run("ingest", scans, "--json", archive=tmp_path / "killed")

    assert resumed.returncode == 2 and "Traceback" not in resumed.stderr
    assert archive_snapshot(tmp_path / "killed") == clean
    assert not list((tmp_path / "killed" / "tmp").glob("ingest-*"))
