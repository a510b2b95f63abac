"""The editorial layer and the volume an editor publishes from it: corrections kept beside the OCR
(``luutru edit``), printed instead of the OCR in the PDF and the DOCX, footnotes, honest marks on
what is still machine-read, the name index's pages, and the DOCX's metadata."""

import json
import re
import shutil
import subprocess

import docx
import pytest
from click.testing import CliRunner

from luutru import editorial
from luutru.archive import Archive, PageRef
from luutru.catalog.build import build_catalog, iter_items
from luutru.cli import cli as luutru_main
from luutru.volume import marking
from luutru.volume.build import build_volume, slugify
from luutru.volume.content import read_items, volume_content, volume_well_read
from luutru.volume.select import select_items
from luutru.volume.spec import VolumeSpec
from luutru.volume.word import bookmark_name
from luutru.volume.text import DOUBT, UNREADABLE, body_start, document_text, item_lines

FOREWORD = "Lời giới thiệu thử nghiệm của Ban biên tập."
SPEC = VolumeSpec(title="Tập biên tập thử", editors=("Nguyễn Văn An", "Trần Thị Bình"), year=2026,
                  foreword=FOREWORD,
                  fonds=("PHONG-12", "PHONG-31", "PHONG-52"))
NOTE = "Đồng chí Đinh Minh Quyết, Bí thư Tỉnh ủy khóa XIX."
# The editor's body of each corrected document: paragraphs they typed against the scan.
BODIES = [
    ["Đây là đoạn thứ nhất do biên tập viên đối chiếu với bản gốc, đã sửa các chữ máy đọc sai.",
     "Đoạn thứ hai: chi bộ, quản lý và kết luận được in đúng chính tả.[^1]"],
    ["Văn bản thứ hai sau khi biên tập có một đoạn duy nhất, in đúng như bản gốc."],
    ["Văn bản thứ ba được biên tập lại toàn bộ.", "Năm 1990 là năm đúng, không phải năm 19960."],
]


def squash(text: str) -> str:
    return " ".join(text.split())


def pdftotext(path, first=None, last=None) -> str:
    args = ["pdftotext"] + (["-f", str(first), "-l", str(last or first)] if first else [])
    return subprocess.run(args + [str(path), "-"], check=True, capture_output=True, text=True).stdout


def page_count(path) -> int:
    info = subprocess.run(["pdfinfo", str(path)], check=True, capture_output=True, text=True).stdout
    return int(re.search(r"Pages:\s+(\d+)", info).group(1))


SIGNERS = ["Đinh Minh Quyết", "Lê Văn Hùng", "Phạm Thị Lan"]


def editor_text(archive: Archive, item: dict, body: list[str], note: str | None, signer: str) -> str:
    """The item's pages as an editor writes them: the scan's header lines, then their body, then
    the signature block, pages separated by form feeds."""
    lines, _ = item_lines(archive, item)
    start = body_start(lines, item)
    pages = ["" for _ in item["pages"]]
    first_sheet = lines[0].sheet
    pages[0] = "\n".join(line.text for line in lines[:start] if line.sheet == first_sheet)
    pages[0] += "\n\n" + "\n\n".join(body) + "\n"
    pages[-1] += f"\nT/M BAN THƯỜNG VỤ\nBÍ THƯ\n{signer}\n"
    if note:
        pages[-1] += f"[^1]: {note}\n"
    return "\f".join(pages)


