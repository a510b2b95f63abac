"""The volume spec: YAML and TOML read the same, dump_spec round-trips, mistakes name their key."""

import datetime as dt

import pytest

from luutru.volume.spec import SpecError, VolumeSpec, dump_spec, load_spec, parse_spec, spec_for_items

FULL_YAML = """\
title: "Văn kiện Đảng bộ tỉnh Thái Bình"
subtitle: "Tập I (2015–2020)"
period: {from: 2015-01-01, to: 2020-12-31}
repository: "Kho Lưu trữ Văn phòng Tỉnh ủy Thái Bình"
publisher: "Văn phòng Tỉnh ủy Thái Bình"
place: "Thái Bình"
year: 2026
select:
  query: 'type:"Nghị quyết" year:2015..2020'
  fonds: [PHONG-12]
  files: ["PHONG-12/HS-2019-004"]
  items: [vb-376eefd7a1e39bc2-0001]
options:
  review_appendix: false
  paper: A5
  formats: [pdf]
"""

FULL_TOML = """\
title = "Văn kiện Đảng bộ tỉnh Thái Bình"
subtitle = "Tập I (2015–2020)"
repository = "Kho Lưu trữ Văn phòng Tỉnh ủy Thái Bình"
publisher = "Văn phòng Tỉnh ủy Thái Bình"
place = "Thái Bình"
year = 2026
[period]
from = 2015-01-01
to = 2020-12-31
[select]
query = 'type:"Nghị quyết" year:2015..2020'
fonds = ["PHONG-12"]
files = ["PHONG-12/HS-2019-004"]
items = ["vb-376eefd7a1e39bc2-0001"]
[options]
review_appendix = false
paper = "A5"
formats = ["pdf"]
"""


def test_yaml_file_read_into_every_field(tmp_path):
    path = tmp_path / "tap1.yaml"
    path.write_text(FULL_YAML, encoding="utf-8")
    spec = load_spec(path)
    assert spec == VolumeSpec(
        title="Văn kiện Đảng bộ tỉnh Thái Bình", subtitle="Tập I (2015–2020)",
        period_from=dt.date(2015, 1, 1), period_to=dt.date(2020, 12, 31),
        repository="Kho Lưu trữ Văn phòng Tỉnh ủy Thái Bình", publisher="Văn phòng Tỉnh ủy Thái Bình",
        place="Thái Bình", year=2026, query='type:"Nghị quyết" year:2015..2020', fonds=("PHONG-12",),
        files=("PHONG-12/HS-2019-004",), items=("vb-376eefd7a1e39bc2-0001",),
        review_appendix=False, paper="A5", formats=("pdf",))


def test_toml_reads_to_the_same_spec_as_yaml(tmp_path):
    (tmp_path / "a.yml").write_text(FULL_YAML, encoding="utf-8")
    (tmp_path / "a.toml").write_text(FULL_TOML, encoding="utf-8")
    assert load_spec(tmp_path / "a.toml") == load_spec(tmp_path / "a.yml")


def test_defaults_when_only_title_and_selection_given():
    spec = parse_spec("title: Tuyển tập\nselect: {fonds: PHONG-12}\n")
    assert spec.fonds == ("PHONG-12",)
    assert spec.formats == ("pdf", "docx") and spec.paper == "A4" and spec.review_appendix
    assert spec.year == dt.date.today().year
    assert spec.period_from is None and spec.period_to is None


@pytest.mark.parametrize("text", [FULL_YAML, "title: Tuyển tập\nselect: {query: 'nghị quyết'}\n"])
def test_dump_spec_reads_back_equal(tmp_path, text):
    spec = parse_spec(text)
    path = tmp_path / "again.yaml"
    path.write_text(dump_spec(spec), encoding="utf-8")
    assert load_spec(path) == spec
    assert "Văn kiện" in dump_spec(spec) or "Tuyển tập" in dump_spec(spec)  # not \\u-escaped


def test_spec_for_items_round_trips_and_keeps_order():
    spec = spec_for_items(["vb-b", "vb-a", "vb-b"], "Giỏ tài liệu", period_from="2019-01-01",
                          period_to=dt.date(2019, 12, 31))
    assert spec.items == ("vb-b", "vb-a")
    assert spec.period_from == dt.date(2019, 1, 1)
    assert parse_spec(dump_spec(spec)) == spec


def test_text_is_nfc():
    decomposed = "Nghi\u0323 quyê\u0301t"
    spec = parse_spec(f"title: '{decomposed}'\nselect: {{items: [x]}}\n")
    assert spec.title == "Nghị quyết"


@pytest.mark.parametrize("text, key", [
    ("select: {items: [a]}\n", "title"),
    ("title: ''\nselect: {items: [a]}\n", "title"),
    ("title: x\n", "select"),
    ("title: x\nselect: {}\n", "select"),
    ("title: x\nselect: {fond: [a]}\n", "select.fond"),
    ("title: x\nauthor: y\nselect: {items: [a]}\n", "author"),
    ("title: x\nselect: {items: [a]}\nperiod: {from: '2019-02-30'}\n", "period.from"),
    ("title: x\nselect: {items: [a]}\nperiod: {from: 2020-01-01, to: 2019-01-01}\n", "period"),
    ("title: x\nselect: {files: [HS-2019-004]}\n", "select.files"),
    ("title: x\nselect: {items: {a: 1}}\n", "select.items"),
    ("title: x\nselect: {items: [a]}\noptions: {paper: A3}\n", "options.paper"),
    ("title: x\nselect: {items: [a]}\noptions: {formats: [pdf, odt]}\n", "options.formats"),
    ("title: x\nselect: {items: [a]}\noptions: {review_appendix: maybe}\n", "options.review_appendix"),
    ("title: x\nselect: {items: [a]}\nyear: năm nay\n", "year"),
    ("- title\n", "spec"),
])
def test_mistakes_name_their_key(text, key):
    with pytest.raises(SpecError) as caught:
        parse_spec(text)
    assert str(caught.value).startswith(f"{key}:")


def test_broken_syntax_and_files(tmp_path):
    with pytest.raises(SpecError, match="YAML"):
        parse_spec("title: [\n")
    with pytest.raises(SpecError, match="YAML"):
        parse_spec("title: x\nperiod: {from: 2020-13-01}\nselect: {items: [a]}\n")
    with pytest.raises(SpecError, match="TOML"):
        parse_spec("title = ", ".toml")
    with pytest.raises(SpecError, match="no such file"):
        load_spec(tmp_path / "missing.yaml")
    (tmp_path / "spec.json").write_text("{}", encoding="utf-8")
    with pytest.raises(SpecError, match=".yaml, .yml or .toml"):
        load_spec(tmp_path / "spec.json")
    (tmp_path / "latin1.yaml").write_bytes("title: Nghị".encode("utf-16"))
    with pytest.raises(SpecError, match="UTF-8"):
        load_spec(tmp_path / "latin1.yaml")


def test_yaml_tags_never_build_objects():
    with pytest.raises(SpecError, match="YAML"):
        parse_spec("title: !!python/object/apply:os.system ['true']\nselect: {items: [a]}\n")
