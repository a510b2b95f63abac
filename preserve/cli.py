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
                        help="Second copy of the originals (a mounted disk or share).")(func)


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
@click.option("--sample", metavar="P%", help="Check a random share of the originals (and their pages).")
@click.option("--since", metavar="DATE", help="Only originals ingested on or after DATE (YYYY-MM-DD).")
@replica_option
@click.option("--jobs", "-j", type=click.IntRange(min=1), default=None,
              help="Files hashed in parallel [default: CPUs, at most 4].")
@click.option("--adopt", is_flag=True,
              help="Record a checksum for files written before checksums existed (once, "
                   "after upgrading an archive).")
@archive_option
@json_option
def verify_command(sample: str | None, since: str | None, replica: Path | None, jobs: int | None,
                   adopt: bool, archive_path: Path | None, as_json: bool) -> None:
    """Re-hash the originals and check every recorded file; exit 2 when anything is wrong.

    Each audit is kept as a PREMIS fixity event. With --replica, a damaged original is restored
    from the good copy (and a damaged copy made again).
    """
    from luutru.preserve.fixity import verify
    report = verify(_archive(archive_path), sample=_percent(sample), since=_day(since),
                    replica=replica, jobs=jobs, adopt=adopt, progress=show_progress(as_json))
    emit_report(report, as_json)


COMMANDS: list = [verify_command]
EXPORT_COMMANDS: list = []


@click.command("repair")
@replica_option
@archive_option
@json_option
def repair_command(replica: Path | None, archive_path: Path | None, as_json: bool) -> None:
    """Rebuild what can be derived for exactly the damaged pages; say what cannot be rebuilt.

    Exits 2 when something could not be rebuilt (an original with no good copy, the catalogue).
    """
    from luutru.preserve.repair import repair
    report = repair(_archive(archive_path), replica=replica, progress=show_progress(as_json))
    emit_report(report, as_json)


COMMANDS.append(repair_command)


@click.command("aip")
@click.argument("outdir", type=click.Path(file_okay=False, path_type=Path))
@click.option("--fonds", "fonds_code", help="Only this fonds (mã phông).")
@click.option("--file", "file_code", help="Only this hồ sơ (mã hồ sơ).")
@archive_option
@json_option
def aip_command(outdir: Path, fonds_code: str | None, file_code: str | None,
                archive_path: Path | None, as_json: bool) -> None:
    """One preservation package per hồ sơ: a BagIt bag with originals, catalogue, METS, PREMIS."""
    from luutru.preserve.aip import AipError, export_aips
    try:
        report = export_aips(_archive(archive_path), outdir, fonds=fonds_code, file=file_code)
    except AipError as exc:
        raise click.ClickException(str(exc)) from exc
    emit_report(report, as_json)


EXPORT_COMMANDS.append(aip_command)


@click.command("restore")
@click.argument("packages", nargs=-1, required=True,
                type=click.Path(exists=True, file_okay=False, path_type=Path))
@click.option("--jobs", "-j", type=click.IntRange(min=1), default=1, show_default=True,
              help="Pages OCR'd in parallel processes.")
@archive_option
@json_option
def restore_command(packages: tuple[Path, ...], jobs: int, archive_path: Path | None,
                    as_json: bool) -> None:
    """Rebuild an archive from preservation packages (bags, or folders of bags), then OCR and
    index it again. Safe to run again after an interruption."""
    from luutru.ocr.models import ModelMissing
    from luutru.preserve.restore import restore
    try:
        report = restore(open_archive(archive_path), list(packages), jobs=jobs,
                         progress=show_progress(as_json))
    except ModelMissing as exc:
        raise click.ClickException(str(exc)) from exc
    emit_report(report, as_json)


COMMANDS.append(restore_command)
