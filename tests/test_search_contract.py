"""The search contract: every engine must pass these, with clearance enforced inside its query.

SQLite always runs. Elasticsearch runs when LUUTRU_ES_URL points at a real server (these machines
cannot run one), each run in its own throw-away alias. The corpus is built from the index's own
value objects so the engines are tested without the other stages.
"""

from __future__ import annotations

import importlib.util
import os
import uuid

import pytest

from luutru.index import (ElasticsearchBackend, QueryError, SearchRequest, SqliteBackend,
                          build_units, sync)
from luutru.index.model import ItemDoc, PageDoc

ES_URL = os.environ.get("LUUTRU_ES_URL")
ES_SKIP = pytest.mark.skipif(not ES_URL, reason="LUUTRU_ES_URL not set: no Elasticsearch server "
                             "here (docker compose up elasticsearch, then set it)")

SECRET_WORD = "ZARAPHAT"  # occurs only in the Tối mật item
RESTRICTED_WORD = "Vĩnh Bảo Hạ"  # occurs only in a page of a restricted file
FILLER_PAGES = 30
LONE_PAGES = 6  # pages no item claims, besides the filler
FILLER_TAG = "hồ sơ lưu trữ điện tử"


def _item(id_: str, so: str, loai: str, date: str | None, organ: str, trich_yeu: str,
          fonds: str, file: str, keys: list[str], do_mat: str | None = None,
          access: str | None = "Công khai") -> ItemDoc:
    return ItemDoc(id=id_, so_ky_hieu=so, loai_van_ban=loai, ngay_ban_hanh=date,
                   co_quan_ban_hanh=organ, trich_yeu=trich_yeu, fonds=fonds, file=file,
                   source=f"{fonds}/{file}/{id_}.pdf", first_page=1, last_page=len(keys),
                   do_mat=do_mat, access=access, page_keys=tuple(keys))


def _page(key: str, source: str, text: str, fonds: str, file: str,
          restricted: bool = False) -> PageDoc:
    return PageDoc(key=key, source=source, page=int(key.split(":")[1]), text=text, fonds=fonds,
                   file=file, restricted=restricted)


