"""Sample batches on disk: formats as stated, corpus layout, same seed → same bytes, idempotent."""

from __future__ import annotations

import csv
import json

import numpy as np
import pikepdf
import pytest
from click.testing import CliRunner
from PIL import Image

from luutru.samples.batch import INVENTORY_COLUMNS, MANIFEST_COLUMNS, DocPlan, corpus_plans, make_batch
from luutru.samples.degrade import rotate_quarter, skew
from luutru.samples.make_samples import demo_plans
from luutru.samples.make_samples import main as make_samples_main

PLANS = [
    DocPlan("tif-lzw", pages=2, dpi=100, fonds="PHONG-12", file_code="HS-2010-003", year=2010),
    DocPlan("tif-g4", pages=2, dpi=100, do_mat="Mật", fonds="PHONG-12", file_code="HS-2010-003", year=2010),
    DocPlan("jpg", "t1", pages=1, dpi=100, skew_deg=2.0, fonds="PHONG-12", file_code="HS-2010-003", year=2010),
    DocPlan("hs-pdf", pages=1, dpi=100, fonds="PHONG-31", file_code="HS-1996-007", year=1996),
    DocPlan("hs-pdf", "t2", pages=1, dpi=100, rotation=180, fonds="PHONG-31", file_code="HS-1996-007",
            year=1996),
]


@pytest.fixture(scope="module")
def batch(tmp_path_factory):
    root = tmp_path_factory.mktemp("batch")
    return make_batch(root / "scans", seed=3, documents=PLANS)


def _rows(path):
    with open(path, newline="", encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


def test_tiffs_are_multipage_with_the_stated_compression(batch):
    colour = Image.open(batch.scans_dir / "PHONG-12/HS-2010-003/doc-0001.tif")
    assert (colour.n_frames, colour.mode, colour.info["compression"]) == (2, "RGB", "tiff_lzw")
    assert round(colour.info["dpi"][0]) == 100
    bitonal = Image.open(batch.scans_dir / "PHONG-12/HS-2010-003/doc-0002.tif")
    assert (bitonal.n_frames, bitonal.mode, bitonal.info["compression"]) == (2, "1", "group4")


def test_hoso_pdf_holds_both_documents_as_images_only(batch):
    path = batch.scans_dir / "PHONG-31/HS-1996-007/HS-1996-007.pdf"
    with pikepdf.open(path) as pdf:
        assert len(pdf.pages) == 2
        for page in pdf.pages:
            assert len(page.get_images()) == 1
            assert "/Font" not in page.Resources
    metas = [batch.documents["sample-0004"], batch.documents["sample-0005"]]
    assert [(m["source"], m["first_page"], m["last_page"]) for m in metas] == [
        ("PHONG-31/HS-1996-007/HS-1996-007.pdf", 1, 1), ("PHONG-31/HS-1996-007/HS-1996-007.pdf", 2, 2)]


def test_answers_follow_the_corpus_layout(batch):
    manifest = _rows(batch.truth_dir / "manifest.csv")
    assert list(manifest[0]) == MANIFEST_COLUMNS
    assert len(manifest) == batch.pages == 7
    assert not (batch.scans_dir / "inventory.csv").exists()       # ingest would quarantine it
    inventory = _rows(batch.inventory)
    assert list(inventory[0]) == INVENTORY_COLUMNS
    assert {row["file_code"]: int(row["pages"]) for row in inventory} == {"HS-2010-003": 5, "HS-1996-007": 2}
    for row in manifest:
        assert (batch.scans_dir / row["source"]).exists()
        page = batch.truth_dir / "truth" / row["doc_id"] / f"page-{int(row['page_no']):03d}.txt"
        assert page.read_text(encoding="utf-8").strip()
    skewed = next(row for row in manifest if row["source"].endswith(".jpg"))
    assert (skewed["tier"], float(skewed["skew_deg"])) == ("t1", 2.0)
    turned = next(row for row in manifest if row["doc_id"] == "sample-0005")
    assert int(turned["rotation"]) == 180
    meta = json.loads((batch.truth_dir / "truth/sample-0002/meta.json").read_text(encoding="utf-8"))
    assert meta["do_mat"] == "Mật"
    assert "MẬT" in (batch.truth_dir / "truth/sample-0002/page-001.txt").read_text(encoding="utf-8")


def test_same_seed_same_bytes_and_a_rerun_writes_nothing(batch, tmp_path):
    again = make_batch(tmp_path / "scans", seed=3, documents=PLANS)
    for path in batch.files:
        twin = tmp_path / "scans" / path.relative_to(batch.scans_dir)
        assert twin.read_bytes() == path.read_bytes(), path.name
    assert (tmp_path / "manifest.csv").read_bytes() == (batch.truth_dir / "manifest.csv").read_bytes()
    rerun = make_batch(tmp_path / "scans", seed=3, documents=PLANS)
    assert rerun.written == []
    assert rerun.manifest == again.manifest


def test_small_default_batch(tmp_path):
    info = make_batch(tmp_path / "scans", seed=1, documents=3, truth_dir=tmp_path / "answers")
    assert info.pages == 3
    assert sorted(p.suffix for p in info.files) == [".jpg", ".png", ".tif"]
    assert (tmp_path / "answers/manifest.csv").exists()
    assert not (tmp_path / "scans/manifest.csv").exists()


def test_rotation_is_clockwise_and_skew_counter_clockwise():
    page = Image.new("L", (40, 20), 255)
    page.paste(0, (0, 0, 5, 5))                      # a mark in the top-left corner
    turned = np.asarray(rotate_quarter(page, 90))
    assert turned.shape == (40, 20) and turned[0, -1] == 0   # now top-right
    with pytest.raises(ValueError):
        rotate_quarter(page, 45)
    assert skew(page, 0) is page


def test_demo_plan_has_every_case_make_demo_promises():
    plans = demo_plans(1)
    assert 6 <= len(plans) <= 8 and 10 <= sum(plan.pages for plan in plans) <= 14
    formats = {plan.fmt for plan in plans}
    assert {"jpg", "png", "tif-lzw", "tif-g4", "hs-pdf"} <= formats
    assert sum(plan.fmt == "hs-pdf" for plan in plans) >= 2
    assert any(plan.fmt == "jpg" and abs(plan.skew_deg or 0) >= 2 for plan in plans)
    assert any(plan.rotation in (90, 180) for plan in plans)
    assert any(plan.do_mat == "Mật" for plan in plans)
    assert any(plan.note for plan in plans) and all(plan.seal for plan in plans)


def test_corpus_plans_group_documents_into_files():
    plans = corpus_plans(30, seed=4)
    assert len(plans) == 30 and plans == corpus_plans(30, seed=4)
    assert [plan.tier for plan in plans[:4]] == ["t0", "t1", "t2", "t3"]
    files = {(plan.fonds, plan.file_code) for plan in plans}
    assert 6 <= len(files) <= 15
    for fonds, file_code in files:
        members = [plan for plan in plans if (plan.fonds, plan.file_code) == (fonds, file_code)]
        assert len({plan.fmt == "hs-pdf" for plan in members}) == 1      # a bundle holds the whole hồ sơ
        assert file_code.startswith(f"HS-{members[0].year}-")


def test_make_samples_rejects_unknown_tiers(tmp_path):
    result = CliRunner().invoke(make_samples_main, [str(tmp_path / "scans"), "--documents", "2", "--tiers", "t9"])
    assert result.exit_code == 2 and "t9" in result.output
    assert not (tmp_path / "scans").exists()
