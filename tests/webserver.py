"""A real ``luutru serve`` in a subprocess, for tests that drive the reading room from outside
(a browser, an HTTP client): the same command line, waitress and configuration a user gets.

    with running_server(archive_root) as server:
        urllib.request.urlopen(server.url + "/login")

Users are made with the real CLI (``luutru user add … --password-stdin``), not the accounts API,
so these tests also cover the commands an administrator types.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, replace
from pathlib import Path

HOST = "127.0.0.1"
START_TIMEOUT = 60.0  # seconds; the first request may build the catalogue cache
STOP_TIMEOUT = 10.0
START_ATTEMPTS = 3  # fresh ports tried when another process takes the chosen one first


class ServerError(RuntimeError):
    """The server did not start, or a CLI command it needs failed; the message holds its output."""


class PortTaken(ServerError):
    """Another process bound the chosen port first."""


@dataclass(frozen=True)
class Server:
    url: str  # http://127.0.0.1:PORT, no trailing slash
    archive: Path
    public: bool
    log: Path  # the server's stdout and stderr
    pid: int = 0  # the `luutru serve` process (with workers: their parent)

    def log_text(self) -> str:
        return self.log.read_text(encoding="utf-8", errors="replace") if self.log.exists() else ""


def luutru_command(archive: Path, *args: str) -> list[str]:
    """The command line of ``luutru -a ARCHIVE ARGS…`` with the interpreter running the tests."""
    return [sys.executable, "-m", "luutru.cli", "-a", str(archive), *args]


def _environment() -> dict[str, str]:
    env = dict(os.environ)
    env.pop("LUUTRU_ARCHIVE", None)  # -a always names the archive
    env.setdefault("OMP_THREAD_LIMIT", "1")
    env["PYTHONUNBUFFERED"] = "1"
    return env


def _user_add_command(archive: Path, username: str, role: str, clearance: str) -> list[str]:
    return luutru_command(archive, "user", "add", username, "--role", role,
                          "--clearance", clearance, "--password-stdin")


def _check_user_added(username: str, returncode: int, stdout: str, stderr: str) -> None:
    if returncode != 0:
        raise ServerError(f"`luutru user add {username}` failed ({returncode}):\n{stdout}\n{stderr}")


def add_user(archive: Path, username: str, password: str, *, role: str = "reader",
             clearance: str = "none") -> None:
    """``luutru user add NAME --role R --clearance C --password-stdin`` (password on stdin)."""
    done = subprocess.run(_user_add_command(archive, username, role, clearance),
                          input=password + "\n", capture_output=True, text=True,
                          env=_environment(), timeout=60)
    _check_user_added(username, done.returncode, done.stdout, done.stderr)


def add_users(archive: Path, users: dict[str, tuple[str, str]], password: str) -> None:
    """Several ``luutru user add`` (name → (role, clearance)), all with ``password``: the first
    alone (it creates the accounts database), the others at once (each mostly starts Python)."""
    names = list(users)
    if not names:
        return
    add_user(archive, names[0], password, role=users[names[0]][0], clearance=users[names[0]][1])
    running = []
    for name in names[1:]:
        process = subprocess.Popen(_user_add_command(archive, name, *users[name]),
                                   stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                   stderr=subprocess.PIPE, text=True, env=_environment())
        running.append((name, process))
    for name, process in running:
        stdout, stderr = process.communicate(password + "\n", timeout=60)
        _check_user_added(name, process.returncode, stdout, stderr)


def free_port(host: str = HOST) -> int:
    """A port nothing listens on now (the OS picks it; a tiny race with other processes remains)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((host, 0))
        return sock.getsockname()[1]


def _answers(url: str) -> bool:
    """Does the server answer HTTP at all? Any status counts: it is up."""
    try:
        with urllib.request.urlopen(url, timeout=2):
            return True
    except urllib.error.HTTPError:
        return True
    except (urllib.error.URLError, ConnectionError, TimeoutError, OSError):
        return False


def _wait_until_up(process: subprocess.Popen, server: Server, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            log = server.log_text()
            error = PortTaken if "Address already in use" in log else ServerError
            raise error(f"`luutru serve` exited with {process.returncode} before answering:\n"
                        f"{log[-4000:]}")
        if _answers(server.url + "/login") and process.poll() is None:
            return
        time.sleep(0.1)
    raise ServerError(f"`luutru serve` did not answer {server.url}/login within {timeout:.0f} s:\n"
                      f"{server.log_text()[-4000:]}")


def _stop(process: subprocess.Popen) -> None:
    if process.poll() is not None:
        return
    process.terminate()
    try:
        process.wait(timeout=STOP_TIMEOUT)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait(timeout=STOP_TIMEOUT)


def _start(archive: Path, public: bool, log_dir: Path | None, timeout: float,
           workers: int | None, threads: int | None,
           extra: tuple[str, ...] = ()) -> tuple[subprocess.Popen, Server]:
    port = free_port()
    log = (log_dir or archive.parent) / f"serve-{port}.log"
    server = Server(url=f"http://{HOST}:{port}", archive=archive, public=public, log=log)
    command = luutru_command(archive, "serve", "--host", HOST, "--port", str(port))
    if public:
        command.append("--public")
    if workers is not None:
        command += ["--workers", str(workers)]
    if threads is not None:
        command += ["--threads", str(threads)]
    command += extra
    with open(log, "wb") as output:
        process = subprocess.Popen(command, stdout=output, stderr=subprocess.STDOUT,
                                   stdin=subprocess.DEVNULL, env=_environment())
    server = replace(server, pid=process.pid)
    try:
        _wait_until_up(process, server, timeout)
    except BaseException:
        _stop(process)
        raise
    return process, server


@contextmanager
def running_server(archive: Path, *, public: bool = False, log_dir: Path | None = None,
                   timeout: float = START_TIMEOUT, workers: int | None = None,
                   threads: int | None = None, extra: tuple[str, ...] = ()) -> Iterator[Server]:
    """``luutru serve`` on a free loopback port over ``archive``, up until the block ends
    (``workers``, ``threads``: its ``--workers``, ``--threads``, None: its defaults; ``extra``:
    more of its options).

    The server's output goes to a log file (``log_dir`` or the archive's parent) so a pipe never
    fills up and blocks it; a failure to start raises :class:`ServerError` with that output.
    A port taken by another process between choosing and binding it is tried again on another.
    """
    archive = Path(archive)
    for attempt in range(1, START_ATTEMPTS + 1):
        try:
            process, server = _start(archive, public, log_dir, timeout, workers, threads,
                                     extra)
            break
        except PortTaken:
            if attempt == START_ATTEMPTS:
                raise
    try:
        yield server
    finally:
        _stop(process)