def corpus() -> tuple[list[ItemDoc], list[PageDoc]]:
    items = [
        _item("nq43", "43-NQ/TW", "Nghị quyết", "2008-03-05", "Ban Chấp hành Trung ương",
              "về công tác dân vận trong tình hình mới", "PHONG-41", "HS-2008-001",
              ["a43:1", "a43:2"]),
        _item("ct05", "05-CT/TU", "Chỉ thị", "2012-06-10", "Tỉnh ủy Thái Bình",
              "về tăng cường công tác đăng ký quản lý hộ tịch", "PHONG-41", "HS-2012-003",
              ["b05:1"]),
        _item("bc99", "99-BC/TU", "Báo cáo", "2015-09-02", "Tỉnh ủy Hải Phòng",
              "về tình hình an ninh khu vực biên giới", "PHONG-99", "HS-2015-009",
              ["c99:1"], do_mat="Tối mật"),
        _item("kh07", "07-KH/TU", "Kế hoạch", "2010-01-20", "Tỉnh ủy Thái Bình",
              "về phòng chống thiên tai năm 2010", "PHONG-41", "HS-2010-002",
              ["d07:1"], do_mat="Mật"),
        _item("tb11", "11-TB/TU", "Thông báo", "2011-11-11", "Văn phòng Tỉnh ủy Thái Bình",
              "kết luận của Thường trực Tỉnh ủy về công tác cán bộ", "PHONG-41", "HS-2011-007",
              ["e11:1"], access="Hạn chế"),
    ]
    pages = [
        _page("a43:1", "PHONG-41/HS-2008-001/nq43.pdf",
              "BAN CHẤP HÀNH TRUNG ƯƠNG\n*\nSố 43-NQ/TW\nĐẢNG CỘNG SẢN VIỆT NAM\n"
              "Hà Nội, ngày 5 tháng 3 năm 2008\nNGHỊ QUYẾT\nvề công tác dân vận trong tình hình mới\n"
              "Đảng ủy các cấp lãnh đạo chặt chẽ việc triển khai.", "PHONG-41", "HS-2008-001"),
        _page("a43:2", "PHONG-41/HS-2008-001/nq43.pdf",
              "2\nTăng cường quan hệ mật thiết giữa Đảng và nhân dân, phát huy quyền làm chủ.",
              "PHONG-41", "HS-2008-001"),
        _page("b05:1", "PHONG-41/HS-2012-003/ct05.pdf",
              "TỈNH ỦY THÁI BÌNH\n*\nSố 05-CT/TU\nCHỈ THỊ\nvề tăng cường công tác đăng ký "
              "quản lý hộ tịch\nThực hiện Nghị quyết số 43-NQ/TW của Ban Chấp hành Trung ương, "
              "quán triệt Nghị quyết số 43-NQ/TW đến từng chi bộ.", "PHONG-41", "HS-2012-003"),
        _page("c99:1", "PHONG-99/HS-2015-009/bc99.pdf",
              f"TỐI MẬT\nBÁO CÁO\nvề tình hình an ninh khu vực biên giới\nKế hoạch {SECRET_WORD} "
              "triển khai tại đồn biên phòng. Đảng ủy quân sự họp.", "PHONG-99", "HS-2015-009"),
        _page("d07:1", "PHONG-41/HS-2010-002/kh07.pdf",
              "MẬT\nKẾ HOẠCH\nvề phòng chống thiên tai năm 2010\nĐảng ủy chỉ đạo sơ tán dân.",
              "PHONG-41", "HS-2010-002"),
        _page("e11:1", "PHONG-41/HS-2011-007/tb11.pdf",
              "THÔNG BÁO\nkết luận của Thường trực Tỉnh ủy về công tác cán bộ\nĐảng ủy xem xét.",
              "PHONG-41", "HS-2011-007"),
        # pages no item claims
        _page("f01:3", "PHONG-41/HS-2020-002/scan.pdf",
              "Danh sách đảng viên được tặng Huy hiệu 30 năm tuổi Đảng đợt 3 tháng 2",
              "PHONG-41", "HS-2020-002"),
        _page("f02:1", "PHONG-41/HS-2011-007/note.jpg",
              f"Ghi chú về cán bộ xã {RESTRICTED_WORD}", "PHONG-41", "HS-2011-007",
              restricted=True),
        # the same sentence with Đảng / đăng, and a phrase / the same syllables scattered
        _page("g01:1", "PHONG-17/HS-2001-001/g01.jpg", "Ban chấp hành Đảng bộ tỉnh họp thường kỳ",
              "PHONG-17", "HS-2001-001"),
        _page("g02:1", "PHONG-17/HS-2001-001/g02.jpg", "Ban chấp hành đăng bộ tỉnh họp thường kỳ",
              "PHONG-17", "HS-2001-001"),
        _page("h01:1", "PHONG-17/HS-2001-002/h01.jpg",
              "Xây dựng nông thôn mới gắn với phong trào thi đua yêu nước", "PHONG-17", "HS-2001-002"),
        _page("h02:1", "PHONG-17/HS-2001-002/h02.jpg",
              "Xây dựng phong trào nông nghiệp gắn với thôn xóm mới", "PHONG-17", "HS-2001-002"),
    ]
    for i in range(1, FILLER_PAGES + 1):  # many equal matches, to page through
        pages.append(_page(f"z{i:02d}:1", f"PHONG-50/HS-1999-001/filler-{i:02d}.jpg",
                           f"Phụ lục {i}: {FILLER_TAG}", "PHONG-50", "HS-1999-001"))
    return items, pages


# --- engines --------------------------------------------------------------------------------

def _make_backend(kind: str, tmp_path_factory):
    if kind == "sqlite":
        return SqliteBackend(tmp_path_factory.mktemp("index") / "search.sqlite")
    if kind == "tantivy":
        from luutru.index.tantivy_backend import TantivyBackend
        return TantivyBackend(tmp_path_factory.mktemp("index") / "tantivy")
    return ElasticsearchBackend(ES_URL, alias=f"luutru-test-{uuid.uuid4().hex[:8]}")


def _dispose(backend) -> None:
    if isinstance(backend, ElasticsearchBackend):
        backend.drop()
    backend.close()


TANTIVY_SKIP = pytest.mark.skipif(importlib.util.find_spec("tantivy") is None,
                                  reason="tantivy is not installed (pip install 'tantivy>=0.27,<0.28')")
