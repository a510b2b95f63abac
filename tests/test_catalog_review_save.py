"""Saving one item's review form: the spreadsheet import's code, all or nothing, under the lock."""

from __future__ import annotations

import threading

from luutru.catalog.build import build_catalog, iter_items
from luutru.catalog.record import fonds_path
from luutru.catalog.review import catalog_lock, save_item_values

NQ = "vb-376eefd7a1e39bc2-0001"       # PHONG-12 nghị quyết 13-NQ/TU, fields flagged for review
CV = "vb-a13648de376fd0a1-0001"       # PHONG-12 công văn 1260-CV/BTGTU


def _items(archive) -> dict[str, dict]:
    return {i["id"]: i for i in iter_items(archive)}


def _catalog_bytes(archive) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(archive.catalog_dir.glob("*.xml"))}


def test_a_saved_value_is_the_archivists_and_survives_catalogue_reruns(demo_archive_copy):
    archive = demo_archive_copy
    before = _items(archive)[NQ]
    assert before["nguoi_ky"] != "Ngô Đông Hải"
    report = save_item_values(archive, NQ, {"nguoi_ky": "Ngô Đông Hải",
                                            "loai_van_ban": before["loai_van_ban"] or ""})
    assert report.errors == [] and report.items_changed == 1
    assert report.values_set == 1          # the type is the one already recorded: no change
    item = _items(archive)[NQ]
    assert item["nguoi_ky"] == "Ngô Đông Hải" and "nguoi_ky" not in item["needs_review"]
    assert 'origin="archivist">Ngô Đông Hải<' in fonds_path(archive, "PHONG-12").read_text("utf-8")
    build_catalog(archive)
    build_catalog(archive)
    assert _items(archive)[NQ]["nguoi_ky"] == "Ngô Đông Hải"


def test_an_invalid_value_writes_nothing_and_names_its_field(demo_archive_copy):
    archive = demo_archive_copy
    before = _catalog_bytes(archive)
    report = save_item_values(archive, NQ, {"nguoi_ky": "Ngô Đông Hải", "ngay_ban_hanh": "31/02/2019",
                                            "do_mat": "Bí mật"})
    assert set(report.field_errors) == {"ngay_ban_hanh", "do_mat"}
    assert "31/02/2019" in report.field_errors["ngay_ban_hanh"]
    assert report.items_changed == 0 and report.values_set == 0
    assert _catalog_bytes(archive) == before


def test_unknown_fields_and_items_are_refused(demo_archive_copy):
    archive = demo_archive_copy
    before = _catalog_bytes(archive)
    report = save_item_values(archive, NQ, {"id": "vb-other", "nguoi_ky": "A"})
    assert list(report.field_errors) == ["id"]
    report = save_item_values(archive, "vb-nope", {"nguoi_ky": "A"})
    assert report.errors and "vb-nope" in report.errors[0]
    assert _catalog_bytes(archive) == before


def test_confirming_a_flagged_field_keeps_its_value_and_clears_the_flag(demo_archive_copy):
    archive = demo_archive_copy
    before = _items(archive)[NQ]
    name = before["needs_review"][0]
    text = "\n".join(before[name]) if isinstance(before[name], list) else before[name] or ""
    report = save_item_values(archive, NQ, {name: text}, confirmed=[name])
    assert report.errors == [] and report.confirmed == 1 and report.values_set == 0
    after = _items(archive)[NQ]
    assert after[name] == before[name] and name not in after["needs_review"]
    assert set(after["needs_review"]) == set(before["needs_review"]) - {name}


def test_a_new_number_links_citations_like_the_sheet_import(demo_archive_copy):
    archive = demo_archive_copy
    report = save_item_values(archive, CV, {"so_ky_hieu_trich_dan": "13-NQ/TU\n292-KH/TU"})
    assert report.errors == []
    items = _items(archive)
    assert items[CV]["so_ky_hieu_trich_dan"] == ["13-NQ/TU", "292-KH/TU"]
    assert NQ in items[CV]["cites"] and CV in items[NQ]["cited_by"]


def test_a_save_waits_for_the_lock_and_loses_nothing(demo_archive_copy):
    archive = demo_archive_copy
    done = threading.Event()

    def save():
        save_item_values(archive, CV, {"nguoi_ky": "Người Thứ Hai"})
        done.set()

    with catalog_lock(archive):
        # someone else (a sheet import) is between reading and writing the catalogue
        worker = threading.Thread(target=save)
        worker.start()
        assert not done.wait(0.5)
    worker.join(10)
    assert done.is_set() and _items(archive)[CV]["nguoi_ky"] == "Người Thứ Hai"


def test_concurrent_saves_of_different_items_all_land(demo_archive_copy):
    archive = demo_archive_copy
    names = {NQ: "Ngô Đông Hải", CV: "Lương Xuân Thắng Hai", "vb-44ac9f2e64b8bb42-0001": "Nguyễn Hồng Diên"}
    threads = [threading.Thread(target=save_item_values, args=(archive, item_id, {"nguoi_ky": name}))
               for item_id, name in names.items()]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    items = _items(archive)
    assert {item_id: items[item_id]["nguoi_ky"] for item_id in names} == names


def test_form_dates_in_either_order_are_stored_iso(demo_archive_copy):
    archive = demo_archive_copy
    for day, text in ((11, "2019-05-11"), (12, "12/05/2019"), (13, "13/5/2019")):
        assert save_item_values(archive, NQ, {"ngay_ban_hanh": text}).errors == []
        assert _items(archive)[NQ]["ngay_ban_hanh"] == f"2019-05-{day}"
