"""``luutru export NAME``: the built-in exports' commands (thin: each calls its module)."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from luutru.archive import Archive, atomic_write_bytes, atomic_write_text
from luutru.catalog import iter_items
from luutru.cliutil import (archive_option, clearance_option, emit_report, json_option,
                            open_archive, print_json)
from luutru.export.aip import AipError, ead_with_packages, export_aips, packages_in
from luutru.export.ead import EADError, export_ead
from luutru.export.items import items_csv, items_jsonl, items_xlsx, visible_items
from luutru.export.text import export_text


def _archive(archive_path: Path | None) -> Archive:
    try:
        return open_archive(archive_path, create=False)
    except FileNotFoundError as exc:
        raise click.ClickException(str(exc)) from None


def _write(outfile: Path, data: bytes) -> None:
    """To the file (atomically), or to standard output for ``-``."""
    if str(outfile) == "-":
        sys.stdout.buffer.write(data)
    else:
        atomic_write_bytes(outfile, data)


@click.command("ead")
@click.argument("outfile", type=click.Path(dir_okay=False, allow_dash=True, path_type=Path))
@click.option("--fonds", "fonds_code", help="Chỉ phông này (mã phông).")
@click.option("--packages", type=click.Path(exists=True, file_okay=False, path_type=Path),
              help="Liên kết mỗi hồ sơ với gói lưu trữ của nó trong thư mục này (export aip).")
@clearance_option
@archive_option
def ead(outfile: Path, fonds_code: str | None, packages: Path | None, clearance: int,
        archive_path: Path | None) -> None:
    """Xuất mục lục theo EAD3 (kiểm tra theo lược đồ chính thức), lọc theo --clearance và
    ghi rõ điều đó."""
    try:
        if packages is not None:
            data = ead_with_packages(_archive(archive_path), fonds_code, packages_in(packages),
                                     base=f"{packages.as_posix().rstrip('/')}/", clearance=clearance)
        else:
            data = export_ead(_archive(archive_path), fonds_code, clearance)
    except (EADError, AipError, ValueError, OSError) as exc:
        raise click.ClickException(str(exc)) from exc
    _write(outfile, data)


@click.command("items")
@click.argument("outfile", type=click.Path(dir_okay=False, allow_dash=True, path_type=Path))
@click.option("--format", "fmt", type=click.Choice(["jsonl", "csv", "xlsx"]), default="jsonl",
              show_default=True)
@clearance_option
@archive_option
def items(outfile: Path, fmt: str, clearance: int, archive_path: Path | None) -> None:
    """Xuất mỗi văn bản một dòng (các trường như score_fields.py đọc, thêm id và needs_review);
    chỉ những văn bản --clearance cho phép (chấm cả bộ dữ liệu: --clearance tuyet-mat)."""
    try:
        rows = visible_items(iter_items(_archive(archive_path)), clearance)
    except (ValueError, OSError) as exc:
        raise click.ClickException(str(exc)) from exc
    if fmt == "xlsx":
        if str(outfile) == "-":
            raise click.UsageError("không ghi xlsx ra đầu ra chuẩn được; hãy cho tên tệp")
        items_xlsx(rows, outfile)
        return
    text = items_jsonl(rows) if fmt == "jsonl" else items_csv(rows)
    if str(outfile) == "-":
        click.echo(text, nl=False)
    else:
        atomic_write_text(outfile, text)


@click.command("text")
@click.argument("outdir", type=click.Path(file_okay=False, path_type=Path))
@clearance_option
@archive_option
@json_option
def text(outdir: Path, clearance: int, archive_path: Path | None, as_json: bool) -> None:
    """Ghi văn bản từng trang ra OUTDIR/<tệp quét>/page-NNN.txt (NNN: số trang trong tệp đó),
    chỉ những trang --clearance cho phép (trang chưa biên mục cần ít nhất mức mat)."""
    archive = _archive(archive_path)
    try:
        counts = export_text(archive, outdir, clearance)
    except ValueError as exc:            # an unreadable catalogue: nothing is written
        raise click.ClickException(str(exc)) from exc
    if as_json:
        print_json(counts)
    else:
        click.echo(f"{counts['written']} trang đã xuất vào {outdir}; "
                   f"{counts['not_read']} trang chưa được OCR.")


@click.command("aip")
@click.argument("outdir", type=click.Path(file_okay=False, path_type=Path))
@click.option("--fonds", "fonds_code", help="Chỉ phông này (mã phông).")
@click.option("--file", "file_code", help="Chỉ hồ sơ này (mã hồ sơ).")
@archive_option
@json_option
def aip(outdir: Path, fonds_code: str | None, file_code: str | None,
        archive_path: Path | None, as_json: bool) -> None:
    """Mỗi hồ sơ một gói lưu trữ: túi BagIt gồm bản gốc, mục lục, METS, PREMIS."""
    try:
        report = export_aips(_archive(archive_path), outdir, fonds=fonds_code, file=file_code)
    except AipError as exc:
        raise click.ClickException(str(exc)) from exc
    emit_report(report, as_json)
