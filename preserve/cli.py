"""Command-line layer of preservation (thin: it calls the library API)."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import click

from luutru.cliutil import archive_option, emit_report, json_option, open_archive, show_progress

REPLICA_ENV = "LUUTRU_REPLICA"


def replica_option(func):
    return click.option("--replica", type=click.Path(file_okay=False, path_type=Path),
                        envvar=REPLICA_ENV, show_envvar=True, default=None,
                        help="Bản sao thứ hai của các bản gốc (một ổ đĩa gắn vào hoặc thư mục chia sẻ).")(func)


def _archive(archive_path: Path | None):
    try:
        return open_archive(archive_path, create=False)
    except FileNotFoundError as exc:
        raise click.ClickException(f"Không phải kho lưu trữ luutru: {exc}") from None


def _percent(value: str | None) -> float | None:
    if value is None:
        return None
    try:
        share = float(value.rstrip("%")) / 100
    except ValueError:
        share = -1.0
    if not 0 < share <= 1:
        raise click.BadParameter(f"{value!r}: cần một tỉ lệ như 10% (lớn hơn 0, tối đa 100%)")
    return share


def _day(value: str | None) -> date | None:
    if value is None:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise click.BadParameter(f"{value!r}: cần một ngày dạng YYYY-MM-DD") from None


@click.command("verify")
@click.option("--sample", metavar="P%", help="Kiểm tra một phần ngẫu nhiên của các bản gốc (và các trang của chúng).")
@click.option("--since", metavar="DATE", help="Chỉ các bản gốc nhập từ ngày DATE (YYYY-MM-DD).")
@replica_option
@click.option("--jobs", "-j", type=click.IntRange(min=1), default=None,
              help="Số tiến trình băm song song [mặc định: số CPU, tối đa 4].")
@click.option("--adopt", is_flag=True,
              help="Ghi mã kiểm tra cho các tệp ghi trước khi có mã kiểm tra (một lần, sau khi nâng cấp kho).")
@archive_option
@json_option
def verify_command(sample: str | None, since: str | None, replica: Path | None, jobs: int | None,
                   adopt: bool, archive_path: Path | None, as_json: bool) -> None:
    """Băm lại các bản gốc và kiểm tra mọi tệp đã ghi mã; mã thoát 2 khi có gì sai.

    Mỗi lần kiểm tra được lưu thành một sự kiện PREMIS (fixity). Với --replica, bản gốc hỏng
    được khôi phục từ bản sao tốt (và bản sao hỏng được chép lại).
    """
    from luutru.preserve.fixity import verify
    report = verify(_archive(archive_path), sample=_percent(sample), since=_day(since),
                    replica=replica, jobs=jobs, adopt=adopt, progress=show_progress(as_json))
    emit_report(report, as_json)


COMMANDS: list = [verify_command]


@click.command("repair")
@replica_option
@archive_option
@json_option
def repair_command(replica: Path | None, archive_path: Path | None, as_json: bool) -> None:
    """Dựng lại phần dẫn xuất được, đúng cho các trang bị hỏng; nói rõ phần không dựng lại được.

    Mã thoát 2 khi có phần không dựng lại được (bản gốc không còn bản sao tốt, mục lục).
    """
    from luutru.preserve.repair import repair
    report = repair(_archive(archive_path), replica=replica, progress=show_progress(as_json))
    emit_report(report, as_json)


COMMANDS.append(repair_command)


@click.command("restore")
@click.argument("packages", nargs=-1, required=True,
                type=click.Path(exists=True, file_okay=False, path_type=Path))
@click.option("--jobs", "-j", type=click.IntRange(min=1), default=1, show_default=True,
              help="Số trang OCR song song (số tiến trình).")
@archive_option
@json_option
def restore_command(packages: tuple[Path, ...], jobs: int, archive_path: Path | None,
                    as_json: bool) -> None:
    """Dựng lại kho từ các gói bảo quản (bag, hoặc thư mục chứa bag), rồi OCR và lập chỉ mục
    lại. Chạy lại an toàn sau khi bị ngắt."""
    from luutru.ocr.models import ModelMissing
    from luutru.preserve.restore import restore
    try:
        report = restore(open_archive(archive_path), list(packages), jobs=jobs,
                         progress=show_progress(as_json))
    except ModelMissing as exc:
        raise click.ClickException(str(exc)) from exc
    emit_report(report, as_json)


COMMANDS.append(restore_command)
