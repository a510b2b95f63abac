"""The reading room's accounts store and audit log, and the ``luutru user``/``audit`` commands:
real SQLite in the archive, real argon2 (cheap parameters, so the tests stay fast)."""

from __future__ import annotations

import json
import socket
import sqlite3
import stat
import subprocess
import sys
import time
import urllib.error
import urllib.request

import pytest
from argon2 import PasswordHasher
from click.testing import CliRunner

from luutru.cli import cli
from luutru.web.accounts import AccountError, Accounts, PasswordTooShort, accounts_path
from luutru.web.cli import is_loopback

FAST = PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1)
PASSWORD = "mật khẩu đủ dài"


@pytest.fixture
def accounts(archive) -> Accounts:
    return Accounts(archive, hasher=FAST)


def test_store_is_private_and_versioned(archive, accounts):
    path = accounts_path(archive)
    assert stat.S_IMODE(path.parent.stat().st_mode) == 0o700
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    with sqlite3.connect(path) as db:
        assert db.execute("PRAGMA user_version").fetchone()[0] == 2  # 2: server-side sessions
        assert db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"


def test_no_default_user(accounts):
    assert accounts.list_users() == []
    assert not accounts.has_users()


def test_add_and_authenticate_case_insensitive_nfc(accounts):
    decomposed = "Nguye\u0302\u0303n"  # "Nguyễn" typed with combining marks
    account = accounts.add_user(decomposed, PASSWORD, "archivist", 1)
    assert account.username == "Nguyễn"
    assert (account.role, account.clearance, account.active) == ("archivist", 1, True)
    found = accounts.authenticate("nguyễn", PASSWORD)
    assert found is not None and found.user.username == "Nguyễn"
    assert accounts.authenticate("Nguyễn", PASSWORD + "x") is None
    assert accounts.authenticate("ai-đó", PASSWORD) is None


def test_password_hashed_with_argon2_never_stored_plain(archive, accounts):
    accounts.add_user("an", PASSWORD)
    with sqlite3.connect(accounts_path(archive)) as db:
        (stored,) = db.execute("SELECT password_hash FROM users").fetchone()
    assert stored.startswith("$argon2id$") and PASSWORD not in stored


def test_duplicate_and_invalid_accounts_refused(accounts):
    accounts.add_user("an", PASSWORD)
    with pytest.raises(AccountError, match="already exists"):
        accounts.add_user("AN", PASSWORD)
    with pytest.raises(PasswordTooShort):
        accounts.add_user("binh", "ngắn")
    with pytest.raises(AccountError, match="role"):
        accounts.add_user("binh", PASSWORD, role="god")
    with pytest.raises(AccountError, match="clearance"):
        accounts.add_user("binh", PASSWORD, clearance=4)
    with pytest.raises(AccountError, match="user name"):
        accounts.add_user("hai từ", PASSWORD)
    assert [a.username for a in accounts.list_users()] == ["an"]


def test_rehash_when_parameters_change(archive, accounts):
    accounts.add_user("an", PASSWORD)
    stronger = PasswordHasher(time_cost=2, memory_cost=2048, parallelism=1)
    upgraded = Accounts(archive, hasher=stronger)
    assert upgraded.authenticate("an", PASSWORD) is not None
    with sqlite3.connect(accounts_path(archive)) as db:
        (stored,) = db.execute("SELECT password_hash FROM users").fetchone()
    assert not stronger.check_needs_rehash(stored)
    assert "t=2" in stored
    assert upgraded.get("an").session_version == 1  # a rehash does not log anyone out


def test_changes_bump_session_version(accounts):
    accounts.add_user("an", PASSWORD)
    versions = [accounts.get("an").session_version]
    for change in (lambda: accounts.set_password("an", PASSWORD + "!"),
                   lambda: accounts.set_role("an", "admin"),
                   lambda: accounts.set_clearance("an", 3),
                   lambda: accounts.disable("an")):
        change()
        versions.append(accounts.get("an").session_version)
    assert versions == sorted(set(versions)) and len(versions) == 5
    account = accounts.get("an")
    assert (account.role, account.clearance, account.active) == ("admin", 3, False)


def test_disabled_user_cannot_log_in_until_enabled(accounts):
    accounts.add_user("an", PASSWORD)
    accounts.disable("an")
    assert accounts.authenticate("an", PASSWORD) is None
    accounts.enable("an")
    assert accounts.authenticate("an", PASSWORD) is not None


def test_changing_unknown_user_is_an_error(accounts):
    with pytest.raises(AccountError, match="no user"):
        accounts.set_role("ai", "admin")


def test_audit_is_append_only(archive, accounts):
    accounts.audit("an", "reader", "view-item", "PHONG-31/HS-1991-011/1", remote="10.0.0.1")
    accounts.audit("", "public", "login-failed", "binh")
    entries = accounts.audit_entries()
    assert [(e.username, e.action, e.target) for e in entries] == [
        ("an", "view-item", "PHONG-31/HS-1991-011/1"), ("", "login-failed", "binh")]
    assert entries[0].remote == "10.0.0.1" and entries[0].time.endswith("+00:00")
    assert [e.action for e in accounts.audit_entries(limit=1)] == ["login-failed"]
    assert accounts.audit_entries(since="9999") == []
    with sqlite3.connect(accounts_path(archive)) as db:
        with pytest.raises(sqlite3.DatabaseError, match="append-only"):
            db.execute("DELETE FROM audit")
        with pytest.raises(sqlite3.DatabaseError, match="append-only"):
            db.execute("UPDATE audit SET username = 'x'")
    assert len(accounts.audit_entries()) == 2


