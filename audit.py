"""The audit log: who saw or decided what, appended by the reading room and by commands alike.

The log is the ``audit`` table of ``archive/access/accounts.sqlite`` (directory 0700, file 0600),
beside the reading room's accounts (:mod:`luutru.web.accounts`). It is append-only: triggers
refuse every UPDATE and DELETE. Unlike the indexes it cannot be rebuilt from the record.

This module owns the store's file (where it is, how it is made private, how a connection is
opened) and the log; the accounts store adds its own tables to the same file.
"""

from __future__ import annotations

import getpass
import os
import sqlite3
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path

from luutru.archive import Archive

AUDIT_SCHEMA = """
CREATE TABLE IF NOT EXISTS audit (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    time TEXT NOT NULL,
    username TEXT NOT NULL,
    role TEXT NOT NULL,
    action TEXT NOT NULL,
    target TEXT NOT NULL,
    detail TEXT NOT NULL,
    remote TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS audit_time ON audit (time);
CREATE TRIGGER IF NOT EXISTS audit_no_update BEFORE UPDATE ON audit
    BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;
CREATE TRIGGER IF NOT EXISTS audit_no_delete BEFORE DELETE ON audit
    BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;
"""


@dataclass(frozen=True)
class AuditEntry:
    id: int
    time: str
    username: str
    role: str
    action: str
    target: str
    detail: str
    remote: str

    def to_json(self) -> dict:
        return dict(self.__dict__)


def now_iso() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="seconds")


def access_dir(archive: Archive) -> Path:
    """``archive/access/``, made private (0700) if it is not there yet."""
    directory = archive.access_dir
    directory.mkdir(mode=0o700, exist_ok=True)
    return directory


def accounts_path(archive: Archive) -> Path:
    return archive.access_dir / archive.ACCOUNTS


def connect(path: Path) -> sqlite3.Connection:
    """A connection to the store in autocommit mode (each statement is its own transaction); the
    file is made 0600 first if it is not there. WAL with synchronous=NORMAL: a crash of luutru
    loses nothing, a power cut at most the last moments of the log."""
    if not path.exists():
        os.close(os.open(path, os.O_CREAT | os.O_WRONLY, 0o600))
    db = sqlite3.connect(path, timeout=10, isolation_level=None, check_same_thread=True)
    db.execute("PRAGMA busy_timeout=10000")
    db.execute("PRAGMA synchronous=NORMAL")
    return db


def append(db: sqlite3.Connection, username: str, role: str, action: str, target: str,
           detail: str = "", remote: str = "") -> None:
    """Append one entry (``username`` '' for an anonymous reader)."""
    db.execute("INSERT INTO audit (time, username, role, action, target, detail, remote)"
               " VALUES (?, ?, ?, ?, ?, ?, ?)",
               (now_iso(), username, role, action, target, detail, remote or ""))


def entries(db: sqlite3.Connection, limit: int | None = 100,
            since: str | None = None) -> list[AuditEntry]:
    """The last ``limit`` entries (at or after the ISO time ``since``), oldest first."""
    sql, values = "SELECT * FROM audit", list[str | int]()
    if since:
        sql += " WHERE time >= ?"
        values.append(since)
    sql += " ORDER BY id DESC"
    if limit is not None:
        sql += " LIMIT ?"
        values.append(limit)
    rows = db.execute(sql, values).fetchall()
    return [AuditEntry(*row) for row in reversed(rows)]


def cli_audit(archive: Archive, action: str, target: str, detail: str = "") -> None:
    """An audit entry for a command typed at the archive's machine (an access decision, an
    imported review sheet changing a độ mật): the operating-system user, role ``cli``."""
    try:
        who = getpass.getuser()
    except (KeyError, OSError):
        who = f"uid:{os.getuid()}"
    access_dir(archive)
    db = connect(accounts_path(archive))
    try:
        db.execute("PRAGMA journal_mode=WAL")
        db.executescript(AUDIT_SCHEMA)
        append(db, who, "cli", action, target, detail)
    finally:
        db.close()
