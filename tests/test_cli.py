"""The one command line: every stage's command is reachable under the name the group lists."""

from __future__ import annotations

import importlib
import subprocess
import sys

from luutru.cli import COMMAND_STAGES, STAGES, cli
from luutru.export import EXPORTS


def _declared(listing: str) -> dict[str, str]:
    found = {}
    for stage in STAGES:
        module = importlib.import_module(f"luutru.{stage}.cli")
        found.update({command.name: stage for command in getattr(module, listing, [])})
    return found


def test_every_stage_command_is_registered_with_its_stage():
    assert _declared("COMMANDS") == COMMAND_STAGES


def test_every_export_is_a_command_of_the_export_group():
    assert EXPORTS.names() == ["aip", "ead", "items", "text"]
    for name in EXPORTS.names():
        assert cli.get_command(None, "export").get_command(None, name).name == name


def test_a_plugin_export_is_listed_and_run_like_a_built_in_one(monkeypatch, tmp_path):
    """Registered by name (a plugin package does it through the ``luutru.exports`` entry points)."""
    import click
    from click.testing import CliRunner

    @click.command("hello")
    def hello() -> None:
        click.echo("xin chào")

    monkeypatch.setitem(EXPORTS._found, "hello", hello)
    result = CliRunner().invoke(cli, ["export", "--help"])
    assert "hello" in result.output and "ead" in result.output
    assert CliRunner().invoke(cli, ["export", "hello"]).output == "xin chào\n"


def test_a_command_loads_only_its_own_stage():
    code = ("import sys; from luutru.cli import cli\n"
            "try:\n    cli(['user', '--help'])\nexcept SystemExit:\n    pass\n"
            "print(sorted(m for m in ('luutru.ocr.pipeline', 'luutru.ingest.batch', 'cv2') if m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip().splitlines()[-1] == "[]"
