"""Secrecy and urgency stamps read on the page image (luutru.ocr.marks), and what the catalogue
makes of them: a classified document stays closed — read, or unsure — whatever its stamp looks like.

Pages are rendered here (samples.stamps) and read by the real Tesseract; the archive is built once
per module through the real stages (ingest → OCR → catalogue).
"""

from __future__ import annotations

import json
import random

import pytest
from PIL import Image, ImageDraw, ImageOps

from luutru.access import item_level
from luutru.archive import Archive
from luutru.catalog import build_catalog, iter_items
from luutru.catalog.secrecy import stamp_fields
from luutru.catalog.model import FieldValue
from luutru.ingest.batch import ingest_batch
from luutru.ocr.marks import MARKS_FILE, MARKS_VERSION, find_marks, match_level
from luutru.ocr.pipeline import ocr_archive, page_array
from luutru.stampwords import is_esignature_text, is_registration_text
from luutru.samples.documents import generate_document
from luutru.samples.fonts import load_font
from luutru.samples.render import SEAL_RED, render_page
from luutru.samples.stamps import BLACK, StampStyle, draw_stamp, render_stamped

DPI = 200
FONDS = "PHONG-07"


def _doc(seed: int, pages: int = 1, **marks):
    marks = {"do_mat": None, "do_khan": None, **marks}
    return generate_document(random.Random(seed), fonds=FONDS, doc_type="NQ", year=2019, pages=pages,
                             **marks)


def _number_line(doc, page_no=1):
    return next(line for line in doc.layout[page_no - 1] if line.text.startswith("Số "))


# --- the reader on its own ----------------------------------------------------------------------

def test_folded_edit_distance_names_the_mark():
    assert match_level("TỐI MẬT") == ("Tối mật", 0)
    assert match_level("[TUYỆT MẬT|") == ("Tuyệt mật", 0)
    assert match_level("HỎA TỐC (HẸN GIỜ)") == ("Hỏa tốc", 0)
    assert match_level("MẠIT")[0] == "Mật" and match_level("MẠIT")[1] == 1
    assert match_level("CÔNG VĂN ĐẾN")[1] > 3


@pytest.mark.parametrize("level, style", [
    ("Tối mật", StampStyle()),                                        # red, framed
    ("Mật", StampStyle(colour=BLACK, boxed=False)),                  # a photocopy, no frame
    ("Tuyệt mật", StampStyle(angle=5, fade=0.45)),                    # crooked and faded
    ("Thượng khẩn", StampStyle(colour=BLACK, angle=-4)),
])
def test_a_stamp_is_read_whatever_it_looks_like(level, style):
    kind = {"do_mat": level} if "mật" in level.lower() else {"do_khan": level}
    doc = _doc(3, **kind)
    marks = find_marks(page_array(render_stamped(doc, 1, DPI, style)), DPI)
    assert [(m.level, m.status) for m in marks] == [(level, "read")]
    mark = marks[0]
    assert mark.kind == ("secrecy" if "mật" in level.lower() else "urgency")
    x0, y0, x1, y1 = mark.bbox
    number = _number_line(doc)
    assert y0 > number.y_mm / 25.4 * DPI - 5          # under the number, where it was stamped
    assert 0 < x1 - x0 < 80 / 25.4 * DPI and mark.confidence >= 0.5


@pytest.mark.parametrize("level, style, grey", [
    ("Thượng khẩn", StampStyle(colour=BLACK, angle=4.5, seal=True), False),  # the red seal is not its ink
    ("Mật", StampStyle(angle=1, seal=True), True),         # a grey scan: the seal is grey ink too
    ("Tối mật", StampStyle(boxed=False, seal=True), False),  # red under red: its end is hidden
])
def test_a_stamp_half_under_a_seal_closes_its_document(level, style, grey):
    field = "do_mat" if "mật" in level.lower() else "do_khan"
    doc = _doc(9, **{field: level})
    page = render_stamped(doc, 1, DPI, style)
    marks = find_marks(page_array(page.convert("L") if grey else page), DPI)
    found = stamp_fields([[mark.to_json() for mark in marks]], {})
    assert field in found and found[field].value, [m.to_json() for m in marks]
    if style.colour == BLACK:                               # nothing of it is hidden: its level
        assert found[field].value == level
    elif field == "do_mat":                                 # unsure is closed at the strictest
        assert found[field].value == level or found[field].review


