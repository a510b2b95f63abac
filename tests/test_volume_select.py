"""Selecting a volume's documents from the demo archive: the union of query, fonds, files and items,
the builder's clearance, the period, chronological order, and every left-out document accounted for."""

import datetime as dt

import pytest

from luutru.catalog.build import iter_items
from luutru.volume.select import (CLASSIFIED, NOT_FOUND, OUTSIDE_PERIOD, UNDATED, chronological_key,
                                  estimated_date, select_items)
from luutru.volume.spec import VolumeSpec

ALL_FONDS = ("PHONG-12", "PHONG-31", "PHONG-52")


@pytest.fixture(scope="module")
def catalogue(demo_archive):
    return {item["id"]: item for item in iter_items(demo_archive)}


def by_number(catalogue, so_ky_hieu):
    return next(item for item in catalogue.values() if item["so_ky_hieu"] == so_ky_hieu)


def ids(selection):
    return [item["id"] for item in selection.items]


def test_fonds_and_files_select_their_items(demo_archive, catalogue):
    selection = select_items(demo_archive, VolumeSpec(title="t", fonds=("PHONG-12",)))
    assert sorted(ids(selection)) == sorted(i for i, item in catalogue.items() if item["fonds_code"] == "PHONG-12")
    assert len(selection.items) == 3
    selection = select_items(demo_archive, VolumeSpec(title="t", files=("PHONG-52/HS-2008-002",)))
    assert {item["file_code"] for item in selection.items} == {"HS-2008-002"} and len(selection.items) == 2
    assert selection.left_out == {}


def test_query_and_items_are_a_union(demo_archive, catalogue):
    chi_thi = by_number(catalogue, "34-CT/HU")
    cong_van = by_number(catalogue, "1260-CV/BTGTU")
    selection = select_items(demo_archive, VolumeSpec(title="t", query='type:"Chỉ thị"', items=(cong_van["id"],)))
    assert sorted(ids(selection)) == sorted([chi_thi["id"], cong_van["id"]])


def test_order_is_chronological_undated_placed_by_their_file(demo_archive, catalogue):
    selection = select_items(demo_archive, VolumeSpec(title="t", fonds=ALL_FONDS), clearance=1)
    assert len(selection.items) == len(catalogue)
    dates = [item["ngay_ban_hanh"] for item in selection.items]
    dated = [d for d in dates if d]
    assert dated == sorted(dated)
    assert dates.count(None) == 1                                # the Mật Kết luận has no date
    undated = next(item for item in selection.items if not item["ngay_ban_hanh"])
    file = selection.files[f"{undated['fonds_code']}/{undated['file_code']}"]
    assert file["thoi_gian_bat_dau"]
    span = estimated_date(undated, file)
    assert span[0].isoformat()[:4] == file["thoi_gian_bat_dau"][:4]
    starts = [estimated_date(i, selection.files[f"{i['fonds_code']}/{i['file_code']}"])[0]
              for i in selection.items]
    assert starts == sorted(starts)                              # in order by its hồ sơ's dates
    assert dates[-1] is not None or file["thoi_gian_bat_dau"] >= max(dated)[:4]
    keys = [chronological_key(i, selection.files) for i in selection.items]
    assert keys == sorted(keys)


def test_undated_goes_last_only_when_nothing_dates_it():
    a = {"id": "a", "ngay_ban_hanh": "2019-05-10", "so_ky_hieu": "1-NQ/TU", "fonds_code": "P", "file_code": "F"}
    b = {"id": "b", "ngay_ban_hanh": None, "so_ky_hieu": "2-NQ/TU", "fonds_code": "P", "file_code": "G"}
    c = {"id": "c", "ngay_ban_hanh": "2021-01-02", "so_ky_hieu": "3-NQ/TU", "fonds_code": "P", "file_code": "F"}
    files = {"P/G": {"thoi_gian_bat_dau": "2020-01-01", "thoi_gian_ket_thuc": "2020-12-31"}}
    assert [x["id"] for x in sorted([c, b, a], key=lambda i: chronological_key(i, files))] == ["a", "b", "c"]
    assert [x["id"] for x in sorted([c, b, a], key=chronological_key)] == ["a", "c", "b"]


def test_same_day_ordered_by_number():
    a = {"id": "b", "ngay_ban_hanh": "2019-05-10", "so_ky_hieu": "13-NQ/TU"}
    b = {"id": "a", "ngay_ban_hanh": "2019-05-10", "so_ky_hieu": "9-CT/TU"}
    c = {"id": "c", "ngay_ban_hanh": None, "so_ky_hieu": "1-NQ/TU"}
    d = {"id": "d", "ngay_ban_hanh": "2019", "so_ky_hieu": "1-NQ/TU"}
    assert [x["id"] for x in sorted([c, a, b, d], key=chronological_key)] == ["d", "a", "b", "c"]


def test_classified_left_out_without_clearance_and_counted(demo_archive, catalogue):
    secret = next(item for item in catalogue.values() if item["do_mat"] == "Mật")
    spec = VolumeSpec(title="t", fonds=("PHONG-31",))
    hidden = select_items(demo_archive, spec, clearance=0)
    assert hidden.items == []
    assert hidden.left_out_counts() == {CLASSIFIED: 2}             # the Mật item and its restricted hồ sơ
    assert secret["id"] not in str(hidden.left_out)                 # counted, never listed
    shown = select_items(demo_archive, spec, clearance=1)
    assert secret["id"] in ids(shown) and len(shown.items) == 2 and shown.left_out_counts() == {}
    # Asked for by id, it is still refused without clearance.
    assert select_items(demo_archive, VolumeSpec(title="t", items=(secret["id"],))).items == []


def test_period_filter_and_reasons(demo_archive):
    spec = VolumeSpec(title="t", fonds=ALL_FONDS, period_from=dt.date(2008, 1, 1), period_to=dt.date(2008, 12, 31))
    selection = select_items(demo_archive, spec, clearance=1)
    assert {item["ngay_ban_hanh"][:4] for item in selection.items} == {"2008"} and len(selection.items) == 2
    counts = selection.left_out_counts()
    # The undated Kết luận is judged by its hồ sơ's dates, which lie outside 2008.
    assert counts == {OUTSIDE_PERIOD: 5}
    assert UNDATED not in counts


def test_unknown_codes_are_reported(demo_archive):
    spec = VolumeSpec(title="t", fonds=("PHONG-99",), files=("PHONG-12/HS-0000-000",), items=("vb-nope",))
    selection = select_items(demo_archive, spec)
    assert selection.items == []
    assert selection.left_out == {NOT_FOUND: ["PHONG-99", "PHONG-12/HS-0000-000", "vb-nope"]}
