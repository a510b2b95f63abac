"""``luutru serve``, ``luutru user`` and ``luutru audit``: the reading room and its accounts.

A thin layer over :func:`luutru.web.create_app` and :class:`luutru.web.accounts.Accounts`.
"""

from __future__ import annotations

import ipaddress
import sqlite3
import sys
import time
from pathlib import Path

import click

from luutru.cliutil import archive_option, json_option, open_archive, print_json
from luutru.access import CLEARANCE_NAMES
from luutru.web.access import ROLES
from luutru.web.accounts import (MIN_PASSWORD_LENGTH, AccountError, Accounts, check_password,
                                 clearance_name)

ROLE = click.Choice(ROLES)
CLEARANCE = click.Choice(list(CLEARANCE_NAMES))
CLI_ACTOR = "(cli)"  # who made an account change, in the audit log, when it came from the shell


def _accounts(archive_path: Path | None) -> Accounts:
    try:
        return Accounts(open_archive(archive_path, create=False))
    except FileNotFoundError as exc:
        raise click.ClickException(str(exc)) from exc
    except (OSError, sqlite3.Error, AccountError) as exc:
        raise click.ClickException(f"Không mở được kho tài khoản: {exc}") from exc


def _read_password(from_stdin: bool) -> str:
    """One line from stdin, or a hidden prompt asked twice; refused when too short."""
    if from_stdin:
        password = sys.stdin.readline().rstrip("\r\n")
    else:
        password = click.prompt(f"Password (at least {MIN_PASSWORD_LENGTH} characters)",
                                hide_input=True, confirmation_prompt=True)
    try:
        return check_password(password)
    except AccountError as exc:
        raise click.ClickException(f"{exc}; nothing was changed") from exc


def _audit(accounts: Accounts, action: str, target: str, detail: str = "") -> None:
    accounts.audit(CLI_ACTOR, "admin", action, target, detail)


# --- luutru serve -----------------------------------------------------------------------------

def is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


@click.command("serve")
@click.option("--host", default="127.0.0.1", show_default=True, help="Địa chỉ lắng nghe.")
@click.option("--port", type=click.IntRange(0, 65535), default=8000, show_default=True)
@click.option("--public", is_flag=True,
              help="Cho người đọc không đăng nhập xem phần công khai, không mật (phòng đọc công cộng).")
@click.option("--workers", type=click.IntRange(min=1), default=None,
              help="Số tiến trình máy chủ (mặc định: mỗi CPU một). 1: một tiến trình waitress.")
@click.option("--threads", type=click.IntRange(min=1), default=8, show_default=True,
              help="Số kết nối mỗi tiến trình phục vụ cùng lúc (mỗi tiến trình dựng từng trang một; các luồng gửi trang và tệp cho người đọc chậm).")
@click.option("--secure-cookies", is_flag=True,
              help="Chỉ gửi cookie phiên qua https (khi proxy phục vụ https).")
@click.option("--behind-proxy", is_flag=True,
              help="Tin các tiêu đề X-Forwarded-For/-Proto/-Host của một reverse proxy phía trước (địa chỉ người đọc cho giới hạn đăng nhập và nhật ký).")
@archive_option
def serve_command(host: str, port: int, public: bool, workers: int | None, threads: int,
                  secure_cookies: bool, behind_proxy: bool, archive_path: Path | None) -> None:
    """Mở phòng đọc (tìm, đọc, duyệt, kiểm tra) qua HTTP."""
    from luutru.web import create_app
    from luutru.web.server import default_workers, serve_waitress, serve_workers

    try:
        app = create_app(open_archive(archive_path, create=False), public=public,
                         config={"SESSION_COOKIE_SECURE": secure_cookies,
                                 "TRUSTED_PROXIES": 1 if behind_proxy else 0})
    except FileNotFoundError as exc:
        raise click.ClickException(str(exc)) from exc
    except (OSError, sqlite3.Error, AccountError, RuntimeError) as exc:  # RuntimeError: the key
        raise click.ClickException(f"Không mở được kho tài khoản hoặc khóa phiên: {exc}") from exc
    if not public and not app.extensions["luutru.accounts"].has_users():
        click.echo("Chưa ai đăng nhập được: thêm một tài khoản bằng "
                   "`luutru user add NAME --role admin`.", err=True)
    if not is_loopback(host):
        click.echo(f"Cảnh báo: đang lắng nghe trên {host}, không chỉ máy này; trên mạng không tin cậy hãy "
                   "phục vụ qua https (và dùng --secure-cookies).", err=True)
    workers = workers or default_workers()
    _warm_up(app, open_engine=workers == 1)
    shown = f"[{host}]" if ":" in host else host
    processes = f"{workers} tiến trình × {threads} luồng" if workers > 1 else f"{threads} luồng"
    click.echo(f"Phòng đọc luutru tại http://{shown}:{port}/ ({processes}; Ctrl+C để dừng)",
               err=True)
    if workers == 1:
        serve_waitress(app, host, port, threads)
    else:
        serve_workers(app, host, port, workers, threads)


def _warm_up(app, open_engine: bool) -> None:
    """Read the catalogue (and open the index, in a single process; workers open their own)
    before the first reader comes, not during their first request (a large catalogue takes
    seconds to read)."""
    from luutru.web.reading import backend, catalog

    started = time.perf_counter()
    with app.app_context():
        items = len(catalog().items)
        if open_engine:
            backend().get()
    click.echo(f"mục lục: đã đọc {items} văn bản trong {time.perf_counter() - started:.1f} giây", err=True)