ENGINES = [pytest.param("tantivy", marks=TANTIVY_SKIP), pytest.param("sqlite"),
           pytest.param("es", marks=ES_SKIP)]


@pytest.fixture(scope="module", params=ENGINES)
def engine(request, tmp_path_factory):
    backend = _make_backend(request.param, tmp_path_factory)
    items, pages = corpus()
    report = sync(backend, build_units(items, pages))
    assert report.failures == [] and report.added == len(items) + LONE_PAGES + FILLER_PAGES
    yield backend
    _dispose(backend)


@pytest.fixture(params=ENGINES)
def fresh_engine(request, tmp_path_factory):
    backend = _make_backend(request.param, tmp_path_factory)
    yield backend
    _dispose(backend)


def ids(engine, query: str, **kwargs) -> list[str]:
    return [hit["id"] for hit in engine.search(SearchRequest(query, **kwargs)).hits]


def exact_ids(engine, query: str, **kwargs) -> list[str]:
    """The hits that hold every word (not the forgiving tiers')."""
    return [hit["id"] for hit in engine.search(SearchRequest(query, **kwargs)).hits
            if hit["match"] == "exact"]


# --- Vietnamese -------------------------------------------------------------------------------

def test_folded_query_finds_diacritics_and_d_stroke(engine):
    assert "g01:1" in " ".join(ids(engine, "dang bo tinh"))
    assert "page:f01:3" in ids(engine, "huy hieu 30 nam tuoi dang")


def test_exact_diacritics_rank_first(engine):
    assert ids(engine, "Đảng bộ tỉnh")[:1] == ["page:g01:1"]
    assert ids(engine, "đăng bộ tỉnh")[:1] == ["page:g02:1"]
    assert set(ids(engine, "dang bo tinh")[:2]) == {"page:g01:1", "page:g02:1"}


def test_adjacent_syllables_rank_above_scattered(engine):
    assert ids(engine, "nong thon moi")[:2] == ["page:h01:1", "page:h02:1"]
    assert ids(engine, "phong trao nong nghiep")[:1] == ["page:h02:1"]


@pytest.mark.parametrize("query", ["43-NQ/TW", "43/NQ-TW", "43 NQ TW", "số 43-NQ/TW",
                                   '"Nghị quyết số 43-NQ/TW"', "nghi quyet so 43 nq tw",
                                   "number:43-NQ/TW"])
def test_document_number_in_any_spelling_finds_the_item_first(engine, query):
    assert ids(engine, query)[0] == "nq43"


def test_number_filter_is_exact(engine):
    assert ids(engine, "number:43-nq-tw") == ["nq43"]
    assert ids(engine, "number:05-CT/TU") == ["ct05"]


# --- query language ---------------------------------------------------------------------------

def test_boolean_operators_minus_and_prefix(engine):
    assert set(ids(engine, "dan van OR ho tich")) == {"nq43", "ct05"}
    assert set(ids(engine, "chap hanh")) == {"nq43", "ct05", "page:g01:1", "page:g02:1"}
    assert ids(engine, "chap hanh NOT ky") == ["nq43"]  # thường kỳ, đăng ký: folded, excluded
    assert "nq43" not in ids(engine, "trung uong -dan")
    assert "ct05" in ids(engine, "trung uong -dan")
    assert "ct05" in ids(engine, "ho tic*") and "nq43" not in ids(engine, "ho tic*")
    assert set(ids(engine, '"dan van" AND (moi OR cu)')) == {"nq43"}


def test_field_filters(engine):
    assert set(ids(engine, "fonds:PHONG-41 type:\"Chỉ thị\"")) == {"ct05"}
    assert set(ids(engine, "cong tac year:2006..2010")) == {"nq43"}
    assert set(ids(engine, "date:2012-06")) == {"ct05"}
    assert set(ids(engine, "date:2012-06-10 organ:\"tinh uy thai binh\"")) == {"ct05"}
    assert "ct05" not in ids(engine, "cong tac -year:2012", limit=100)
    assert set(ids(engine, "file:HS-2001-002")) == {"page:h01:1", "page:h02:1"}


@pytest.mark.parametrize("query", ['"unclosed', "(dan van", "dan OR", "NOT dang", "year:20x",
                                   "date:2012-13-40", "fond:PHONG-41", "", "   ", "ho*tich*x (",
                                   "number:abc", "dang AND", "-dang"])
