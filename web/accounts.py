"""The reading room's accounts: one SQLite file per archive, shared with the audit log.

``archive/access/accounts.sqlite`` (directory 0700, file 0600) holds who may log in, with which
role and clearance, and an append-only log of who did what (every view of a classified item,
logins, account changes). Unlike the indexes it cannot be rebuilt from the record: back it up.

Passwords are hashed with argon2 (:class:`argon2.PasswordHasher`); a hash made with older
parameters is replaced at the next successful login. There is no default user and no default
password: the first account is made with ``luutru user add NAME --role admin``.

Each account carries a ``session_version``, bumped whenever its password, role or clearance
changes or it is disabled; a session cookie remembers the version it was issued for, so such a
change logs the person out everywhere. Each login is also a row of ``sessions`` (the SHA-256 of
a random token the cookie carries): logging out deletes the row, so a copy of the cookie taken
before the logout opens nothing afterwards.
"""

from __future__ import annotations

import hashlib
import os
import re
import secrets
import sqlite3
import threading
import time
from dataclasses import dataclass

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from luutru import audit
from luutru.archive import Archive
from luutru.access import CLEARANCE_NAMES
from luutru.audit import AuditEntry, access_dir, accounts_path, now_iso
from luutru.textnorm import nfc
from luutru.web.access import ROLES, User
from luutru.errors import LuutruError

SCHEMA_VERSION = 2
MIN_PASSWORD_LENGTH = 10
MAX_PASSWORD_LENGTH = 1024  # argon2 would hash a megabyte; nobody types one
_USERNAME = re.compile(r"[\w.@-]{1,64}")

_SCHEMA = audit.AUDIT_SCHEMA + """
CREATE TABLE IF NOT EXISTS users (
    username TEXT NOT NULL,
    username_key TEXT NOT NULL UNIQUE,
    role TEXT NOT NULL CHECK (role IN ('reader', 'editor', 'archivist', 'admin')),
    clearance INTEGER NOT NULL CHECK (clearance BETWEEN 0 AND 3),
    password_hash TEXT NOT NULL,
    active INTEGER NOT NULL DEFAULT 1,
    session_version INTEGER NOT NULL DEFAULT 1,
    created TEXT NOT NULL,
    updated TEXT NOT NULL
);
"""
# Version 2: server-side sessions (a logout ends the session, not only the browser's cookie).
_SESSIONS = """
CREATE TABLE IF NOT EXISTS sessions (
    token_hash TEXT PRIMARY KEY,
    username_key TEXT NOT NULL,
    created REAL NOT NULL
);
CREATE INDEX IF NOT EXISTS sessions_user ON sessions (username_key);
"""
SESSION_KEEP_SECONDS = 2 * 24 * 3600  # rows older than any session can live are removed


_OLD_ROLE_CHECK = "role IN ('reader', 'archivist', 'admin')"


def _allow_editor_role(db: sqlite3.Connection) -> None:
    """An accounts store made before the editor role (issue 19) refuses it in its CHECK: copy the
    users into a table whose CHECK allows it (SQLite cannot change a constraint in place)."""
    row = db.execute("SELECT sql FROM sqlite_master WHERE type = 'table' AND name = 'users'").fetchone()
    if row is None or _OLD_ROLE_CHECK not in row[0]:
        return
    create = re.sub(r"CREATE TABLE\s+(IF NOT EXISTS\s+)?\"?users\"?", "CREATE TABLE users_new",
                    row[0].replace(_OLD_ROLE_CHECK, "role IN ('reader', 'editor', 'archivist', 'admin')"),
                    count=1)
    db.executescript(f"BEGIN IMMEDIATE; DROP TABLE IF EXISTS users_new; {create}; "
                     "INSERT INTO users_new SELECT * FROM users; DROP TABLE users; "
                     "ALTER TABLE users_new RENAME TO users; COMMIT;")


class AccountError(LuutruError, ValueError):
    """An account operation that cannot be done; the message (English) says why."""


class PasswordTooShort(AccountError):
    def __init__(self) -> None:
        super().__init__(f"the password must have at least {MIN_PASSWORD_LENGTH} characters")


class UnknownUser(AccountError):
    def __init__(self, name: str) -> None:
        super().__init__(f"no user named {name!r}")


