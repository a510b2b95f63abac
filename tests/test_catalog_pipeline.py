"""The catalogue stage on real OCR output: rendered Party documents → ingest → OCR → catalogue.

One hồ sơ holds a TIFF with two documents back to back (a 1-page nghị quyết and a 2-page công văn
marked MẬT) and a kế hoạch scanned as two single-page PNGs. The pages are read by the real
Tesseract (fast model, 200 dpi) once per module; tests that change the archive work on a copy.
"""

from __future__ import annotations

import csv
import json
import random
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from luutru.archive import Archive
from luutru.catalog import build_catalog, iter_files, iter_fonds, iter_items
from luutru.catalog.build import CatalogReport
from luutru.export.ead import ead_schema, export_ead
from luutru.catalog.record import fonds_path, validate
from luutru.catalog.review import export_review, import_review
from luutru import xmlsafe
from luutru.cli import cli
from luutru.ingest.batch import ingest_batch
from luutru.ingest.report import IngestReport
from luutru.ocr.pipeline import ocr_archive
from luutru.pipeline import RunReport
from luutru.samples.documents import generate_document
from luutru.samples.render import render_page

DPI = 200
FONDS, FILE = "PHONG-12", "HS-2020-001"
# Fields the machine must either get right or send to review (never a confident wrong value).
CHECKED = ("so_ky_hieu", "loai_van_ban", "ngay_ban_hanh", "co_quan_ban_hanh", "trich_yeu", "nguoi_ky",
           "chuc_vu_nguoi_ky", "dia_danh", "do_mat", "noi_nhan", "so_ky_hieu_trich_dan")


def _doc(seed: int, **kw):
    return generate_document(random.Random(seed), fonds=FONDS, file=FILE, year=2020, **kw)


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    root = tmp_path_factory.mktemp("catalog")
    docs = [_doc(1, doc_type="NQ", do_mat=None, do_khan=None, pages=1),
            _doc(2, doc_type="CV", do_mat="Mật", do_khan=None, pages=2),
            _doc(3, doc_type="KH", do_mat=None, do_khan=None, pages=2)]
    folder = root / "scans" / FONDS / FILE
    folder.mkdir(parents=True)
    images = [render_page(d, p, DPI)[0] for d in docs[:2] for p in range(1, len(d.pages) + 1)]
    images[0].save(folder / f"{FILE}.tif", save_all=True, append_images=images[1:],
                   compression="tiff_lzw", dpi=(DPI, DPI))
    for p in (1, 2):
        render_page(docs[2], p, DPI)[0].convert("L").save(folder / f"doc-0003_p00{p}.png", dpi=(DPI, DPI))
    archive = Archive.open(root / "archive")
    ingest_batch(archive, root / "scans")
    ocr_archive(archive, model="fast")
    report = build_catalog(archive)
    truth = [(f"{FONDS}/{FILE}/{FILE}.tif", 1, 1, docs[0].meta),
             (f"{FONDS}/{FILE}/{FILE}.tif", 2, 3, docs[1].meta),
             (f"{FONDS}/{FILE}/doc-0003_p001.png", 1, 1, docs[2].meta)]
    return archive, report, truth


@pytest.fixture
def work_copy(built, tmp_path) -> Archive:
    archive = built[0]
    shutil.copytree(archive.root, tmp_path / "archive")
    return Archive(tmp_path / "archive")


def _items(archive: Archive) -> list[dict]:
    return sorted(iter_items(archive), key=lambda i: (i["source"], i["first_page"]))


def test_documents_are_split_where_each_one_starts(built):
    archive, report, truth = built
    items = _items(archive)
    assert report.items == 3 and report.pages == 5
    assert [(i["source"], i["first_page"], i["last_page"]) for i in items] == \
        [(s, f, last) for s, f, last, _ in truth]
    assert len(items[2]["pages"]) == 2        # the kế hoạch spans two single-page scans


def test_fields_are_right_or_sent_to_review(built):
    archive, _, truth = built
    for item, (_, _, _, meta) in zip(_items(archive), truth):
        for name in CHECKED:
            value, expected = item[name], meta[name]
            if isinstance(expected, list):
                value, expected = sorted(value or []), sorted(expected)
            assert value == expected or name in item["needs_review"], (name, value, expected)


def test_header_fields_of_clean_pages_are_read(built):
    archive, _, truth = built
    for item, (_, _, _, meta) in zip(_items(archive), truth):
        for name in ("so_ky_hieu", "ngay_ban_hanh", "loai_van_ban", "dia_danh", "do_mat"):
            assert item[name] == meta[name], name
    cv = _items(archive)[1]
    assert cv["trich_yeu"].startswith("V/v ")
    assert cv["access"] == "Hạn chế"          # the hồ sơ holds a Mật document


def test_record_validates_and_a_rerun_changes_no_byte(built, work_copy):
    path = fonds_path(work_copy, FONDS)
    before = path.read_bytes()
    validate(before)
    report = build_catalog(work_copy)
    assert report.written == []
    assert path.read_bytes() == before


def test_files_and_fonds_describe_their_content(built):
    archive = built[0]
    files = list(iter_files(archive))
    assert [f["code"] for f in files] == [FILE]
    assert files[0]["so_luong_trang"] == "5" or files[0]["so_luong_trang"] == 5
    fonds = list(iter_fonds(archive))
    assert fonds[0]["code"] == FONDS and fonds[0]["thoi_gian_tai_lieu"] == "2020"


