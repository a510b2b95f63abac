"""Options and output helpers shared by every ``luutru`` command.

Each stage keeps its commands in ``<stage>/cli.py`` (a thin layer over that stage's library API);
``luutru/cli.py`` gathers them into one command line.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import click

from luutru.archive import ARCHIVE_ENV, Archive, default_archive_path


def archive_option(func: Callable) -> Callable:
    """``--archive/-a PATH``, default ``$LUUTRU_ARCHIVE`` else ``./archive``; passes ``archive``."""
    return click.option(
        "--archive", "-a", "archive_path", type=click.Path(file_okay=False, path_type=Path),
        default=None, envvar=ARCHIVE_ENV, show_envvar=True,
        help="Archive directory [default: ./archive].",
    )(func)


def json_option(func: Callable) -> Callable:
    return click.option("--json", "as_json", is_flag=True,
                        help="Print one machine-readable JSON object instead of text.")(func)


def open_archive(archive_path: Path | None, create: bool = True) -> Archive:
    return Archive.open(archive_path if archive_path is not None else default_archive_path(),
                        create=create)


def print_json(obj: Any) -> None:
    click.echo(json.dumps(obj, ensure_ascii=False, indent=2, sort_keys=True))


def show_progress(as_json: bool) -> bool:
    """Progress bars go to stderr, and only for a person at a terminal."""
    return not as_json and sys.stderr.isatty()
