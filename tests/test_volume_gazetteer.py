"""The gazetteer of administrative units (luutru.volume.gazetteer) and the place index built with
it (luutru.volume.apparatus.places_in): places recognised and named as the index sets them."""

from luutru.volume import apparatus, gazetteer


def test_the_vendored_list_says_where_it_comes_from_and_holds_the_units():
    header = [line for line in gazetteer.DATA.read_text(encoding="utf-8").splitlines()
              if line.startswith("#")]
    assert any("vietnamadminunits" in line for line in header)
    assert any("MIT" in line for line in header)
    assert (gazetteer.DATA.parent / "LICENSE.vietnamadminunits").exists()
    units = [unit for group in gazetteer.places().values() for unit in group]
    assert sum(unit.level == gazetteer.PROVINCE for unit in units) >= 63
    assert sum(unit.level == gazetteer.DISTRICT for unit in units) >= 690


def test_names_are_matched_with_the_tone_mark_anywhere_and_set_as_listed():
    assert gazetteer.lookup("Hoà Bình").label == "Hòa Bình"
    assert gazetteer.lookup("Thuỷ Nguyên").label == "Thủy Nguyên (Hải Phòng)"
    assert gazetteer.lookup("Kiến Xương").label == "Kiến Xương (Thái Bình)"
    assert gazetteer.lookup("Kiến Xuơng") is None            # a misspelling is no place
    assert gazetteer.lookup("Hải Hưng").label == "Hải Hưng (tỉnh cũ, 1968–1996)"   # a former province


def test_a_district_name_of_several_provinces_is_told_apart_by_the_documents_provinces():
    assert gazetteer.lookup("Châu Thành").label == "Châu Thành"
    assert gazetteer.lookup("Châu Thành", provinces=frozenset({"Long An"})).label == "Châu Thành (Long An)"
    # the level the text gives decides between a province and a city of its name
    assert gazetteer.lookup("Thái Bình", (gazetteer.DISTRICT,)).label == "Thái Bình (Thái Bình)"


def test_places_in_a_text():
    text = ("Ban Thường vụ Tỉnh ủy Thái Bình giao các xã của huyện Kiến Xương, thị xã Sơn Tây và "
            "xã Vũ Hòa thực hiện; đồng chí Nguyễn Thái Bình báo cáo.")
    places = apparatus.places_in(text)
    assert "Thái Bình" in places                       # a province named on its own
    assert "Kiến Xương (Thái Bình)" in places          # a district, named with its province
    assert places.count("Sơn Tây") == 1                # "thị xã", not again after "xã"
    assert "Vũ Hòa" in places                          # a commune: as written
    assert len(places) == 4                            # "Nguyễn Thái Bình" is a person


def test_place_of_issue_and_the_documents_provinces():
    assert apparatus.place_of_issue("Đông Hưng") == "Đông Hưng (Thái Bình)"
    assert apparatus.place_of_issue("Làng Mới ") == "Làng Mới"   # unknown: as catalogued
    provinces = apparatus.provinces_in(["Tỉnh ủy Long An", "huyện Châu Thành"])
    assert provinces == {"Long An"}
    assert apparatus.place_of_issue("Châu Thành", provinces) == "Châu Thành (Long An)"