def test_malformed_query_is_a_clear_error(engine, query):
    with pytest.raises(QueryError) as error:
        engine.search(SearchRequest(query))
    assert str(error.value) and "Traceback" not in str(error.value)


# --- results ------------------------------------------------------------------------------------

def test_hit_layout_snippet_and_pages(engine):
    result = engine.search(SearchRequest("quan he mat thiet"))
    hit = result.hits[0]
    assert hit["id"] == "nq43" and hit["item"] == "nq43" and hit["so_ky_hieu"] == "43-NQ/TW"
    assert hit["source"] == "PHONG-41/HS-2008-001/nq43.pdf" and hit["first_page"] == 1
    assert [p["n"] for p in hit["pages"]] == [2]
    assert hit["pages"][0]["key"] == "a43:2"
    assert "<mark>mật</mark> <mark>thiết</mark>" in hit["snippet"]


def test_page_outside_any_item_is_a_hit_with_item_null(engine):
    hit = engine.search(SearchRequest("huy hieu")).hits[0]
    assert hit["item"] is None and hit["source"] == "PHONG-41/HS-2020-002/scan.pdf"
    assert hit["page"] == 3 and hit["pages"][0]["page"] == 3
    assert "<mark>Huy</mark> <mark>hiệu</mark>" in hit["snippet"]


def test_facets_count_the_matches(engine):
    result = engine.search(SearchRequest("dang uy", clearance=3))
    assert result.total == 5
    assert result.facets["fonds"] == {"PHONG-41": 4, "PHONG-99": 1}
    assert result.facets["year"] == {"2008": 1, "2010": 1, "2011": 1, "2012": 1, "2015": 1}
    assert result.facets["type"] == {"Báo cáo": 1, "Chỉ thị": 1, "Kế hoạch": 1, "Nghị quyết": 1,
                                     "Thông báo": 1}


def test_total_counts_matches_beyond_the_facet_values_shown(fresh_engine):
    """More years, fonds and types than a facet lists: the total still counts every match."""
    from luutru.index.backend import FACET_SIZE

    n = FACET_SIZE * 5 + 30  # more distinct values than any engine asks its facets for
    items = [_item(f"y{i}", f"{i}-BC/TU", f"Loại {i}", f"{1800 + i}-01-02", f"Cơ quan {i}",
                   "về số liệu thống kê", f"PHONG-{i}", f"HS-{i}", [f"y{i}:1"]) for i in range(n)]
    pages = [_page(f"y{i}:1", f"PHONG-{i}/HS-{i}/y{i}.pdf", "Số liệu thống kê dân số",
                   f"PHONG-{i}", f"HS-{i}") for i in range(n)]
    sync(fresh_engine, build_units(items, pages))
    result = fresh_engine.search(SearchRequest("thong ke"))
    assert result.total == n
    assert len(result.facets["year"]) == FACET_SIZE and sum(result.facets["year"].values()) == FACET_SIZE


def test_pagination_is_stable_and_complete(engine):
    everything = ids(engine, FILLER_TAG, limit=100)
    assert len(everything) == FILLER_PAGES
    paged = []
    for page in range(1, 6):
        paged += ids(engine, FILLER_TAG, limit=7, page=page)
    assert paged == everything
    assert ids(engine, FILLER_TAG, limit=7, page=6) == []


def test_sort_by_date_newest_first(engine):
    dated = ids(engine, "fonds:PHONG-41", sort="date", clearance=3, limit=100)
    assert dated[:4] == ["ct05", "tb11", "kh07", "nq43"]


# --- secrets stay secret --------------------------------------------------------------------

def test_classified_item_hidden_from_results_and_counts(engine):
    assert engine.search(SearchRequest(SECRET_WORD)).total == 0
    assert engine.search(SearchRequest("bien gioi", clearance=1)).total == 0
    assert ids(engine, "bien gioi", clearance=2) == ["bc99"]
    assert ids(engine, "bien gioi", clearance=3) == ["bc99"]


def test_each_level_includes_those_below(engine):
    assert ids(engine, "thien tai") == []
    assert ids(engine, "thien tai", clearance=1) == ["kh07"]
    assert exact_ids(engine, "thien tai", clearance=2) == ["kh07"]