@dataclass(frozen=True)
class Account:
    """One row of the users table (without the password hash)."""

    username: str
    role: str
    clearance: int
    active: bool
    session_version: int
    created: str
    updated: str

    @property
    def user(self) -> User:
        """The person as the access check sees them."""
        return User(username=self.username, role=self.role, clearance=self.clearance)

    def to_json(self) -> dict:
        return {"username": self.username, "role": self.role, "clearance": self.clearance,
                "clearance_name": clearance_name(self.clearance), "active": self.active,
                "session_version": self.session_version, "created": self.created,
                "updated": self.updated}


def _token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def clearance_name(level: int) -> str:
    return {value: name for name, value in CLEARANCE_NAMES.items()}[level]


def username_key(name: str) -> str:
    """How a name is looked up: NFC, case-insensitive (``An`` and ``an`` are one account)."""
    return nfc(name).strip().casefold()


def check_username(name: str) -> str:
    name = nfc(name).strip()
    if not _USERNAME.fullmatch(name):
        raise AccountError("a user name is 1 to 64 letters, digits or . _ - @ (no spaces)")
    return name


def check_password(password: str) -> str:
    if len(password) < MIN_PASSWORD_LENGTH:
        raise PasswordTooShort()
    if len(password) > MAX_PASSWORD_LENGTH:
        raise AccountError(f"the password is longer than {MAX_PASSWORD_LENGTH} characters")
    return password


def check_role(role: str) -> str:
    if role not in ROLES:
        raise AccountError(f"unknown role {role!r}; use one of {', '.join(ROLES)}")
    return role


def check_clearance(clearance: int) -> int:
    if clearance not in CLEARANCE_NAMES.values():
        raise AccountError(f"unknown clearance {clearance!r}; use 0..3")
    return clearance


