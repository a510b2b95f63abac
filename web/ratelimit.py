"""Login rate-limit counters in a SQLite file, so every worker process of ``luutru serve`` counts
the same attempts.

Flask-Limiter keeps its counters in a :mod:`limits` storage; the in-memory one is per process,
so with N workers a password guesser would get N times the attempts. This storage registers the
URI scheme ``luutru-sqlite://`` with :mod:`limits` and keeps fixed-window counters in
``archive/access/ratelimit.sqlite`` (WAL; one row per key with its count and expiry; expired rows
are dropped as they are met and swept now and then). Only the fixed-window strategy is supported,
the one the reading room uses.

    Limiter(key_func, storage_uri=storage_uri(archive))
"""

from __future__ import annotations

import os
import sqlite3
import threading
import time
from contextlib import closing
from pathlib import Path
from urllib.parse import unquote, urlsplit

from limits.storage import Storage

from luutru.archive import Archive

SCHEME = "luutru-sqlite"
FILE_NAME = Archive.RATELIMIT
SWEEP_EVERY = 256  # increments between sweeps of expired rows

_SCHEMA = """
CREATE TABLE IF NOT EXISTS counters (
    key TEXT PRIMARY KEY,
    count INTEGER NOT NULL,
    expires REAL NOT NULL
) WITHOUT ROWID;
"""


def storage_uri(archive: Archive) -> str:
    """The limiter storage URI of ``archive`` (its ``access/`` directory must exist)."""
    return f"{SCHEME}://{archive.access_dir.resolve() / FILE_NAME}"


class SqliteStorage(Storage):
    """A :class:`limits.storage.Storage` on one SQLite file shared by processes.

    Each thread of each process has its own connection, opened on first use (a connection is
    never carried across a fork: the process id is part of what a connection is kept under).
    """

    STORAGE_SCHEME = [SCHEME]

    def __init__(self, uri: str | None = None, wrap_exceptions: bool = False, **options):
        super().__init__(uri, wrap_exceptions=wrap_exceptions, **options)
        parts = urlsplit(uri or "")
        self.path = Path(unquote(parts.netloc + parts.path))
        if not self.path.is_absolute():
            raise ValueError(f"{SCHEME}: the URI must name an absolute path, not {uri!r}")
        self._local = threading.local()
        self._increments = 0
        if not self.path.exists():
            os.close(os.open(self.path, os.O_CREAT | os.O_WRONLY, 0o600))
        with closing(sqlite3.connect(self.path, timeout=10, isolation_level=None)) as db:
            db.execute("PRAGMA journal_mode=WAL")  # made apart: no connection before a fork
            db.executescript(_SCHEMA)

    @property
    def base_exceptions(self) -> type[Exception]:
        return sqlite3.Error

    def _db(self) -> sqlite3.Connection:
        held = getattr(self._local, "held", None)
        if held is None or held[0] != os.getpid():
            db = sqlite3.connect(self.path, timeout=10, isolation_level=None)
            db.execute("PRAGMA busy_timeout=10000")
            db.execute("PRAGMA synchronous=NORMAL")
            held = self._local.held = (os.getpid(), db)
        return held[1]

    def incr(self, key: str, expiry: int, amount: int = 1) -> int:
        """Add ``amount`` to the key's count; a key that is new or expired starts a window of
        ``expiry`` seconds. One statement, so two processes never lose an increment."""
        now = time.time()
        row = self._db().execute(
            "INSERT INTO counters (key, count, expires) VALUES (?1, ?2, ?3)"
            " ON CONFLICT (key) DO UPDATE SET"
            "  count = CASE WHEN expires <= ?4 THEN ?2 ELSE count + ?2 END,"
            "  expires = CASE WHEN expires <= ?4 THEN ?3 ELSE expires END"
            " RETURNING count", (key, amount, now + expiry, now)).fetchone()
        self._increments += 1
        if self._increments % SWEEP_EVERY == 0:
            self._db().execute("DELETE FROM counters WHERE expires <= ?", (now,))
        return int(row[0])

    def get(self, key: str) -> int:
        row = self._db().execute("SELECT count FROM counters WHERE key = ? AND expires > ?",
                                 (key, time.time())).fetchone()
        return int(row[0]) if row else 0

    def get_expiry(self, key: str) -> float:
        row = self._db().execute("SELECT expires FROM counters WHERE key = ? AND expires > ?",
                                 (key, time.time())).fetchone()
        return float(row[0]) if row else time.time()

    def check(self) -> bool:
        try:
            self._db().execute("SELECT 1").fetchone()
        except sqlite3.Error:
            return False
        return True

    def reset(self) -> int | None:
        return self._db().execute("DELETE FROM counters").rowcount

    def clear(self, key: str) -> None:
        self._db().execute("DELETE FROM counters WHERE key = ?", (key,))
