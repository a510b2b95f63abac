"""The Celery side of distributed OCR: the app, its two tasks, and the version check.

Both ends use this module: the coordinator (:mod:`luutru.ocr.celery_executor`) sends
``luutru.ocr.read_page`` tasks (one per page) and, once an original's last page is in, a
``luutru.ocr.build_document`` task (its searchable PDF); a worker (``luutru worker``) runs them.
Redis is the broker and the result store. What Celery and Redis give, and what luutru adds:

- one task per page, acknowledged only after the page is written (``acks_late``), and put back
  on the queue when the process reading it dies (``reject_on_worker_lost``) or when a whole
  worker machine vanishes (Redis's visibility timeout: an unacknowledged message goes back after
  :data:`VISIBILITY_TIMEOUT` seconds);
- retries with exponential back-off and jitter for errors that may pass (the shared filesystem
  away, an unexpected exception): :data:`MAX_RETRIES`, then the page is reported failed, so it
  lands on the "needs a person" list (exit 2);
- a page that kills its reader again and again is stopped after :data:`MAX_ATTEMPTS` attempts
  (a counter in Redis), instead of being redelivered forever;
- a worker reads only for a coordinator with the same code, Tesseract and model: the coordinator
  publishes its :func:`versions` in Redis (checked when a worker starts) and sends them with every
  task (checked before each page); a worker that differs puts the page back and stops.

A page's reading is idempotent (its ``ocr.json`` is written last, every file by rename), so a page
read twice after a redelivery costs time, never correctness. A second copy of a document task
that finds the PDF built by the first returns the first's result (the built PDF's entry), so the
coordinator reports what was built, whichever copy it hears from.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
from dataclasses import asdict, fields
from functools import lru_cache
from pathlib import Path
from typing import Any

from celery import Celery
from celery.backends.redis import RedisBackend
from celery.exceptions import Reject

import luutru
from luutru.archive import Archive, PageRef
from luutru.errors import LuutruError
from luutru.ocr.cleanup import CleanupOptions
from luutru.ocr.engine import tesseract_version
from luutru.ocr.executors import PAGES_PER_PROCESS, ExecutorUnavailable, limit_threads
from luutru.ocr.models import ModelLocation, ModelMissing, locate
from luutru.ocr.pipeline import (PIPELINE_VERSION, OcrOptions, PageJob, PageOutcome,
                                 document_failed)

BROKER_ENV = "LUUTRU_BROKER_URL"
TASK_NAME = "luutru.ocr.read_page"
DOCUMENT_TASK_NAME = "luutru.ocr.build_document"
QUEUE = "luutru.ocr"
VERSIONS_KEY = "luutru:coordinator-versions"
ATTEMPTS_KEY = "luutru:attempts:{}"
# Seconds a page may stay unacknowledged before Redis hands it to another worker. It must be
# longer than the slowest page (a 600 dpi broadsheet: about a minute), or a slow page is read
# twice; it is also how long the pages of a worker machine that vanished wait to be redelivered
# (a killed worker process is noticed at once by its parent).
VISIBILITY_TIMEOUT = float(os.environ.get("LUUTRU_VISIBILITY_TIMEOUT", "600"))
MAX_RETRIES = 3                      # transient errors: retried after ~2, 4, 8 s
RETRY_REASONS = {"ocr-error"}        # an unexpected exception: maybe the filesystem, maybe not
MAX_ATTEMPTS = MAX_RETRIES + 3       # + the first try + two lost workers
RESULT_TTL = 24 * 3600               # results (and attempt counters) kept a day in Redis

log = logging.getLogger(__name__)


class BrokerUnavailable(ExecutorUnavailable):
    """Redis cannot be reached (the message is for people)."""


class WorkerRefused(LuutruError):
    """This worker must not read for the coordinator: other code, Tesseract or model."""


def broker_error_types() -> tuple[type[BaseException], ...]:
    """What a lost or refused Redis connection raises, through redis-py or kombu."""
    import redis.exceptions
    from kombu.exceptions import OperationalError

    return (redis.exceptions.ConnectionError, redis.exceptions.TimeoutError, OperationalError,
            ConnectionError)


def broker_unavailable(url: str, error: BaseException) -> BrokerUnavailable:
    return BrokerUnavailable(f"Không kết nối được tới Redis ({_without_password(url)}): "
                             f"{str(error).rstrip('.')}. "
                             "Kiểm tra redis-server và --broker (hoặc $LUUTRU_BROKER_URL), rồi "
                             "chạy lại lệnh: các trang đã đọc được giữ nguyên.")


def _without_password(url: str) -> str:
    scheme, sep, rest = url.partition("://")
    return f"{scheme}{sep}{rest.rpartition('@')[2]}" if "@" in rest else url


# --- the app ------------------------------------------------------------------------------------

def make_app(broker_url: str, archive_root: str | None = None) -> Celery:
    """A Celery app on ``broker_url`` (Redis, also the result store); ``archive_root``: where this
    worker sees the archive (a coordinator passes none)."""
    app = Celery("luutru", broker=broker_url, backend=f"{__name__}:PolledRedisBackend+{broker_url}",
                 set_as_current=False)
    restore_every = max(1.0, min(10.0, VISIBILITY_TIMEOUT / 4))
    app.conf.update(
        task_serializer="json", result_serializer="json", accept_content=["json"],
        task_default_queue=QUEUE,
        task_acks_late=True, task_reject_on_worker_lost=True,
        worker_prefetch_multiplier=1,            # a worker holds only the pages it is reading
        worker_max_tasks_per_child=PAGES_PER_PROCESS,
        worker_send_task_events=False, task_send_sent_event=False,
        result_expires=RESULT_TTL,
        result_backend_always_retry=True, result_backend_max_retries=30,
        broker_connection_retry_on_startup=True,
        broker_transport_options={"visibility_timeout": VISIBILITY_TIMEOUT,
                                  "unacked_restore_interval": restore_every,
                                  "unacked_restore_throttle": 1,
                                  "socket_connect_timeout": 5, "socket_timeout": 30},
        redis_socket_connect_timeout=5, redis_socket_timeout=30,
        luutru_archive=archive_root,
    )
    for name, task in ((TASK_NAME, read_page), (DOCUMENT_TASK_NAME, build_document)):
        app.task(name=name, bind=True, acks_late=True, reject_on_worker_lost=True,
                 autoretry_for=(OSError,), retry_backoff=2, retry_backoff_max=60,
                 retry_jitter=True, max_retries=MAX_RETRIES)(task)
    return app


class PolledRedisBackend(RedisBackend):
    """Celery's Redis result store, without the pub/sub channel it subscribes to for each task
    sent: the coordinator reads the results of all its tasks in flight with one MGET per poll,
    so those channels' messages would only pile up unread (and the list of channels, which Celery
    subscribes to again after a reconnection, would grow by one per page for the whole batch)."""

    def on_task_call(self, producer: Any, task_id: str) -> None:
        """Nothing to subscribe to (see the class)."""


def redis_client(app: Celery) -> Any:
    """The Redis connection of the app's result store (the same server as the broker)."""
    return app.backend.client


