"""The coordinator's side of distributed OCR: pages and PDFs sent to Celery workers, results collected.

:class:`CeleryExecutor` is an :class:`luutru.ocr.executors.Executor`: ``ocr_archive`` hands it the
pages as they come, and it yields each page's outcome as a worker reports it, so the report and
the progress bar work as with the local pool. When ``ocr_archive`` sees an original's last page
in, the executor sends that original's PDF to the workers too (a ``build_document`` task) instead
of building it here: the PDF/A build and check is most of what a coordinator would spend per
page, and a worker has the archive and the code to do it the same way. It keeps at most
``window`` tasks in flight (Redis holds only those, whatever the batch's size), skips pages
already read without sending anything, and polls the result store for all tasks in flight with
one MGET.

A task's id is derived from what it does (the page or original, the settings, the versions), so
the same work sent again (by a later run, after a coordinator was killed with pages queued) has
the same id and whichever copy finishes answers for both. Two coordinators never run on one
archive at once: :func:`luutru.ocr.pipeline.ocr_archive` holds the archive's OCR lock
(:mod:`luutru.ocr.runlock`).

A broker that goes away mid-batch is waited for (``reconnect_timeout``); after that the run stops
with :class:`luutru.ocr.celery_app.BrokerUnavailable`, and the next run does what is left. When it
comes back, the tasks in flight with no result are sent again: a message Redis dropped as it died
(taken off the queue by a worker that never got it) would otherwise be waited for forever. A copy
that finds its page read answers "skipped": since this coordinator sent the page unread, it was
read during this run, and is reported done.
"""

from __future__ import annotations

import hashlib
import json
import os
import time
import uuid
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, replace
from functools import partial
from typing import Any, TypeVar

from celery import states

from luutru.archive import Archive, PageRef, read_json
from luutru.ocr.celery_app import (ATTEMPTS_KEY, DOCUMENT_TASK_NAME, TASK_NAME,
                                   broker_error_types, broker_unavailable, job_message, make_app,
                                   publish_versions, redis_client, versions)
from luutru.ocr.pipeline import PROVENANCE, DocumentsBuilt, PageJob, PageOutcome, document_failed

WINDOW = int(os.environ.get("LUUTRU_CELERY_WINDOW", "512"))   # tasks in flight; ≥ 2 × all workers' processes
T = TypeVar("T")


@dataclass(frozen=True)
class _Task:
    """One task in flight: a page to read, or an original whose PDF to build."""

    name: str                        # TASK_NAME | DOCUMENT_TASK_NAME
    subject: str                     # the page's key "sha:index", or the original's sha256


class CeleryExecutor:
    """Pages read, and documents' PDFs built, by Celery workers through the Redis broker at
    ``broker_url``."""

    label = "OCR qua Celery"

    def __init__(self, broker_url: str, *, window: int = WINDOW, poll: float = 0.5,
                 max_poll: float = 2.0, reconnect_timeout: float = 60.0):
        self.broker_url = broker_url
        self.window, self.reconnect_timeout = window, reconnect_timeout
        self.poll, self.max_poll = poll, max(poll, max_poll)
        self._batch: _Batch | None = None
        self._broker_was_lost = False

    def map(self, job: PageJob, refs: Iterable[PageRef]) -> Iterator[PageOutcome | DocumentsBuilt]:
        app = make_app(self.broker_url)
        batch = self._batch = _Batch(self, app, job)
        self._call(lambda: publish_versions(app, batch.versions), timeout=5.0)  # a wrong URL: say so now
        last_look = time.monotonic()
        try:
            for ref in refs:
                if job.nothing_to_do(ref):           # nothing to send: the page is on disk
                    yield PageOutcome(ref.key, "skipped")
                    continue
                if job.already_read(ref):            # read before stamps were looked for
                    batch.stamps_only.add(ref.key)
                while len(batch.in_flight) >= self.window:
                    yield from batch.collect(wait=True)
                self._call(partial(batch.send, _Task(TASK_NAME, ref.key)))
                if time.monotonic() - last_look >= self.poll:
                    yield from batch.collect(wait=False)
                    last_look = time.monotonic()
            while batch.in_flight:                   # (build_documents may add to it meanwhile)
                yield from batch.collect(wait=True)
        finally:
            self._batch = None

    def build_documents(self, job: PageJob, originals: list[str]) -> list[dict[str, Any]]:
        """Send the PDF of each original with a page read in this run to the workers (its entry
        comes out of :meth:`map`); the others' PDFs are only checked, here, and built here if
        missing: a run again over an archive all read needs no worker."""
        batch = self._batch
        assert batch is not None, "build_documents is called while map runs"
        for sha in originals:
            if sha in batch.read_now:
                self._call(partial(batch.send, _Task(DOCUMENT_TASK_NAME, sha)))
        unread = [sha for sha in originals if sha not in batch.read_now]
        return job.build_documents(unread) if unread else []

    def _call(self, action: Callable[[], T], timeout: float | None = None) -> T:
        """``action`` again while Redis is away, up to ``reconnect_timeout`` seconds."""
        deadline = time.monotonic() + (self.reconnect_timeout if timeout is None else timeout)
        while True:
            try:
                return action()
            except broker_error_types() as error:
                self._broker_was_lost = True
                if time.monotonic() >= deadline:
                    raise broker_unavailable(self.broker_url, error) from error
                time.sleep(1.0)