def test_an_unmarked_page_has_no_marks_and_a_seal_is_not_a_stamp():
    doc = _doc(4)
    page, _ = render_page(doc, 1, DPI)                     # with its red seal over the signature
    assert find_marks(page_array(page), DPI) == []


def test_a_page_turned_on_its_side_is_looked_at_upright_and_boxes_are_on_the_scan():
    doc = _doc(5, do_mat="Mật")
    upright = render_stamped(doc, 1, DPI, StampStyle())
    turned = upright.rotate(-90, expand=True)              # fed sideways: turned clockwise
    marks = find_marks(page_array(turned), DPI, rotation=90)
    assert [m.level for m in marks] == ["Mật"]
    ref = find_marks(page_array(upright), DPI)[0].bbox
    x0, y0, x1, y1 = marks[0].bbox                         # the upright box, turned with the page
    assert abs(x0 - (upright.height - ref[3])) < 6 and abs(y0 - ref[0]) < 6


def test_two_witnesses_the_strictest_wins_and_disagreement_goes_to_a_person():
    read = {"kind": "secrecy", "level": "Mật", "status": "read", "confidence": 0.9}
    unreadable = {"kind": None, "level": None, "status": "unsure", "confidence": 0.0}
    fields = stamp_fields([[read], None, [dict(read, level="Tối mật")]], {})
    assert fields["do_mat"].value == "Tối mật" and not fields["do_mat"].review
    assert fields["do_mat"].pages == [3]
    fields = stamp_fields([[unreadable]], {})
    assert fields["do_mat"].value == "Mật" and fields["do_mat"].review    # unsure: closed
    text = {"do_mat": FieldValue("Tuyệt mật", confidence=0.9)}
    fields = stamp_fields([[read]], text)
    assert fields["do_mat"].value == "Tuyệt mật" and fields["do_mat"].review
    assert stamp_fields([None], text)["do_mat"] is text["do_mat"]        # not looked for: text only
    assert stamp_fields([[]], {}) == {}


# --- other offices' blocks: an e-signature, a registration stamp -------------------------------

def _mm(value: float) -> int:
    return round(value / 25.4 * DPI)


def _logo(page: Image.Image, x_mm: float, y_mm: float) -> Image.Image:
    """A red mark of capitals no one can read (an e-signature logo's "GCA", drawn mirrored)."""
    font = load_font("serif-bold", round(20 / 72 * DPI))
    layer = Image.new("RGB", (round(font.getlength("GCA")) + 20, round(20 / 72 * DPI * 1.4)), "white")
    ImageDraw.Draw(layer).text((10, 2), "GCA", font=font, fill=SEAL_RED)
    page = page.copy()
    page.paste(ImageOps.mirror(layer), (_mm(x_mm), _mm(y_mm)))
    return page


def _esignature_text(page: Image.Image, x_mm: float, y_mm: float) -> Image.Image:
    page = page.copy()
    draw, font = ImageDraw.Draw(page), load_font("serif", round(10 / 72 * DPI))
    for n, line in enumerate(("Trung tâm Công báo và Tin học", "ttcbth@quangngai.gov.vn",
                              "21.03.2018 16:41:00 +07:00")):
        draw.text((_mm(x_mm), _mm(y_mm + 4.5 * n)), line, font=font, fill=(20, 20, 20))
    return page


