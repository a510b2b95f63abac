"""The coordinator's side of distributed OCR: pages sent to Celery workers, outcomes collected.

:class:`CeleryExecutor` is an :class:`luutru.ocr.executors.Executor`: ``ocr_archive`` hands it the
pages as they come, and it yields each page's outcome as a worker reports it, so the report, the
progress bar and each original's PDF work as with the local pool. It keeps at most ``window``
pages in flight (Redis holds only those, whatever the batch's size), skips pages already read
without sending anything, and polls the result store for all pages in flight with one MGET.

**Two coordinators on one archive** (two ``luutru run`` at once, or one started while an earlier
one still has pages queued) never read a page twice: a page's task id is derived from the page
and its settings, and a coordinator sends a page only after claiming that id in Redis
(``SET NX``). A coordinator that finds the page claimed waits for the same task's result instead;
if the claim lapses without a result (its coordinator died before sending, or Redis lost the
message), it claims and sends the page itself. The claim only saves work: reading a page twice
would still leave the same files.

A broker that goes away mid-batch is waited for (``reconnect_timeout``); after that the run stops
with :class:`luutru.ocr.celery_app.BrokerUnavailable`, and the next run does what is left.
"""

from __future__ import annotations

import hashlib
import json
import os
import socket
import time
import uuid
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from functools import partial
from typing import Any, TypeVar

from celery import states

from luutru.archive import PageRef
from luutru.ocr.celery_app import (ATTEMPTS_KEY, TASK_NAME, broker_error_types,
                                   broker_unavailable, job_message, make_app, publish_versions,
                                   redis_client, versions)
from luutru.ocr.pipeline import PageJob, PageOutcome

WINDOW = int(os.environ.get("LUUTRU_CELERY_WINDOW", "512"))   # pages in flight; ≥ 2 × all workers' processes
CLAIM_KEY = "luutru:claim:{}"
# A claim is released when its result is in. A page whose claim lapses with no result is sent
# again, by whichever coordinator waits for it: its coordinator died between claim and send, or
# Redis lost the message (a Redis killed just as a worker took the message off the queue: kombu's
# Redis transport loses it then). It must be longer than a page waits in the queue (``window``
# pages ahead of it: 512 pages for one worker process at 0.45 pages/s is 19 minutes), or the page is
# sent twice (the second copy finds it read and skips it).
CLAIM_TTL = float(os.environ.get("LUUTRU_CLAIM_TTL", "3600"))
RECLAIM_EVERY = 5.0                  # seconds between looks for lapsed claims
T = TypeVar("T")


@dataclass
class _InFlight:
    ref: PageRef
    mine: bool                       # sent by this coordinator (else: waiting on another's)


class CeleryExecutor:
    """Pages read by Celery workers through the Redis broker at ``broker_url``."""

    label = "OCR qua Celery"

    def __init__(self, broker_url: str, *, window: int = WINDOW, poll: float = 0.5,
                 reconnect_timeout: float = 60.0, claim_ttl: float = CLAIM_TTL):
        self.broker_url, self.claim_ttl = broker_url, claim_ttl
        self.window, self.poll, self.reconnect_timeout = window, poll, reconnect_timeout
        self.owner = f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:8]}"

    def map(self, job: PageJob, refs: Iterable[PageRef]) -> Iterator[PageOutcome]:
        app = make_app(self.broker_url)
        batch = _Batch(self, app, job)
        self._call(lambda: publish_versions(app, batch.versions), timeout=5.0)  # a wrong URL: say so now
        last_look = time.monotonic()
        for ref in refs:
            if job.already_read(ref):            # nothing to send: the page is on disk
                yield PageOutcome(ref.key, "skipped")
                continue
            while len(batch.in_flight) >= self.window:
                yield from batch.collect(wait=True)
            self._call(partial(batch.submit, ref))
            if time.monotonic() - last_look >= self.poll:
                yield from batch.collect(wait=False)
                last_look = time.monotonic()
        while batch.in_flight:
            yield from batch.collect(wait=True)

    def _call(self, action: Callable[[], T], timeout: float | None = None) -> T:
        """``action`` again while Redis is away, up to ``reconnect_timeout`` seconds."""
        deadline = time.monotonic() + (self.reconnect_timeout if timeout is None else timeout)
        while True:
            try:
                return action()
            except broker_error_types() as error:
                if time.monotonic() >= deadline:
                    raise broker_unavailable(self.broker_url, error) from error
                time.sleep(1.0)


