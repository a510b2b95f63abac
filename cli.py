"""The ``luutru`` command line: one group gathering each stage's commands.

Every command is a thin layer over a library function that a script can import; see the stage
packages (``luutru.ingest``, ``luutru.ocr``, ``luutru.catalog``, ``luutru.index``) and
``luutru.pipeline`` for ``luutru run``.
"""

from __future__ import annotations

import errno
import importlib
import sys
from pathlib import Path
from typing import Any

import click

from luutru import __version__, clitext
from luutru.errors import ExitCode, LuutruError
from luutru.export import EXPORTS
from luutru.cliutil import (ARCHIVE_HELP, archive_option, choose_executor, emit_report,
                            executor_options, json_option, open_archive, remember_group_archive,
                            show_progress)

STAGES = ("ingest", "ocr", "catalog", "index", "web", "volume", "preserve")
# Which stage's ``cli`` module holds each command. A module is imported only when one of its
# commands runs (or for --help): OCR's OpenCV and PDF libraries take a second or more to load,
# and `luutru user add` or `luutru search` should not wait for them.
COMMAND_STAGES = {"ingest": "ingest", "status": "ingest", "ocr": "ocr", "worker": "ocr",
                  "catalog": "catalog", "index": "index", "reindex": "index", "search": "index",
                  "serve": "web", "user": "web", "audit": "web", "volume": "volume",
                  "edit": "volume", "verify": "preserve", "repair": "preserve",
                  "restore": "preserve"}

clitext.install()  # click's usage errors and help headings in Vietnamese


class StageGroup(click.Group):
    """A click group whose commands live in the stages' ``cli`` modules, loaded on first use.

    Each module lists its commands in ``COMMANDS``; ``stages`` maps every command name to its
    module.
    """

    def __init__(self, *args, stages: dict[str, str], **kwargs):
        super().__init__(*args, **kwargs)
        self.stages = stages

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted(set(super().list_commands(ctx)) | set(self.stages))

    def get_command(self, ctx: click.Context, name: str) -> click.Command | None:
        if name not in self.commands and name in self.stages:
            module = importlib.import_module(f"luutru.{self.stages[name]}.cli")
            for command in module.COMMANDS:
                if command.name == name:
                    self.add_command(command)
        return super().get_command(ctx, name)


_DISK_FULL = ("No space left on device", "database or disk is full", "Disk quota exceeded")


def _disk_full(exc: BaseException) -> bool:
    """A full disk, wherever a stage meets it (OCR outputs, an index segment, SQLite): said as
    such, not as a traceback; the work done is kept and a re-run resumes once space is freed."""
    return getattr(exc, "errno", None) in (errno.ENOSPC, errno.EDQUOT) or \
        any(text in str(exc) for text in _DISK_FULL)


class LuutruGroup(StageGroup):
    """The ``luutru`` group: maps every way a command ends to its exit code, in one place.

    A :class:`~luutru.errors.LuutruError` prints its (Vietnamese) message and exits with its code;
    a usage error or any other :class:`click.ClickException` exits 1 (the command could not run),
    so exit 2 keeps its one meaning: the command ran and something needs a person.
    """

    def main(self, args: Any = None, prog_name: str | None = None, complete_var: str | None = None,
             standalone_mode: bool = True, **extra: Any) -> Any:
        if not standalone_mode:
            return super().main(args, prog_name, complete_var, standalone_mode, **extra)
        try:
            result = super().main(args, prog_name, complete_var, standalone_mode=False, **extra)
        except LuutruError as exc:
            click.echo(f"Lỗi: {exc}", err=True)
            sys.exit(exc.exit_code)
        except click.ClickException as exc:
            exc.show()
            sys.exit(ExitCode.FAILED)
        except (click.Abort, KeyboardInterrupt):
            click.echo(clitext.gettext("Aborted!"), err=True)
            sys.exit(ExitCode.FAILED)
        except Exception as exc:  # only a full disk is translated; the rest is re-raised
            if not _disk_full(exc):
                raise
            click.echo(f"Lỗi: ổ đĩa của kho lưu trữ đã đầy ({exc}). Phần việc đã xong được giữ "
                       "nguyên; hãy giải phóng chỗ trống rồi chạy lại lệnh.", err=True)
            sys.exit(ExitCode.FAILED)
        sys.exit(result if isinstance(result, int) else ExitCode.OK)


