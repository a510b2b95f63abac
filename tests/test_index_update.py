"""From a real archive to search results: ingest → (OCR output) → catalogue → index → search.

Scans go through the real ingest and the real catalogue build; the OCR stage's output (text.txt,
then ocr.json, which it writes last) is written here from known text, so the test is fast and
exact. The CLI is driven through click with --json.
"""

from __future__ import annotations

import json
import threading
import time
from pathlib import Path
import pytest
from click.testing import CliRunner
from PIL import Image, ImageDraw

from luutru.archive import atomic_write_text
from luutru.catalog import build_catalog, iter_items
from luutru.cli import cli
from luutru.index import (SearchRequest, open_backend, reindex, search, update_index,
                          update_items)
from luutru.ingest import ingest_batch

from inventories import write_inventory

# A file holding a Mật item is restricted as a whole, so the secret one has a file of its own.
PAGES = {
    "HS-2008-001/doc-0001.png": "TỈNH ỦY THÁI BÌNH\n*\nSố 43-NQ/TU\nĐẢNG CỘNG SẢN VIỆT NAM\n"
                    "Thái Bình, ngày 5 tháng 3 năm 2008\nNGHỊ QUYẾT\n"
                    "về công tác dân vận của hệ thống chính trị\n"
                    "Thực hiện Nghị quyết Đại hội, Ban Thường vụ Tỉnh ủy quyết nghị tăng cường "
                    "công tác dân vận ở cơ sở.\nNơi nhận:\n- Các đảng bộ trực thuộc,\n"
                    "- Lưu Văn phòng.\nT/M BAN THƯỜNG VỤ\nBÍ THƯ\nNguyễn Văn Hùng",
    "HS-2009-004/doc-0002.png": "TỈNH ỦY THÁI BÌNH\n*\nSố 12-CT/TU\nMẬT\nĐẢNG CỘNG SẢN VIỆT NAM\n"
                    "Thái Bình, ngày 9 tháng 6 năm 2009\nCHỈ THỊ\nvề bảo vệ bí mật nhà nước\n"
                    "Thực hiện Nghị quyết số 43-NQ/TU, Ban Thường vụ yêu cầu giữ kín phương án "
                    "phòng thủ khu vực ven biển.\nNơi nhận:\n- Lưu Văn phòng.\n"
                    "T/M BAN THƯỜNG VỤ\nBÍ THƯ\nNguyễn Văn Hùng",
}


def _scan(path: Path, seed: int) -> None:
    image = Image.new("L", (620, 877), 255)
    ImageDraw.Draw(image).rectangle((40 + seed * 30, 40, 300, 60 + seed * 10), fill=0)
    image.save(path, dpi=(75, 75))


@pytest.fixture
def indexed_archive(archive, tmp_path):
    scans = tmp_path / "scans" / "PHONG-41"
    for seed, name in enumerate(PAGES):
        (scans / name).parent.mkdir(parents=True, exist_ok=True)
        _scan(scans / name, seed)
    ingest_batch(archive, tmp_path / "scans")
    for ref in archive.iter_page_refs():
        name = archive.page_record(ref)["source"].partition("/")[2]
        atomic_write_text(archive.page_dir(ref) / "text.txt", PAGES[name])
        atomic_write_text(archive.page_dir(ref) / "ocr.json", "{}")
    # The archivist opened the hồ sơ of the nghị quyết; the Mật chỉ thị's is left to the rules.
    write_inventory(archive, {("PHONG-41", "HS-2008-001"): "Công khai"})
    build_catalog(archive)
    return archive


def test_index_from_the_record_then_search(indexed_archive):
    items = {item["so_ky_hieu"]: item for item in iter_items(indexed_archive)}
    assert set(items) == {"43-NQ/TU", "12-CT/TU"}
    report = update_index(indexed_archive)
    assert (report.added, report.pages, report.failures) == (2, 2, [])
    assert any(indexed_archive.index_dir.iterdir())

    result = search(indexed_archive, "43-NQ/TU")
    hit = result.hits[0]
    expected = items["43-NQ/TU"]
    assert result.total == 1  # the Mật chỉ thị citing it stays hidden
    assert (hit["id"], hit["so_ky_hieu"], hit["source"], hit["first_page"]) == (
        expected["id"], "43-NQ/TU", expected["source"], expected["first_page"])
    assert hit["pages"][0]["key"] == expected["pages"][0]

    secret = search(indexed_archive, "phuong an phong thu", clearance="mat")
    assert [h["id"] for h in secret.hits] == [items["12-CT/TU"]["id"]]
    assert search(indexed_archive, "phuong an phong thu").total == 0


