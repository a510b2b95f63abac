"""Shared fixtures: a fresh archive in a temporary directory."""

from __future__ import annotations

import pytest

from luutru.archive import Archive


@pytest.fixture
def archive(tmp_path) -> Archive:
    return Archive.open(tmp_path / "archive")