# --- what a worker and its coordinator must share -----------------------------------------------

@lru_cache(maxsize=1)
def code_fingerprint() -> str:
    """SHA-256 of luutru's Python sources (tests and benchmarks aside): any change in the code
    that reads a page changes it, whatever the version number says."""
    root = Path(luutru.__file__).parent
    digest = hashlib.sha256()
    for path in sorted(root.rglob("*.py")):
        relative = path.relative_to(root)
        if relative.parts[0] in ("tests", "bench") or "__pycache__" in relative.parts:
            continue
        digest.update(str(relative).encode() + b"\0" + path.read_bytes() + b"\0")
    return digest.hexdigest()


def versions(model: ModelLocation) -> dict[str, Any]:
    """What decides a page's bytes beyond its settings: code, Tesseract and the model file."""
    return {"luutru": luutru.__version__, "code": code_fingerprint(),
            "pipeline": PIPELINE_VERSION, "tesseract": tesseract_version(),
            "model": model.name, "model_sha256": model.sha256}


_LABELS = {"luutru": "phiên bản luutru", "code": "mã nguồn luutru (sha256)",
           "pipeline": "phiên bản quy trình đọc", "tesseract": "phiên bản Tesseract",
           "model": "mô hình OCR", "model_sha256": "mã kiểm tra sha256 của mô hình"}


