"""Words a correction stage changed (luutru.volume.corrections): read from the page's
``corrections.json`` and underlined in the volume's PDF and DOCX until proofread. No stage writes
the file yet (the language-model correction is issue 15's): the test writes the record itself."""

import json
import subprocess

import docx

from luutru import editorial
from luutru.archive import PageFiles, PageRef
from luutru.catalog.build import iter_items
from luutru.textnorm import nfc
from luutru.volume import corrections
from luutru.volume.build import build_volume, slugify
from luutru.volume.content import CORRECTED_NOTE
from luutru.volume.pdf import render_html
from luutru.volume.spec import VolumeSpec
from luutru.volume.text import CORRECTED, TEXT, Line, body_lines, group_runs, item_lines, line_runs


def write_page(tmp_path, text: str, words: list) -> PageFiles:
    files = PageFiles(tmp_path)
    files.text.write_text(text, encoding="utf-8")
    files.corrections.write_text(json.dumps({"by": "test", "words": words}), encoding="utf-8")
    return files


def test_corrected_words_are_read_and_stale_ones_ignored(tmp_path):
    write_page(tmp_path, "Tiêu đề\n\nsinh hoạt chi bộ định kỳ\n", [
        {"line": 2, "word": 2, "ocr": "chỉ", "text": "chi"},
        {"line": 2, "word": 3, "ocr": "bô", "text": "bỗ"},        # text.txt says otherwise: stale
        {"line": 9, "word": 0, "ocr": "x", "text": "y"},          # no such line
        "garbage"])
    assert corrections.corrected_tokens(tmp_path) == {"sinh hoạt chi bộ định kỳ": {2}}
    lines = [Line("Tiêu đề", 1), Line("sinh hoạt chi bộ định kỳ", 1)]
    corrections.mark_corrected(lines, tmp_path)
    assert lines[0].corrected is None
    assert lines[1].corrected == [False, False, True, False, False, False]
    assert line_runs(lines[1]) == [("sinh hoạt", TEXT), (" chi", CORRECTED), (" bộ định kỳ", TEXT)]


def test_no_record_or_a_broken_one_marks_nothing(tmp_path):
    assert corrections.corrected_tokens(tmp_path) == {}
    write_page(tmp_path, "một dòng\n", [])
    PageFiles(tmp_path).corrections.write_text("{not json", encoding="utf-8")
    assert corrections.corrected_tokens(tmp_path) == {}


def test_a_doubtful_word_stays_doubtful_when_corrected():
    runs = group_runs(["chỉ", "bộ", "họp"], [True, False, False], [True, True, False])
    assert runs == [("[chỉ?]", "doubt"), (" bộ", CORRECTED), (" họp", TEXT)]


def _plain_body_line(archive, item):
    """A body line of ``item`` printed as it stands (no mark), its page key and its line number
    in that page's text.txt."""
    lines, _ = item_lines(archive, item)
    body, _ = body_lines(lines, item)
    for line in body:
        tokens = line.text.split()
        if len(tokens) >= 4 and line_runs(line) == [(line.text, TEXT)]:
            key = item["pages"][line.sheet - lines[0].sheet]
            text = PageFiles(archive.page_dir(PageRef.parse(key))).text.read_text(encoding="utf-8")
            number = next(i for i, raw in enumerate(text.splitlines()) if nfc(raw).strip() == line.text)
            return line, key, number
    return None


def test_the_volume_underlines_corrected_words_until_proofread(demo_archive_copy, tmp_path):
    archive = demo_archive_copy
    item, (line, key, number) = next((item, found) for item in sorted(iter_items(archive), key=lambda i: i["id"])
                                     if (found := _plain_body_line(archive, item)))
    word = line.text.split()[2]
    files = PageFiles(archive.page_dir(PageRef.parse(key)))
    files.corrections.write_text(json.dumps({"by": "test", "words": [
        {"line": number, "word": 2, "ocr": word + "x", "text": word}]}), encoding="utf-8")

    spec = VolumeSpec(title="Tập thử chữ máy sửa", items=(item["id"],), year=2026)
    from luutru.volume.content import volume_content
    from luutru.volume.select import select_items
    content = volume_content(archive, spec, select_items(archive, spec, 1))
    assert CORRECTED_NOTE in content.editorial_note
    assert f'<span class="corrected">{word}</span>' in render_html(content)

    out = tmp_path / "out"
    build_volume(archive, spec, out, clearance="mat")
    slug = slugify(spec.title)
    pdf = subprocess.run(["pdftotext", str(out / f"{slug}.pdf"), "-"], check=True, capture_output=True,
                         text=True).stdout
    assert " ".join(line.text.split()[:4]) in " ".join(pdf.split())
    underlined = [run.text for para in docx.Document(out / f"{slug}.docx").paragraphs
                  for run in para.runs if run.underline]
    assert word in underlined

    # proofread: the editor's text is printed as it stands, nothing underlined
    lines, _ = item_lines(archive, item)
    pages = ["\n".join(l.text for l in lines if l.sheet == sheet) for sheet in sorted({l.sheet for l in lines})]
    editorial.set_item_text(archive, item, "\f".join(pages), "an")
    content = volume_content(archive, spec, select_items(archive, spec, 1))
    assert not any(kind == CORRECTED for doc in content.documents for p in doc.paragraphs for _, kind in p.runs)
    assert CORRECTED_NOTE not in content.editorial_note
