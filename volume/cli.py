"""``luutru volume``: build a compiled volume from a spec."""

from __future__ import annotations

from pathlib import Path

import click

from luutru.catalog.record import InvalidCatalogError
from luutru.cliutil import archive_option, emit_report, json_option, open_archive, show_progress
from luutru.access import CLEARANCE_NAMES
from luutru.index.model import QueryError
from luutru.volume.build import EmptyVolumeError, build_volume
from luutru.volume.spec import SpecError, load_spec


@click.group("volume")
def volume_group() -> None:
    """Compiled document volumes (tuyển tập văn kiện): PDF and DOCX from a spec."""


@volume_group.command("build")
@click.argument("spec_path", metavar="SPEC", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--out", "out_dir", type=click.Path(file_okay=False, path_type=Path), default=Path("."),
              show_default=True, help="Directory to write <slug>.pdf and <slug>.docx into.")
@click.option("--clearance", type=click.Choice(list(CLEARANCE_NAMES)), default="none", show_default=True,
              help="Your clearance: classified documents above it are left out (and counted).")
@archive_option
@json_option
def build_command(spec_path: Path, out_dir: Path, clearance: str, archive_path: Path | None,
                  as_json: bool) -> None:
    """Build the volume SPEC (.yaml/.yml/.toml) describes, from the archive's catalogue and OCR."""
    try:
        spec = load_spec(spec_path)
    except SpecError as exc:
        message = str(exc) if spec_path.name in str(exc) else f"{spec_path}: {exc}"
        raise click.ClickException(message) from None
    try:
        archive = open_archive(archive_path, create=False)
    except FileNotFoundError as exc:
        raise click.ClickException(str(exc)) from None
    try:
        report = build_volume(archive, spec, out_dir, clearance, progress=show_progress(as_json))
    except (EmptyVolumeError, QueryError, InvalidCatalogError) as exc:
        raise click.ClickException(str(exc)) from None
    emit_report(report, as_json)


COMMANDS: list = [volume_group]