def _correct(sheet: Path, item_id: str, **values) -> None:
    rows = list(csv.DictReader(sheet.open(encoding="utf-8")))
    for row in rows:
        if row["id"] == item_id:
            row.update(values)
    with sheet.open("w", encoding="utf-8", newline="") as out:
        writer = csv.DictWriter(out, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)


def test_archivist_corrections_survive_a_rerun_and_link_citations(work_copy, tmp_path):
    items = _items(work_copy)
    cited = items[1]["so_ky_hieu_trich_dan"][0]
    sheet = tmp_path / "review.csv"
    assert export_review(work_copy, sheet, everything=True) == 3
    # the archivist says the nghị quyết is the document the công văn cites, and fixes a name
    _correct(sheet, items[0]["id"], so_ky_hieu=cited, nguoi_ky="Nguyễn Văn A")
    report = import_review(work_copy, sheet)
    assert report.errors == [] and report.values_set == 2
    build_catalog(work_copy)
    build_catalog(work_copy)
    after = {i["id"]: i for i in iter_items(work_copy)}
    first = after[items[0]["id"]]
    assert first["so_ky_hieu"] == cited and first["nguoi_ky"] == "Nguyễn Văn A"
    assert first["cited_by"] == [items[1]["id"]]
    assert after[items[1]["id"]]["cites"] == [items[0]["id"]]
    xml = fonds_path(work_copy, FONDS).read_text(encoding="utf-8")
    assert 'origin="archivist"' in xml


def test_bad_corrections_are_reported_by_line_and_the_rest_applied(work_copy, tmp_path):
    items = _items(work_copy)
    sheet = tmp_path / "review.xlsx"
    export_review(work_copy, sheet, everything=True)
    from openpyxl import load_workbook
    book = load_workbook(sheet)
    rows = book.active
    header = [c.value for c in rows[1]]
    col = {name: header.index(name) + 1 for name in header}
    rows.cell(2, col["ngay_ban_hanh"]).value = "31/02/2020"       # no such day
    rows.cell(3, col["do_mat"]).value = "Bí mật"                  # not a secrecy level
    rows.cell(4, col["dia_danh"]).value = "Hà Nội"
    book.save(sheet)
    report = import_review(work_copy, sheet)
    assert len(report.errors) == 2
    assert report.errors[0].startswith("line 2, ngay_ban_hanh")
    assert report.errors[1].startswith("line 3, do_mat")
    assert {i["id"]: i for i in iter_items(work_copy)}[items[2]["id"]]["dia_danh"] == "Hà Nội"


def test_ead3_export_validates_against_the_official_schema(built):
    archive = built[0]
    data = export_ead(archive, FONDS, clearance="tuyet-mat")
    assert ead_schema("ead3.xsd").validate(xmlsafe.parse(data))
    assert "Độ mật: Mật".encode() in data
    everything = export_ead(archive, clearance="tuyet-mat")
    assert everything == data or b'level="fonds"' in everything


def test_cli_exports_items_for_the_scorer(built, tmp_path):
    archive = built[0]
    runner = CliRunner()
    result = runner.invoke(cli, ["export", "items", "-", "--format", "jsonl", "--clearance", "tuyet-mat",
                                 "-a", str(archive.root)])
    assert result.exit_code == 0, result.output
    rows = [json.loads(line) for line in result.output.splitlines()]
    assert {"id", "source", "first_page", "last_page", "so_ky_hieu", "needs_review"} <= set(rows[0])
    csv_out = tmp_path / "items.csv"
    result = runner.invoke(cli, ["export", "items", str(csv_out), "--format", "csv", "--clearance", "mat",
                                 "-a", str(archive.root)])
    assert result.exit_code == 0 and len(list(csv.DictReader(csv_out.open(encoding="utf-8")))) == 3
    result = runner.invoke(cli, ["catalog", "show", rows[0]["id"], "--json", "-a", str(archive.root)])
    assert json.loads(result.output)["id"] == rows[0]["id"]
    result = runner.invoke(cli, ["catalog", "show", "vb-nope", "-a", str(archive.root)])
    assert result.exit_code != 0 and "không có văn bản" in result.output


def test_catalog_command_summary_is_in_vietnamese(work_copy):
    result = CliRunner().invoke(cli, ["catalog", "-a", str(work_copy.root)])
    assert result.exit_code == 0, result.output
    assert result.output.startswith("Mục lục: 3 văn bản trong 1 hồ sơ, 1 phông (5 trang)")
    assert "tệp mục lục đã ghi: không có." in result.output  # nothing changed since the build


def test_a_fonds_record_that_could_not_be_written_needs_a_person():
    """``luutru catalog`` and ``luutru run`` exit 2 and name it, as for a page OCR could not read."""
    report = CatalogReport(fonds=2, items=5, errors=["PHONG-9: element 'unitdate': invalid"])
    assert report.exit_code == 2
    assert "\n  lỗi: PHONG-9: element 'unitdate': invalid" in report.summary_text()
    run = RunReport(IngestReport(), stages={"catalog": report})
    assert run.exit_code == 2 and "lỗi: PHONG-9" in run.summary_text()
    assert CatalogReport().exit_code == 0
