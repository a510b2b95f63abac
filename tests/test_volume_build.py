"""A volume built from the demo archive, checked as a reader and an editor would: the PDF's text,
table of contents, page numbers, fonts and order (poppler's pdftotext/pdffonts), and the DOCX's
structure (python-docx)."""

import io
import re
import subprocess

import docx
import pytest
from click.testing import CliRunner

from luutru.cli import cli as luutru_main
from luutru.volume.build import build_volume, slugify
from luutru.volume.content import PAPER_MARGINS, SECRET_NOTICE, VolumeContent, VolumeDocument, plain
from luutru.volume.pdf import render_html
from luutru.volume.spec import VolumeSpec, dump_spec
from luutru.volume.text import Paragraph
from luutru.volume.word import render_docx

SPEC = VolumeSpec(title="Văn kiện Đảng bộ (thử nghiệm)", subtitle="Tập I", publisher="Văn phòng Tỉnh ủy",
                  place="Thái Bình", year=2026, fonds=("PHONG-12", "PHONG-31", "PHONG-52"))


def squash(text: str) -> str:
    return " ".join(text.split())


def pdftotext(path, first: int | None = None, last: int | None = None, body_only: bool = False) -> str:
    args = ["pdftotext"]
    if first:
        args += ["-f", str(first), "-l", str(last or first)]
    if body_only:  # leave out the footer (page numbers) so text running over a page break is whole
        args += ["-x", "0", "-y", "0", "-W", "595", "-H", "770"]
    return subprocess.run(args + [str(path), "-"], check=True, capture_output=True, text=True).stdout


def page_count(path) -> int:
    info = subprocess.run(["pdfinfo", str(path)], check=True, capture_output=True, text=True).stdout
    return int(re.search(r"Pages:\s+(\d+)", info).group(1))


@pytest.fixture(scope="module")
def built(demo_archive, tmp_path_factory):
    """The volume built with Mật clearance (so the classified Kết luận is in) and without."""
    out = tmp_path_factory.mktemp("volume")
    secret = build_volume(demo_archive, SPEC, out / "mat", clearance="mat")
    public = build_volume(demo_archive, SPEC, out / "none", clearance="none")
    slug = slugify(SPEC.title)
    return {"secret": secret, "public": public, "slug": slug,
            "pdf": out / "mat" / f"{slug}.pdf", "docx": out / "mat" / f"{slug}.docx",
            "public_pdf": out / "none" / f"{slug}.pdf"}


@pytest.fixture(scope="module")
def content(demo_archive):
    """What the volume with Mật clearance sets, to compare the files against."""
    from luutru.volume.content import volume_content
    from luutru.volume.select import select_items
    return volume_content(demo_archive, SPEC, select_items(demo_archive, SPEC, 1))


def test_report_and_files(built):
    report = built["secret"]
    assert report.documents == 7 and report.left_out == {}
    assert report.outputs == [str(built["pdf"]), str(built["docx"])]
    assert built["pdf"].read_bytes().startswith(b"%PDF") and page_count(built["pdf"]) == report.pages
    public = built["public"]
    assert public.documents == 5 and public.left_out == {"classified": 2}


def test_classified_only_with_clearance_and_then_announced(built):
    secret_text = pdftotext(built["pdf"])
    public_text = pdftotext(built["public_pdf"])
    assert "KẾT LUẬN số 50-KL/TU" in secret_text and "KẾT LUẬN số 50-KL/TU" not in public_text
    assert "xây dựng nông thôn mới gắn với phát triển kinh tế hộ" not in public_text
    notice = SECRET_NOTICE.format(counts="Mật: 1 văn bản")
    title_page = squash(pdftotext(built["pdf"], 2))
    assert squash(notice) in title_page
    assert "Tập này có tài liệu mật" not in public_text
    # The classified document carries its secrecy mark above its heading.
    page = next(n for n in range(1, page_count(built["pdf"]) + 1)
                if "KẾT LUẬN số 50-KL/TU" in pdftotext(built["pdf"], n) and n > 4)
    assert re.search(r"MẬT\s+\d+\s+KẾT LUẬN số 50-KL/TU", pdftotext(built["pdf"], page))


