"""What luutru sends to Elasticsearch, checked as JSON (no server needed).

The contract suite (test_search_contract.py) runs these against a real server when
LUUTRU_ES_URL is set; here we pin the exact analysis settings, mappings and query bodies.
"""

from __future__ import annotations

from luutru.index.es import (alias_actions, bulk_actions, index_mappings, index_settings,
                             query_body, search_body, sort_clause, suggest_body, unit_document)
from luutru.index.model import ItemDoc, SearchRequest, Unit, UnitPage
from luutru.index.query import parse_query

FOLDED = ["meta.folded^4", "body.folded", "boiler.folded^0.2"]
EXACT = ["meta^4", "body"]


def test_analysis_is_stock_elasticsearch_with_folding_and_shingles():
    analysis = index_settings()["analysis"]
    assert analysis["filter"]["vi_folding"] == {"type": "asciifolding", "preserve_original": True}
    assert analysis["filter"]["vi_bigrams"] == {"type": "shingle", "min_shingle_size": 2,
                                                "max_shingle_size": 2, "output_unigrams": False}
    for analyzer in analysis["analyzer"].values():
        assert analyzer["tokenizer"] == "standard" and analyzer["filter"][0] == "lowercase"
    assert analysis["analyzer"]["vi_folded"]["filter"] == ["lowercase", "vi_folding"]


def test_mappings_text_fields_and_keywords():
    mappings = index_mappings()
    props = mappings["properties"]
    for name in ("meta", "body"):
        assert props[name]["analyzer"] == "vi_exact"
        assert props[name]["fields"]["folded"]["analyzer"] == "vi_folded"
        assert props[name]["fields"]["shingles"]["analyzer"] == "vi_shingles"
    assert props["level"] == {"type": "integer"}
    assert props["fonds"] == props["fonds_key"] == {"type": "keyword"}
    assert props["pages"] == {"type": "object", "enabled": False}
    assert mappings["_source"] == {"excludes": ["meta", "body", "boiler", "signer"]}
    assert mappings["dynamic"] == "strict"


def _unit(level: int = 0) -> Unit:
    item = ItemDoc(id="nq43", so_ky_hieu="43-NQ/TW", loai_van_ban="Nghị quyết",
                   ngay_ban_hanh="2008-03-05", co_quan_ban_hanh="Ban Chấp hành Trung ương",
                   trich_yeu="về công tác dân vận", fonds="PHONG-41", file="HS-1",
                   page_keys=("a:1",))
    return Unit("nq43", item, [UnitPage("a:1", "x.pdf", 1, 1, "Đảng ủy")], level, "PHONG-41", "HS-1")


def test_unit_document_fields():
    doc = unit_document(_unit(level=2))
    assert doc["uid"] == "nq43" and doc["level"] == 2 and doc["kind"] == "item"
    assert doc["number_key"] == "43-nq-tw" and doc["type_key"] == "nghi quyet"
    assert doc["meta"].startswith("Nghị quyết số 43-NQ/TW")
    assert doc["year"] == 2008 and doc["date"] == "2008-03-05"
    assert doc["pages"] == [{"key": "a:1", "source": "x.pdf", "page": 1, "n": 1, "text": "Đảng ủy",
                            "boiler": []}]
    [action] = bulk_actions("idx", [_unit()])
    assert action["_id"] == "nq43" and action["_op_type"] == "index" and action["_index"] == "idx"


def test_words_query_body_exact_boost_and_bigram():
    body = query_body(parse_query("Đảng ủy"), clearance=0)
    assert body == {"bool": {
        "filter": [{"range": {"level": {"lte": 0}}}],
        "must": [{"bool": {"must": [
            {"bool": {"must": [{"multi_match": {"query": "dang", "fields": FOLDED,
                                                "type": "best_fields", "boost": 1.0}}],
                      "should": [
                          {"multi_match": {"query": "đảng", "fields": EXACT, "type": "best_fields",
                                           "boost": 2.0}},
                          {"multi_match": {"query": "dang uy", "fields": FOLDED, "type": "phrase",
                                           "boost": 4.0}},
                          {"match": {"body.shingles": {"query": "dang uy"}}}]}},
            {"bool": {"must": [{"multi_match": {"query": "uy", "fields": FOLDED,
                                                "type": "best_fields", "boost": 1.0}}],
                      "should": [{"multi_match": {"query": "ủy", "fields": EXACT,
                                                  "type": "best_fields", "boost": 2.0}}]}},
        ]}}],
    }}


def test_phrase_prefix_or_not_and_filters():
    body = query_body(parse_query('"dân vận" (uy* OR tinh) -mat fonds:PHONG-41 -year:2010 '
                                  'date:2012-05 number:43/NQ-TW'), clearance=2)
    boolean = body["bool"]
    assert boolean["filter"] == [{"range": {"level": {"lte": 2}}},
                                 {"term": {"fonds_key": "phong-41"}},
                                 {"range": {"date": {"gte": "2012-05-01", "lte": "2012-05-31"}}},
                                 {"term": {"number_key": "43-nq-tw"}}]
    assert boolean["must_not"] == [{"range": {"year": {"gte": 2010, "lte": 2010}}}]
    text = boolean["must"][0]["bool"]
    phrase, either = text["must"]
    assert phrase["bool"]["must"][0] == {"multi_match": {"query": "dan van", "fields": FOLDED,
                                                         "type": "phrase", "boost": 1.0}}
    assert phrase["bool"]["should"][0]["multi_match"]["query"] == "dân vận"
    assert either["bool"]["minimum_should_match"] == 1
    prefix = either["bool"]["should"][0]
    assert prefix == {"bool": {"should": [{"prefix": {"meta.folded": {"value": "uy", "boost": 4}}},
                                          {"prefix": {"body.folded": {"value": "uy"}}}],
                               "minimum_should_match": 1}}
    assert text["must_not"] == [{"multi_match": {"query": "mat", "fields": FOLDED,
                                                 "type": "best_fields", "boost": 1.0}}]