# --- luutru user ------------------------------------------------------------------------------

@click.group("user")
def user_group() -> None:
    """Tài khoản phòng đọc: thêm, đổi mật khẩu, đặt vai trò hoặc quyền xem tài liệu mật, liệt kê."""


@user_group.command("add")
@click.argument("name")
@click.option("--role", type=ROLE, default="reader", show_default=True)
@click.option("--clearance", type=CLEARANCE, default="none", show_default=True,
              help="Độ mật cao nhất người dùng được đọc.")
@click.option("--password-stdin", is_flag=True, help="Đọc mật khẩu từ một dòng của stdin.")
@archive_option
def user_add(name: str, role: str, clearance: str, password_stdin: bool,
             archive_path: Path | None) -> None:
    """Thêm tài khoản NAME (hỏi mật khẩu; không có mật khẩu mặc định)."""
    accounts = _accounts(archive_path)
    if accounts.get(name) is not None:
        raise click.ClickException(f"đã có tài khoản tên {name!r}")
    password = _read_password(password_stdin)
    try:
        account = accounts.add_user(name, password, role, CLEARANCE_NAMES[clearance])
    except AccountError as exc:
        raise click.ClickException(str(exc)) from exc
    _audit(accounts, "user-add", account.username, f"role={role} clearance={clearance}")
    click.echo(f"Đã thêm {account.username} ({role}, quyền xem tài liệu mật {clearance}).")


@user_group.command("passwd")
@click.argument("name")
@click.option("--password-stdin", is_flag=True, help="Đọc mật khẩu từ một dòng của stdin.")
@archive_option
def user_passwd(name: str, password_stdin: bool, archive_path: Path | None) -> None:
    """Đặt mật khẩu mới cho NAME (đăng xuất họ ở mọi nơi)."""
    accounts = _accounts(archive_path)
    account = accounts.get(name)
    if account is None:
        raise click.ClickException(f"không có tài khoản tên {name!r}")
    name = account.username
    try:
        accounts.set_password(name, _read_password(password_stdin))
    except AccountError as exc:
        raise click.ClickException(str(exc)) from exc
    _audit(accounts, "user-passwd", name)
    click.echo(f"Đã đổi mật khẩu của {name}.")


@user_group.command("set")
@click.argument("name")
@click.option("--role", type=ROLE)
@click.option("--clearance", type=CLEARANCE)
@click.option("--disable/--enable", "disable", default=None,
              help="Khóa (hoặc mở lại) việc đăng nhập của tài khoản.")
@archive_option
def user_set(name: str, role: str | None, clearance: str | None, disable: bool | None,
             archive_path: Path | None) -> None:
    """Đổi vai trò, quyền xem tài liệu mật hoặc trạng thái của NAME (đăng xuất họ ở mọi nơi)."""
    if role is None and clearance is None and disable is None:
        raise click.UsageError("không có gì để đổi: hãy cho --role, --clearance, --disable hoặc --enable")
    accounts = _accounts(archive_path)
    account = accounts.get(name)
    if account is None:
        raise click.ClickException(f"không có tài khoản tên {name!r}")
    name, changes = account.username, []
    try:
        if role is not None:
            accounts.set_role(name, role)
            changes.append(f"role={role}")
        if clearance is not None:
            accounts.set_clearance(name, CLEARANCE_NAMES[clearance])
            changes.append(f"clearance={clearance}")
        if disable is not None:
            (accounts.disable if disable else accounts.enable)(name)
            changes.append("disabled" if disable else "enabled")  # audit detail: stable keys
    except AccountError as exc:
        raise click.ClickException(str(exc)) from exc
    _audit(accounts, "user-set", name, " ".join(changes))
    click.echo(f"{name}: {', '.join(changes)}.")


@user_group.command("list")
@archive_option
@json_option
def user_list(archive_path: Path | None, as_json: bool) -> None:
    """Mọi tài khoản cùng vai trò, quyền xem tài liệu mật và trạng thái."""
    users = _accounts(archive_path).list_users()
    if as_json:
        print_json({"users": [account.to_json() for account in users]})
        return
    if not users:
        click.echo("Chưa có tài khoản nào: thêm bằng `luutru user add NAME --role admin`.")
    for account in users:
        state = "" if account.active else "  (đã khóa)"
        click.echo(f"{account.username:<24} {account.role:<10} "
                   f"{clearance_name(account.clearance):<10} {account.updated}{state}")


# --- luutru audit -----------------------------------------------------------------------------

@click.command("audit")
@click.option("--limit", type=click.IntRange(min=1), default=100, show_default=True,
              help="Hiện N mục cuối.")
@click.option("--since", help="Chỉ các mục từ thời điểm UTC này (ISO, ví dụ 2026-11-23).")
@archive_option
@json_option
def audit_command(limit: int, since: str | None, archive_path: Path | None, as_json: bool) -> None:
    """Nhật ký phòng đọc: lượt xem tài liệu mật, đăng nhập, thay đổi tài khoản."""
    entries = _accounts(archive_path).audit_entries(limit=limit, since=since)
    if as_json:
        print_json({"entries": [entry.to_json() for entry in entries]})
        return
    for entry in entries:
        who = entry.username or "(anonymous)"
        line = f"{entry.time}  {who} [{entry.role}] {entry.action} {entry.target}"
        if entry.detail:
            line += f"  {entry.detail}"
        if entry.remote:
            line += f"  from {entry.remote}"
        click.echo(line)


COMMANDS: list = [serve_command, user_group, audit_command]
