"""How ``luutru serve`` runs the reading room: one waitress process, or gunicorn with N worker
processes so that the Python work of concurrent readers uses every core (one process is held to
one core by the GIL).

With workers, the app (its catalogue read, the biggest part of its memory) is made once in the
parent before the fork and frozen out of the garbage collector's sight (``gc.freeze``), so the
workers share its pages instead of copying them. Nothing that holds an open file or a thread is
carried across the fork: the parent closes its SQLite connections before forking, the accounts
store, the rate-limit storage and the search engine open theirs in each worker (they key
connections by process id), and each worker opens its search engine before its first request.
"""

from __future__ import annotations

import gc
import os
from typing import Any

from flask import Flask

GRACEFUL_TIMEOUT = 10  # seconds a stopping worker may finish its requests in
KEEP_ALIVE = 5  # seconds an idle connection is kept open for the reader's next request


def default_workers() -> int:
    return os.cpu_count() or 1


def serve_waitress(app: Flask, host: str, port: int, threads: int) -> None:
    from waitress import serve

    serve(app, host=host, port=port, threads=threads, ident="luutru")


def serve_workers(app: Flask, host: str, port: int, workers: int, threads: int) -> None:
    """gunicorn's gthread workers (a thread pool per process; idle keep-alive connections wait
    in its poller, not in a thread). A connection stays with the worker that accepted it, so
    readers are not always spread evenly; closing connections after each response (keep-alive
    0) was measured no faster with 20 readers asking back to back."""
    from gunicorn.app.base import BaseApplication

    class Application(BaseApplication):
        def load_config(self) -> None:
            for key, value in gunicorn_options(host, port, workers, threads).items():
                if key in self.cfg.settings:  # older gunicorn lacks some (the control socket)
                    self.cfg.set(key, value)

        def load(self) -> Flask:
            return app

    before_fork(app)
    Application().run()


def gunicorn_options(host: str, port: int, workers: int, threads: int) -> dict[str, Any]:
    shown = f"[{host}]" if ":" in host else host
    return {
        "bind": [f"{shown}:{port}"],
        "workers": workers,
        "worker_class": "gthread",
        "threads": threads,
        "preload_app": True,
        "graceful_timeout": GRACEFUL_TIMEOUT,
        "keepalive": KEEP_ALIVE,
        "loglevel": "warning",
        "proc_name": "luutru-serve",
        # --behind-proxy decides which forwarded headers count (werkzeug's ProxyFix in the app);
        # gunicorn must not trust any on its own, even from loopback.
        "forwarded_allow_ips": "",
        "secure_scheme_headers": {},
        "control_socket_disable": True,  # no shared socket in $HOME for each server started
        "post_worker_init": lambda worker: open_engine(worker.wsgi),
    }


def before_fork(app: Flask) -> None:
    """Close what must not be inherited; keep what was read out of the collector's way."""
    app.extensions["luutru.accounts"].close()
    gc.collect()
    gc.freeze()


def open_engine(app: Flask) -> None:
    """The worker's own search engine, opened before its first reader asks."""
    from luutru.web.reading import backend

    with app.app_context():
        backend().get()
