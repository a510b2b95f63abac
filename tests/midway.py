"""``kill -9`` a luutru command part-way through its work, as a power cut or an operator would.

A kill after a fixed sleep may land before the work starts (the interpreter still importing) or
after it ends (a fast machine): the test would pass having proved nothing. Here the kill waits
until what the command has written or holds open shows it is mid-way, with no hook in luutru
itself, and fails the test if the command ends first. Each test then checks, from the files,
that the kill did land mid-way (the command's last step is missing).
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

LUUTRU = [sys.executable, "-m", "luutru.cli"]


def kill_midway(args: list[str], midway: Callable[[subprocess.Popen], bool],
                timeout: float = 600, poll: float = 0.005) -> None:
    """Run ``luutru ARGS``; SIGKILL it as soon as ``midway(process)`` is true."""
    process = subprocess.Popen([*LUUTRU, *args], stdout=subprocess.DEVNULL,
                               stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + timeout
    try:
        while process.poll() is None and time.monotonic() < deadline:
            if midway(process):
                process.send_signal(signal.SIGKILL)
                assert process.wait() == -signal.SIGKILL
                return
            time.sleep(poll)
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
    raise AssertionError(f"luutru {' '.join(args)} ended (exit {process.returncode}) before it "
                         "was seen mid-way: nothing was tested")


def open_files(process: subprocess.Popen) -> list[Path]:
    """The files the process holds open now (Linux ``/proc``)."""
    found = []
    fd_dir = Path(f"/proc/{process.pid}/fd")
    try:
        descriptors = list(fd_dir.iterdir())
    except OSError:
        return []
    for fd in descriptors:
        try:
            found.append(Path(os.readlink(fd)))
        except OSError:
            continue  # closed meanwhile
    return found


def holds_open_under(process: subprocess.Popen, folder: Path) -> bool:
    return any(folder in path.parents for path in open_files(process))