def check_versions(coordinator: dict[str, Any]) -> None:
    """Raise :class:`WorkerRefused` (Vietnamese) unless this machine reads as the coordinator."""
    name = coordinator.get("model", "")
    try:
        mine = _local_versions(name)
    except ModelMissing as error:
        raise WorkerRefused(f"Máy đọc từ chối: máy này không có đúng mô hình OCR {name!r} của "
                            f"điều phối viên (sha256 {coordinator.get('model_sha256')}): "
                            f"{error}") from error
    differ = [f"{_LABELS.get(key, key)}: máy này {mine.get(key)!s:.16}…, điều phối viên "
              f"{coordinator.get(key)!s:.16}…"
              for key in sorted(set(mine) | set(coordinator)) if mine.get(key) != coordinator.get(key)]
    if differ:
        raise WorkerRefused("Máy đọc từ chối đọc cho điều phối viên này vì khác "
                            + "; ".join(differ)
                            + ". Cài cùng phiên bản luutru và cùng mô hình trên mọi máy.")


@lru_cache(maxsize=4)
def _local_versions(model_name: str) -> dict[str, Any]:
    return versions(locate(model_name))


def check_worker_can_start(app: Celery) -> None:
    """At a worker's start: compare with what the last coordinator published, if any."""
    try:
        published = redis_client(app).get(VERSIONS_KEY)
    except broker_error_types() as error:
        raise broker_unavailable(app.conf.broker_url, error) from error
    if published:
        check_versions(json.loads(published))


def publish_versions(app: Celery, mine: dict[str, Any]) -> None:
    """The coordinator's versions, for workers that start later (each task carries them too)."""
    redis_client(app).set(VERSIONS_KEY, json.dumps(mine, sort_keys=True))


# --- the job as a message -----------------------------------------------------------------------

def job_message(job: PageJob) -> dict[str, Any]:
    """A batch's :class:`PageJob` as JSON: no paths, since each machine mounts the archive and
    keeps its models where it likes; the settings let the worker check it rebuilt the same."""
    cleanup = {f.name: getattr(job.options.cleanup, f.name) for f in fields(CleanupOptions)
               if f.name != "debug_dir"}
    cleanup["disabled"] = sorted(cleanup["disabled"])
    cleanup["stamp_hues"] = list(cleanup["stamp_hues"])
    return {"cleanup": cleanup, "debug_images": job.options.debug_images,
            "tesseract_config": job.options.tesseract_config, "model": job.model.name,
            "redo": job.redo, "settings": job.options.settings(job.model)}


def job_from_message(message: dict[str, Any], root: str) -> PageJob:
    cleanup = dict(message["cleanup"], disabled=frozenset(message["cleanup"]["disabled"]),
                   stamp_hues=tuple(message["cleanup"]["stamp_hues"]))
    options = OcrOptions(cleanup=CleanupOptions(**cleanup), debug_images=message["debug_images"],
                         tesseract_config=message["tesseract_config"])
    job = PageJob(root, options, locate(message["model"]), message["redo"])
    if options.settings(job.model) != message["settings"]:
        raise WorkerRefused("Máy đọc hiểu thiết lập đọc khác với điều phối viên: "
                            f"{options.settings(job.model)} ≠ {message['settings']}")
    return job


# --- the tasks ----------------------------------------------------------------------------------

