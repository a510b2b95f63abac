"""``luutru serve --workers 2``: what must stay right when the reading room runs in several
processes. A real server on a copy of the demo archive; each check holds two keep-alive
connections that are known (from /proc: which process owns the server end of the socket) to be
served by two different workers, and does one half of a thing on each.

Also: connections opened before a fork are never used after it (accounts, rate-limit storage,
search engine), checked in a forked child.
"""

from __future__ import annotations

import http.client
import os
import pickle
import re
import shutil
import time
from pathlib import Path
from urllib.parse import urlencode

import pytest

from luutru.archive import Archive
from luutru.index.model import SearchRequest
from luutru.web.accounts import Accounts
from luutru.web.ratelimit import SqliteStorage, storage_uri
from luutru.web.reading import LiveBackend
from webserver import add_users, running_server

PASSWORD = "mật khẩu đủ dài cho thử"
USERS = {"docgia": ("reader", "none"), "luutru": ("archivist", "none")}
NQ = "vb-376eefd7a1e39bc2-0001"  # 13-NQ/TU; nguoi_ky empty and flagged
TOKEN = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')


# --- a connection whose serving process is known ------------------------------------------------

def children(pid: int) -> list[int]:
    found = []
    for task in Path(f"/proc/{pid}/task").iterdir():
        found += [int(p) for p in (task / "children").read_text().split()]
    return found


def socket_owner(server_port: int, client_port: int, pids: list[int]) -> int | None:
    """The process among ``pids`` holding the server end of the loopback TCP connection from
    ``client_port``."""
    inode = None
    for line in Path("/proc/net/tcp").read_text().splitlines()[1:]:
        fields = line.split()
        local, remote = fields[1].split(":")[1], fields[2].split(":")[1]
        if int(local, 16) == server_port and int(remote, 16) == client_port:
            inode = fields[9]
    for pid in pids:
        for fd in Path(f"/proc/{pid}/fd").iterdir():
            try:
                if os.readlink(fd) == f"socket:[{inode}]":
                    return pid
            except FileNotFoundError:
                continue
    return None


class Tab:
    """A browser tab's keep-alive connection, pinned to one server process; tabs of one browser
    share its cookies (one dict)."""

    def __init__(self, port: int, cookies: dict[str, str] | None = None):
        self.port = port
        self.cookies = cookies if cookies is not None else {}
        self.connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        self.connection.connect()
        self.worker: int | None = None

    def request(self, method: str, path: str, form: dict | None = None) -> tuple[int, str]:
        headers = {"Cookie": "; ".join(f"{k}={v}" for k, v in self.cookies.items())}
        body = None
        if form is not None:
            body = urlencode(form, doseq=True)
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        self.connection.request(method, path, body=body, headers=headers)
        response = self.connection.getresponse()
        text = response.read().decode("utf-8")
        assert not response.will_close, "the server closed the kept-alive connection"
        for header in response.headers.get_all("Set-Cookie") or ():
            name, _, rest = header.partition("=")
            self.cookies[name] = rest.split(";")[0]
        return response.status, text

    def token(self, path: str = "/login") -> str:
        return TOKEN.search(self.request("GET", path)[1]).group(1)

    def close(self) -> None:
        self.connection.close()


def tabs_on_two_workers(server, cookies: dict[str, str] | None = None) -> tuple[Tab, Tab]:
    """Two connections served by two different worker processes."""
    port = int(server.url.rsplit(":", 1)[1])
    deadline = time.monotonic() + 30
    while len(workers := children(server.pid)) < 2 and time.monotonic() < deadline:
        time.sleep(0.1)  # the server answers as soon as its first worker is up
    assert len(workers) == 2, workers
    first, spare = None, []
    for attempt in range(200):  # on a busy machine one worker may win the accept race often
        time.sleep(0.01 * (attempt % 10))
        tab = Tab(port, cookies)
        tab.request("GET", "/login")  # accepted and answered: its worker holds the socket
        tab.worker = socket_owner(port, tab.connection.sock.getsockname()[1], workers)
        if first is None:
            first = tab
        elif tab.worker != first.worker:
            for other in spare:
                other.close()
            return first, tab
        else:
            spare.append(tab)
    pytest.fail("200 connections, all served by one worker")


# --- the server -----------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def server(demo_archive, tmp_path_factory):
    root = tmp_path_factory.mktemp("workers") / "archive"
    shutil.copytree(demo_archive.root, root)
    shutil.rmtree(root / "access", ignore_errors=True)
    add_users(root, USERS, PASSWORD)
    with running_server(root, workers=2) as running:
        yield running


def logged_in_tabs(server, username: str) -> tuple[Tab, Tab]:
    first, second = tabs_on_two_workers(server)
    status, _ = first.request("POST", "/login", {
        "username": username, "password": PASSWORD, "csrf_token": first.token()})
    assert status == 302
    second.cookies = first.cookies  # one browser, two tabs
    return first, second


