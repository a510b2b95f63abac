from luutru.archive import Archive, PageRef, atomic_write_text, dump_json, read_json, write_json
from luutru.textnorm import fold, nfc


def test_open_creates_self_describing_layout(tmp_path):
    archive = Archive.open(tmp_path / "a")
    assert (archive.root / "ARCHIVE.md").read_text(encoding="utf-8").startswith("# luutru archive")
    assert archive.originals_dir.is_dir() and archive.quarantine_dir.is_dir()


def test_json_is_stable_and_atomic(tmp_path):
    path = tmp_path / "x" / "r.json"
    write_json(path, {"b": 1, "a": "Đảng"})
    first = path.read_bytes()
    write_json(path, {"a": "Đảng", "b": 1})
    assert path.read_bytes() == first
    assert read_json(path) == {"a": "Đảng", "b": 1}
    assert not [p for p in path.parent.iterdir() if p.name.endswith(".tmp")]
    assert dump_json({"a": "ủy"}).count("ủy") == 1


def test_page_ref_key_round_trip():
    ref = PageRef("ab" * 32, 7)
    assert PageRef.parse(ref.key) == ref


def test_text_normalisation_repairs_eth_and_folds_d():
    decomposed = "Nghi\u0323 quy\u00ea\u0301t"
    assert nfc(decomposed) == "Nghị quyết"
    assert nfc("\u00d0ảng") == "Đảng"
    assert fold("Đảng ủy NGHỊ QUYẾT") == "dang uy nghi quyet"


def test_atomic_write_replaces_whole_file(tmp_path):
    path = tmp_path / "t.txt"
    atomic_write_text(path, "một")
    atomic_write_text(path, "hai")
    assert path.read_text(encoding="utf-8") == "hai"