@pytest.fixture(scope="module")
def edited(demo_archive, tmp_path_factory):
    """A copy of the demo archive with three documents proofread, and the volume built from it."""
    root = tmp_path_factory.mktemp("edited") / "archive"
    shutil.copytree(demo_archive.root, root)
    archive = Archive.open(root)
    items = sorted(iter_items(archive), key=lambda i: i["id"])
    chosen = [next(i for i in items if i["so_ky_hieu"] == "13-NQ/TU"),
              next(i for i in items if i["so_ky_hieu"] == "292-KH/TU"),
              next(i for i in items if i["so_ky_hieu"] == "364-BC/HU")]
    for item, body, signer in zip(chosen, BODIES, SIGNERS):
        text = editor_text(archive, item, body, NOTE if "[^1]" in "".join(body) else None, signer)
        editorial.set_item_text(archive, item, text, "an")
    out = tmp_path_factory.mktemp("out")
    report = build_volume(archive, SPEC, out, clearance="mat")
    slug = slugify(SPEC.title)
    content = volume_content(archive, SPEC, select_items(archive, SPEC, 1))
    return {"archive": archive, "items": chosen, "report": report, "content": content,
            "pdf": out / f"{slug}.pdf", "docx": out / f"{slug}.docx"}


def test_the_layer_is_kept_beside_the_ocr(edited):
    archive, item = edited["archive"], edited["items"][0]
    record = editorial.load_record(archive, item["id"])
    assert (archive.root / "editorial" / f"{item['id']}.json").exists()
    assert record.is_proofread(item) and record.editors == ["an"] and record.notes == {"1": NOTE}
    assert record.history[-1]["editor"] == "an" and record.history[-1]["action"] == "set"
    ocr = editorial.ocr_page_text(archive, item["pages"][0])
    assert BODIES[0][0] not in ocr                                  # text.txt is not changed
    # Reading the page again (`luutru ocr --redo`) and re-cataloguing leave it alone.
    from luutru.ocr import ocr_archive
    text_file = archive.page_dir(PageRef.parse(item["pages"][0])) / "text.txt"
    before = text_file.stat().st_mtime_ns
    ocr_archive(archive, redo=True, pages=[PageRef.parse(item["pages"][0])])
    assert text_file.stat().st_mtime_ns != before                   # the OCR was written again
    build_catalog(archive)
    assert editorial.load_record(archive, item["id"]).pages == record.pages
    assert [p.text for p in document_text(archive, item).paragraphs] == [
        para.replace("[^1]", "") for para in BODIES[0]]
    assert "| `editorial/<item-id>.json` |" in (archive.root / "ARCHIVE.md").read_text(encoding="utf-8")


def test_bad_editor_text_is_refused_in_vietnamese(edited):
    archive, item = edited["archive"], edited["items"][1]
    with pytest.raises(editorial.EditorialError, match="trang"):
        editorial.set_item_text(archive, item, "một trang\fhai\fba\fbốn", "an")
    with pytest.raises(editorial.EditorialError, match=r"\[\^7\]"):
        editorial.set_page_text(archive, item, item["pages"][0], "chú thích lạc[^7]", "an")
    with pytest.raises(editorial.EditorialError):
        editorial.record_path(archive, "../../etc/passwd")


def test_corrected_documents_print_the_editors_text(edited):
    content, report = edited["content"], edited["report"]
    assert report.proofread_documents == 3
    assert {row["item_id"] for row in report.unproofread}.isdisjoint(i["id"] for i in edited["items"])
    pdf = squash(pdftotext(edited["pdf"]))
    document = docx.Document(str(edited["docx"]))
    paragraphs = [p.text for p in document.paragraphs if p.style.name == "Normal"]
    for item, body in zip(edited["items"], BODIES):
        doc = next(d for d in content.documents if d.item_id == item["id"])
        expected = [para.replace("[^1]", "") for para in body]
        assert [p.text for p in doc.paragraphs] == expected          # exactly the editor's text
        assert not any(kind in (DOUBT, UNREADABLE) for p in doc.paragraphs for _, kind in p.runs)
        for para in body:
            before, _, after = para.partition("[^1]")
            assert squash(before) in pdf and squash(after) in pdf
            assert (before + ("1" + after if "[^1]" in para else "")) in paragraphs