def _registration_box(page: Image.Image, x_mm: float, y_mm: float, words: bool) -> Image.Image:
    """A receiving office's framed box, "CV ĐẾN" on the left and the clerk's fields on the right
    (``words``), with an unreadable red mark in it."""
    page = page.copy()
    draw = ImageDraw.Draw(page)
    draw.rectangle([_mm(x_mm), _mm(y_mm), _mm(x_mm + 45), _mm(y_mm + 16)], outline=(20, 20, 20), width=3)
    draw.line([_mm(x_mm + 12), _mm(y_mm), _mm(x_mm + 12), _mm(y_mm + 16)], fill=(20, 20, 20), width=3)
    if words:
        head, field = load_font("serif-bold", round(12 / 72 * DPI)), load_font("serif", round(8 / 72 * DPI))
        draw.text((_mm(x_mm + 2), _mm(y_mm + 2)), "CV", font=head, fill=(20, 20, 20))
        draw.text((_mm(x_mm + 1), _mm(y_mm + 9)), "ĐẾN", font=head, fill=(20, 20, 20))
        for n, label in enumerate(("Số:", "Ngày:", "Chuyển:")):
            draw.text((_mm(x_mm + 13), _mm(y_mm + 1 + 5 * n)), label, font=field, fill=(20, 20, 20))
    return _logo(page, x_mm + 22, y_mm + 1)


def test_the_words_of_other_offices_blocks_are_known():
    assert is_esignature_text("ttcbth@quangngai.gov.vn") and is_esignature_text("Trung tâm Công báo")
    assert is_esignature_text("Thời gian ký: 05.02.2025 15:35:18 +07:00")
    assert is_registration_text("CÔNG VĂN ĐẾN") and is_registration_text("Ngày: 04/4/18")
    assert is_registration_text("Số: 2770") and is_registration_text("Chuyển: ....")
    for mark in ("MẬT", "TỐI MẬT", "THƯỢNG KHẨN", "Mật"):
        assert not is_esignature_text(mark) and not is_registration_text(mark)


def test_an_e_signature_logo_is_no_mark_but_an_unreadable_red_mark_alone_is_unsure():
    page, _ = render_page(_doc(4), 1, DPI)
    alone = find_marks(page_array(_logo(page, 120, 6)), DPI)
    assert [(m.level, m.status) for m in alone] == [(None, "unsure")]      # closed until decided
    signed = _esignature_text(_logo(page, 120, 6), 140, 5)
    assert find_marks(page_array(signed), DPI) == []


@pytest.mark.parametrize("text, style", [
    ("MẬT", StampStyle()),                                            # red, framed
    ("Mật", StampStyle(colour=BLACK, boxed=False, hand=True)),         # written by hand
])
def test_a_mat_beside_an_e_signature_block_or_a_registration_box_stays_closed(text, style):
    page, _ = render_page(_doc(4), 1, DPI)
    signed = _esignature_text(draw_stamp(page, text, (128, 11), DPI, style), 137, 5)
    received = _registration_box(draw_stamp(page, text, (30, 57), DPI, style), 20, 60, words=True)
    for marked in (signed, received):
        found = stamp_fields([[m.to_json() for m in find_marks(page_array(marked), DPI)]], {})
        assert found["do_mat"].value == "Mật"


def test_an_unreadable_mark_in_a_registration_box_is_no_mark_but_in_a_bare_frame_is_unsure():
    page, _ = render_page(_doc(4), 1, DPI)
    bare = find_marks(page_array(_registration_box(page, 20, 60, words=False)), DPI)
    assert [(m.level, m.status) for m in bare] == [(None, "unsure")]
    assert find_marks(page_array(_registration_box(page, 20, 60, words=True)), DPI) == []


# --- bad input, through the real stages -------------------------------------------------------

def _save(folder, name, pages):
    folder.mkdir(parents=True, exist_ok=True)
    pages = [p.convert("RGB") for p in pages]
    pages[0].save(folder / name, save_all=True, append_images=pages[1:], dpi=(DPI, DPI),
                  compression="tiff_lzw")


