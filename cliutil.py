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


ARCHIVE_HELP = f"Thư mục kho lưu trữ [mặc định: ${ARCHIVE_ENV}, nếu không có thì ./archive]."
_GROUP_ARCHIVE_KEY = "luutru.archive"


def archive_option(func: Callable) -> Callable:
    """``--archive/-a PATH`` on a command; passes ``archive_path`` (None when not given).

    The same option is accepted before the command (``luutru -a X status``); see
    :func:`remember_group_archive`. The environment variable is read in :func:`open_archive`, so
    an explicit option always wins over it.
    """
    return click.option(
        "--archive", "-a", "archive_path", type=click.Path(file_okay=False, path_type=Path),
        default=None, help=ARCHIVE_HELP,
    )(func)


def remember_group_archive(archive_path: Path | None) -> None:
    """Called by the ``luutru`` group: keep ``luutru -a X ...`` for the command that follows."""
    if archive_path is not None:
        click.get_current_context().meta[_GROUP_ARCHIVE_KEY] = archive_path


def json_option(func: Callable) -> Callable:
    return click.option("--json", "as_json", is_flag=True,
                        help="In một đối tượng JSON cho máy đọc thay cho văn bản.")(func)


def clearance_option(func: Callable) -> Callable:
    """``--clearance none|mat|toi-mat|tuyet-mat`` (default none) for exports: what is above it
    is left out of lists and counts; passes ``clearance`` as its level 0..3."""
    from luutru.access import CLEARANCE_NAMES

    return click.option(
        "--clearance", type=click.Choice(list(CLEARANCE_NAMES)), default="none", show_default=True,
        callback=lambda _ctx, _param, value: CLEARANCE_NAMES[value],
        help="Quyền tiếp cận của người nhận bản xuất: tài liệu mật hơn mức này bị bỏ ra ngoài "
             "(cả khỏi danh sách lẫn số đếm).")(func)


def open_archive(archive_path: Path | None, create: bool = True) -> Archive:
    """The archive named on the command, else before it, else ``$LUUTRU_ARCHIVE``, else ./archive."""
    if archive_path is None:
        context = click.get_current_context(silent=True)
        archive_path = context.meta.get(_GROUP_ARCHIVE_KEY) if context else None
    return Archive.open(archive_path if archive_path is not None else default_archive_path(),
                        create=create)


def print_json(obj: Any) -> None:
    click.echo(json.dumps(obj, ensure_ascii=False, indent=2, sort_keys=True))


def emit_report(report: Any, as_json: bool) -> None:
    """Print a stage's report (JSON or its summary) and exit with its code when that is not 0."""
    if as_json:
        print_json(report.to_json())
    else:
        click.echo(report.summary_text())
    if getattr(report, "exit_code", 0):
        raise SystemExit(report.exit_code)


def show_progress(as_json: bool) -> bool:
    """Progress bars go to stderr, and only for a person at a terminal."""
    return not as_json and sys.stderr.isatty()


BROKER_ENV = "LUUTRU_BROKER_URL"


def executor_options(func: Callable) -> Callable:
    """``--executor local|celery`` and ``--broker URL`` (for ``luutru ocr`` and ``luutru run``)."""
    from luutru.ocr.executors import EXECUTORS

    func = click.option("--broker", envvar=BROKER_ENV, default=None, metavar="URL",
                        help=f"Redis của các worker Celery, ví dụ redis://host:6379/0 "
                             f"[mặc định: ${BROKER_ENV}].")(func)
    return click.option("--executor", type=click.Choice(EXECUTORS), default="local",
                        show_default=True,
                        help="Ai đọc các trang: máy này (--jobs tiến trình) hay các worker Celery "
                             "chạy bằng `luutru worker`.")(func)


def choose_executor(name: str, jobs: int, broker: str | None) -> Any:
    """The executor the options name; a usage error (Vietnamese) when celery lacks a broker."""
    from luutru.ocr.executors import named_executor

    if name == "celery" and not broker:
        raise click.UsageError(f"--executor celery cần địa chỉ Redis: --broker URL hoặc biến "
                               f"môi trường {BROKER_ENV}.")
    return named_executor(name, jobs=jobs, broker=broker)