def read_page(task: Any, page: str, job: dict[str, Any], coordinator: dict[str, Any]) -> dict:
    """Read one page into the shared archive and return its :class:`PageOutcome` as a dict."""
    page_job = _checked_job(task, job, coordinator)
    attempts = _count_attempt(task)
    if attempts > MAX_ATTEMPTS:
        return asdict(PageOutcome(page, "failed", "worker-lost",
                                  f"trang đã làm dừng máy đọc {attempts - 1} lần; cần người xem"))
    outcome = page_job.read(PageRef.parse(page))
    if outcome.status == "failed" and outcome.reason in RETRY_REASONS:
        if task.request.retries < MAX_RETRIES:
            raise task.retry(countdown=2 ** (task.request.retries + 1))
        outcome.message = f"{outcome.message} (sau {MAX_RETRIES + 1} lần thử)"
    return asdict(outcome)


def build_document(task: Any, original: str, job: dict[str, Any],
                   coordinator: dict[str, Any]) -> list[dict[str, Any]]:
    """Build the searchable PDF of ``original`` (the coordinator saw its last page in) into the
    shared archive, as the coordinator itself would: the entries of
    :func:`luutru.ocr.pipeline.build_document_pdfs`."""
    page_job = _checked_job(task, job, coordinator)
    attempts = _count_attempt(task)
    if attempts > MAX_ATTEMPTS:
        return [document_failed(Archive(page_job.root), original, "worker-lost",
                                f"PDF đã làm dừng máy đọc {attempts - 1} lần; cần người xem")]
    return page_job.build_documents([original]) or _earlier_result(task) or []


def _checked_job(task: Any, job: dict[str, Any], coordinator: dict[str, Any]) -> PageJob:
    """The batch's job as this worker rebuilds it; a worker that would read otherwise than the
    coordinator puts the task back on the queue and stops."""
    try:
        check_versions(coordinator)
        return job_from_message(job, task.app.conf.luutru_archive)
    except WorkerRefused as refusal:
        log.error("%s", refusal)
        task.app.control.shutdown(destination=[task.request.hostname])
        raise Reject(str(refusal), requeue=True) from refusal


def _earlier_result(task: Any) -> Any:
    """What an earlier copy of this task (a redelivery, a send repeated after the broker came
    back) returned, if it finished: the PDF was built by that copy."""
    meta = task.app.backend.get_task_meta(task.request.id)
    return meta["result"] if meta.get("status") == "SUCCESS" else None


def _count_attempt(task: Any) -> int:
    client = _patient_client(task.app.conf.broker_url)
    key = ATTEMPTS_KEY.format(task.request.id)
    attempts = int(client.incr(key))
    client.expire(key, RESULT_TTL)
    return attempts


@lru_cache(maxsize=4)
def _patient_client(url: str) -> Any:
    """A Redis client that waits out a broker restart (about a minute, with back-off) rather than
    failing the page: a retry through Celery would need the broker to publish it."""
    import redis
    from redis.backoff import ExponentialBackoff
    from redis.retry import Retry

    return redis.Redis.from_url(url, retry=Retry(ExponentialBackoff(cap=5.0, base=0.1), 15),
                                retry_on_error=[redis.exceptions.ConnectionError,
                                                redis.exceptions.TimeoutError],
                                socket_connect_timeout=5, socket_timeout=30)


# --- a worker -----------------------------------------------------------------------------------

def run_worker(archive: Archive, broker_url: str, concurrency: int, loglevel: str = "INFO") -> None:
    """Run one Celery worker reading pages into ``archive`` until it is stopped.

    Raises :class:`WorkerRefused` or :class:`BrokerUnavailable` (Vietnamese) before it starts.
    """
    limit_threads()
    app = make_app(broker_url, str(archive.root))
    check_worker_can_start(app)
    app.worker_main(["worker", "--pool", "prefork", "--concurrency", str(concurrency),
                     "--hostname", f"luutru-{os.getpid()}@%h", "--queues", QUEUE,
                     "--loglevel", loglevel, "--without-gossip", "--without-mingle",
                     "--max-tasks-per-child", str(PAGES_PER_PROCESS)])