def test_pdf_order_and_toc_page_numbers(built, content):
    pdf = built["pdf"]
    toc = pdftotext(pdf, 4)                             # cover, title page, foreword, then the TOC
    assert "MỤC LỤC" in toc
    headings = [doc.heading for doc in content.documents]
    assert len(headings) == 7
    positions = [toc.index(h) for h in headings]
    assert positions == sorted(positions)               # listed in the volume's (chronological) order
    for doc in content.documents:
        entry = toc[toc.index(doc.heading):]
        number = int(re.search(r"\.{3,}\s*(\d+)", entry).group(1))
        first_found = next(n for n in range(5, page_count(pdf) + 1) if doc.heading in pdftotext(pdf, n))
        assert first_found == number, doc.heading
        assert squash(plain(doc.trich_yeu_runs)) in squash(pdftotext(pdf, number))
    body = pdftotext(pdf, 5, page_count(pdf))
    order = [body.index(h) for h in headings]
    assert order == sorted(order)


def test_pdf_body_text_is_the_rebuilt_text(built, content):
    text = squash(pdftotext(built["pdf"], 5, page_count(built["pdf"]), body_only=True))
    for doc in content.documents:
        assert doc.paragraphs, doc.heading
        assert squash(" ".join(p.text for p in doc.paragraphs)) in text, doc.heading
        assert squash(doc.source_note) in text
    note = next(d.source_note for d in content.documents if d.heading == "NGHỊ QUYẾT số 13-NQ/TU")
    assert note == ("Lưu tại Kho Lưu trữ Tỉnh ủy Thái Bình, Phông số PHONG-12 (Tỉnh ủy Thái Bình), "
                    "Hồ sơ số HS-2019-004, tờ 1–2.")
    dated = next(d for d in content.documents if d.heading == "NGHỊ QUYẾT số 13-NQ/TU")
    assert dated.date_line == "Thái Bình, ngày 10 tháng 5 năm 2019" and dated.date_line in text


def test_pdf_fonts_all_embedded(built):
    out = subprocess.run(["pdffonts", str(built["pdf"])], check=True, capture_output=True, text=True).stdout
    rows = out.strip().splitlines()[2:]
    assert rows
    for row in rows:
        assert re.search(r"\s(yes|no)\s+(yes|no)\s+(yes|no)\s+\d+\s+\d+$", row)
        emb = row.split()[-5]
        assert emb == "yes", row


def test_review_appendix_lists_what_to_check(built, content):
    text = pdftotext(built["pdf"], page_count(built["pdf"]))
    assert "PHỤ LỤC: VĂN BẢN CẦN KIỂM TRA" in text.upper()
    assert "Trích yếu nội dung" in text                     # a field needing review, by its label
    assert built["secret"].needs_review == len(content.review) > 0


def test_docx_structure(built, content):
    document = docx.Document(str(built["docx"]))
    heading1 = [p.text for p in document.paragraphs if p.style.name == "Heading 1"]
    assert heading1 == [doc.heading for doc in content.documents] + [
        "Niên biểu văn kiện", "Bảng tra cứu tên người", "Bảng tra cứu địa danh", "Bảng chữ viết tắt",
        "Phụ lục: văn bản cần kiểm tra"]
    heading2 = [p.text for p in document.paragraphs if p.style.name == "Heading 2"]
    assert heading2 == [plain(doc.trich_yeu_runs) for doc in content.documents]
    notes = [p.text for p in document.paragraphs if p.style.name == "Source Note"]
    assert notes == [doc.source_note for doc in content.documents]
    body = document.element.body.xml
    assert 'TOC \\o "1-2"' in body                                  # a real TOC field …
    toc_text = [p.text for p in document.paragraphs if p.style.name == "toc 1"]
    assert toc_text[:7] == [f"{doc.number}. {doc.heading}" for doc in content.documents]  # … holding the entries already
    normal = document.styles["Normal"].element.xml
    assert 'w:ascii="Liberation Serif"' in normal and 'w:val="vi-VN"' in normal
    assert "Tập này có tài liệu mật" in "\n".join(p.text for p in document.paragraphs)


