"""Importing an archivist's inventory (mục lục hồ sơ): bad rows reported by line, the rest imported."""

from __future__ import annotations

import json

from click.testing import CliRunner
from openpyxl import Workbook

from luutru.catalog import build_catalog, iter_files, iter_fonds
from luutru.catalog.inventory import read_inventory
from luutru.catalog.record import fonds_path, validate
from luutru.cli import cli

HEADER = "fonds_code,fonds_name,file_code,file_title,start_date,end_date,pages,shelf,retention\n"
GOOD = "PHONG-41,Phông Tỉnh ủy Thái Bình,HS-2008-015,Hồ sơ Hội nghị Tỉnh ủy,2008-01-05,2008-03-05,12,Kho 2/Giá 1/Hộp 3,Vĩnh viễn\n"
BAD_DATE = "PHONG-41,Phông Tỉnh ủy Thái Bình,HS-2008-016,Hồ sơ khác,2008-13-01,,3,,70 năm\n"
NO_CODE = ",Phông Tỉnh ủy Thái Bình,HS-2008-017,Hồ sơ,,,,,\n"
BAD_PAGES = "PHONG-17,Phông Thành ủy Hải Phòng,HS-1991-004,Hồ sơ dân vận,1991-04-11,1991-04-11,năm,Kho 5,Vĩnh viễn\n"
GOOD_2 = "PHONG-17,Phông Thành ủy Hải Phòng,HS-1991-005,Hồ sơ kiểm tra,1991-01-01,1991-12-31,5,Kho 5/Giá 4/Hộp 166,20 năm\n"


def test_bad_rows_are_reported_with_line_numbers(tmp_path):
    path = tmp_path / "muc-luc.csv"
    path.write_text(HEADER + GOOD + BAD_DATE + NO_CODE + BAD_PAGES + GOOD_2, encoding="utf-8")
    rows, errors = read_inventory(path)
    assert [r.file_code for r in rows] == ["HS-2008-015", "HS-1991-005"]
    assert [(e.line, e.message.split()[0]) for e in errors] == [(3, "start_date"), (4, "fonds_code"),
                                                                (5, "pages")]


def test_xlsx_inventory_is_read_like_csv(tmp_path):
    book = Workbook()
    sheet = book.active
    for line in (HEADER + GOOD + BAD_DATE).splitlines():
        sheet.append(line.split(","))
    path = tmp_path / "muc-luc.xlsx"
    book.save(path)
    rows, errors = read_inventory(path)
    assert rows[0].file_title == "Hồ sơ Hội nghị Tỉnh ủy" and rows[0].pages == 12
    assert [e.line for e in errors] == [3]


def test_cli_import_creates_fonds_and_files_and_reports_bad_rows(archive, tmp_path):
    path = tmp_path / "muc-luc.csv"
    path.write_text(HEADER + GOOD + BAD_DATE + GOOD_2, encoding="utf-8")
    result = CliRunner().invoke(cli, ["catalog", "import-inventory", str(path), "--json",
                                      "-a", str(archive.root)])
    assert result.exit_code == 2                      # some rows were bad: say so in the status
    report = json.loads(result.stdout)
    assert report["imported"] == 2 and report["bad_rows"][0].startswith("muc-luc.csv, line 3")
    files = {f["code"]: f for f in iter_files(archive)}
    assert files["HS-2008-015"]["vi_tri"] == "Kho 2/Giá 1/Hộp 3"
    assert files["HS-2008-015"]["thoi_han_bao_quan"] == "Vĩnh viễn"
    assert files["HS-1991-005"]["thoi_gian_ket_thuc"] == "1991-12-31"
    fonds = {f["code"]: f for f in iter_fonds(archive)}
    assert fonds["PHONG-17"]["ten_phong"] == "Phông Thành ủy Hải Phòng"
    validate(fonds_path(archive, "PHONG-41").read_bytes())
    # importing again and rebuilding changes nothing
    before = fonds_path(archive, "PHONG-41").read_bytes()
    CliRunner().invoke(cli, ["catalog", "import-inventory", str(path), "-a", str(archive.root)])
    assert build_catalog(archive).written == []
    assert fonds_path(archive, "PHONG-41").read_bytes() == before


