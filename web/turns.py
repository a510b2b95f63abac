"""Pages are built one at a time in each server process, in the order their requests came.

Building a page is Python work, and one process runs Python on one core at a time (the GIL).
Threads that build pages side by side only share that core in slices: each of them then
takes as long as all of them together. A search page, about three times an item page's work,
finishes last. Taken in turns, a request waits for the ones ahead of it, then gets the core until
its page is built. The mean wait is the same; the slow tail is shorter. With 20 readers asking
without pauses (bench/web.py, 100,000 pages, 2 cores), the search page's p95 went from 152 to
96–123 ms and its p99 from 203 to 112–143 ms; the item page's p95 from 88 to 91–119 ms.

Threads are still useful for what is not Python work. A page or a file is sent to the reader
after its turn: the server iterates the WSGI body once the application has returned. So a reader
on a slow line holds a thread, not the turn. Files (page images, PDFs, static files) take no turn
at all: making a page image is decoding, resizing and encoding in C with the GIL released, a
tenth of a second or more the first time, which would hold up every page behind it.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterable
from typing import Any


class Turns:
    """A lock that is granted in the order it was asked for (``threading.Lock`` wakes any
    waiter, so a request could be passed over again and again)."""

    def __init__(self) -> None:
        self._changed = threading.Condition()
        self._next_ticket = 0
        self._serving = 0

    def __enter__(self) -> "Turns":
        with self._changed:
            ticket = self._next_ticket
            self._next_ticket += 1
            while ticket != self._serving:
                self._changed.wait()
        return self

    def __exit__(self, *exc: object) -> None:
        with self._changed:
            self._serving += 1
            self._changed.notify_all()


class OnePageAtATime:
    """WSGI middleware: the application is called inside a turn, unless ``without_turn(path)``
    says the request is for a file; the body is sent after the turn."""

    def __init__(self, app: Callable[..., Iterable[bytes]],
                 without_turn: Callable[[str], bool] = lambda path: False):
        self.app = app
        self.turns = Turns()
        self.without_turn = without_turn

    def __call__(self, environ: dict[str, Any], start_response: Callable) -> Iterable[bytes]:
        if self.without_turn(environ.get("PATH_INFO", "")):
            return self.app(environ, start_response)
        with self.turns:
            return self.app(environ, start_response)