def test_classified_items_leak_nothing_through_counts_facets_snippets(engine):
    public = engine.search(SearchRequest("dang uy", limit=100))
    assert public.total == 2 and {h["id"] for h in public.hits} == {"nq43", "ct05"}
    assert public.facets["fonds"] == {"PHONG-41": 2}
    assert public.facets["year"] == {"2008": 1, "2012": 1}
    assert "PHONG-99" not in str(public.facets) and "Báo cáo" not in str(public.facets)
    everything = engine.search(SearchRequest("fonds:PHONG-41", limit=100))
    text = str(everything.to_json())
    for secret in ("thiên tai", "công tác cán bộ", SECRET_WORD, RESTRICTED_WORD):
        assert secret not in text


def test_restricted_file_needs_clearance_for_items_and_lone_pages(engine):
    assert ids(engine, "can bo") == []
    assert set(ids(engine, "can bo", clearance=1)) == {"tb11", "page:f02:1"}
    result = engine.search(SearchRequest(RESTRICTED_WORD))  # the forgiving tiers find others
    assert "page:f02:1" not in ids(engine, RESTRICTED_WORD) and RESTRICTED_WORD not in str(
        result.to_json())


def test_page_hits_of_classified_pages_never_shown(engine):
    for query in ("don bien phong", "so tan dan", "dang uy quan su"):
        result = engine.search(SearchRequest(query))
        assert not {"bc99", "kh07"} & {hit["id"] for hit in result.hits}
        assert "c99:1" not in str(result.to_json()) and "d07:1" not in str(result.to_json())
    assert "c99:1" in str(engine.search(SearchRequest("don bien phong", clearance=2)).hits)


def test_did_you_mean_never_reveals_a_classified_word(engine):
    typo = "zaraphet"
    for clearance in (0, 1):
        result = engine.search(SearchRequest(typo, clearance=clearance))
        assert result.suggestion is None and result.total == 0 and result.hits == []
    found = engine.search(SearchRequest(typo, clearance=2))  # one letter off: the fuzzy tier
    assert [(hit["id"], hit["match"]) for hit in found.hits] == [("bc99", "fuzzy")]


def test_did_you_mean_helps_on_public_words(engine):
    result = engine.search(SearchRequest("hoi tich"))
    assert result.total == 0 and result.suggestion == "ho tich"


# --- indexing -------------------------------------------------------------------------------

def test_sync_is_incremental_and_idempotent(fresh_engine):
    items, pages = corpus()
    first = sync(fresh_engine, build_units(items, pages))
    again = sync(fresh_engine, build_units(items, pages))
    assert first.added == len(items) + LONE_PAGES + FILLER_PAGES and again.added == again.updated == 0
    assert again.unchanged == first.added and again.deleted == 0

    changed = [p if p.key != "g01:1" else PageDoc(p.key, p.source, p.page, "Đại hội Đảng bộ huyện",
                                                  p.fonds, p.file) for p in pages]
    fewer = [i for i in items if i.id != "ct05"]
    report = sync(fresh_engine, build_units(fewer, changed))
    assert (report.updated, report.deleted) == (1, 1)
    assert ids(fresh_engine, "dai hoi") == ["page:g01:1"]
    assert ids(fresh_engine, "thuong ky") == ["page:g02:1"]
    assert ids(fresh_engine, "number:05-CT/TU") == []
    # the page ct05 held is a lone page now, still findable
    assert ids(fresh_engine, "ho tich") == ["page:b05:1"]


def test_rebuild_gives_the_same_answers(fresh_engine):
    items, pages = corpus()
    sync(fresh_engine, build_units(items, pages))
    before = fresh_engine.search(SearchRequest("dang", limit=50, clearance=3)).to_json()
    report = fresh_engine.rebuild(build_units(items, pages))
    assert report.failures == [] and report.added == len(items) + LONE_PAGES + FILLER_PAGES
    after = fresh_engine.search(SearchRequest("dang", limit=50, clearance=3)).to_json()
    assert after == before