class _Batch:
    """The pages of one ``map`` call that are in flight, and how their outcomes come back."""

    def __init__(self, executor: CeleryExecutor, app: Any, job: PageJob):
        self.executor, self.app, self.job = executor, app, job
        self.redis = redis_client(app)
        self.message = job_message(job)
        self.versions = versions(job.model)
        self.in_flight: dict[str, _InFlight] = {}
        self.redo_nonce = uuid.uuid4().hex if job.redo else ""
        self.last_reclaim = time.monotonic()

    def task_id(self, ref: PageRef) -> str:
        """The same page with the same settings gets the same id on every coordinator."""
        basis = json.dumps([ref.key, self.message, self.versions, self.redo_nonce], sort_keys=True)
        return str(uuid.UUID(bytes=hashlib.sha256(basis.encode()).digest()[:16]))

    def submit(self, ref: PageRef) -> None:
        task_id = self.task_id(ref)
        self.in_flight[task_id] = _InFlight(ref, mine=self._claim_and_send(task_id, ref))

    def _claim_and_send(self, task_id: str, ref: PageRef) -> bool:
        key, owner = CLAIM_KEY.format(task_id), self.executor.owner
        if not (self.redis.set(key, owner, nx=True, px=int(1000 * self.executor.claim_ttl))
                or self.redis.get(key) == owner.encode()):   # ours: a send the broker cut short
            return False                         # another coordinator sent it: wait for its result
        # an old result or attempt count under this id is from an earlier run: not this one's
        self.redis.delete(self.app.backend.get_key_for_task(task_id), ATTEMPTS_KEY.format(task_id))
        self.app.send_task(TASK_NAME, args=[ref.key, self.message, self.versions],
                           task_id=task_id)
        return True

    def collect(self, wait: bool) -> Iterator[PageOutcome]:
        """The outcomes in by now; with ``wait``, at least one (polling every ``poll`` s)."""
        while True:
            ready = self.executor._call(self._ready)
            for task_id, meta in ready:
                yield self._finish(task_id, meta)
            if ready or not wait or not self.in_flight:
                return
            if time.monotonic() - self.last_reclaim >= RECLAIM_EVERY:
                self.executor._call(self._reclaim_lapsed)
            time.sleep(self.executor.poll)

    def _ready(self) -> list[tuple[str, dict[str, Any]]]:
        ids = list(self.in_flight)
        values = self.redis.mget([self.app.backend.get_key_for_task(i) for i in ids])
        ready = []
        for task_id, value in zip(ids, values):
            if value is not None:
                meta = self.app.backend.decode_result(value)
                if meta["status"] in states.READY_STATES:
                    ready.append((task_id, meta))
        return ready

    def _finish(self, task_id: str, meta: dict[str, Any]) -> PageOutcome:
        flight = self.in_flight.pop(task_id)
        if flight.mine:
            self.executor._call(lambda: self.redis.delete(CLAIM_KEY.format(task_id)))
        if meta["status"] == states.SUCCESS:
            return PageOutcome(**meta["result"])
        error = meta.get("result")
        return PageOutcome(flight.ref.key, "failed", "worker-error",
                           f"{type(error).__name__}: {error}")

    def _reclaim_lapsed(self) -> None:
        """Send again the pages in flight whose claim lapsed with no result (see CLAIM_TTL)."""
        self.last_reclaim = time.monotonic()
        for task_id, flight in self.in_flight.items():
            if not self.redis.exists(CLAIM_KEY.format(task_id)):
                flight.mine = self._claim_and_send(task_id, flight.ref)