def test_footnote_and_signer_from_the_editors_text(edited):
    content = edited["content"]
    doc = next(d for d in content.documents if d.item_id == edited["items"][0]["id"])
    assert doc.notes == [NOTE] and doc.signer == "Đinh Minh Quyết"
    pdf = edited["pdf"]
    page = next(n for n in range(5, page_count(pdf) + 1) if BODIES[0][1][:40] in pdftotext(pdf, n))
    assert squash(NOTE) in squash(pdftotext(pdf, page))               # at the foot of its page
    text = "\n".join(p.text for p in docx.Document(str(edited["docx"])).paragraphs)
    assert f"1. {NOTE}" in text


def test_name_index_lists_every_signer_on_the_right_page(edited):
    content, pdf = edited["content"], edited["pdf"]
    pages = page_count(pdf)
    index_page = next(n for n in range(pages, 0, -1) if "BẢNG TRA CỨU TÊN NGƯỜI" in pdftotext(pdf, n))
    index = pdftotext(pdf, index_page, min(index_page + 1, pages))
    signers = [d for d in content.documents if d.signer]
    assert len(signers) >= 5
    for doc in signers:
        match = re.search(re.escape(doc.signer) + r":\s*([\d, ]+)", index)
        assert match, doc.signer
        listed = [int(n) for n in match.group(1).replace(",", " ").split()]
        # One of the pages listed is where this document's signature stands: the signer's name
        # above the document's own source note.
        assert any(doc.signer in pdftotext(pdf, page)
                   and squash(doc.source_note) in squash(pdftotext(pdf, page, min(page + 1, pages)))
                   for page in listed), (doc.signer, listed)


def test_place_index_holds_the_places_of_issue(edited):
    content, pdf = edited["content"], edited["pdf"]
    pages = page_count(pdf)
    index_page = next(n for n in range(pages, 0, -1) if "BẢNG TRA CỨU ĐỊA DANH" in pdftotext(pdf, n))
    index = pdftotext(pdf, index_page, min(index_page + 1, pages))
    doc = next(d for d in content.documents if d.heading == "NGHỊ QUYẾT số 13-NQ/TU")
    match = re.search(r"Thái Bình:\s*([\d, ]+)", index)
    assert match
    listed = [int(n) for n in match.group(1).replace(",", " ").split()]
    assert any(doc.heading in pdftotext(pdf, page) for page in listed)
    # a district's place of issue is named by the gazetteer, with its province
    assert "Đông Hưng (Thái Bình)" in [entry.name for entry in content.places]
    assert re.search(r"Đông Hưng \(Thái Bình\):\s*\d", index)


def test_machine_read_text_is_marked_where_it_is_unsure(edited):
    content = edited["content"]
    archive = edited["archive"]
    pdf = pdftotext(edited["pdf"])
    unproofread = [d for d in content.documents if not d.proofread]
    assert unproofread
    items = {i["id"]: i for i in iter_items(archive)}
    well_read = volume_well_read(read_items(archive, [items[d.item_id] for d in content.documents]))
    for doc in unproofread:
        lines, _ = item_lines(archive, items[doc.item_id])
        bare = squash(" ".join(text for p in doc.paragraphs for text, kind in p.runs if kind == ""))
        for line in lines:
            tokens = line.text.split()
            # unsure and not confirmed by a pair of words the volume holds read surely
            unsure = [w for i, (w, c) in enumerate(zip(tokens, line.word_confs or []))
                      if 0 <= c < marking.WORD_DOUBT and any(ch.isalpha() for ch in w)
                      and not marking.confirmed(tokens, i, well_read)]
            if unsure and len(line.text.split()) >= 3:   # a line read unsure never prints bare
                assert squash(line.text) not in bare, (doc.heading, line.text)
    assert "Về cách trình bày văn bản".upper() in pdf.upper() and "[chỉ?] bộ" in pdf   # the preface's note
    # A document the scan's signer was not read for says so instead of ending without one.
    unsigned = [d for d in unproofread if not d.signer]
    assert all(d.signature and d.signature[0][0][1] == UNREADABLE for d in unsigned)


