"""Shared fixtures: a fresh archive, and the demo batch run through every stage once."""

from __future__ import annotations

import shutil
import subprocess
import sys

import pytest

from luutru.archive import Archive


@pytest.fixture
def archive(tmp_path) -> Archive:
    return Archive.open(tmp_path / "archive")


@pytest.fixture(scope="session")
def demo_archive(tmp_path_factory) -> Archive:
    """The demo batch (``make demo``'s scans) ingested, OCR'd, catalogued and indexed, once per run.

    Shared by the reading-room and volume tests: treat it as read-only; copy it
    (:func:`demo_archive_copy`) to change anything.
    """
    from luutru.pipeline import run_all

    root = tmp_path_factory.mktemp("demo")
    # The scans are made in a fresh interpreter, as `make demo` makes them: made in this process
    # after other tests rendered and saved images, one TIFF came out with other bytes (so other
    # SHA-256 and item ids than the ones tests name).
    subprocess.run([sys.executable, "-m", "luutru.samples.make_samples", str(root / "scans")],
                   check=True, capture_output=True)
    archive = Archive.open(root / "archive")
    report = run_all(archive, root / "scans", inventory=root / "inventory.csv", jobs=2)
    assert report.exit_code == 0, report.to_json()
    return archive


@pytest.fixture
def demo_archive_copy(demo_archive, tmp_path) -> Archive:
    """A private copy of the demo archive that a test may change."""
    target = tmp_path / "archive"
    shutil.copytree(demo_archive.root, target)
    return Archive.open(target)
