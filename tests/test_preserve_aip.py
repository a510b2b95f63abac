"""Preservation packages: one valid BagIt bag per hồ sơ with METS and PREMIS valid against the
official schemas, the EAD3 linking to them, and archive → packages → restore giving the same
status, the same catalogue bytes and the same search answers; kill -9 anywhere leaves no half."""

from __future__ import annotations

import json
import subprocess
import sys

import bagit
import pytest
from lxml import etree
from midway import kill_midway

from luutru.archive import Archive
from luutru.catalog.build import iter_items
from luutru.export.ead import ead_schema
from luutru.catalog.review import save_item_values
from luutru.index.model import SearchRequest
from luutru.index.update import open_backend, update_index
from luutru.access import parse_clearance
from luutru.export.aip import EAD_NAME, export_aips, mets_schema, premis_schema
from luutru.archive import sha256_file
from luutru.preserve.events import iter_events
from luutru.preserve.fixity import iter_originals, verify
from luutru.preserve.restore import restore
from luutru.status import archive_status

LUUTRU = [sys.executable, "-m", "luutru.cli"]
M = "{http://www.loc.gov/METS/}"
P = "{http://www.loc.gov/premis/v3}"
PASSWORD = "mật-khẩu-rất-dài-42"
QUERIES = ("nghị quyết", "dan van", "công văn", "year:2000..2020", "fonds:PHONG-12")


@pytest.fixture(scope="module")
def packed(demo_archive, tmp_path_factory):
    """A copy of the demo archive with an audit and an archivist's value, and its packages."""
    import shutil
    root = tmp_path_factory.mktemp("packed")
    shutil.copytree(demo_archive.root, root / "archive")
    archive = Archive.open(root / "archive")
    verify(archive)
    item = next(iter_items(archive))
    assert save_item_values(archive, item["id"], {"nguoi_ky": "Ngô Đông Hải"}).errors == []
    from luutru import editorial          # an editor's proofread page: record, packed and restored
    editorial.set_page_text(archive, item, item["pages"][0], "Trang đã đối chiếu.", "an")
    update_index(archive)                 # as the reading room does after a save
    _reading_room_was_used(archive, item)
    report = export_aips(archive, root / "aips")
    return archive, root / "aips", report


def _reading_room_was_used(archive: Archive, item: dict) -> None:
    """Accounts, a session, the session-signing key and audit entries, as the reading room
    leaves them: about an item, a page, a fonds, and about no hồ sơ (a login)."""
    from luutru.web.accounts import Accounts
    from luutru.web.auth import load_secret_key
    store = Accounts(archive)
    store.add_user("lan", PASSWORD, role="archivist", clearance=3)
    store.open_session("lan")
    store.audit("lan", "archivist", "login", "lan", remote="10.0.0.7")
    store.audit("lan", "archivist", "view-item", item["id"], remote="10.0.0.7")
    store.audit("lan", "archivist", "view-page", item["pages"][0], "page 1200", "10.0.0.7")
    store.audit("lan", "archivist", "change-access-policy", item["fonds_code"], "'mở' → 'đóng'")
    store.close()
    load_secret_key(archive)


def _audit(archive: Archive) -> list:
    from luutru.preserve.accesslog import read_audit
    return read_audit(archive)


def _search(archive: Archive) -> list[dict]:
    """The answers: hits with their snippets, totals, facets. Not the BM25 scores, which count
    the documents an updated index still holds deleted (a rebuilt one does not), nor the order
    of hits with equal scores (a filter-only query)."""
    with open_backend(archive) as backend:
        answers = [backend.search(SearchRequest(q, parse_clearance("tuyet-mat"), 50, 1, "relevance")).to_json()
                   for q in QUERIES]
    for answer in answers:
        for hit in answer["hits"]:
            hit.pop("score", None)
        answer["hits"].sort(key=lambda hit: hit["id"])
    return answers