def test_another_handle_on_the_index_sees_each_update(fresh_engine):
    """The reading room's processes keep the index open while ``luutru run`` updates it."""
    if isinstance(fresh_engine, ElasticsearchBackend):
        pytest.skip("an Elasticsearch index is a server's: every client sees its refreshes")
    reader = (SqliteBackend(fresh_engine.path) if isinstance(fresh_engine, SqliteBackend)
              else type(fresh_engine)(fresh_engine.directory))
    items, pages = corpus()
    try:
        assert ids(reader, "dang") == []
        sync(fresh_engine, build_units(items, pages))
        assert sorted(ids(reader, "thuong ky")) == ["page:g01:1", "page:g02:1"]
        assert ids(reader, "thuy loi noi dong") == []  # no new commit: the same answers
        changed = [p if p.key != "g02:1" else PageDoc(p.key, p.source, p.page,
                                                      "Thủy lợi nội đồng", p.fonds, p.file)
                   for p in pages]
        sync(fresh_engine, build_units(items, changed))
        assert ids(reader, "thuy loi noi dong") == ["page:g02:1"]
        assert ids(reader, "thuong ky") == ["page:g01:1"]
    finally:
        reader.close()


def test_item_with_its_own_secret_level_and_public_file(fresh_engine):
    item = ItemDoc(id="x1", so_ky_hieu="1-NQ/TU", loai_van_ban="Nghị quyết", do_mat="Tuyệt mật",
                   page_keys=("p:1",))
    page = PageDoc("p:1", "a.pdf", 1, "Phương án tác chiến đặc biệt", "F", "H")
    sync(fresh_engine, build_units([item], [page]))
    assert ids(fresh_engine, "tac chien", clearance=2) == []
    assert ids(fresh_engine, "tac chien", clearance=3) == ["x1"]


def test_long_queries_tolerate_a_misread_word(engine):
    query = "cong tac dan van trong tinh hinh moi xyzw"  # xyzw: a word OCR misread
    result = engine.search(SearchRequest(query))
    assert result.hits[0]["id"] == "nq43" and result.hits[0]["match"] == "partial"
    assert result.tiers[0] == {"kind": "exact", "total": 0, "label": "khớp đủ mọi từ"}
    assert [hit["match"] for hit in engine.search(SearchRequest("dan van moi xyzw")).hits] == [
        "partial"]


def test_deep_pages_walk_in_the_same_order(engine, monkeypatch):
    if not isinstance(engine, ElasticsearchBackend):
        pytest.skip("only Elasticsearch caps from+size (index.max_result_window)")
    everything = ids(engine, FILLER_TAG, limit=100)
    monkeypatch.setattr("luutru.index.es.MAX_WINDOW", 5)  # every page past the 5th walks
    paged = []
    for page in range(1, 6):
        paged += ids(engine, FILLER_TAG, limit=7, page=page)
    assert paged == everything


def test_trich_yeu_typed_without_diacritics_ranks_its_item_first(fresh_engine):
    """The item whose trích yếu the query is comes before reports that repeat the same words."""
    words = "về công tác thi đua, khen thưởng năm 2010"
    titled = _item("kl76", "76-KL/TU", "Kết luận", "2010-05-02", "Thành ủy Hải Phòng", words,
                   "PHONG-17", "HS-2010-011", ["t76:1"])
    report = _item("bc80", "80-BC/TU", "Báo cáo", "2010-12-20", "Thành ủy Hải Phòng",
                   "tổng kết năm 2010", "PHONG-17", "HS-2010-011", ["t80:1"])
    pages = [_page("t76:1", titled.source, f"KẾT LUẬN\n{words}\nThường vụ thống nhất.",
                   "PHONG-17", "HS-2010-011"),
             _page("t80:1", report.source, "BÁO CÁO\n" + " ".join(
                 [f"Công tác thi đua, khen thưởng năm 2010 đợt {i} đạt kết quả tốt." for i in
                  range(1, 6)]), "PHONG-17", "HS-2010-011")]
    sync(fresh_engine, build_units([titled, report], pages))
    assert ids(fresh_engine, "ve cong tac thi dua, khen thuong nam 2010")[0] == "kl76"
    assert ids(fresh_engine, "cong tac thi dua khen thuong")[0] == "kl76"


# --- forgiving tiers, boilerplate, people ---------------------------------------------------------

HEADER = ("TỈNH ỦY THÁI BÌNH\n*\nSố {n}-BC/TU\nĐẢNG CỘNG SẢN VIỆT NAM\n"
          "Thái Bình, ngày 2 tháng 3 năm 2015\nBÁO CÁO\n")
FOOTER = "\nNơi nhận:\n- Ban Thường vụ Tỉnh ủy,\n- Lưu VP.\nT/M BAN THƯỜNG VỤ\nBÍ THƯ\n{signer}"