# --- the command line -------------------------------------------------------------------------

def run(archive, *args, input=None):
    return CliRunner().invoke(cli, [*args, "-a", str(archive.root)], input=input)


def test_cli_user_add_from_stdin_and_list_json(archive):
    result = run(archive, "user", "add", "Lan", "--role", "archivist", "--clearance", "toi-mat",
                 "--password-stdin", input=PASSWORD + "\n")
    assert result.exit_code == 0, result.output
    listed = run(archive, "user", "list", "--json")
    assert listed.exit_code == 0
    users = json.loads(listed.output)["users"]
    assert [(u["username"], u["role"], u["clearance"], u["clearance_name"], u["active"])
            for u in users] == [("Lan", "archivist", 2, "toi-mat", True)]
    assert "password" not in listed.output.lower()
    assert Accounts(archive).authenticate("lan", PASSWORD) is not None


def test_cli_prompts_twice_and_refuses_short_passwords(archive):
    result = run(archive, "user", "add", "lan", input="ngắn quá\nngắn quá\n")
    assert result.exit_code == 1
    assert "at least 10 characters" in result.output
    assert run(archive, "user", "add", "lan", input=f"{PASSWORD}\nkhác hẳn đi\n").exit_code != 0
    assert Accounts(archive, hasher=FAST).list_users() == []
    result = run(archive, "user", "add", "lan", input=f"{PASSWORD}\n{PASSWORD}\n")
    assert result.exit_code == 0, result.output


def test_cli_passwd_set_and_audit(archive):
    accounts = Accounts(archive, hasher=FAST)
    accounts.add_user("lan", PASSWORD)
    assert run(archive, "user", "passwd", "LAN", "--password-stdin",
               input="một mật khẩu mới\n").exit_code == 0
    assert accounts.authenticate("lan", "một mật khẩu mới") is not None
    result = run(archive, "user", "set", "lan", "--role", "admin", "--clearance", "mat", "--disable")
    assert result.exit_code == 0, result.output
    account = accounts.get("lan")
    assert (account.role, account.clearance, account.active) == ("admin", 1, False)
    assert run(archive, "user", "set", "lan", "--enable").exit_code == 0
    assert accounts.get("lan").active
    log = json.loads(run(archive, "audit", "--json").output)["entries"]
    assert [(e["action"], e["target"]) for e in log] == [
        ("user-passwd", "lan"), ("user-set", "lan"), ("user-set", "lan")]
    assert "disabled" in log[1]["detail"]
    assert "user-passwd lan" in run(archive, "audit", "--limit", "5").output


def test_cli_errors_are_clear(archive, tmp_path):
    assert "không có tài khoản tên" in run(archive, "user", "passwd", "ai", "--password-stdin",
                                  input=PASSWORD + "\n").output
    result = run(archive, "user", "set", "ai", "--role", "admin")
    assert result.exit_code == 1 and "không có tài khoản tên" in result.output
    assert run(archive, "user", "set", "ai").exit_code == 1  # nothing to change: a usage error
    missing = CliRunner().invoke(cli, ["user", "list", "-a", str(tmp_path / "nowhere")])
    assert missing.exit_code == 1 and "not a luutru archive" in missing.output


def test_serve_refuses_a_missing_archive(tmp_path):
    result = CliRunner().invoke(cli, ["serve", "-a", str(tmp_path / "nowhere")])
    assert result.exit_code == 1 and "not a luutru archive" in result.output


def test_loopback_hosts():
    assert all(is_loopback(host) for host in ("127.0.0.1", "::1", "localhost", "127.0.0.2"))
    assert not any(is_loopback(host) for host in ("0.0.0.0", "192.168.1.10", "::", "archive.lan"))


def fetch_when_up(url: str, timeout: float = 30) -> str:
    deadline = time.monotonic() + timeout
    while True:
        try:
            with urllib.request.urlopen(url, timeout=5) as response:
                return response.read().decode()
        except urllib.error.URLError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.1)


def test_serve_says_where_and_how_to_add_a_user(archive):
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    command = [sys.executable, "-m", "luutru.cli", "serve", "-a", str(archive.root),
               "--port", str(port), "--workers", "2", "--threads", "2"]
    process = subprocess.Popen(command, stderr=subprocess.PIPE, stdout=subprocess.DEVNULL,
                               text=True)
    try:
        lines = [process.stderr.readline() for _ in range(3)]
        assert 'id="login-form"' in fetch_when_up(f"http://127.0.0.1:{port}/login")
    finally:
        process.terminate()
        process.wait(timeout=10)
        process.stderr.close()
    assert "luutru user add NAME --role admin" in lines[0]
    assert lines[1].startswith("mục lục: đã đọc 0 văn bản trong ")   # read before it listens
    assert lines[2].strip() == (f"Phòng đọc luutru tại http://127.0.0.1:{port}/ "
                                "(2 tiến trình × 2 luồng; Ctrl+C để dừng)")
