"""Command-line layer of the ingest stage (thin: it calls the library API)."""

from __future__ import annotations

from pathlib import Path

import click

from luutru.cliutil import archive_option, json_option, open_archive, print_json, show_progress
from luutru.ingest import IngestBusy, InventoryError, ScansInsideArchive, ingest_batch
from luutru.pageimage import DEFAULT_MAX_PIXELS
from luutru.status import archive_status, status_lines

EXIT_QUARANTINED = 2


@click.command("ingest")
@click.argument("scans", type=click.Path(path_type=Path))
@click.option("--fonds", help="Mã phông cho mọi tệp [mặc định: cấp thư mục thứ nhất].")
@click.option("--file", "file_code",
              help="Mã hồ sơ cho mọi tệp [mặc định: cấp thư mục tiếp theo].")
@click.option("--inventory", type=click.Path(dir_okay=False, path_type=Path),
              help="Mục lục hồ sơ của lưu trữ viên (CSV).")
@click.option("--max-pixels", type=click.IntRange(min=1), default=DEFAULT_MAX_PIXELS,
              show_default=True, help="Trang lớn nhất được nhận, tính bằng điểm ảnh (chống bom giải nén).")
@click.option("--replica", type=click.Path(file_okay=False, path_type=Path), envvar="LUUTRU_REPLICA",
              show_envvar=True, default=None,
              help="Chép thêm mỗi bản gốc sang vị trí thứ hai này (kiểm tra bằng mã băm).")
@archive_option
@json_option
def ingest_command(scans: Path, fonds: str | None, file_code: str | None, inventory: Path | None,
                   max_pixels: int, replica: Path | None, archive_path: Path | None,
                   as_json: bool) -> None:
    """Lưu các ảnh quét trong SCANS (SCANS/<phông>/<hồ sơ>/...) vào kho.

    Mã thoát 2 khi có tệp bị cách ly (phần còn lại vẫn được nhập), 1 khi cả lô
    không chạy được.
    """
    if not scans.exists():  # exit 1, not click's 2: 2 means "some input was quarantined"
        raise click.ClickException(f"Không tìm thấy thư mục ảnh quét: {scans}")
    try:
        archive = open_archive(archive_path)
        report = ingest_batch(archive, scans, fonds=fonds, file=file_code, inventory=inventory,
                              progress=show_progress(as_json), max_pixels=max_pixels,
                              replica=replica)
    except (InventoryError, IngestBusy, ScansInsideArchive) as exc:
        raise click.ClickException(str(exc)) from exc
    except OSError as exc:  # the archive cannot be written: disk full, permissions
        raise click.ClickException(f"Lỗi ghi vào kho lưu trữ: {exc}") from exc
    if as_json:
        print_json(report.to_json())
    else:
        click.echo(report.summary_text())
    if not report.ok:
        raise SystemExit(EXIT_QUARANTINED)


@click.command("status")
@archive_option
@json_option
def status_command(archive_path: Path | None, as_json: bool) -> None:
    """Số lượng theo từng bước, từng phông và trong khu cách ly."""
    try:
        archive = open_archive(archive_path, create=False)
    except FileNotFoundError as exc:
        raise click.ClickException(str(exc)) from exc
    status = archive_status(archive)
    if as_json:
        print_json(status)
    else:
        click.echo("\n".join(status_lines(status)))


COMMANDS: list = [ingest_command, status_command]