@click.group(cls=LuutruGroup, stages=COMMAND_STAGES,
             context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="luutru")
@click.option("--archive", "-a", "archive_path", type=click.Path(file_okay=False, path_type=Path),
              default=None, help=ARCHIVE_HELP)
def cli(archive_path: Path | None) -> None:
    """luutru: tài liệu Đảng quét vào, kho lưu trữ số tra cứu được ra.

    Một phiên làm việc thường gặp: `luutru run SCANS` (nhập, OCR, biên mục, lập chỉ mục),
    rồi `luutru status` và `luutru search "nghị quyết"`.
    """
    remember_group_archive(archive_path)


class ExportGroup(click.Group):
    """``luutru export``: the exports the registry knows (:mod:`luutru.export`), plugins too."""

    def list_commands(self, ctx: click.Context) -> list[str]:
        return EXPORTS.names()

    def get_command(self, ctx: click.Context, name: str) -> click.Command | None:
        return EXPORTS.get(name)


@cli.group(cls=ExportGroup)
def export() -> None:
    """Xuất nội dung kho lưu trữ theo các định dạng chuẩn."""


@cli.command()
@click.argument("scans", type=click.Path(exists=True, file_okay=False, path_type=Path))
@click.option("--fonds", help="Mã phông cho mọi tệp, thay cho tên thư mục.")
@click.option("--file", "file_code", help="Mã hồ sơ cho mọi tệp, thay cho tên thư mục.")
@click.option("--inventory", type=click.Path(exists=True, dir_okay=False, path_type=Path),
              help="Mục lục hồ sơ của lưu trữ viên (CSV).")
@click.option("--jobs", "-j", type=click.IntRange(min=1), default=1, show_default=True,
              help="Số trang OCR song song (số tiến trình).")
@click.option("--replica", type=click.Path(file_okay=False, path_type=Path), envvar="LUUTRU_REPLICA",
              show_envvar=True, default=None,
              help="Chép thêm mỗi bản gốc sang vị trí thứ hai này (kiểm tra bằng mã băm).")
@executor_options
@archive_option
@json_option
def run(scans: Path, fonds: str | None, file_code: str | None, inventory: Path | None, jobs: int,
        replica: Path | None, executor: str, broker: str | None,
        archive_path: Path | None, as_json: bool) -> None:
    """Chạy mọi bước trên một thư mục ảnh quét: nhập, OCR, biên mục, lập chỉ mục.

    Chạy lại an toàn: việc đã xong được bỏ qua, không có gì bị nhân đôi.
    """
    from luutru.ingest import IngestBusy, InventoryError, ScansInsideArchive
    from luutru.ocr.executors import ExecutorUnavailable
    from luutru.ocr.models import ModelMissing
    from luutru.pipeline import run_all

    chosen = choose_executor(executor, jobs, broker)
    try:
        archive = open_archive(archive_path)
        report = run_all(archive, scans, fonds=fonds, file=file_code, inventory=inventory,
                         jobs=jobs, progress=show_progress(as_json), replica=replica,
                         executor=chosen)
    except (InventoryError, IngestBusy, ScansInsideArchive, ModelMissing,
            ExecutorUnavailable) as exc:
        raise click.ClickException(str(exc)) from exc
    except OSError as exc:  # the archive cannot be written: disk full, permissions
        raise click.ClickException(f"Không ghi được vào kho lưu trữ: {exc}") from exc
    emit_report(report, as_json)


def main() -> None:
    cli(prog_name="luutru")


if __name__ == "__main__":
    main()