def test_an_invalid_record_is_never_written(archive):
    from luutru.catalog.model import FieldValue, FileRecord, Fonds
    from luutru.catalog.record import InvalidCatalogError, write_fonds
    import pytest
    fonds = Fonds("PHONG-1", files=[FileRecord("HS-1", "PHONG-1", {
        "thoi_gian_bat_dau": FieldValue("05/03/2008", "archivist")})])     # not an ISO date
    with pytest.raises(InvalidCatalogError, match="thoi_gian_bat_dau"):
        write_fonds(archive, fonds)
    assert not fonds_path(archive, "PHONG-1").exists()


def test_file_access_comes_from_the_inventory_when_given(archive, tmp_path):
    """The archivist decides a hồ sơ's access; a value that is not one of the two is a bad row."""
    path = tmp_path / "muc-luc.csv"
    path.write_text(HEADER.rstrip("\n") + ",access\n" + GOOD.rstrip("\n") + ",cong khai\n"
                    + GOOD_2.rstrip("\n") + ",Hạn chế\n" + BAD_DATE.replace("2008-13-01", "")
                    .rstrip("\n") + ",Mật\n", encoding="utf-8")
    rows, errors = read_inventory(path)
    assert [r.access for r in rows] == ["Công khai", "Hạn chế"]
    assert [(e.line, e.message.split()[0]) for e in errors] == [(4, "access")]
    result = CliRunner().invoke(cli, ["catalog", "import-inventory", str(path), "-a", str(archive.root)])
    assert result.exit_code == 2  # bad rows left out: a person must look (README: exit codes)
    files = {f["code"]: f for f in iter_files(archive)}
    assert files["HS-2008-015"]["access"] == "Công khai"
    assert files["HS-1991-005"]["access"] == "Hạn chế"
    validate(fonds_path(archive, "PHONG-41").read_bytes())


def test_the_muc_luc_number_goes_from_the_inventory_to_the_record_and_ead3(archive, tmp_path):
    """A hồ sơ number is unique only within its mục lục, so the inventory's ``muc_luc`` is kept on
    the hồ sơ (validated XML) and exported with it as a second EAD3 unitid."""
    from lxml import etree

    from luutru.export.ead import export_ead

    path = tmp_path / "muc-luc.csv"
    path.write_text(HEADER.rstrip("\n") + ",access,muc_luc\n" + GOOD.rstrip("\n") + ",Công khai, 3 \n"
                    + GOOD_2.rstrip("\n") + ",Công khai,\n", encoding="utf-8")
    rows, errors = read_inventory(path)
    assert [r.muc_luc for r in rows] == ["3", None] and not errors
    result = CliRunner().invoke(cli, ["catalog", "import-inventory", str(path), "-a", str(archive.root)])
    assert result.exit_code == 0, result.output
    files = {f["code"]: f for f in iter_files(archive)}
    assert files["HS-2008-015"]["muc_luc_so"] == "3" and "muc_luc_so" not in files["HS-1991-005"]
    record = validate(fonds_path(archive, "PHONG-41").read_bytes())
    assert record.xpath("//*[local-name()='file'][@code='HS-2008-015']"
                        "/*[local-name()='muc_luc_so'][@origin='inventory']/text()") == ["3"]
    ead = etree.fromstring(export_ead(archive, "PHONG-41"))
    unitids = ead.xpath("//*[local-name()='c01'][@level='file']/*[local-name()='did']"
                        "/*[local-name()='unitid']")
    assert [(u.text, u.get("localtype"), u.get("label")) for u in unitids] == [
        ("HS-2008-015", None, None), ("3", "muc_luc", "Mục lục số")]
