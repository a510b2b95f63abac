"""One OCR run per archive at a time: an exclusive lock the operating system keeps, not ours.

Two coordinators on one archive (two ``luutru run`` from cron, a second machine's ``luutru ocr
--executor celery`` while the first still has pages queued) would each send the pages not yet
read, and some would be read twice. So :func:`ocr_archive` holds ``tmp/ocr.lock`` with
``flock(LOCK_EX)`` for the whole run, whatever its executor; a second run says who holds it and
waits, then finds those pages read and skips them.

The kernel releases the lock when its holder dies, even on ``kill -9``: there is nothing to
expire, renew or clean up, unlike a lease kept in Redis. On an archive shared over NFSv4 (the
layout for many machines, docs/scaling.md) Linux turns ``flock`` into an NFS byte-range lock that
the server arbitrates between machines (mount without ``local_lock=flock``, which would keep it
on one client); a machine that vanishes loses it when its NFSv4 lease runs out (90 s by default).
On SMB 3 (``cifs``), Linux maps ``flock`` to an SMB byte-range lock as well.
"""

from __future__ import annotations

import fcntl
import os
import socket
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime, timezone

from luutru.archive import Archive

LOCK_NAME = "ocr.lock"


@contextmanager
def ocr_run_lock(archive: Archive) -> Iterator[None]:
    """Hold the archive's OCR lock; if another run holds it, say so (Vietnamese) and wait."""
    archive.tmp_dir.mkdir(parents=True, exist_ok=True)
    with open(archive.tmp_dir / LOCK_NAME, "a+", encoding="utf-8") as handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            handle.seek(0)
            holder = handle.read().strip() or "không rõ máy nào"
            print(f"Một lượt OCR khác đang chạy trên kho {archive.root} ({holder}); lượt này chờ "
                  "nó xong rồi làm tiếp những trang còn lại.", file=sys.stderr, flush=True)
            fcntl.flock(handle, fcntl.LOCK_EX)
        handle.seek(0)
        handle.truncate()
        started = datetime.now(timezone.utc).isoformat(timespec="seconds")
        handle.write(f"máy {socket.gethostname()}, tiến trình {os.getpid()}, từ {started}\n")
        handle.flush()
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)
