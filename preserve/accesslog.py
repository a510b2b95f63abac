"""The reading room's audit log in the preservation packages, and back from them.

``access/accounts.sqlite`` holds two kinds of thing. The audit log (who saw or changed which
classified item, when, from where) is part of the archive's record: an archive that lost it with
a disk could no longer answer for who read its classified holdings, so each package carries the
entries about its hồ sơ, and ``luutru restore`` puts them back with their ids and times. The
accounts (argon2 password hashes), the open sessions and ``access/secret.key`` (which signs session
cookies) are credentials, not record: a package may leave the building (an offsite copy, another
archive system), and a password hash can be attacked offline and a signing key would let anyone
forge a session. They are never packed; after a restore an administrator makes the accounts again
(``luutru user add``) and everyone logs in anew.

An entry belongs to the hồ sơ its target names (an item id, an original's SHA-256 or one of its
pages, the fonds code for a fonds-wide decision); entries that name no hồ sơ (logins, account
changes) go in every package, so any complete set of packages restores the whole log.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterable
from pathlib import Path

from luutru import audit
from luutru.archive import Archive

AUDIT_NAME = "audit.jsonl"   # in a bag: data/metadata/access/audit.jsonl, one entry a line
_FIELDS = ("id", "time", "username", "role", "action", "target", "detail", "remote")


def read_audit(archive: Archive) -> list[dict]:
    """Every entry of the archive's audit log, oldest first ([] when it has none)."""
    if not audit.accounts_path(archive).exists():
        return []
    db = audit.connect(audit.accounts_path(archive))
    try:
        return [entry.to_json() for entry in audit.entries(db, limit=None)]
    except sqlite3.OperationalError:  # a store with no audit table yet
        return []
    finally:
        db.close()


def owners(units: Iterable) -> dict[str, set[str]]:
    """Each name an audit entry may target → the bags of the hồ sơ it belongs to."""
    owned: dict[str, set[str]] = {}
    for unit in units:
        names = {unit.fonds.code} | {o.sha256 for o in unit.originals}
        record = next((r for r in unit.fonds.files if r.code == unit.code), None)
        names |= {item.id for item in (record.items if record else [])}
        for name in names:
            owned.setdefault(name, set()).add(unit.bag_name)
    return owned


def entries_for(bag: str, entries: list[dict], owned: dict[str, set[str]]) -> list[dict]:
    """The entries package ``bag`` carries: its own, and those of no hồ sơ."""
    def carried(entry: dict) -> bool:
        target = entry["target"]
        bags = owned.get(target) or owned.get(target.partition(":")[0])
        return bags is None or bag in bags
    return [entry for entry in entries if carried(entry)]


def dump(entries: list[dict]) -> bytes:
    return "".join(json.dumps(e, ensure_ascii=False, sort_keys=True) + "\n"
                   for e in entries).encode("utf-8")


def load(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line]


def restore_audit(archive: Archive, entries: list[dict]) -> tuple[int, list[str]]:
    """Put ``entries`` (from any number of packages, repeats allowed) back in the audit log with
    their ids, in one transaction: a killed restore adds all of them or none. An id already
    there with the same entry is skipped (a second restore); with another entry it is a
    conflict, reported and left as it is. Returns (entries added, conflicts)."""
    unique = {e["id"]: tuple(e[f] for f in _FIELDS) for e in entries}
    if not unique:
        return 0, []
    audit.access_dir(archive)
    db = audit.connect(audit.accounts_path(archive))
    try:
        db.execute("PRAGMA journal_mode=WAL")
        db.executescript(audit.AUDIT_SCHEMA)
        db.execute("BEGIN IMMEDIATE")
        present = {row[0]: tuple(row) for row in db.execute(f"SELECT {', '.join(_FIELDS)} FROM audit")}
        new = [row for key, row in sorted(unique.items()) if key not in present]
        where = audit.accounts_path(archive).relative_to(archive.root)
        conflicts = [f"{where} audit #{key}" for key, row in sorted(unique.items())
                     if key in present and present[key] != row]
        db.executemany(f"INSERT INTO audit ({', '.join(_FIELDS)}) VALUES "
                       f"({', '.join('?' * len(_FIELDS))})", new)
        db.execute("COMMIT")
    finally:
        db.close()
    return len(new), conflicts
