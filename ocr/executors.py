"""Who reads the pages of a batch: this machine's processes, or workers on other machines.

:func:`luutru.ocr.pipeline.ocr_archive` hands an :class:`Executor` a :class:`PageJob` (what every
page of the batch is read with) and the pages, lazily; the executor reads each page somewhere and
yields its outcome as soon as it is in, in any order. Everything else (the report, the progress
bar, each original's PDF when its last page is in) stays with the caller, so an executor is only
"where pages are read" (and where an original's PDF is built once ``ocr_archive`` says its last
page is in) and a new one is one file:

- :class:`InProcess`: one page after another in this process (``--jobs 1``);
- :class:`ProcessPool`: ``--jobs N`` processes on this machine;
- :class:`luutru.ocr.celery_executor.CeleryExecutor`: Celery workers on any number of machines,
  through a Redis broker (``--executor celery``).

A page's reading is safe to run twice and its ``ocr.json`` is written last, so an executor may
retry or redeliver a page; it must yield each page it was given exactly once.
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Iterator
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from multiprocessing import get_context
from typing import TYPE_CHECKING, Any, Protocol

from luutru.errors import LuutruError

if TYPE_CHECKING:  # the pipeline imports this module: names only, for the type checker
    from luutru.archive import PageRef
    from luutru.ocr.pipeline import DocumentsBuilt, PageJob, PageOutcome

# A worker process is replaced after this many pages, so a leak in a native library cannot grow
# a long run's memory (the Celery workers use the same figure).
PAGES_PER_PROCESS = 50


class ExecutorUnavailable(LuutruError):
    """The executor's service (a broker) cannot be reached; the message is for people."""


class Executor(Protocol):
    """Reads pages somewhere and yields each page's outcome as it comes in."""

    label: str                           # the progress bar's label (people read it: Vietnamese)

    def map(self, job: PageJob, refs: Iterable[PageRef]) -> Iterator[PageOutcome | DocumentsBuilt]:
        """Read every page of ``refs`` (taken lazily, as they come) with ``job``; yield each
        page's outcome once, in the order pages finish (and the PDFs built elsewhere)."""
        ...

    def build_documents(self, job: PageJob, originals: list[str]) -> list[dict[str, Any]]:
        """Build the PDFs of ``originals``, whose last pages are in: here, returning the entries,
        or elsewhere, returning none and yielding them from :meth:`map` as they come."""
        ...


class _DocumentsHere:
    """Document PDFs built in the calling process, at once."""

    def build_documents(self, job: PageJob, originals: list[str]) -> list[dict[str, Any]]:
        return job.build_documents(originals) if originals else []


def limit_threads() -> None:
    """One thread per page for Tesseract and OpenCV: with a worker per core, more only contend
    (measured: 0.19 instead of 0.22-0.24 CPU s/page of clean-up with two workers side by side).
    Set before worker processes start, so they inherit it; a value set by the user wins."""
    os.environ.setdefault("OMP_THREAD_LIMIT", "1")
    os.environ.setdefault("OPENCV_FOR_THREADS_NUM", "1")


class InProcess(_DocumentsHere):
    """One page after another in this process."""

    label = "OCR"

    def map(self, job: PageJob, refs: Iterable[PageRef]) -> Iterator[PageOutcome]:
        for ref in refs:
            yield job.read(ref)


class ProcessPool(_DocumentsHere):
    """Pages in ``jobs`` worker processes on this machine, with only a few queued at any time."""

    label = "OCR"

    def __init__(self, jobs: int):
        self.jobs = jobs

    def map(self, job: PageJob, refs: Iterable[PageRef]) -> Iterator[PageOutcome]:
        limit_threads()
        pending: set[Future] = set()
        with ProcessPoolExecutor(max_workers=self.jobs, mp_context=get_context("spawn"),
                                 max_tasks_per_child=PAGES_PER_PROCESS) as pool:
            try:
                for ref in refs:
                    if len(pending) >= 2 * self.jobs:
                        finished, pending = wait(pending, return_when=FIRST_COMPLETED)
                        yield from (future.result() for future in finished)
                    pending.add(pool.submit(job.read, ref))
                while pending:
                    finished, pending = wait(pending, return_when=FIRST_COMPLETED)
                    yield from (future.result() for future in finished)
            except BaseException:
                pool.shutdown(wait=True, cancel_futures=True)
                raise


def local_executor(jobs: int = 1) -> Executor:
    """This machine: ``jobs`` processes (one: in this process)."""
    return InProcess() if jobs <= 1 else ProcessPool(jobs)


EXECUTORS = ("local", "celery")


def named_executor(name: str, *, jobs: int = 1, broker: str | None = None) -> Executor:
    """The executor the command line names: ``local`` (``jobs`` processes) or ``celery``
    (workers behind the Redis broker at ``broker``; Celery is imported only then)."""
    if name == "local":
        return local_executor(jobs)
    if name == "celery":
        from luutru.ocr.celery_executor import CeleryExecutor

        if not broker:
            raise ValueError("broker URL needed")
        return CeleryExecutor(broker)
    raise ValueError(f"unknown executor {name!r}; known: {', '.join(EXECUTORS)}")