def test_docx_body_is_the_rebuilt_text(built, content):
    document = docx.Document(str(built["docx"]))
    all_text = squash(" ".join(p.text for p in document.paragraphs))
    for doc in content.documents:
        assert squash(doc.body_text) in all_text


def test_template_escapes_ocr_and_catalogue_text():
    doc = VolumeDocument(item_id="x", anchor="x", heading="NGHỊ QUYẾT số <b>1</b>", date_line="",
                         short_date="", trich_yeu="<script>alert(1)</script>",
                         paragraphs=[Paragraph("para", [("<img src=x onerror=alert(1)>", "")])],
                         signature=[], source_note="", do_mat=None, level=0)
    html = render_html(VolumeContent(title="<i>T</i>", subtitle="", publisher="", imprint="", paper="A4",
                                     margins="20mm", notices=[], documents=[doc], review=[]))
    assert "<script>" not in html and "<img" not in html and "<i>T</i>" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html and 'lang="vi"' in html


def test_cli_build(demo_archive, tmp_path):
    spec_path = tmp_path / "tap.yaml"
    spec_path.write_text(dump_spec(VolumeSpec(title="Tập chỉ thị", query='type:"Chỉ thị"',
                                              formats=("docx",))), encoding="utf-8")
    result = CliRunner().invoke(luutru_main, ["volume", "build", str(spec_path), "--out", str(tmp_path / "out"),
                                              "-a", str(demo_archive.root), "--json"])
    assert result.exit_code == 0, result.output
    assert '"documents": 1' in result.output
    assert (tmp_path / "out" / "tap-chi-thi.docx").exists() and not (tmp_path / "out" / "tap-chi-thi.pdf").exists()
    result = CliRunner().invoke(luutru_main, ["volume", "build", str(spec_path), "--out", str(tmp_path / "out"),
                                              "-a", str(demo_archive.root)])
    assert result.exit_code == 0, result.output
    assert result.output.startswith("Tập văn kiện “Tập chỉ thị”: 1 văn bản")
    assert f"đã ghi {tmp_path / 'out' / 'tap-chi-thi.docx'}" in result.output
    bad = tmp_path / "bad.yaml"
    bad.write_text("title: x\nselect: {fond: [PHONG-12]}\n", encoding="utf-8")
    result = CliRunner().invoke(luutru_main, ["volume", "build", str(bad), "-a", str(demo_archive.root)])
    assert result.exit_code != 0 and "select.fond" in result.output and "Traceback" not in result.output
    empty = tmp_path / "empty.yaml"
    empty.write_text("title: x\nselect: {fonds: [PHONG-31]}\n", encoding="utf-8")
    result = CliRunner().invoke(luutru_main, ["volume", "build", str(empty), "-a", str(demo_archive.root)])
    assert result.exit_code != 0 and "không chọn được văn bản nào" in result.output
    assert "cần quyền tiếp cận cao hơn" in result.output  # PHONG-31: none open
    assert "không đưa vào tập:" not in result.output  # the count line says nothing more


def test_paper_size_and_margins_follow_the_spec():
    content = VolumeContent(title="T", subtitle="", publisher="", imprint="", paper="A5",
                            margins=PAPER_MARGINS["A5"], notices=[], documents=[], review=[])
    assert f"@page {{ size: A5; margin: {PAPER_MARGINS['A5']}; }}" in render_html(content)
    document = docx.Document(io.BytesIO(render_docx(content)))
    assert round(document.sections[0].page_width.mm) == 148 and round(document.sections[0].page_height.mm) == 210