def _report(n: int, title: str, body: str, signer: str, do_mat: str | None = None,
            place: str = "Thái Bình") -> tuple[ItemDoc, PageDoc]:
    item = ItemDoc(id=f"r{n}", so_ky_hieu=f"{n}-BC/TU", loai_van_ban="Báo cáo",
                   ngay_ban_hanh="2015-03-02", co_quan_ban_hanh="Tỉnh ủy Thái Bình",
                   trich_yeu=title, nguoi_ky=signer, fonds="PHONG-41", file="HS-2015-001",
                   source=f"r{n}.pdf", first_page=1, last_page=1, do_mat=do_mat,
                   access="Công khai", page_keys=(f"r{n}:1",), dia_danh=place)
    text = HEADER.format(n=n) + title + "\n" + body + FOOTER.format(signer=signer)
    return item, _page(f"r{n}:1", f"r{n}.pdf", text, "PHONG-41", "HS-2015-001")


def tier_corpus() -> tuple[list[ItemDoc], list[PageDoc]]:
    """Reports of one fonds with the same header and footer; their own words differ."""
    docs = [
        _report(1, "về nâng cao chất lượng công tác tham mưu",
                "Văn phòng thực hiện tốt chức năng phục vụ cấp ủy.", "Đinh Trọng Tiến"),
        # OCR read "nông cao" and "tham muu" for the same words in this one
        _report(2, "về nông cao chất lượng công tác tham mưu đối ngoại",
                "Các ban xây dựng quy chế làm việc.", "Bùi Thị Hồng Lan"),
        _report(3, "về chất lượng công tác phục vụ",
                "Nâng cao chất lượng đội ngũ, thực hiện tốt.", "Lương Quốc Lộc"),
        _report(4, "về triển khai tiếp nhận thông tin", "Trình đồng chí Trọng xem xét. "
                "Tiến độ chậm; Đinh Văn Hải phụ trách.", "Phạm Văn Đức"),
        _report(5, "về nâng cao chất lượng công tác tham mưu bí mật", "Phương án KRAVOLT.",
                "Đinh Trọng Tiến", do_mat="Tối mật"),
        _report(6, "về phong trào thi đua ở xã đảo", "Kết quả tốt.", "Trần Văn An",
                place="Hải Phòng"),
    ]
    return [d[0] for d in docs], [d[1] for d in docs]


@pytest.fixture(params=ENGINES)
def tiered(request, tmp_path_factory):
    backend = _make_backend(request.param, tmp_path_factory)
    items, pages = tier_corpus()
    sync(backend, build_units(items, pages))
    yield backend
    _dispose(backend)


def matches(engine, query: str, **kwargs) -> list[tuple[str, str]]:
    return [(h["id"], h["match"]) for h in engine.search(SearchRequest(query, **kwargs)).hits]


def test_every_word_first_then_most_words_then_one_edit(tiered):
    found = matches(tiered, "nang cao chat luong cong tac tham muu")
    assert found[0] == ("r1", "exact")
    assert ("r2", "partial") in found and ("r3", "partial") in found
    assert [kind for _, kind in found] == sorted((k for _, k in found),
                                                 key=["exact", "partial", "fuzzy"].index)
    result = tiered.search(SearchRequest("nang cao chat luong cong tac tham muu"))
    assert [t["kind"] for t in result.tiers] == ["exact", "partial"]
    assert result.total == sum(t["total"] for t in result.tiers) == len(result.hits)
    # two words, one misread by OCR: only the one-edit tier finds it
    assert matches(tiered, "dui ngoai") == []
    assert matches(tiered, "doi ngaai") == [("r2", "fuzzy")]


def test_each_tier_scores_below_the_one_before(tiered):
    hits = tiered.search(SearchRequest("nang cao chat luong cong tac tham muu")).hits
    scores = [h["score"] for h in hits]
    kinds = [h["match"] for h in hits]
    assert kinds[0] == "exact" and "partial" in kinds
    assert scores == sorted(scores, reverse=True)
    assert min(s for s, k in zip(scores, kinds) if k == "exact") > max(
        s for s, k in zip(scores, kinds) if k == "partial")