def test_every_package_is_a_valid_bag_with_valid_mets_and_premis(packed):
    archive, aips, report = packed
    assert report.packages and len(report.packages) == len({(i["fonds_code"], i["file_code"])
                                                           for i in iter_items(archive)})
    for name in report.packages:
        bag = bagit.Bag(str(aips / name))
        bag.validate()
        assert "sha256" in bag.algorithms
        mets = etree.parse(str(aips / name / "data" / "mets.xml"))
        premis = etree.parse(str(aips / name / "data" / "premis.xml"))
        assert mets_schema().validate(mets) and premis_schema().validate(premis)
        maps = {m.get("TYPE"): m for m in mets.iter(M + "structMap")}
        assert set(maps) == {"physical", "logical"}
        assert [d.get("TYPE") for d in maps["logical"].iter(M + "div")][:3] == ["phông", "hồ sơ", "văn bản"]
        assert {g.get("USE") for g in mets.iter(M + "fileGrp")} == {"original", "alto", "pdf"}
        for flocat in mets.iter(M + "FLocat"):
            assert (aips / name / "data" / flocat.get("{http://www.w3.org/1999/xlink}href")).is_file()
        types = [e.findtext(P + "eventType") for e in premis.iter(P + "event")]
        assert {"ingestion", "fixity check", "creation"} <= set(types)
        detail = " ".join(e.findtext(f"{P}eventDetailInformation/{P}eventDetail") for e in premis.iter(P + "event"))
        assert "SHA-256" in detail and "settings" in detail and "Tesseract" in detail


def test_the_archivists_edit_is_an_event_and_the_ead_links_the_packages(packed):
    archive, aips, report = packed
    premis = [etree.parse(str(aips / n / "data" / "premis.xml")) for n in report.packages]
    edits = [e for p in premis for e in p.iter(P + "event")
             if e.findtext(P + "eventType") == "metadata modification"]
    assert len(edits) == 1 and "nguoi_ky" in edits[0].findtext(f"{P}eventDetailInformation/{P}eventDetail")
    ead = etree.parse(str(aips / EAD_NAME))
    assert ead_schema().validate(ead)
    links = {d.get("href") for d in ead.iter("{http://ead3.archivists.org/schema/}dao")}
    assert links == {f"{name}/" for name in report.packages}


def test_archive_packages_restore_gives_the_same_archive(packed, tmp_path):
    archive, aips, _ = packed
    restored = Archive.open(tmp_path / "restored")

    report = restore(restored, [aips], jobs=2)

    assert report.exit_code == 0, report.to_json()
    assert archive_status(restored) == archive_status(archive)
    assert {p.name: p.read_bytes() for p in restored.catalog_dir.glob("*.xml")} == \
        {p.name: p.read_bytes() for p in archive.catalog_dir.glob("*.xml")}
    assert _search(restored) == _search(archive)
    assert {p.name for p in (restored.root / "inputs" / "inventories").iterdir()} == \
        {p.name for p in (archive.root / "inputs" / "inventories").iterdir()}
    assert {p.name: p.read_bytes() for p in (restored.root / "editorial").glob("*.json")} == \
        {p.name: p.read_bytes() for p in (archive.root / "editorial").glob("*.json")} != {}
    assert verify(restored).problems == []
    assert len(_audit(archive)) == 4 and _audit(restored) == _audit(archive)
    assert report.audit_entries == 4


def test_audit_log_is_packed_and_credentials_are_not(packed):
    """Each bag carries its hồ sơ's audit entries and those of no hồ sơ (the login); no bag holds
    a password hash, a session or the session-signing key."""
    archive, aips, report = packed
    from luutru.web.accounts import accounts_path
    secret = (archive.root / "access" / "secret.key").read_bytes()
    hashes = [row[0] for row in __import__("sqlite3").connect(accounts_path(archive)).execute(
        "SELECT password_hash FROM users")]
    assert hashes and secret
    carried = {}
    for name in report.packages:
        bag = aips / name
        for path in bag.rglob("*"):
            if path.is_file():
                data = path.read_bytes()
                assert secret not in data and not any(h.encode() in data for h in hashes)
                assert b"$argon2" not in data and PASSWORD.encode() not in data
        log = bag / "data" / "metadata" / "access" / "audit.jsonl"
        carried[name] = [json.loads(line)["action"] for line in log.read_text().splitlines()]
    item = next(iter_items(archive))
    own = next(n for n in report.packages if n.startswith(f"{item['fonds_code']}--{item['file_code']}"))
    assert carried[own] == ["login", "view-item", "view-page", "change-access-policy"]
    assert all("login" in actions for actions in carried.values())
    others = [a for n, a in carried.items() if not n.startswith(item["fonds_code"] + "--")]
    assert others and all(actions == ["login"] for actions in others)