class _Batch:
    """The tasks of one ``map`` call that are in flight, and how their results come back."""

    def __init__(self, executor: CeleryExecutor, app: Any, job: PageJob):
        self.executor, self.app, self.job = executor, app, job
        self.archive = Archive(job.root)
        self.redis = redis_client(app)
        self.message = job_message(job)
        self.versions = versions(job.model)
        self.in_flight: dict[str, _Task] = {}
        self.result_keys: dict[str, bytes] = {}  # task id -> its key in the result store
        self.read_now: set[str] = set()          # originals with a page read in this run
        self.stamps_only: set[str] = set()       # pages sent only to look for their stamps
        self.pause = executor.poll               # between two looks that found nothing
        self.redo_nonce = uuid.uuid4().hex if job.redo else ""

    def task_id(self, task: _Task) -> str:
        """The same work with the same settings gets the same id, in every run."""
        basis = json.dumps([task.name, task.subject, self.message, self.versions,
                            self.redo_nonce], sort_keys=True)
        return str(uuid.UUID(bytes=hashlib.sha256(basis.encode()).digest()[:16]))

    def send(self, task: _Task) -> None:
        task_id = self.task_id(task)
        key = self.app.backend.get_key_for_task(task_id)
        # an old result or attempt count under this id is from an earlier run: not this one's
        self.redis.delete(key, ATTEMPTS_KEY.format(task_id))
        self._publish(task_id, task)
        self.in_flight[task_id], self.result_keys[task_id] = task, key

    def _publish(self, task_id: str, task: _Task) -> None:
        # argsrepr: the workers' logs name the page, and Celery does not format the whole job
        self.app.send_task(task.name, args=[task.subject, self.message, self.versions],
                           task_id=task_id, argsrepr=repr(task.subject), kwargsrepr="{}")

    def collect(self, wait: bool) -> Iterator[PageOutcome | DocumentsBuilt]:
        """The results in by now; with ``wait``, at least one, looking every ``poll`` s, and
        less often (up to ``max_poll`` s) while nothing comes: a look costs the coordinator and
        Redis the same whether pages finish ten times a second or once a minute."""
        while True:
            ready = self.executor._call(self._ready)
            if self.executor._broker_was_lost:
                self.executor._call(self._send_again)
            for task_id, meta in ready:
                yield self._finish(task_id, meta)
            if ready:
                self.pause = self.executor.poll
            if ready or not wait or not self.in_flight:
                return
            time.sleep(self.pause)
            self.pause = min(2 * self.pause, self.executor.max_poll)

    def _ready(self) -> list[tuple[str, dict[str, Any]]]:
        ids = list(self.in_flight)
        values = self.redis.mget([self.result_keys[i] for i in ids])
        ready = []
        for task_id, value in zip(ids, values):
            if value is not None:
                meta = self.app.backend.decode_result(value)
                if meta["status"] in states.READY_STATES:
                    ready.append((task_id, meta))
        return ready

    def _send_again(self) -> None:
        """After the broker was away: the tasks in flight with no result, once more (see the
        module's docstring); their ids stay, so the first copy to finish answers."""
        self.executor._broker_was_lost = False
        ids = list(self.in_flight)
        values = self.redis.mget([self.result_keys[i] for i in ids])
        for task_id, value in zip(ids, values):
            if value is None:
                self._publish(task_id, self.in_flight[task_id])

    def _finish(self, task_id: str, meta: dict[str, Any]) -> PageOutcome | DocumentsBuilt:
        task = self.in_flight.pop(task_id)
        del self.result_keys[task_id]
        error = meta.get("result")
        failed = meta["status"] != states.SUCCESS
        if task.name == DOCUMENT_TASK_NAME:
            if failed:
                return DocumentsBuilt([document_failed(self.archive, task.subject,
                                                       "worker-error",
                                                       f"{type(error).__name__}: {error}")])
            return DocumentsBuilt(meta["result"])
        if failed:
            return PageOutcome(task.subject, "failed", "worker-error",
                               f"{type(error).__name__}: {error}")
        outcome = PageOutcome(**meta["result"])
        if outcome.status == "skipped" and outcome.page not in self.stamps_only:
            # sent unread: another copy of the task read it meanwhile
            outcome = replace(outcome, status="done", warnings=self._warnings(outcome.page))
        if outcome.status == "done":
            self.read_now.add(PageRef.parse(outcome.page).sha256)
        return outcome

    def _warnings(self, page: str) -> list[str]:
        """The warnings a page's provenance records (for a page another copy read)."""
        try:
            return read_json(self.archive.page_dir(PageRef.parse(page)) / PROVENANCE)["warnings"]
        except (OSError, ValueError, KeyError):
            return []