def test_a_title_with_one_syllable_misread_still_finds_its_document(tiered):
    assert ids(tiered, "nang cao chat luong cong tac tham muu doi ngoai")[0] == "r2"
    assert ids(tiered, "nông cao chất lượng công tác tham mưu đối ngoại")[0] == "r2"


def test_boilerplate_is_indexed_but_never_a_snippet(tiered):
    result = tiered.search(SearchRequest("cong tac", limit=20))
    assert result.total >= 3
    for hit in result.hits:
        assert "CỘNG" not in hit["snippet"] and "Nơi nhận" not in hit["snippet"]
    only_boiler = tiered.search(SearchRequest('"Đảng Cộng sản Việt Nam"', limit=20))
    assert only_boiler.total == 5  # found in the header of every public report…
    for hit in only_boiler.hits:  # …yet the snippet is the document's own text
        assert "ĐẢNG CỘNG SẢN" not in hit["snippet"] and "<mark>" not in hit["snippet"]
        assert hit["pages"] == []


def test_name_like_query_ranks_the_signer_first(tiered):
    found = matches(tiered, "Đinh Trọng Tiến")
    assert found[0] == ("r1", "person")
    assert ("r4", "exact") in found  # the same syllables scattered in a body come after
    assert matches(tiered, "Dinh Trong Tien")[0] == ("r1", "person")
    assert matches(tiered, "Bùi Thị Hồng Lan")[0] == ("r2", "person")
    assert matches(tiered, "Bài Thị Hồng Lan")[0] == ("r2", "person")  # "Bùi" misread
    assert matches(tiered, "Luong Quoc Loc")[0] == ("r3", "person")
    assert set(matches(tiered, "Đinh Trọng Tiến", clearance=2)[:2]) == {("r1", "person"),
                                                                         ("r5", "person")}


def test_person_and_place_filters_and_facets(tiered):
    assert ids(tiered, 'person:"Đinh Trọng Tiến"') == ["r1"]
    assert ids(tiered, "person:\"dinh trong tien\"", clearance=2) in (["r1", "r5"], ["r5", "r1"])
    assert ids(tiered, "place:\"Hai Phong\"") == ["r6"]
    assert ids(tiered, "bao cao -place:\"Thái Bình\"") == ["r6"]
    facets = tiered.search(SearchRequest("bao cao")).facets
    assert facets["person"]["Đinh Trọng Tiến"] == 1 and "Hải Phòng" in facets["place"]
    assert facets["organ"] == {"Tỉnh ủy Thái Bình": 5}


def test_no_classified_item_through_any_tier_count_or_suggestion(tiered):
    for query in ("nang cao chat luong cong tac tham muu bi mat",  # partial for r1, exact r5
                  "tham muu bi mat", "kravolt", "kravalt", "Đinh Trọng Tiến", "bi mat",
                  "person:\"Đinh Trọng Tiến\"", "Dinh Trong Tien kravalt"):
        for clearance in (0, 1):
            result = tiered.search(SearchRequest(query, clearance=clearance, limit=50))
            text = str(result.to_json())
            assert "r5" not in {h["id"] for h in result.hits}
            assert "KRAVOLT" not in text and "bí mật" not in text
            assert result.suggestion is None or "kravolt" not in result.suggestion
            assert result.total == len(result.hits)
    assert ("r5", "fuzzy") in matches(tiered, "kravalt", clearance=2)


def test_messages_say_why_nothing_is_shown(tiered):
    empty = tiered.search(SearchRequest("bao cao year:2020..2006"))
    assert empty.total == 0 and "trống" in empty.notices[0]
    assert "year:2006..2020" in empty.notices[0]
    beyond = tiered.search(SearchRequest("bao cao", page=99))
    assert beyond.hits == [] and beyond.total == 5
    assert beyond.notices == ["Trang 99 không có: 5 kết quả chỉ đủ 1 trang (10 kết quả mỗi trang)."]
    filtered = tiered.search(SearchRequest("bao cao fonds:PHONG-99"))
    assert filtered.total == 0 and filtered.notices == [
        "Các bộ lọc đã loại hết kết quả: bỏ bộ lọc thì có 5 văn bản khớp các từ đã tìm."]
    assert tiered.search(SearchRequest("fonds:PHONG-99")).notices == [
        "Không có văn bản nào (mà bạn được xem) khớp các bộ lọc đã chọn."]
    assert tiered.search(SearchRequest("bao cao")).notices == []