def test_index_is_incremental_and_reindex_rebuilds(indexed_archive):
    update_index(indexed_archive)
    again = update_index(indexed_archive)
    assert (again.added, again.updated, again.deleted, again.unchanged) == (0, 0, 0, 2)
    rebuilt = reindex(indexed_archive)
    assert rebuilt.added == 2 and rebuilt.failures == []
    assert search(indexed_archive, "dan van").total == 1
    assert not list(indexed_archive.index_dir.glob(".search.sqlite.*"))  # no half-built index


def test_pages_without_an_item_are_indexed_alone(archive, tmp_path):
    scans = tmp_path / "scans" / "PHONG-17" / "HS-1990-001"
    scans.mkdir(parents=True)
    _scan(scans / "loose.png", 1)
    ingest_batch(archive, tmp_path / "scans")
    [ref] = archive.iter_page_refs()
    atomic_write_text(archive.page_dir(ref) / "text.txt", "Biên bản họp chi bộ thôn Đông Hòa")
    with open_backend(archive) as backend:  # no catalogue built at all
        update_index(archive, backend)
        # Nobody has looked at its marks: closed to all but the strictest clearance.
        assert backend.search(SearchRequest("dong hoa", clearance=2)).total == 0
        hit = backend.search(SearchRequest("dong hoa", clearance=3)).hits[0]
    assert hit["item"] is None and hit["source"] == "PHONG-17/HS-1990-001/loose.png"
    assert hit["page"] == 1


def test_cli_index_and_search_json(indexed_archive):
    runner = CliRunner()
    root = str(indexed_archive.root)
    indexed = runner.invoke(cli, ["index", "-a", root, "--json"])
    assert indexed.exit_code == 0, indexed.output
    assert json.loads(indexed.output)["added"] == 2

    found = runner.invoke(cli, ["search", "-a", root, "--json", "cong tac dan van"])
    assert found.exit_code == 0, found.output
    data = json.loads(found.output)
    assert data["total"] == 1 and set(data) >= {"total", "hits", "facets"}
    hit = data["hits"][0]
    assert {"id", "so_ky_hieu", "source", "first_page", "pages", "snippet"} <= set(hit)
    assert "<mark>" in hit["snippet"] and data["facets"]["fonds"] == {"PHONG-41": 1}

    secret = runner.invoke(cli, ["search", "-a", root, "--json", "--clearance", "mat",
                                 "ven bien"])
    assert json.loads(secret.output)["total"] == 1
    text = runner.invoke(cli, ["search", "-a", root, "ven bien"])
    assert text.exit_code == 0 and text.output.startswith("0 kết quả")


def test_cli_malformed_query_is_a_usage_error_not_a_traceback(indexed_archive):
    result = CliRunner().invoke(cli, ["search", "-a", str(indexed_archive.root), '"dan van'])
    assert result.exit_code == 1  # the command could not run (README: exit codes)
    assert "unclosed quote" in result.output and "Traceback" not in result.output
    assert isinstance(result.exception, SystemExit)


@pytest.mark.parametrize("engine", ["sqlite", "tantivy"])
def test_embedded_engine_can_be_chosen(indexed_archive, monkeypatch, engine):
    pytest.importorskip(engine if engine == "tantivy" else "sqlite3")
    monkeypatch.setenv("LUUTRU_INDEX_ENGINE", engine)
    with open_backend(indexed_archive) as backend:
        assert backend.name == engine
        update_index(indexed_archive, backend)
        assert backend.search(SearchRequest("dan van")).total == 1


def test_a_second_writer_gets_a_clear_message(indexed_archive, monkeypatch):
    pytest.importorskip("tantivy")
    from luutru.index.tantivy_backend import TantivyBackend
    monkeypatch.setenv("LUUTRU_INDEX_ENGINE", "tantivy")
    monkeypatch.setattr("luutru.index.tantivy_backend.LOCK_WAIT", 0.2)
    holder = TantivyBackend.for_archive(indexed_archive)
    writer = holder._writer(holder.index)  # as if a `luutru index` were running
    try:
        result = CliRunner().invoke(cli, ["index", "-a", str(indexed_archive.root)])
        assert result.exit_code == 1 and "đang bận" in result.output
        assert "Traceback" not in result.output
    finally:
        writer.rollback()
        writer.wait_merging_threads()