def test_filter_only_query_matches_all_visible():
    body = query_body(parse_query("fonds:PHONG-41"), clearance=0)
    assert body["bool"]["must"] == [{"match_all": {}}]
    assert body["bool"]["filter"][0] == {"range": {"level": {"lte": 0}}}


def test_search_body_paging_sort_facets():
    request = SearchRequest("dang", clearance=1, limit=20, page=3, sort="date")
    body = search_body(parse_query("dang"), request)
    assert body["from"] == 40 and body["size"] == 20 and body["track_total_hits"] is True
    assert body["sort"] == [{"date": {"order": "desc", "missing": "_last"}}, "_score",
                            {"uid": "asc"}]
    assert set(body["aggs"]) == {"fonds", "type", "year", "organ", "person", "place"}
    assert body["aggs"]["year"] == {"terms": {"field": "year", "size": 100,
                                              "order": [{"_count": "desc"}, {"_key": "asc"}]}}
    assert body["query"]["bool"]["filter"][0] == {"range": {"level": {"lte": 1}}}
    deep = search_body(parse_query("dang"), request, size=1000, search_after=[1.5, "x"],
                       facets=False)
    assert "from" not in deep and deep["search_after"] == [1.5, "x"] and "aggs" not in deep
    assert sort_clause("relevance") == ["_score", {"uid": "asc"}]


def test_suggest_body_and_alias_switch():
    assert suggest_body("Hội tích")["suggest"] == {"text": "hoi tich", "words": {"term": {
        "field": "body.folded", "suggest_mode": "missing", "size": 3}}}
    assert alias_actions("luutru-units", ["luutru-units-1"], "luutru-units-2") == [
        {"add": {"index": "luutru-units-2", "alias": "luutru-units", "is_write_index": True}},
        {"remove_index": {"index": "luutru-units-1"}}]


def test_forgiving_tiers_bodies_minimum_should_match_fuzziness_and_clearance():
    """Each tier's body: the partial tier needs most words (``minimum_should_match``), the fuzzy
    one allows an edit (``fuzziness``), the person tier looks in the signer field; every tier
    keeps the clearance filter and leaves out what the tiers before it matched."""
    from luutru.index.query import plan_tiers

    parsed = parse_query("Nguyen Van Hung nang cao")
    assert parsed.name is None  # five words: not a name
    person, exact, partial, fuzzy = [plan_tiers(parse_query("Đinh Trọng Tiến"))[0],
                                     *plan_tiers(parse_query("trien khai nang cao chat"))]
    body = query_body(parse_query("Đinh Trọng Tiến"), clearance=0, tier=person)
    assert body["bool"]["filter"] == [{"range": {"level": {"lte": 0}}}]
    assert body["bool"]["must"] == [{"bool": {"should": [
        {"multi_match": {"query": s, "fields": ["signer.folded^4"], "fuzziness": "AUTO:4,64",
                         "prefix_length": 0, "boost": 1.0}} for s in ("dinh", "trong", "tien")],
        "minimum_should_match": 3}}]
    name = parse_query("Bui Thi Hong Lan")
    four = query_body(name, 0, plan_tiers(name)[0])
    assert four["bool"]["must"][0]["bool"]["minimum_should_match"] == 3  # one may be misread
    parsed = parse_query("trien khai nang cao chat -mat")
    partial_body = query_body(parsed, clearance=1, tier=plan_tiers(parsed)[1])["bool"]
    assert partial_body["filter"] == [{"range": {"level": {"lte": 1}}}]
    outer = partial_body["must"][0]["bool"]
    text = outer["must"][0]["bool"]
    assert text["minimum_should_match"] == 3 and len(text["should"]) == 5
    assert text["must_not"] == [{"multi_match": {"query": "mat", "fields": FOLDED,
                                                 "type": "best_fields", "boost": 1.0}}]
    assert outer["should"][0] == {"multi_match": {  # a misread word still adds a little
        "query": "trien", "fields": FOLDED, "fuzziness": "AUTO:4,64", "prefix_length": 0,
        "boost": 0.5}}
    exact_tier = partial_body["must_not"][0]["bool"]  # five words: most pairs side by side
    assert exact_tier["must"][0]["bool"]["must"][0]["bool"]["must"][0] == {
        "multi_match": {"query": "trien", "fields": FOLDED, "type": "best_fields", "boost": 1.0}}
    pairs = exact_tier["filter"][0]["bool"]
    assert pairs["minimum_should_match"] == 4 and pairs["should"][0] == {
        "multi_match": {"query": "trien khai", "fields": FOLDED, "type": "phrase"}}
    fuzzy_body = query_body(parsed, clearance=1, tier=plan_tiers(parsed)[2])["bool"]
    words = fuzzy_body["must"][0]["bool"]["must"]
    assert words[0] == {"multi_match": {"query": "trien", "fields": FOLDED,
                                        "fuzziness": "AUTO:4,64", "prefix_length": 0,
                                        "boost": 1.0}}
    assert words[3] == {"multi_match": {"query": "cao", "fields": FOLDED, "type": "best_fields",
                                        "boost": 1.0}}  # three letters: no edit allowed
    assert len(fuzzy_body["must_not"]) == 2  # not the exact, not the partial matches
    assert fuzzy_body["filter"] == [{"range": {"level": {"lte": 1}}}]
    assert (exact.kind, partial.kind, fuzzy.kind) == ("exact", "partial", "fuzzy")