def test_a_damaged_package_is_refused(packed, tmp_path):
    import shutil
    _, aips, report = packed
    copy = tmp_path / "bag"
    shutil.copytree(aips / report.packages[0], copy)
    original = next((copy / "data" / "originals").glob("*.tif"), None) or \
        next(p for p in (copy / "data" / "originals").iterdir() if p.suffix != ".json")
    original.chmod(0o644)
    original.write_bytes(original.read_bytes()[:-10])
    result = restore(Archive.open(tmp_path / "r"), [copy])
    assert result.exit_code == 2 and result.refused and result.originals == 0


def _bags(out) -> list:
    """The bags under their final names (a bag takes its name only when whole)."""
    return sorted(p for p in out.glob("*") if p.is_dir() and not p.name.startswith("."))


def test_kill_9_during_restore_then_restore_again_finishes_clean(packed, tmp_path):
    archive, aips, _ = packed
    target = tmp_path / "restored"
    read = lambda: list(target.glob("pages/*/*/ocr.json"))  # noqa: E731 - a page read again
    pages = len(list(archive.pages_dir.glob("*/*/")))

    kill_midway(["restore", str(aips), "-a", str(target)], lambda _: len(read()) >= 1)

    assert 1 <= len(read()) < pages                       # killed while deriving the pages
    half = Archive.open(target)
    assert not [e for e in iter_events(half) if e.detail.startswith("archive restored")]
    for original in iter_originals(half):
        assert not original.path.exists() or sha256_file(original.path) == original.sha256
    for path in target.rglob("*.json"):
        json.loads(path.read_text(encoding="utf-8"))

    done = subprocess.run([*LUUTRU, "restore", str(aips), "-a", str(target), "--json"],
                          capture_output=True, text=True, timeout=600)

    assert done.returncode == 0, done.stderr
    restored = Archive.open(target)
    assert archive_status(restored) == archive_status(archive)
    assert verify(restored).problems == []
    assert not list(target.rglob("*.partial"))
    assert _audit(restored) == _audit(archive)            # once, though restored twice


def test_kill_9_during_export_leaves_whole_bags_only(packed, tmp_path):
    archive, _, report = packed
    out = tmp_path / "aips"

    kill_midway(["export", "aip", str(out), "-a", str(archive.root)],
                lambda _: len(_bags(out)) >= 1)

    assert not (out / EAD_NAME).exists() and 1 <= len(_bags(out)) < len(report.packages)
    for bag in _bags(out):
        bagit.Bag(str(bag)).validate()
    done = subprocess.run([*LUUTRU, "export", "aip", str(out), "-a", str(archive.root), "--json"],
                          capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stderr
    assert not [p for p in out.iterdir() if p.name.startswith(".")]
    assert json.loads(done.stdout)["packages"] == report.packages
    assert [bag.name for bag in _bags(out)] == sorted(report.packages)
    for bag in _bags(out):
        bagit.Bag(str(bag)).validate()


def test_export_ead_links_to_packages_and_aip_export_filters_by_fonds(packed, tmp_path):
    archive, aips, report = packed
    out = tmp_path / "holdings.xml"
    done = subprocess.run([*LUUTRU, "export", "ead", str(out), "--packages", str(aips),
                           "--clearance", "tuyet-mat", "-a", str(archive.root)],
                          capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    ead = etree.parse(str(out))
    assert ead_schema().validate(ead)
    assert {d.get("href") for d in ead.iter("{http://ead3.archivists.org/schema/}dao")} == \
        {f"{aips.as_posix()}/{name}/" for name in report.packages}
    only = export_aips(archive, tmp_path / "one", fonds="PHONG-12")
    assert only.packages and all(name.startswith("PHONG-12--") for name in only.packages)
