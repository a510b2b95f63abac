"""A real Redis and real ``luutru worker`` processes for the distributed OCR tests and benchmark.

    with redis_server(tmp_path / "redis") as redis:
        with worker(archive.root, redis.url, cwd=tmp_path / "machine-a"):
            ocr_archive(archive, executor=CeleryExecutor(redis.url))

Redis listens on a free loopback port and keeps its data in an append-only file written on every
command (``appendfsync always``), so :meth:`RedisServer.restart` loses nothing, as a production
Redis with AOF would. Every process started here is in its own process group and is killed, with
its children, when its ``with`` block ends. They stay in the caller's session: Linux shares CPU
fairly between sessions (autogroups), and a worker in a session of its own would get a larger
share of a busy machine than a local pool, which would skew the benchmark.
"""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

LUUTRU = [sys.executable, "-m", "luutru.cli"]
START_TIMEOUT = 60.0


def redis_available() -> bool:
    return shutil.which("redis-server") is not None


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _kill_group(process: subprocess.Popen) -> None:
    if process.poll() is None:
        try:
            os.killpg(process.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
    process.wait()


@dataclass
class RedisServer:
    folder: Path
    port: int = field(default_factory=free_port)
    process: subprocess.Popen | None = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> None:
        self.folder.mkdir(parents=True, exist_ok=True)
        self.process = subprocess.Popen(
            ["redis-server", "--port", str(self.port), "--bind", "127.0.0.1", "--dir",
             str(self.folder), "--appendonly", "yes", "--appendfsync", "always", "--save", "",
             "--logfile", str(self.folder / "redis.log")],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, process_group=0)
        deadline = time.monotonic() + START_TIMEOUT
        while not self.ping():
            if self.process.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"redis-server did not start: {self.folder / 'redis.log'}")
            time.sleep(0.05)

    def ping(self) -> bool:
        import redis

        try:
            return bool(redis.Redis(port=self.port, socket_connect_timeout=1).ping())
        except redis.exceptions.ConnectionError:
            return False

    def kill(self) -> None:
        if self.process is not None:
            _kill_group(self.process)

    def restart(self) -> None:
        self.kill()
        self.start()

    def cpu_seconds(self) -> float:
        """User + system CPU time of the server so far (from /proc)."""
        assert self.process is not None
        fields = Path(f"/proc/{self.process.pid}/stat").read_text().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


@contextmanager
def redis_server(folder: Path) -> Iterator[RedisServer]:
    server = RedisServer(folder)
    server.start()
    try:
        yield server
    finally:
        server.kill()


@dataclass
class Worker:
    process: subprocess.Popen
    log: Path

    def kill(self) -> None:
        _kill_group(self.process)

    def output(self) -> str:
        return self.log.read_text(encoding="utf-8", errors="replace")


def start_worker(archive: Path, broker: str, cwd: Path, *, concurrency: int = 1,
                 env: dict[str, str] | None = None, wait: bool = True) -> Worker:
    """``luutru worker`` started in ``cwd`` (a machine of its own: it shares only the archive)."""
    cwd.mkdir(parents=True, exist_ok=True)
    log = cwd / "worker.log"
    with log.open("wb") as out:
        process = subprocess.Popen(
            [*LUUTRU, "worker", "--archive", str(archive), "--broker", broker,
             "--concurrency", str(concurrency)],
            cwd=cwd, env={**os.environ, **(env or {})}, stdout=out, stderr=subprocess.STDOUT,
            process_group=0)
    started = Worker(process, log)
    deadline = time.monotonic() + START_TIMEOUT
    while wait and " ready." not in started.output():
        if process.poll() is not None or time.monotonic() > deadline:
            break                          # refused or broken: the caller reads output()
        time.sleep(0.1)
    return started


@contextmanager
def worker(archive: Path, broker: str, cwd: Path, **options) -> Iterator[Worker]:
    started = start_worker(archive, broker, cwd, **options)
    try:
        yield started
    finally:
        started.kill()
