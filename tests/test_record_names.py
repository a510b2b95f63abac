"""The archive's file names are spelled out in the record layer (archive.py) and nowhere else:
every other production module asks ``PageFiles`` or ``Archive`` for them (issue 14)."""

from __future__ import annotations

import ast
import re
from pathlib import Path

from luutru.archive import Archive, PageFiles

ROOT = Path(__file__).resolve().parent.parent
NOT_PRODUCTION = ("tests", "bench", "samples", ".venv", "demo")
# Modules allowed to spell a name out. archive.py defines them; the catalogue still reads the
# page's hOCR (its move to luutru.pagetext, which the other stages read, is issue 14 part 2's
# rest); remove each from this list when it goes.
ALLOWED = {"archive.py", "catalog/pagelines.py", "ocr/layout.py"}


def archive_names() -> set[str]:
    """Every file name the record layer defines (page folder and archive top level)."""
    names = {value for owner in (PageFiles, Archive) for key, value in vars(owner).items()
             if key.isupper() and isinstance(value, str) and "." in value}
    names.discard(PageFiles.MARK_CROP)
    return names | {PageFiles.MARK_CROP.format(1)}


def _docstrings(tree: ast.AST) -> set[int]:
    return {id(node.value) for node in ast.walk(tree)
            if isinstance(node, ast.Expr) and isinstance(node.value, ast.Constant)}


def spellings(path: Path, pattern: re.Pattern) -> list[str]:
    """``line: text`` of every string constant (docstrings aside) naming an archive file."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    skip = _docstrings(tree)
    return [f"{node.lineno}: {node.value!r}" for node in ast.walk(tree)
            if isinstance(node, ast.Constant) and isinstance(node.value, str)
            and id(node) not in skip and pattern.search(node.value)]


def test_the_names_are_known():
    names = archive_names()
    assert {"page.json", "ocr.json", "text.txt", "ocr.hocr", "ocr.alto.xml", "marks.json",
            "mark-1.png", "accounts.sqlite", "ARCHIVE.md"} <= names


def test_no_module_outside_the_record_layer_spells_an_archive_file_name():
    names = sorted(archive_names(), key=len, reverse=True)
    pattern = re.compile(r"(?<![\w.-])(" + "|".join(map(re.escape, names)) + r")(?![\w.-])")
    found = {}
    for path in sorted(ROOT.rglob("*.py")):
        relative = path.relative_to(ROOT).as_posix()
        if relative.split("/")[0] in NOT_PRODUCTION or relative in ALLOWED:
            continue
        if hits := spellings(path, pattern):
            found[relative] = hits
    assert found == {}, "ask PageFiles or Archive for these names instead"


def test_the_scan_finds_a_spelled_name(tmp_path):
    module = tmp_path / "m.py"
    module.write_text('"""About text.txt."""\nPATH = "pages" + "/text.txt"\nNOTE = "bagit.txt"\n',
                      encoding="utf-8")
    pattern = re.compile(r"(?<![\w.-])(text\.txt)(?![\w.-])")
    assert spellings(module, pattern) == ["2: '/text.txt'"]
