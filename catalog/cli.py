"""Command-line layer of the catalog stage (thin: it calls the library API)."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from luutru.archive import atomic_write_bytes, atomic_write_text
from luutru.catalog import build_catalog, iter_items
from luutru.catalog.ead import EADError, export_ead
from luutru.catalog.export import items_csv, items_jsonl, items_xlsx
from luutru.catalog.inventory import read_inventory, store_inventory
from luutru.catalog.record import InvalidCatalogError
from luutru.catalog.review import export_review, import_review
from luutru.errors import ExitCode
from luutru.xmlsafe import UnsafeXMLError
from luutru.cliutil import (archive_option, emit_report, json_option, open_archive, print_json,
                            remember_group_archive, show_progress)

_USER_ERRORS = (InvalidCatalogError, UnsafeXMLError, EADError, ValueError, OSError)


def _fail(exc: Exception) -> None:
    raise click.ClickException(str(exc))


def _archive(archive_path: Path | None):
    """The archive named by ``--archive`` (here or on an enclosing group); a clear error if it is none."""
    try:
        return open_archive(archive_path, create=False)
    except FileNotFoundError as exc:
        raise click.ClickException(str(exc)) from None


@click.group(invoke_without_command=True)
@archive_option
@json_option
@click.pass_context
def catalog(ctx: click.Context, archive_path: Path | None, as_json: bool) -> None:
    """Build or update the catalogue (fonds → hồ sơ → văn bản) from the OCR'd pages."""
    remember_group_archive(archive_path)
    if ctx.invoked_subcommand is not None:
        return
    try:
        report = build_catalog(_archive(archive_path), progress=show_progress(as_json))
    except _USER_ERRORS as exc:
        _fail(exc)
    emit_report(report, as_json)


@catalog.command("show")
@click.argument("item_id")
@archive_option
@json_option
def show(item_id: str, archive_path: Path | None, as_json: bool) -> None:
    """Print one item (văn bản) of the catalogue."""
    archive = _archive(archive_path)
    item = next((i for i in iter_items(archive) if i["id"] == item_id), None)
    if item is None:
        raise click.ClickException(f"no item {item_id!r} in the catalogue")
    if as_json:
        print_json(item)
        return
    for key, value in item.items():
        if isinstance(value, list):
            value = "; ".join(value)
        click.echo(f"{key:22} {'' if value is None else value}")


@catalog.command("import-inventory")
@click.argument("inventory", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@archive_option
@json_option
def import_inventory(inventory: Path, archive_path: Path | None, as_json: bool) -> None:
    """Import a mục lục hồ sơ (CSV or XLSX); bad rows are reported, the rest imported."""
    archive = _archive(archive_path)
    try:
        rows, errors = read_inventory(inventory)
        stored = store_inventory(archive, rows, inventory.name)
        report = build_catalog(archive)
    except _USER_ERRORS as exc:
        _fail(exc)
    result = {"imported": len(rows), "bad_rows": [str(e) for e in errors],
              "stored_as": str(stored.relative_to(archive.root)), "catalog": report.to_json()}
    if as_json:
        print_json(result)
    else:
        click.echo(f"{len(rows)} rows imported, {len(errors)} bad rows")
        for error in errors:
            click.echo(f"bad row: {error}", err=True)
    if errors:
        sys.exit(ExitCode.NEEDS_PERSON)  # bad lines were left out: a person must look


@catalog.command("review-export")
@click.argument("outfile", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--all", "everything", is_flag=True, help="Every item, not only those needing review.")
@archive_option
def review_export(outfile: Path, everything: bool, archive_path: Path | None) -> None:
    """Write items needing review to a CSV or XLSX sheet for archivists."""
    archive = _archive(archive_path)
    count = export_review(archive, outfile, everything)
    click.echo(f"{count} items written to {outfile}")


@catalog.command("review-import")
@click.argument("sheet", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@archive_option
@json_option
def review_import(sheet: Path, archive_path: Path | None, as_json: bool) -> None:
    """Apply an archivist's corrected review sheet; corrections survive every re-run."""
    archive = _archive(archive_path)
    try:
        report = import_review(archive, sheet)
    except _USER_ERRORS as exc:
        _fail(exc)
    if as_json:
        print_json(report.to_json())
    else:
        click.echo(f"{report.rows} rows read, {report.items_changed} items changed, "
                   f"{report.values_set} values set, {report.confirmed} confirmed, "
                   f"{len(report.errors)} errors")
        for error in report.errors:
            click.echo(f"error: {error}", err=True)
    if report.errors:
        sys.exit(ExitCode.NEEDS_PERSON)  # bad lines were left out: a person must look


@click.command("ead")
@click.argument("outfile", type=click.Path(dir_okay=False, allow_dash=True, path_type=Path))
@click.option("--fonds", "fonds_code", help="Only this fonds (mã phông).")
@click.option("--packages", type=click.Path(exists=True, file_okay=False, path_type=Path),
              help="Link each hồ sơ to its preservation package in this folder (export aip).")
@archive_option
def ead(outfile: Path, fonds_code: str | None, packages: Path | None,
        archive_path: Path | None) -> None:
    """Export the catalogue as EAD3 (validated against the official schema)."""
    try:
        if packages is not None:
            from luutru.preserve.aip import ead_with_packages, packages_in
            data = ead_with_packages(_archive(archive_path), fonds_code, packages_in(packages),
                                     base=f"{packages.as_posix().rstrip('/')}/")
        else:
            data = export_ead(_archive(archive_path), fonds_code)
    except _USER_ERRORS as exc:
        _fail(exc)
    if str(outfile) == "-":
        sys.stdout.buffer.write(data)
    else:
        atomic_write_bytes(outfile, data)


@click.command("items")
@click.argument("outfile", type=click.Path(dir_okay=False, allow_dash=True, path_type=Path))
@click.option("--format", "fmt", type=click.Choice(["jsonl", "csv", "xlsx"]), default="jsonl",
              show_default=True)
@archive_option
def items(outfile: Path, fmt: str, archive_path: Path | None) -> None:
    """Export one row per item (fields as score_fields.py reads them, plus id and needs_review)."""
    try:
        rows = list(iter_items(_archive(archive_path)))
    except _USER_ERRORS as exc:
        _fail(exc)
    if fmt == "xlsx":
        if str(outfile) == "-":
            raise click.UsageError("xlsx cannot go to standard output; give a file name")
        items_xlsx(rows, outfile)
        return
    text = items_jsonl(rows) if fmt == "jsonl" else items_csv(rows)
    if str(outfile) == "-":
        click.echo(text, nl=False)
    else:
        atomic_write_text(outfile, text)


COMMANDS: list = [catalog]
EXPORT_COMMANDS: list = [ead, items]
