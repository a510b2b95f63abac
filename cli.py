"""The ``luutru`` command line: one group gathering each stage's commands.

Every command is a thin layer over a library function that a script can import; see the stage
packages (``luutru.ingest``, ``luutru.ocr``, ``luutru.catalog``, ``luutru.index``).
"""

from __future__ import annotations

import importlib

import click

from luutru import __version__


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="luutru")
def cli() -> None:
    """luutru: scanned Vietnamese Party documents in, a searchable digital archive out."""


STAGES = ("ingest", "ocr", "catalog", "index")


def _register_stage_commands() -> None:
    """Each stage package has a ``cli`` module listing its click commands in ``COMMANDS``."""
    for stage in STAGES:
        module = importlib.import_module(f"luutru.{stage}.cli")
        for command in module.COMMANDS:
            cli.add_command(command)


_register_stage_commands()


def main() -> None:
    cli(prog_name="luutru")


if __name__ == "__main__":
    main()
