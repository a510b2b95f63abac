"""click's usage errors reach a person in Vietnamese, and the table covers every click message."""

from __future__ import annotations

import ast
from pathlib import Path

import click
from click.testing import CliRunner

from luutru import clitext
from luutru.cli import cli


def test_unknown_option_and_command_are_vietnamese():
    runner = CliRunner()
    result = runner.invoke(cli, ["status", "--khong-co"])
    assert result.exit_code == 1
    assert "Không có tùy chọn '--khong-co'." in result.output
    assert "Cách dùng:" in result.output and "Lỗi:" in result.output
    assert "No such option" not in result.output and "Usage:" not in result.output

    result = runner.invoke(cli, ["statu"])
    assert result.exit_code == 1
    assert "Không có lệnh 'statu'." in result.output


def test_missing_argument_and_bad_value_are_vietnamese(tmp_path):
    runner = CliRunner()
    result = runner.invoke(cli, ["run"])
    assert result.exit_code == 1 and "Thiếu tham số" in result.output
    result = runner.invoke(cli, ["run", str(tmp_path / "khong-co")])
    assert result.exit_code == 1
    assert "Giá trị không hợp lệ cho 'SCANS'" in result.output and "không tồn tại" in result.output
    result = runner.invoke(cli, ["run", str(tmp_path), "--jobs", "0"])
    assert result.exit_code == 1 and "không nằm trong khoảng" in result.output


def _click_messages() -> set[str]:
    """Every string click passes to ``_()`` in the modules clitext patches."""
    found = set()
    for name in clitext.CLICK_MODULES:
        path = Path(click.__file__).with_name(f"{name}.py")
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id == "_" \
                    and node.args and isinstance(node.args[0], ast.Constant):
                found.add(node.args[0].value)
    return found


def test_table_covers_clicks_messages():
    """A click upgrade that adds a message a person may read shows up here."""
    internal = {"Windows error: {error}", "d"}  # not reachable on Linux, or not shown to users
    missing = {m for m in _click_messages() - internal if m not in clitext.MESSAGES
               and not m.startswith(("DeprecationWarning", "Could not determine", "No options defined",
                                     "Arguments take exactly", "Name '", "Boolean option",
                                     "Value must be", "Choice(", "Unknown color"))}
    assert missing == set()
