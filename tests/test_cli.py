"""The one command line: every stage's command is reachable under the name the group lists."""

from __future__ import annotations

import importlib
import subprocess
import sys

from luutru.cli import COMMAND_STAGES, EXPORT_STAGES, STAGES


def _declared(listing: str) -> dict[str, str]:
    found = {}
    for stage in STAGES:
        module = importlib.import_module(f"luutru.{stage}.cli")
        found.update({command.name: stage for command in getattr(module, listing, [])})
    return found


def test_every_stage_command_is_registered_with_its_stage():
    assert _declared("COMMANDS") == COMMAND_STAGES
    assert _declared("EXPORT_COMMANDS") == EXPORT_STAGES


def test_a_command_loads_only_its_own_stage():
    code = ("import sys; from luutru.cli import cli\n"
            "try:\n    cli(['user', '--help'])\nexcept SystemExit:\n    pass\n"
            "print(sorted(m for m in ('luutru.ocr.pipeline', 'luutru.ingest.batch', 'cv2') if m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip().splitlines()[-1] == "[]"
