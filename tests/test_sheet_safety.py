"""Bad input that arrives through spreadsheets, inventories, huge pages and a lost index: refused
by name and line, never run as a formula, never replacing an earlier inventory, never a traceback."""

from __future__ import annotations

import csv
import json
import shutil

import numpy as np
from click.testing import CliRunner
from openpyxl import load_workbook

from luutru.catalog.build import iter_items
from luutru.export.items import items_xlsx
from luutru.catalog.inventory import InventoryRow, load_inventories, store_inventory
from luutru.catalog.review import export_review, import_review
from luutru.cli import cli
from luutru.ocr.cleanup import STEPS, CleanupOptions, clean_page


def _review_sheet(archive, tmp_path, edit) -> object:
    sheet = tmp_path / "review.xlsx"
    export_review(archive, sheet, everything=True)
    book = load_workbook(sheet)
    edit(book.active)
    book.save(sheet)
    return sheet


def test_a_misspelled_review_column_is_refused_by_name(demo_archive_copy, tmp_path):
    archive = demo_archive_copy
    before = list(iter_items(archive))

    def misspell(rows):
        rows.cell(1, [c.value for c in rows[1]].index("do_mat") + 1).value = "do mat"
        rows.cell(2, [c.value for c in rows[1]].index("do mat") + 1).value = "Mật"
    sheet = _review_sheet(archive, tmp_path, misspell)

    report = import_review(archive, sheet)

    assert len(report.errors) == 1 and "'do mat'" in report.errors[0]
    assert "có phải 'do_mat'?" in report.errors[0]
    assert report.items_changed == 0 and list(iter_items(archive)) == before
    done = CliRunner().invoke(cli, ["catalog", "review-import", str(sheet), "-a", str(archive.root)])
    assert done.exit_code == 2 and "do mat" in done.output and done.exception.__class__ is SystemExit


def test_a_control_character_refuses_its_cell_with_the_line_and_the_rest_is_imported(
        demo_archive_copy, tmp_path):
    archive = demo_archive_copy
    sheet = tmp_path / "review.csv"
    export_review(archive, sheet, everything=True)
    rows = list(csv.DictReader(sheet.open(encoding="utf-8")))
    rows[0]["nguoi_ky"] = "Nguyễn\x1b Văn A"
    rows[1]["dia_danh"] = "Hà Nội"
    with sheet.open("w", encoding="utf-8", newline="") as out:
        writer = csv.DictWriter(out, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)

    report = import_review(archive, sheet)

    assert len(report.errors) == 1 and report.errors[0].startswith("line 2, nguoi_ky")
    assert "ký tự điều khiển" in report.errors[0]
    assert {i["id"]: i for i in iter_items(archive)}[rows[1]["id"]]["dia_danh"] == "Hà Nội"


def test_spreadsheet_cells_that_look_like_formulas_stay_text(tmp_path):
    values = ['=HYPERLINK("http://x","y")', "+cmd|' /C calc'!A0", "-2+3", "@SUM(A1)", "43-NQ/TW"]
    items_xlsx([{"id": f"vb-{n}", "trich_yeu": v} for n, v in enumerate(values)], tmp_path / "i.xlsx")
    sheet = load_workbook(tmp_path / "i.xlsx").active
    column = [c.value for c in sheet[1]].index("trich_yeu")
    cells = [row[column] for row in sheet.iter_rows(min_row=2)]
    assert [c.value for c in cells] == values
    assert all(c.data_type == "s" for c in cells)
    assert [c.quotePrefix for c in cells] == [True, True, True, True, False]


def test_an_inventory_of_the_same_name_never_replaces_the_earlier_one(archive):
    def rows(title):
        return [InventoryRow(2, "F1", None, "HS-1", title, None, None, None, None, None)]
    first = store_inventory(archive, rows("Hồ sơ một"), "muc-luc.csv")
    second = store_inventory(archive, rows("Hồ sơ một, sửa"), "muc-luc.csv")
    again = store_inventory(archive, rows("Hồ sơ một, sửa"), "muc-luc.csv")

    assert first.name == "muc-luc.csv" and second.name == "muc-luc~002.csv" and again == second
    assert "Hồ sơ một\n" in first.read_text(encoding="utf-8").replace(",,,,,", "\n")
    assert load_inventories(archive)[0][("F1", "HS-1")].file_title == "Hồ sơ một, sửa"


