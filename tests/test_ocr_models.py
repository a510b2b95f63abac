"""Model table, location and install checks (the best model is installed by the set-up)."""

from __future__ import annotations

import pytest

from luutru.ocr import models
from luutru.ocr.models import DEFAULT_MODEL, MODELS, ModelMissing, locate


def test_default_model_is_installed_and_pinned():
    where = locate(DEFAULT_MODEL)
    assert where.lang == "vie"
    if MODELS[DEFAULT_MODEL].sha256:
        assert where.sha256 == MODELS[DEFAULT_MODEL].sha256
    assert (where.tessdata_dir or models.default_tessdata_dir()).joinpath("vie.traineddata").exists()


def test_fast_model_is_the_system_one():
    where = locate("fast")
    assert where.tessdata_dir is None and len(where.sha256) == 64


def test_missing_model_names_the_install_command(tmp_path, monkeypatch):
    monkeypatch.setenv(models.DATA_DIR_ENV, str(tmp_path))
    with pytest.raises(ModelMissing, match="python -m luutru.ocr.models install"):
        locate("best")


def test_a_different_file_is_refused(tmp_path, monkeypatch):
    monkeypatch.setenv(models.DATA_DIR_ENV, str(tmp_path))
    (tmp_path / "vie.traineddata").write_bytes(b"not a model")
    with pytest.raises(ModelMissing, match="not the pinned"):
        locate("best")


def test_install_refuses_a_tarball_with_another_checksum(tmp_path, monkeypatch):
    monkeypatch.setenv(models.DATA_DIR_ENV, str(tmp_path / "data"))
    fake = tmp_path / "vie-1.0.0.tgz"
    fake.write_bytes(b"\x1f\x8b fake")
    with pytest.raises(ModelMissing, match="package sha256"):
        models.install("best", tarball=fake)
    assert not (tmp_path / "data" / "vie.traineddata").exists()


def test_unknown_model():
    with pytest.raises(ModelMissing, match="unknown model"):
        locate("nope")
