"""Preservation events (PREMIS): what was done to the holdings, when, by which software, with what
outcome. One event is one JSON file under ``preservation/events/``, written atomically, never
changed: a killed audit leaves no event or a whole one. The AIP export turns them into PREMIS XML.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from dataclasses import asdict, dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from luutru import __version__
from luutru.archive import Archive, read_json, write_json

AGENT = f"luutru {__version__}"


@dataclass
class Event:
    """``type`` from the PREMIS event type vocabulary (fixity check, replication, …)."""

    type: str
    outcome: str                      # "success" | "failure"
    detail: str
    objects: list[str] = field(default_factory=list)     # SHA-256 of the originals concerned;
    all_objects: bool = False                            # or every original (a full audit)
    date: str = ""
    id: str = ""
    agent: str = AGENT
    extra: dict[str, Any] = field(default_factory=dict)

    def concerns(self, sha256: str) -> bool:
        return self.all_objects or sha256 in self.objects


def events_dir(archive: Archive) -> Path:
    return archive.root / "preservation" / "events"


def now() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="microseconds").replace("+00:00", "Z")


def record_event(archive: Archive, event: Event) -> Event:
    """Store ``event`` (its date and id filled in); names sort by date."""
    event.date = event.date or now()
    event.id = event.id or str(uuid.uuid4())
    stamp = event.date.replace(":", "").replace("-", "")
    write_json(events_dir(archive) / f"{stamp}-{event.id}.json", asdict(event))
    return event


def iter_events(archive: Archive) -> Iterator[Event]:
    for path in sorted(events_dir(archive).glob("*.json")):
        try:
            yield Event(**read_json(path))
        except (OSError, ValueError, TypeError):
            continue  # not an event (a stray file): verify reports it