def test_a_writer_held_for_a_moment_is_waited_for(indexed_archive, monkeypatch):
    """Two archivists saving at once in two reading-room processes: both saves reach the index."""
    pytest.importorskip("tantivy")
    from luutru.index.tantivy_backend import TantivyBackend
    monkeypatch.setenv("LUUTRU_INDEX_ENGINE", "tantivy")
    holder = TantivyBackend.for_archive(indexed_archive)
    writer = holder._writer(holder.index)  # the other process's save

    def finish_the_other_save():
        time.sleep(0.3)
        writer.commit()
        writer.wait_merging_threads()  # gives the writer, and its lock, up

    other = threading.Thread(target=finish_the_other_save)
    other.start()
    try:
        items = list(iter_items(indexed_archive))
        report = update_items(indexed_archive, items[:1])
    finally:
        other.join(5)
    assert report.failures == [] and report.updated == 1


def test_an_index_of_an_older_format_is_dropped_and_refilled(indexed_archive, monkeypatch):
    pytest.importorskip("tantivy")
    from luutru.index.tantivy_backend import INDEX_DIR
    monkeypatch.setenv("LUUTRU_INDEX_ENGINE", "tantivy")
    stale = indexed_archive.index_dir / "tantivy"
    (stale / "v1").mkdir(parents=True)
    (stale / "v1" / "meta.json").write_text("{}")
    assert update_index(indexed_archive).added == 2
    assert not stale.exists() and (indexed_archive.index_dir / INDEX_DIR).is_dir()
    assert search(indexed_archive, "dan van").total == 1


def test_update_items_indexes_one_corrected_item_as_a_full_update_would(demo_archive_copy):
    """The reading room's review save: one item again, at once, exactly as `luutru index` would."""
    from luutru.catalog.review import save_item_values
    from luutru.index import update_items

    archive = demo_archive_copy
    item = next(i for i in iter_items(archive) if i["loai_van_ban"] == "Nghị quyết")
    assert search(archive, '"Ngô Đông Hải"').total == 0
    assert not save_item_values(archive, item["id"], {"nguoi_ky": "Ngô Đông Hải"}).errors
    saved = next(i for i in iter_items(archive) if i["id"] == item["id"])

    report = update_items(archive, [saved])

    assert report.updated == 1 and report.pages == len(saved["pages"]) and not report.failures
    assert [h["id"] for h in search(archive, '"Ngô Đông Hải"').hits] == [item["id"]]
    full = update_index(archive)
    assert (full.added, full.updated, full.deleted) == (0, 0, 0)   # nothing left to catch up


def test_a_plugin_engine_is_chosen_like_a_built_in_one(indexed_archive, monkeypatch):
    from luutru.index import registry
    from luutru.index.sqlite import SqliteBackend

    class PluginEngine(SqliteBackend):
        name = "plugin"

    monkeypatch.setitem(registry.BACKENDS._found, "plugin", PluginEngine)
    monkeypatch.setenv("LUUTRU_INDEX_ENGINE", "plugin")
    assert {"elasticsearch", "plugin", "sqlite", "tantivy"} <= set(registry.BACKENDS.names())
    with open_backend(indexed_archive) as backend:
        assert isinstance(backend, PluginEngine)
        update_index(indexed_archive, backend)
        assert backend.search(SearchRequest("dan van")).total == 1


def test_an_engine_name_that_cannot_open_the_archive_is_refused(archive, monkeypatch):
    monkeypatch.delenv("LUUTRU_ES_URL", raising=False)
    monkeypatch.setenv("LUUTRU_INDEX_ENGINE", "elasticsearch")
    with pytest.raises(ValueError, match="LUUTRU_ES_URL"):
        open_backend(archive)
    monkeypatch.setenv("LUUTRU_INDEX_ENGINE", "nosuch")
    with pytest.raises(ValueError, match="sqlite, tantivy"):
        open_backend(archive)


@pytest.mark.parametrize("engine", ["sqlite", "tantivy"])
def test_a_rebuild_gives_the_index_a_new_generation(indexed_archive, monkeypatch, engine):
    """What the reading room watches to reopen the engine (it never reads the engine's files)."""
    pytest.importorskip(engine if engine == "tantivy" else "sqlite3")
    from luutru.index.registry import backend_class
    monkeypatch.setenv("LUUTRU_INDEX_ENGINE", engine)
    update_index(indexed_archive)
    before = backend_class(engine).generation(indexed_archive)
    reindex(indexed_archive)
    assert before and backend_class(engine).generation(indexed_archive) != before
