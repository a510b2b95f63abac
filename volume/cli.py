"""``luutru volume``: build a compiled volume from a spec."""

from __future__ import annotations

import getpass
from pathlib import Path

import click

from luutru import editorial

from luutru.catalog import InvalidCatalogError, iter_items
from luutru.cliutil import (archive_option, emit_report, json_option, open_archive, print_json,
                            show_progress)
from luutru.access import CLEARANCE_NAMES
from luutru.index import QueryError
from luutru.volume.build import EmptyVolumeError, build_volume
from luutru.volume.spec import SpecError, load_spec


@click.group("volume")
def volume_group() -> None:
    """Tuyển tập văn kiện: PDF và DOCX từ một tệp đặc tả."""


@volume_group.command("build")
@click.argument("spec_path", metavar="SPEC", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--out", "out_dir", type=click.Path(file_okay=False, path_type=Path), default=Path("."),
              show_default=True, help="Thư mục ghi <slug>.pdf và <slug>.docx.")
@click.option("--clearance", type=click.Choice(list(CLEARANCE_NAMES)), default="none", show_default=True,
              help="Quyền xem tài liệu mật của bạn: văn bản mật hơn bị bỏ ra (và được đếm).")
@archive_option
@json_option
def build_command(spec_path: Path, out_dir: Path, clearance: str, archive_path: Path | None,
                  as_json: bool) -> None:
    """Dựng tập văn kiện mà SPEC (.yaml/.yml/.toml) mô tả, từ mục lục và OCR của kho."""
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


# --- the editorial layer: luutru edit ------------------------------------------------------------

@click.group("edit")
def edit_group() -> None:
    """Lớp biên tập: văn bản đã hiệu đính và chú thích của từng văn bản, giữ bên cạnh kết quả OCR."""


def _archive_and_item(archive_path: Path | None, item_id: str):

    try:
        archive = open_archive(archive_path, create=False)
    except FileNotFoundError as exc:
        raise click.ClickException(str(exc)) from None
    item = next((i for i in iter_items(archive) if i["id"] == item_id), None)
    if item is None:
        raise click.ClickException(f"không có văn bản {item_id} trong mục lục")
    return archive, item


@edit_group.command("set")
@click.argument("item_id")
@click.argument("text_file", metavar="FILE", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--editor", default=lambda: getpass.getuser(), show_default="your login name",
              help="Người hiệu đính (ghi kèm văn bản).")
@archive_option
@json_option
def edit_set(item_id: str, text_file: Path, editor: str, archive_path: Path | None,
             as_json: bool) -> None:
    """Lưu FILE (UTF-8; các trang ngăn bằng ký tự sang trang; chú thích dạng [^1] … và dòng
    "[^1]: ghi chú") làm bản biên tập của ITEM_ID. Văn bản OCR không bị thay đổi."""
    archive, item = _archive_and_item(archive_path, item_id)
    try:
        text = text_file.read_text(encoding="utf-8")
    except UnicodeDecodeError:
        raise click.ClickException(f"{text_file}: không phải văn bản UTF-8") from None
    except OSError as exc:
        raise click.ClickException(f"{text_file}: không đọc được ({exc.strerror})") from None
    try:
        record = editorial.set_item_text(archive, item, text, editor)
    except editorial.EditorialError as exc:
        raise click.ClickException(str(exc)) from None
    if as_json:
        print_json(record.to_json())
    else:
        click.echo(f"đã lưu bản biên tập {item_id}: {len(record.pages)} trang, "
                   f"{len(record.notes)} chú thích ({editor})")


@edit_group.command("show")
@click.argument("item_id")
@archive_option
@json_option
def edit_show(item_id: str, archive_path: Path | None, as_json: bool) -> None:
    """Văn bản mà tập văn kiện in cho ITEM_ID: bản biên tập nếu có, nếu không thì kết quả OCR."""
    archive, item = _archive_and_item(archive_path, item_id)
    record = editorial.load_record(archive, item_id)
    pages = editorial.item_text(archive, item, record)
    if as_json:
        print_json({"item_id": item_id, "notes": record.notes if record else {},
                    "pages": [{"page": key, "text": text, "proofread": done,
                               "editor": record.pages[key].editor if done else None,
                               "at": record.pages[key].at if done else None}
                              for key, text, done in pages]})
        return
    for number, (key, text, done) in enumerate(pages, start=1):
        who = (f"biên tập: {record.pages[key].editor}, {record.pages[key].at}" if done
               else "chưa biên tập (OCR)")
        click.echo(f"--- trang {number} ({who}) ---")
        click.echo(text.rstrip("\n"))
    for ref, note in (record.notes if record else {}).items():
        click.echo(f"[^{ref}]: {note}")


@edit_group.command("diff")
@click.argument("item_id")
@archive_option
def edit_diff(item_id: str, archive_path: Path | None) -> None:
    """Những chỗ biên tập viên sửa trong ITEM_ID, so với kết quả OCR."""
    archive, item = _archive_and_item(archive_path, item_id)
    record = editorial.load_record(archive, item_id)
    if record is None:
        raise click.ClickException(f"văn bản {item_id} chưa có bản biên tập")
    click.echo(editorial.diff_text(archive, item, record) or "(không khác bản OCR)")


@edit_group.command("list")
@archive_option
@json_option
def edit_list(archive_path: Path | None, as_json: bool) -> None:
    """Mọi văn bản đã có bản biên tập: số trang đã hiệu đính, người biên tập, lần sửa cuối."""

    try:
        archive = open_archive(archive_path, create=False)
    except FileNotFoundError as exc:
        raise click.ClickException(str(exc)) from None
    items = {item["id"]: item for item in iter_items(archive)}
    rows = []
    for record in editorial.iter_records(archive):
        pages = len((items.get(record.item_id) or {}).get("pages") or [])
        rows.append({"item_id": record.item_id, "proofread_pages": len(record.pages), "pages": pages,
                     "notes": len(record.notes), "editors": record.editors,
                     "updated_at": record.updated_at, "in_catalogue": record.item_id in items})
    if as_json:
        print_json(rows)
        return
    if not rows:
        click.echo("chưa có văn bản nào được biên tập")
    for row in rows:
        gone = "" if row["in_catalogue"] else " (không còn trong mục lục)"
        click.echo(f"{row['item_id']}: {row['proofread_pages']}/{row['pages']} trang, "
                   f"{row['notes']} chú thích, {', '.join(row['editors'])}, {row['updated_at']}{gone}")


COMMANDS: list = [volume_group, edit_group]
