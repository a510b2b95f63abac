"""Pages built one at a time per process, in arrival order; bodies sent outside the turn."""

from __future__ import annotations

import threading
import time

from flask import url_for

from luutru.archive import Archive
from luutru.web.app import create_app, is_file_path
from luutru.web.turns import OnePageAtATime, Turns


def _wait_until(condition, timeout: float = 5.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.001)


def test_turns_are_granted_in_the_order_they_were_asked_for():
    turns = Turns()
    entered: list[int] = []
    threads = []
    with turns:  # hold the turn while the others line up, one after the other
        for n in range(8):
            thread = threading.Thread(target=lambda n=n: _take(turns, entered, n))
            thread.start()
            threads.append(thread)
            _wait_until(lambda n=n: turns._next_ticket == n + 2)  # thread n holds its ticket
    for thread in threads:
        thread.join(5)
    assert entered == list(range(8))


def _take(turns: Turns, entered: list[int], n: int) -> None:
    with turns:
        entered.append(n)


def test_a_failing_page_gives_up_its_turn():
    turns = Turns()
    try:
        with turns:
            raise ValueError("page failed")
    except ValueError:
        pass
    done = threading.Event()
    threading.Thread(target=lambda: (turns.__enter__(), done.set())).start()
    assert done.wait(5)


def test_the_body_is_sent_after_the_turn():
    """A reader on a slow line receives the body while the next page is already being built."""
    sent = threading.Event()

    def slow_body():
        sent.wait(5)  # the server sends this only once another request had its turn
        yield b"page"

    def app(environ, start_response):
        start_response("200 OK", [("Content-Type", "text/plain")])
        return slow_body()

    middleware = OnePageAtATime(app)
    body = middleware({}, lambda status, headers: None)
    second = threading.Thread(target=lambda: (middleware({}, lambda s, h: None), sent.set()))
    second.start()
    assert b"".join(body) == b"page"  # slow_body could end: the second request was served
    second.join(5)
    assert sent.is_set()


def test_files_are_served_without_waiting_for_a_turn():
    """Making a page image is C work with the GIL released: it must not hold up the pages."""
    def app(environ, start_response):
        start_response("200 OK", [("Content-Type", "text/plain")])
        return [environ["PATH_INFO"].encode()]

    middleware = OnePageAtATime(app, without_turn=is_file_path)
    served: list[bytes] = []
    with middleware.turns:  # a page is being built
        worker = threading.Thread(target=lambda: served.extend(
            middleware({"PATH_INFO": path}, lambda s, h: None)
            for path in ("/page/ab/1/image", "/search")))
        worker.start()
        _wait_until(lambda: len(served) == 1)  # the image came; the search page waits its turn
        assert middleware.turns._next_ticket == 2
    worker.join(5)
    assert [b"".join(body) for body in served] == [b"/page/ab/1/image", b"/search"]


def test_the_file_paths_are_the_reading_rooms_file_routes(tmp_path):
    app = create_app(Archive.open(tmp_path / "archive"))
    with app.test_request_context():
        files = [url_for("files.page_image_view", sha="a" * 64, n=1),
                 url_for("files.document_pdf", sha="a" * 64), url_for("static", filename="x.css")]
        pages = [url_for("reading.search"), url_for("reading.item", item_id="x"),
                 url_for("browse.index")]
    assert all(is_file_path(path) for path in files)
    assert not any(is_file_path(path) for path in pages)