def test_apparatus_in_both_files(edited):
    pdf = pdftotext(edited["pdf"])
    for title in ("NIÊN BIỂU VĂN KIỆN", "BẢNG TRA CỨU TÊN NGƯỜI", "BẢNG CHỮ VIẾT TẮT"):
        assert title in pdf
    assert re.search(r"TU\s+Tỉnh ủy", pdf) and re.search(r"HU\s+Huyện ủy", pdf)
    assert re.search(r"\n1\n+\S.*\n", pdf)                       # documents numbered
    assert "[khoảng" in pdf                                     # the undated Kết luận
    assert FOREWORD in pdftotext(edited["pdf"], 3) and "để trống" not in pdf
    document = docx.Document(str(edited["docx"]))
    assert document.core_properties.author == "Nguyễn Văn An, Trần Thị Bình"
    assert document.core_properties.title == SPEC.title
    assert FOREWORD in [p.text for p in document.paragraphs]
    assert "python-docx" not in (document.core_properties.comments or "") + document.core_properties.author
    # The DOCX's indexes point at the pages with PAGEREF fields to bookmarks Word resolves.
    xml = document.element.body.xml
    bookmarks = set(re.findall(r'w:bookmarkStart [^>]*w:name="([^"]+)"', xml))
    refs = re.findall(r"PAGEREF (\S+) ", xml)
    assert refs and set(refs) <= bookmarks
    signer = next(d for d in edited["content"].documents if d.signer)
    assert bookmark_name(signer.signer_anchor) in refs


def test_edit_cli(edited, tmp_path):
    archive, item = edited["archive"], edited["items"][2]
    runner = CliRunner()
    base = ["-a", str(archive.root)]
    listed = runner.invoke(luutru_main, ["edit", "list", "--json", *base])
    assert listed.exit_code == 0, listed.output
    assert {row["item_id"] for row in json.loads(listed.output)} == {i["id"] for i in edited["items"]}
    shown = runner.invoke(luutru_main, ["edit", "show", item["id"], *base])
    assert shown.exit_code == 0 and BODIES[2][0] in shown.output and "biên tập: an" in shown.output
    diff = runner.invoke(luutru_main, ["edit", "diff", item["id"], *base])
    assert diff.exit_code == 0 and f"+{BODIES[2][0]}" in diff.output and "--- OCR trang 1" in diff.output
    text = tmp_path / "sua.txt"
    text.write_text("chỉ một trang", encoding="utf-8")
    refused = runner.invoke(luutru_main, ["edit", "set", item["id"], str(text), *base])
    assert refused.exit_code != 0 and "trang" in refused.output and "Traceback" not in refused.output
    unknown = runner.invoke(luutru_main, ["edit", "show", "vb-khong-co", *base])
    assert unknown.exit_code != 0 and "không có văn bản" in unknown.output


def test_the_layer_is_under_fixity_checks(demo_archive_copy):
    """The editors' layer is record (not rebuildable): it carries checksums, and `luutru verify`
    finds it changed behind the editor's back."""
    from luutru.preserve.fixity import verify
    archive = demo_archive_copy
    item = next(i for i in iter_items(archive) if i["so_ky_hieu"] == "13-NQ/TU")
    editorial.set_page_text(archive, item, item["pages"][0], "Văn bản đã đối chiếu.", "an")
    path = editorial.record_path(archive, item["id"])
    assert path.with_name(f".{path.name}.sha256").exists()
    assert verify(archive).findings == []
    path.write_text(path.read_text(encoding="utf-8").replace("đối chiếu", "sửa lén"), encoding="utf-8")
    found = [(f.path, f.kind) for f in verify(archive).findings]
    assert (f"editorial/{item['id']}.json", "changed") in found