class Accounts:
    """The accounts store of one archive. Each thread has its own connection, kept open (every
    request of the reading room reads its user here), so one instance may be shared by the
    threads of the web server."""

    def __init__(self, archive: Archive, hasher: PasswordHasher | None = None):
        self.path = accounts_path(archive)
        self.hasher = hasher or PasswordHasher()
        self._dummy_hash: str | None = None
        self._local = threading.local()
        access_dir(archive)
        self._create()

    # --- storage ------------------------------------------------------------------------------

    def _create(self) -> None:
        db = self._connect()
        db.execute("PRAGMA journal_mode=WAL")
        version = db.execute("PRAGMA user_version").fetchone()[0]
        if version < SCHEMA_VERSION:  # idempotent: two processes creating it at once both succeed
            db.executescript(f"BEGIN IMMEDIATE; {_SCHEMA} {_SESSIONS} "
                             f"PRAGMA user_version={SCHEMA_VERSION}; COMMIT;")
        elif version > SCHEMA_VERSION:
            raise AccountError(f"{self.path} was written by a newer luutru "
                               f"(schema {version}, this one knows {SCHEMA_VERSION})")
        _allow_editor_role(db)

    def _connect(self) -> sqlite3.Connection:
        """This thread's connection (:func:`luutru.audit.connect`)."""
        held = getattr(self._local, "held", None)
        if held is None or held[0] != os.getpid():  # never a connection from before a fork
            held = self._local.held = (os.getpid(), audit.connect(self.path))
        return held[1]

    def close(self) -> None:
        """Close this thread's connection (``luutru serve`` does before it forks its workers)."""
        held = getattr(self._local, "held", None)
        if held is not None:
            self._local.held = None
            if held[0] == os.getpid():
                held[1].close()

    def _row(self, name: str) -> tuple | None:
        return self._connect().execute(
            "SELECT username, role, clearance, active, session_version, created, updated,"
            " password_hash FROM users WHERE username_key = ?", (username_key(name),)).fetchone()

    @staticmethod
    def _account(row: tuple) -> Account:
        return Account(row[0], row[1], row[2], bool(row[3]), row[4], row[5], row[6])

    def _update(self, name: str, assignments: str, values: tuple, bump: bool = True) -> None:
        sql = f"UPDATE users SET {assignments}, updated = ?"
        if bump:
            sql += ", session_version = session_version + 1"
        cursor = self._connect().execute(sql + " WHERE username_key = ?",
                                         (*values, now_iso(), username_key(name)))
        if cursor.rowcount == 0:
            raise UnknownUser(name)
        if bump:
            self.end_sessions(name)

    # --- accounts -----------------------------------------------------------------------------

    def add_user(self, name: str, password: str, role: str = "reader", clearance: int = 0) -> Account:
        name = check_username(name)
        password_hash = self.hasher.hash(check_password(password))
        stamp = now_iso()
        try:
            self._connect().execute("INSERT INTO users (username, username_key, role, clearance,"
                       " password_hash, created, updated) VALUES (?, ?, ?, ?, ?, ?, ?)",
                       (name, username_key(name), check_role(role),
                        check_clearance(clearance), password_hash, stamp, stamp))
        except sqlite3.IntegrityError as exc:
            raise AccountError(f"a user named {name!r} already exists") from exc
        return self.get(name)

    def set_password(self, name: str, password: str) -> None:
        self._update(name, "password_hash = ?", (self.hasher.hash(check_password(password)),))

    def set_role(self, name: str, role: str) -> None:
        self._update(name, "role = ?", (check_role(role),))

    def set_clearance(self, name: str, clearance: int) -> None:
        self._update(name, "clearance = ?", (check_clearance(clearance),))

    def disable(self, name: str) -> None:
        self._update(name, "active = ?", (0,))

    def enable(self, name: str) -> None:
        self._update(name, "active = ?", (1,))

    def get(self, name: str) -> Account | None:
        row = self._row(name)
        return self._account(row) if row else None

    def list_users(self) -> list[Account]:
        rows = self._connect().execute("SELECT username, role, clearance, active, session_version, created,"
                          " updated FROM users ORDER BY username_key").fetchall()
        return [self._account(row) for row in rows]

    def has_users(self) -> bool:
        return self._connect().execute("SELECT 1 FROM users LIMIT 1").fetchone() is not None

    def authenticate(self, name: str, password: str) -> Account | None:
        """The active account whose password this is, else None. An unknown or disabled name
        costs the same argon2 verification as a known one, so timing does not tell them apart."""
        dummy = self._dummy()  # made before the lookup: the first call is as slow for everyone
        row = self._row(name) if len(password) <= MAX_PASSWORD_LENGTH else None
        if row is None:
            self._verify(dummy, password)
            return None
        if not self._verify(row[7], password) or not row[3]:
            return None
        if self.hasher.check_needs_rehash(row[7]):
            self._update(row[0], "password_hash = ?", (self.hasher.hash(password),), bump=False)
        return self._account(row)

    def _verify(self, password_hash: str, password: str) -> bool:
        try:
            return self.hasher.verify(password_hash, password)
        except (VerificationError, InvalidHashError):
            return False

    def _dummy(self) -> str:
        if self._dummy_hash is None:
            self._dummy_hash = self.hasher.hash(os.urandom(16).hex())
        return self._dummy_hash

    # --- sessions -----------------------------------------------------------------------------

    def open_session(self, name: str) -> str:
        """A new session of the account: the token its cookie carries (only its hash is kept)."""
        token = secrets.token_urlsafe(32)
        db = self._connect()
        db.execute("DELETE FROM sessions WHERE created < ?", (time.time() - SESSION_KEEP_SECONDS,))
        db.execute("INSERT INTO sessions (token_hash, username_key, created) VALUES (?, ?, ?)",
                   (_token_hash(token), username_key(name), time.time()))
        return token

    def session_open(self, token: str | None, name: str) -> bool:
        """Is this the token of a session of ``name`` that has not been ended?"""
        if not token:
            return False
        return self._connect().execute(
            "SELECT 1 FROM sessions WHERE token_hash = ? AND username_key = ?",
            (_token_hash(token), username_key(name))).fetchone() is not None

    def end_session(self, token: str | None) -> None:
        if token:
            self._connect().execute("DELETE FROM sessions WHERE token_hash = ?",
                                    (_token_hash(token),))

    def end_sessions(self, name: str, keep: str | None = None) -> None:
        """End every session of ``name`` but ``keep`` (a password change keeps the one it was
        made in)."""
        self._connect().execute(
            "DELETE FROM sessions WHERE username_key = ? AND token_hash != ?",
            (username_key(name), _token_hash(keep) if keep else ""))

    # --- audit log ----------------------------------------------------------------------------

    def audit(self, username: str, role: str, action: str, target: str, detail: str = "",
              remote: str = "") -> None:
        """Append one entry to the audit log (:func:`luutru.audit.append`)."""
        audit.append(self._connect(), username, role, action, target, detail, remote)

    def audit_entries(self, limit: int | None = 100, since: str | None = None) -> list[AuditEntry]:
        """The last ``limit`` entries of the audit log, oldest first."""
        return audit.entries(self._connect(), limit, since)