def test_a_session_and_its_csrf_token_hold_on_every_worker(server):
    first, second = logged_in_tabs(server, "docgia")
    status, page = second.request("GET", "/search?q=nghi+quyet")
    assert status == 200 and 'id="results"' in page
    token = first.token("/basket")
    status, _ = second.request("POST", "/basket/add", {"item_id": NQ, "csrf_token": token})
    assert status == 302
    status, page = second.request("POST", "/basket/add", {"item_id": NQ, "csrf_token": "x"})
    assert status == 400 and "mã bảo vệ" in page


@pytest.fixture
def fresh_limits(server):
    """The limit counters emptied before (other tests log in) and after (they will again)."""
    storage = SqliteStorage(storage_uri(Archive(server.archive)))
    storage.reset()
    yield
    storage.reset()


def test_login_limit_counts_the_attempts_of_every_worker(server, fresh_limits):
    first, second = tabs_on_two_workers(server)
    token = first.token()
    second.cookies = first.cookies  # one browser, two tabs

    def attempt(tab: Tab, n: int) -> int:
        return tab.request("POST", "/login", {"username": f"doan{n}", "password": "sai mật khẩu",
                                              "csrf_token": token})[0]

    # 5 attempts a minute per address: 3 on one worker and 2 on the other use them all.
    assert [attempt(first, 1), attempt(second, 2), attempt(first, 3), attempt(second, 4),
            attempt(first, 5)] == [200] * 5
    assert attempt(second, 6) == 429
    assert attempt(first, 7) == 429


def test_a_review_saved_on_one_worker_is_read_by_the_other(server):
    first, second = logged_in_tabs(server, "luutru")
    status, before = second.request("GET", f"/item/{NQ}")
    assert status == 200 and "Ngô Đông Hải" not in before
    status, form = first.request("GET", f"/review/{NQ}")
    assert status == 200
    fields = dict(re.findall(r'<input[^>]*name="([^"]+)"[^>]*type="(?:text|hidden)"[^>]*'
                             r'value="([^"]*)"', form))
    fields.update(nguoi_ky="Ngô Đông Hải", csrf_token=TOKEN.search(form).group(1))
    status, _ = first.request("POST", f"/review/{NQ}", fields)
    assert status == 302
    status, after = second.request("GET", f"/item/{NQ}")
    assert status == 200
    assert re.search(r'data-field="nguoi_ky"[^>]*>\s*Ngô Đông Hải', after), after[:2000]
    status, found = second.request("GET", "/search?" + urlencode({"q": '"Ngô Đông Hải"'}))
    assert status == 200 and f"/item/{NQ}" in found


# --- nothing opened before a fork is used after it ------------------------------------------------

def in_child(work):
    """``work()`` run in a forked child; what it returned."""
    read_end, write_end = os.pipe()
    pid = os.fork()
    if pid == 0:  # the child
        try:
            os.close(read_end)
            os.write(write_end, pickle.dumps(work()))
        finally:
            os._exit(0)
    os.close(write_end)
    with os.fdopen(read_end, "rb") as reader:
        data = reader.read()
    os.waitpid(pid, 0)
    return pickle.loads(data)


def test_connections_made_before_a_fork_are_not_used_after_it(demo_archive_copy):
    archive: Archive = demo_archive_copy
    accounts = Accounts(archive)
    accounts.add_user("an", PASSWORD)
    storage = SqliteStorage(storage_uri(archive))
    engine = LiveBackend(archive)
    before = (accounts._connect(), storage._db(), engine.get())
    storage.incr("k", 60)

    def child():
        after = (accounts._connect(), storage._db(), engine.get())
        return ([a is not b for a, b in zip(after, before)], accounts.get("an") is not None,
                storage.incr("k", 60), engine.search(SearchRequest("nghị quyết")).total > 0)

    assert in_child(child) == ([True, True, True], True, 2, True)
    assert storage.get("k") == 2  # the child's increment is the parent's too
    assert accounts._connect() is before[0] and engine.get() is before[2]


def test_rate_limit_storage_counts_exactly_across_processes(tmp_path):
    storage = SqliteStorage(f"luutru-sqlite://{tmp_path / 'limits.sqlite'}")
    pids = []
    for _ in range(4):
        pid = os.fork()
        if pid == 0:
            try:
                for _ in range(50):
                    storage.incr("address", 60)
            finally:
                os._exit(0)
        pids.append(pid)
    for pid in pids:
        os.waitpid(pid, 0)
    assert storage.get("address") == 200
    assert storage.get_expiry("address") > time.time() + 50
    storage.clear("address")
    assert storage.get("address") == 0