@pytest.fixture(scope="module")
def stamped(tmp_path_factory):
    """One hồ sơ per case, so no case is closed only because its hồ sơ is restricted."""
    root = tmp_path_factory.mktemp("marks")
    scans = root / "scans" / FONDS

    over = _doc(11)                                    # a red stamp over the number
    number = _number_line(over)
    page, _ = render_page(over, 1, DPI)
    _save(scans / "HS-2019-001", "doc-1.tif", [draw_stamp(page, "MẬT", (number.x_mm, number.y_mm), DPI)])

    two = _doc(12, do_mat="Mật")                        # two different marks on one page
    page = render_stamped(two, 1, DPI, StampStyle(colour=BLACK))
    number = _number_line(two)
    page = draw_stamp(page, "TUYỆT MẬT", (number.x_mm + 95, number.y_mm + 22), DPI, StampStyle())
    _save(scans / "HS-2019-002", "doc-2.tif", [page])

    third = _doc(13, pages=3)                          # the mark only on page 3
    pages = [render_page(third, p, DPI)[0] for p in (1, 2, 3)]
    pages[2] = draw_stamp(pages[2], "TỐI MẬT", (60, 18), DPI, StampStyle(angle=3))
    _save(scans / "HS-2019-003", "doc-3.tif", pages)

    hand = _doc(14, do_mat="Mật")                       # a "Mật" written by hand
    _save(scans / "HS-2019-004", "doc-4.tif",
          [render_stamped(hand, 1, DPI, StampStyle(hand=True, boxed=False, colour=(30, 45, 150)))])

    plain = _doc(15)                                   # no mark at all
    _save(scans / "HS-2019-005", "doc-5.tif", [render_page(plain, 1, DPI)[0]])

    archive = Archive.open(root / "archive")
    ingest_batch(archive, root / "scans")
    report = ocr_archive(archive, model="fast")
    assert not report.failed
    build_catalog(archive)
    items = {item["file_code"]: item for item in iter_items(archive)}
    return archive, items


def _own_level(item) -> int:
    """The level the item needs by its own độ mật, whatever its hồ sơ's access says."""
    return item_level({"do_mat": item["do_mat"], "access": None})


@pytest.mark.parametrize("file_code, case", [("HS-2019-001", "stamp over the number"),
                                             ("HS-2019-002", "two marks on one page"),
                                             ("HS-2019-003", "a mark only on page 3"),
                                             ("HS-2019-004", "a hand-written Mật")])
def test_a_classified_document_is_closed_or_unsure_never_open(stamped, file_code, case):
    _, items = stamped
    item = items[file_code]
    assert _own_level(item) >= 1, f"{case}: {item['do_mat']!r} opens it"


def test_the_strictest_of_two_marks_wins_and_the_page_of_the_mark_is_kept(stamped):
    _, items = stamped
    assert items["HS-2019-002"]["do_mat"] == "Tuyệt mật"
    third = items["HS-2019-003"]          # read, or unsure: closed at the strictest until decided
    assert third["do_mat"] in ("Tối mật", "Tuyệt mật") or "do_mat" in third["needs_review"]
    assert items["HS-2019-005"]["do_mat"] is None and "do_mat" not in items["HS-2019-005"]["needs_review"]


def test_marks_json_is_the_contract_and_is_filled_in_for_pages_read_before(stamped, tmp_path):
    archive, items = stamped
    page_dir = archive.page_dir(archive.iter_page_refs().__next__())
    first = next(archive.page_dir(ref) for ref in archive.iter_page_refs()
                 if json.loads((archive.page_dir(ref) / MARKS_FILE).read_text())["marks"])
    data = json.loads((first / MARKS_FILE).read_text(encoding="utf-8"))
    assert data["version"] == MARKS_VERSION
    for mark in data["marks"]:
        assert set(mark) == {"kind", "level", "text", "confidence", "status", "bbox", "crop"}
        assert mark["status"] in ("read", "unsure") and 0 <= mark["confidence"] <= 1
        assert (first / mark["crop"]).exists() and len(mark["bbox"]) == 4
    every = [archive.page_dir(ref) for ref in archive.iter_page_refs()]
    assert all((d / MARKS_FILE).exists() for d in every) and page_dir in every

    # an archive read before stamps were looked for: the next `ocr` adds them, reading nothing again
    before = {d: (d / "ocr.json").read_bytes() for d in every}
    for d in every:
        (d / MARKS_FILE).unlink()
    report = ocr_archive(archive, model="fast")
    assert not report.done and len(report.skipped) == len(every)
    assert all((d / MARKS_FILE).exists() and (d / "ocr.json").read_bytes() == before[d] for d in every)
    assert json.loads((first / MARKS_FILE).read_text(encoding="utf-8")) == data