def test_upscaling_is_capped_by_the_ingest_pixel_limit():
    """A large page declaring 50 dpi is enlarged at most to the pixel limit (the 6000×6000 PNG
    would otherwise have become 1.3 gigapixels)."""
    page = np.full((1200, 1200), 255, np.uint8)
    page[500:520, 100:1100] = 0
    only_upscale = frozenset(STEPS) - {"upscale"}
    result = clean_page(page, 50, CleanupOptions(disabled=only_upscale, max_pixels=4_000_000))
    height, width = result.image.shape[:2]
    assert height * width <= 4_000_000 and width > 1200
    step = next(s for s in result.steps if s.name == "upscale")
    assert step.effect["scaled"] and step.effect["factor"] < 6


def test_a_missing_index_says_reindex(demo_archive_copy):
    archive = demo_archive_copy
    shutil.rmtree(archive.index_dir)
    done = CliRunner().invoke(cli, ["search", "nghị quyết", "-a", str(archive.root)])
    assert done.exit_code == 1 and "cần `luutru reindex`" in done.output
    assert done.exception.__class__ is SystemExit


def test_a_control_character_in_an_inventory_refuses_its_row_only(tmp_path):
    from luutru.catalog.inventory import read_inventory
    path = tmp_path / "muc-luc.csv"
    path.write_text("fonds_code,file_code,file_title\nF1,HS-1,Hồ sơ \x1b[31mmột\nF1,HS-2,Hồ sơ hai\n",
                    encoding="utf-8")
    rows, errors = read_inventory(path)
    assert [r.file_code for r in rows] == ["HS-2"]
    assert [(e.line, "ký tự điều khiển" in e.message) for e in errors] == [(2, True)]


def test_a_full_disk_is_said_as_such(demo_archive, tmp_path):
    """The archive on a small tmpfs filled to the last byte: reindex and OCR say the disk is full."""
    import subprocess
    import sys
    import pytest
    mount = tmp_path / "disk"
    mount.mkdir()
    if subprocess.run(["mount", "-t", "tmpfs", "-o", "size=64m", "tmpfs", str(mount)],
                      capture_output=True).returncode != 0:
        pytest.skip("cannot mount a tmpfs here (not root)")
    try:
        shutil.copytree(demo_archive.root, mount / "archive")
        with open(mount / "filler", "wb") as filler:
            try:
                while True:
                    filler.write(b"\0" * (1 << 20))
                    filler.flush()
            except OSError:
                pass
        done = subprocess.run([sys.executable, "-m", "luutru.cli", "reindex", "-a", str(mount / "archive")],
                              capture_output=True, text=True, timeout=300)
        assert done.returncode == 1 and "Traceback" not in done.stderr
        assert "ổ đĩa của kho lưu trữ đã đầy" in done.stderr
        ocr = subprocess.run([sys.executable, "-m", "luutru.cli", "ocr", "--redo", "--json",
                              "-a", str(mount / "archive")], capture_output=True, text=True, timeout=600)
        assert ocr.returncode == 2 and "Traceback" not in ocr.stderr
        failed = json.loads(ocr.stdout)["failed"]
        assert failed and {f["reason"] for f in failed} == {"disk-full"}
    finally:
        subprocess.run(["umount", str(mount)], check=False)


def test_a_browsers_crlf_line_ends_are_line_ends_not_control_characters():
    """A textarea comes back from a browser with CRLF between its lines (HTML's form encoding)."""
    from luutru.catalog.review import parse_value
    assert parse_value("noi_nhan", "Như trên,\r\nLưu VP.") == ["Như trên,", "Lưu VP."]
