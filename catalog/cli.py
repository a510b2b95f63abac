"""Command-line layer of the catalog stage (thin: it calls the library API)."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from luutru.audit import cli_audit
from luutru.archive import PageRef
from luutru.catalog import build_catalog, iter_items
from luutru.catalog.inventory import read_inventory, store_inventory
from luutru.catalog.record import InvalidCatalogError
from luutru.catalog.accessreview import (REASON_TEXT, access_queue, decide_access, file_item_ids,
                                        note_opened_marked, set_fonds_policy)
from luutru.catalog.review import export_review, import_review
from luutru.errors import ExitCode
from luutru.index import apply_access_changes, item_levels
from luutru.xmlsafe import UnsafeXMLError
from luutru.cliutil import (archive_option, emit_report, json_option,
                            open_archive, print_json, remember_group_archive, show_progress)

_USER_ERRORS = (InvalidCatalogError, UnsafeXMLError, ValueError, OSError)


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
    """Lập hoặc cập nhật mục lục (phông → hồ sơ → văn bản) từ các trang đã OCR."""
    remember_group_archive(archive_path)
    if ctx.invoked_subcommand is not None:
        return
    archive = _archive(archive_path)
    try:
        before = item_levels(archive)
        report = build_catalog(archive, progress=show_progress(as_json))
    except _USER_ERRORS as exc:
        _fail(exc)
    _follow_access(archive, before)
    emit_report(report, as_json)


def _follow_access(archive, before: dict[str, int]) -> list[str]:
    """Bring the search index up to date with the items whose access changed, at once; if it
    cannot (another process holds the index), say so and exit 2 (the record is already saved)."""
    try:
        return apply_access_changes(archive, before)
    except Exception as exc:  # noqa: BLE001 - any engine failure is the same advice
        click.echo(f"LỖI: chỉ mục tìm kiếm chưa theo kịp thay đổi về mức độ tiếp cận ({exc}). "
                   f"Hãy chạy `luutru index` ngay; phòng đọc vẫn kiểm tra từng kết quả theo "
                   f"mục lục.", err=True)
        sys.exit(ExitCode.NEEDS_PERSON)


def _audit_changes(archive, changes) -> None:
    for item_id, name, old, new in changes:
        cli_audit(archive, "change-access", item_id, f"{name}: {old!r} → {new!r}")


@catalog.command("show")
@click.argument("item_id")
@archive_option
@json_option
def show(item_id: str, archive_path: Path | None, as_json: bool) -> None:
    """In một văn bản của mục lục."""
    archive = _archive(archive_path)
    item = next((i for i in iter_items(archive) if i["id"] == item_id), None)
    if item is None:
        raise click.ClickException(f"không có văn bản {item_id!r} trong mục lục")
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
    """Nhập mục lục hồ sơ (CSV hoặc XLSX); dòng lỗi được báo, phần còn lại được nhập."""
    archive = _archive(archive_path)
    try:
        rows, errors = read_inventory(inventory)
        before = item_levels(archive)
        stored = store_inventory(archive, rows, inventory.name)
        report = build_catalog(archive)
    except _USER_ERRORS as exc:
        _fail(exc)
    _follow_access(archive, before)
    result = {"imported": len(rows), "bad_rows": [str(e) for e in errors],
              "stored_as": str(stored.relative_to(archive.root)), "catalog": report.to_json()}
    if as_json:
        print_json(result)
    else:
        click.echo(f"Đã nhập {len(rows)} dòng, {len(errors)} dòng lỗi")
        for error in errors:
            click.echo(f"dòng lỗi: {error}", err=True)
    if errors:
        sys.exit(ExitCode.NEEDS_PERSON)  # bad lines were left out: a person must look


@catalog.command("review-export")
@click.argument("outfile", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--all", "everything", is_flag=True, help="Mọi văn bản, không chỉ những văn bản cần kiểm tra.")
@archive_option
def review_export(outfile: Path, everything: bool, archive_path: Path | None) -> None:
    """Ghi các văn bản cần kiểm tra ra bảng CSV hoặc XLSX cho lưu trữ viên."""
    archive = _archive(archive_path)
    count = export_review(archive, outfile, everything)
    click.echo(f"Đã ghi {count} văn bản vào {outfile}")


@catalog.command("review-import")
@click.argument("sheet", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@archive_option
@json_option
def review_import(sheet: Path, archive_path: Path | None, as_json: bool) -> None:
    """Áp dụng bảng kiểm tra lưu trữ viên đã sửa; chỉnh sửa được giữ qua mọi lần chạy lại."""
    archive = _archive(archive_path)
    try:
        before = item_levels(archive)
        report = import_review(archive, sheet)
    except _USER_ERRORS as exc:
        _fail(exc)
    _audit_changes(archive, report.access_changes)
    _follow_access(archive, before)
    if as_json:
        print_json(report.to_json())
    else:
        click.echo(f"Đã đọc {report.rows} dòng: {report.items_changed} văn bản thay đổi, "
                   f"{report.values_set} giá trị được đặt, {report.confirmed} xác nhận, "
                   f"{len(report.errors)} lỗi")
        for error in report.errors:
            click.echo(f"lỗi: {error}", err=True)
    if report.errors:
        sys.exit(ExitCode.NEEDS_PERSON)  # bad lines were left out: a person must look


@catalog.command("access-review")
@click.option("--fonds", "fonds_code", help="Chỉ phông này (mã phông).")
@archive_option
@json_option
def access_review(fonds_code: str | None, archive_path: Path | None, as_json: bool) -> None:
    """Văn bản chờ quyết định mức độ tiếp cận, với dấu mật máy đọc được trên từng trang."""
    archive = _archive(archive_path)
    try:
        items = [i for i in iter_items(archive) if not fonds_code or i["fonds_code"] == fonds_code]
    except _USER_ERRORS as exc:
        _fail(exc)
    queue = access_queue(archive, items)
    if as_json:
        print_json({"total": len(queue), "items": [entry.to_json() for entry in queue]})
        return
    click.echo(f"{len(queue)} văn bản chờ quyết định mức độ tiếp cận.")
    for entry in queue:
        item = entry.item
        click.echo(f"{item['id']}  {item['fonds_code']}/{item['file_code']}  "
                   f"{item.get('so_ky_hieu') or '(chưa rõ số)'}  — {REASON_TEXT[entry.reason]}")
        for mark in entry.marks:
            confidence = f"{mark.confidence:.2f}" if mark.confidence is not None else "?"
            state = "chưa chắc" if mark.status == "unsure" else "đã đọc"
            crop = archive.page_dir(PageRef.parse(mark.page_key)) / mark.crop if mark.crop else None
            click.echo(f"    trang {mark.n}: {mark.kind} {mark.level or '?'} «{mark.text}» "
                       f"(độ tin cậy {confidence}, {state})" + (f" ảnh: {crop}" if crop else ""))


@catalog.command("access-decide")
@click.argument("targets", nargs=-1, required=True)
@click.option("--open", "decision", flag_value="open", help="Mở (Công khai).")
@click.option("--close", "decision", flag_value="close", help="Hạn chế.")
@click.option("--do-mat", type=click.Choice(["Mật", "Tối mật", "Tuyệt mật", "không"]),
              help="Đặt cả độ mật (\"không\": văn bản không có dấu mật).")
@archive_option
@json_option
def access_decide(targets: tuple[str, ...], decision: str | None, do_mat: str | None,
                  archive_path: Path | None, as_json: bool) -> None:
    """Quyết định của lưu trữ viên: mở hoặc hạn chế văn bản (mã văn bản) hay cả hồ sơ
    (PHONG/HO-SO); được ghi nhật ký và cập nhật ngay chỉ mục tìm kiếm."""
    if decision is None:
        raise click.UsageError("Hãy chọn --open hoặc --close.")
    archive = _archive(archive_path)
    try:
        items = list(iter_items(archive))
        ids = [t for target in targets for t in _decision_targets(items, target)]
        before = item_levels(archive)
        report = decide_access(archive, ids, decision,
                               "" if do_mat is None else (None if do_mat == "không" else do_mat))
    except _USER_ERRORS as exc:
        _fail(exc)
    for item_id in report.items:
        cli_audit(archive, f"access-{decision}", item_id)
    _audit_changes(archive, report.access_changes)
    note_opened_marked(report, {i["id"]: i for i in iter_items(archive)})
    _follow_access(archive, before)
    if as_json:
        print_json({"decided": report.items, "changed": report.items_changed,
                    "opened_marked": report.opened_marked, "errors": report.errors})
    else:
        verb = "mở" if decision == "open" else "hạn chế"
        click.echo(f"Đã {verb} {len(report.items)} văn bản ({report.items_changed} thay đổi).")
        for item_id in report.opened_marked:
            click.echo(f"CẢNH BÁO: {item_id} có dấu mật nhưng đã được mở theo quyết định của "
                       f"lưu trữ viên (đã ghi nhật ký).", err=True)
        for error in report.errors:
            click.echo(f"lỗi: {error}", err=True)
    if report.errors:
        sys.exit(ExitCode.NEEDS_PERSON)  # unknown ids were left out


def _decision_targets(items: list[dict], target: str) -> list[str]:
    """An item id, or ``FONDS/FILE`` for every item of that hồ sơ."""
    if "/" in target:
        fonds_code, _, file_code = target.partition("/")
        found = file_item_ids(items, fonds_code, file_code)
        if not found:
            raise ValueError(f"hồ sơ {target!r} không có văn bản nào trong mục lục")
        return found
    return [target]


@catalog.command("access-policy")
@click.argument("fonds_code")
@click.argument("policy", type=click.Choice(["review-first", "open-unless-marked"]))
@archive_option
def access_policy(fonds_code: str, policy: str, archive_path: Path | None) -> None:
    """Đặt chính sách tiếp cận của một phông (quyết định của lưu trữ viên, được ghi nhật ký)."""
    archive = _archive(archive_path)
    try:
        before = item_levels(archive)
        old = set_fonds_policy(archive, fonds_code, policy)
    except _USER_ERRORS as exc:
        _fail(exc)
    cli_audit(archive, "change-access-policy", fonds_code, f"{old!r} → {policy!r}")
    _follow_access(archive, before)
    click.echo(f"Phông {fonds_code}: chính sách tiếp cận {policy} (trước: {old or 'mặc định'}).")


COMMANDS: list = [catalog]