# --- exports honour clearance -------------------------------------------------------------------

def _allowed(archive, clearance: int) -> set[str]:
    return {item["id"] for item in iter_items(archive) if item_level(item) <= clearance}


def test_ead_export_leaves_out_what_the_clearance_does_not_cover_and_says_so(stamped):
    from lxml import etree

    from luutru import xmlsafe
    from luutru.export.ead import ead_schema, export_ead
    from luutru.catalog.model import ITEM_FIELD_NAMES

    archive, items = stamped
    secret_ids = {items[f]["id"] for f in ("HS-2019-001", "HS-2019-002", "HS-2019-003", "HS-2019-004")}
    for clearance in (0, 3):
        data = export_ead(archive, clearance=clearance)
        tree = xmlsafe.parse(data)
        assert ead_schema().validate(tree)
        shown = {el.get("id") for el in tree.iter("{*}c02")}
        assert shown == _allowed(archive, clearance)
        text = " ".join(tree.getroot().itertext())
        assert "đã được lọc theo quyền tiếp cận" in text
        notes = [el.text for el in tree.iter("{*}p") if el.text and el.text.startswith("Cần kiểm tra")]
        assert notes or clearance == 0
        assert not any(key in note for note in notes for key in ITEM_FIELD_NAMES)
    assert not secret_ids & {el.get("id") for el in xmlsafe.parse(export_ead(archive)).iter("{*}c02")}
    assert secret_ids <= {el.get("id") for el in xmlsafe.parse(export_ead(archive, clearance=3)).iter("{*}c02")}
    hidden = etree.tostring(xmlsafe.parse(export_ead(archive)), encoding="unicode")
    for file_code in ("HS-2019-001", "HS-2019-002"):       # a hồ sơ with nothing to show: not named
        assert file_code not in hidden
    assert "Tối mật" not in hidden and "Tuyệt mật" not in hidden


def test_items_and_text_exports_are_filtered_in_lists_and_counts(stamped, tmp_path):
    from click.testing import CliRunner

    from luutru.cli import cli

    archive, _ = stamped
    runner = CliRunner()
    for name, expected in (("none", _allowed(archive, 0)), ("tuyet-mat", _allowed(archive, 3))):
        result = runner.invoke(cli, ["export", "items", "-", "--clearance", name, "-a", str(archive.root)])
        assert result.exit_code == 0, result.output
        assert {json.loads(line)["id"] for line in result.output.splitlines()} == expected
    default = runner.invoke(cli, ["export", "items", "-", "-a", str(archive.root)])
    assert {json.loads(line)["id"] for line in default.output.splitlines()} == _allowed(archive, 0)

    pages = {0: set(), 3: set()}
    for item in iter_items(archive):
        for level in pages:
            if item_level(item) <= level:
                pages[level] |= set(item["pages"])
    for name, level in (("none", 0), ("tuyet-mat", 3)):
        out = tmp_path / name
        result = runner.invoke(cli, ["export", "text", str(out), "--clearance", name, "--json",
                                     "-a", str(archive.root)])
        assert result.exit_code == 0, result.output
        assert json.loads(result.output) == {"written": len(pages[level]), "not_read": 0}
        assert len(list(out.rglob("*.txt"))) == len(pages[level])
    assert len(pages[3]) == 7
