"""Benchmark of the reading room: search and item page latency with concurrent readers.

    .venv/bin/python bench/web.py [--pages 100000] [--duration 60] [--work DIR] [--readers 20]
                                  [--think SECONDS] [--images] [--json FILE]
                                  [--workers N] [--threads N] [--serve-option=--OPTION=VALUE]

Builds (or reuses, by its stamp) a synthetic archive of ``--pages`` pages in ``--work``
(:mod:`webdata`: catalogue XML through luutru's writer, page folders, the real ``reindex``), starts
a real ``luutru serve`` on a free loopback port, makes two readers' accounts with
``luutru user add --password-stdin`` (clearance none and mat), and lets ``--readers`` reader
processes run a fixed mix for ``--warmup`` seconds (not counted) then ``--duration`` seconds:
each search (words with and without diacritics, phrases, numbers, facet filters, page 2,
sort=date) is followed by the item page of one of its hits, with ``?q=`` so highlights are
computed. Each reader is a process with one keep-alive HTTP/1.1 connection (:class:`Browser`,
on :mod:`http.client`: it reads every body in full and parses nothing but the image addresses
with ``--images``); the readers share the server's cores, so their own CPU time per request is
printed too. Printed: p50/p95/p99 and requests/s per page, errors, the server's CPU time per
request (its parent and all its worker processes: ``luutru serve`` runs one per CPU by default,
``--workers`` sets it) and each process's memory (peak RSS, and how much of it is shared with
the others after the fork), and two baselines measured in the same run at the same concurrency: the
search engine alone in process (same queries) and a trivial page of the same server
(``GET /login``), so the reader sees what the web layer adds. Two short phases with the search
page alone and the item page alone give each page's server CPU time per request: on a machine
shared with other work, CPU time is the figure that travels, wall time includes the wait for a
core. ``--think`` lets readers pause between pages (default: none, the hardest load);
``--images`` has them fetch each page's images too, as a browser does.

The archive is kept in ``--work`` (default ``/tmp/luutru-bench-web``, or
``/tmp/luutru-bench-web-<pages>`` for another size, so a quick 10k run never replaces the 100k
one) and reused while its stamp matches: generating 100k pages takes tens of minutes.

The login form allows 5 attempts a minute per address, so the readers do not log in one by one:
each account logs in once and its readers share that session cookie (a Flask session is a
signed cookie, the server keeps no per-session state).
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import random
import re
import subprocess
import sys
import threading
import time
from concurrent.futures import ProcessPoolExecutor, ThreadPoolExecutor
from contextlib import ExitStack
from dataclasses import dataclass
from multiprocessing import get_context
from pathlib import Path
from urllib.parse import quote, urlencode

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(HERE.parent / "tests"))

from search import percentile, query_mix, synthetic_docs  # noqa: E402
from webdata import generate  # noqa: E402

PASSWORD = "bench-web-password-0"
USERS = {"bench-none": "none", "bench-mat": "mat"}
CLEARANCE_LEVEL = {"none": 0, "mat": 1}
SAMPLE_PAGES = 3000           # the query mix is drawn from the archive's first documents
HITS_PER_QUERY = 5            # item pages opened from each search (one per visit, in turn)
REQUEST_TIMEOUT = 60.0
PRIME_TIMEOUT = 600.0         # the first request loads the catalogue


@dataclass(frozen=True)
class Search:
    kind: str
    query: str
    page: int = 1
    sort: str = "relevance"

    def url(self) -> str:
        params = {"q": self.query}
        if self.page != 1:
            params["page"] = str(self.page)
        if self.sort != "relevance":
            params["sort"] = self.sort
        return "/search?" + urlencode(params)


# --- the mix --------------------------------------------------------------------------------

def searches(seed: int) -> list[Search]:
    """The search benchmark's query mix, plus facet filters, page 2 and newest first."""
    rng = random.Random(seed)
    docs = list(synthetic_docs(SAMPLE_PAGES, seed))
    sample = rng.sample(docs, 15)
    mix = [Search(kind, query) for kind, query in query_mix(sample, per_kind=8)]
    for item, pages in sample[:8]:
        words = re.findall(r"[^\W\d_]{2,}", pages[0].text)
        word = words[len(words) // 2]
        mix += [Search("facet type", f'{word} type:"{item.loai_van_ban}"'),
                Search("facet organ", f'{word} organ:"{item.co_quan_ban_hanh}"'),
                Search("page 2", word, page=2),
                Search("sort=date", word, sort="date")]
    return mix


def item_urls(archive_root: Path, mix: list[Search], clearance: int) -> dict[str, list[str]]:
    """For each search, the item pages of its first hits (as this clearance finds them)."""
    from luutru.archive import Archive
    from luutru.index.model import SearchRequest
    from luutru.index.update import open_backend

    out = {}
    with open_backend(Archive(archive_root)) as backend:
        for search in mix:
            result = backend.search(SearchRequest(search.query, clearance, page=search.page,
                                                  sort=search.sort, facets=False))
            ids = [hit["id"] for hit in result.hits if hit.get("id")][:HITS_PER_QUERY]
            out[search.url()] = [f"/item/{quote(i)}?{urlencode({'q': search.query})}" for i in ids]
    return out


# --- measuring ------------------------------------------------------------------------------

@dataclass(frozen=True)
class Sample:
    kind: str       # "search", "item", "login", "engine"
    at: float       # wall-clock time the request started (time.time(), comparable across processes)
    ms: float
    ok: bool


def summary(samples: list[Sample], start: float, end: float) -> dict[str, dict]:
    """Per kind: count, errors, requests/s and latency percentiles of the requests started in
    [start, end)."""
    out: dict[str, dict] = {}
    for kind in sorted({s.kind for s in samples}):
        chosen = [s for s in samples if s.kind == kind and start <= s.at < end]
        ok = [s.ms for s in chosen if s.ok]
        out[kind] = {"n": len(chosen), "errors": len(chosen) - len(ok),
                     "per_s": len(chosen) / max(1e-9, end - start)}
        if ok:
            out[kind].update(p50=percentile(ok, 50), p95=percentile(ok, 95), p99=percentile(ok, 99))
    return out


def engine_alone(archive_root: Path, mix: list[Search], readers: int, duration: float) -> dict:
    """The search engine in this process, the same queries and page size as the search page,
    ``readers`` threads at once."""
    from luutru.archive import Archive
    from luutru.index.model import SearchRequest
    from luutru.index.update import open_backend
    from luutru.web.reading import PER_PAGE

    backend = open_backend(Archive(archive_root))
    backend.search(SearchRequest("đảng viên"))
    samples: list[Sample] = []
    start = time.time()
    end = start + duration
    cpu = time.process_time()

    def run(reader: int) -> None:
        clearance = reader % 2
        n = reader * 7
        while time.time() < end:
            search = mix[n % len(mix)]
            n += 1
            t0, began = time.perf_counter(), time.time()
            try:
                backend.search(SearchRequest(search.query, clearance, limit=PER_PAGE,
                                             page=search.page, sort=search.sort))
                ok = True
            except Exception:  # noqa: BLE001 — counted as an error, the load goes on
                ok = False
            samples.append(Sample("engine", began, (time.perf_counter() - t0) * 1000, ok))

    with ThreadPoolExecutor(readers) as pool:
        list(pool.map(run, range(readers)))
    cpu = time.process_time() - cpu
    backend.close()
    result = summary(samples, start, end)["engine"]
    result["cpu_ms_per_request"] = cpu * 1000 / max(1, result["n"])
    return result


IMAGE_SRC = re.compile(rb'<img[^>]*\ssrc="(/page/[^"]+)"')


class Browser:
    """What a reader's browser does on the wire, and no more: one keep-alive HTTP/1.1 connection
    (opened again when the server closed it), the session cookie sent, every response body read
    in full. :mod:`http.client` costs about a fifth of the CPU of ``requests`` per page (0.5 vs
    2.6 ms): the readers run on the server's cores, so what they spend is taken from it."""

    def __init__(self, base: str, cookie: dict[str, str] | None):
        host, _, port = base.removeprefix("http://").rpartition(":")
        self.host, self.port = host, int(port)
        self.headers = {"Cookie": "; ".join(f"{k}={v}" for k, v in cookie.items())} \
            if cookie else {}
        self.connection: http.client.HTTPConnection | None = None

    def get(self, path: str) -> tuple[int, bytes]:
        """Status and body of GET ``path``; a kept-alive connection the server has closed
        meanwhile is opened again once (as a browser does), anything else raises OSError."""
        for attempt in (1, 2):
            reused = self.connection is not None
            if self.connection is None:
                self.connection = http.client.HTTPConnection(self.host, self.port,
                                                             timeout=REQUEST_TIMEOUT)
            try:
                self.connection.request("GET", path, headers=self.headers)
                response = self.connection.getresponse()
                body = response.read()
            except (http.client.HTTPException, OSError):
                self.close()
                if reused and attempt == 1:
                    continue
                raise
            if response.will_close:
                self.close()
            return response.status, body
        raise AssertionError("unreachable")

    def close(self) -> None:
        if self.connection is not None:
            self.connection.close()
            self.connection = None


def reader(base: str, cookie: dict[str, str] | None, plan: list[tuple[str, list[str]]],
           offset: int, end: float, images: bool = False,
           think: float = 0.0) -> tuple[list[Sample], float]:
    """One reader until ``end``: a search, then one of its hits' item page; again and again
    (with ``images``, each page's page images after it, as a browser would, one at a time),
    pausing ``think`` seconds on average (0 to twice that) after each page.
    Runs in its own process (no GIL shared with other readers). Returns its samples and the
    CPU seconds it spent."""
    import html

    cpu = time.process_time()
    browser = Browser(base, cookie)
    pauses = random.Random(offset)
    samples = []
    n = offset

    def get(kind: str, path: str) -> None:
        t0, began = time.perf_counter(), time.time()
        try:
            status, body = browser.get(path)
            ok = status == 200
        except (http.client.HTTPException, OSError):
            ok, body = False, b""
        samples.append(Sample(kind, began, (time.perf_counter() - t0) * 1000, ok))
        if images and ok and kind != "image":
            for src in IMAGE_SRC.findall(body):
                if time.time() < end:
                    get("image", html.unescape(src.decode()))
        if think and kind != "image":
            time.sleep(min(pauses.uniform(0, 2 * think), max(0.0, end - time.time())))

    while time.time() < end:
        search_url, items = plan[n % len(plan)]
        if search_url:
            get("login" if search_url == "/login" else "search", search_url)
        if items and time.time() < end:
            get("item", items[n % len(items)])
        n += 1
    browser.close()
    return samples, time.process_time() - cpu


def run_readers(pool: ProcessPoolExecutor, base: str, plans: list[tuple[dict | None, list]],
                duration: float, images: bool = False,
                think: float = 0.0) -> tuple[list[Sample], float]:
    """One reader per plan (each with its cookie) in the pool's processes, for ``duration`` s;
    their samples and the readers' CPU milliseconds per request."""
    end = time.time() + duration
    futures = [pool.submit(reader, base, cookie, plan, n * 5, end, images, think)
               for n, (cookie, plan) in enumerate(plans)]
    done = [future.result() for future in futures]
    samples = [sample for part, _ in done for sample in part]
    return samples, sum(cpu for _, cpu in done) * 1000 / max(1, len(samples))


def reader_pool(readers: int) -> ProcessPoolExecutor:
    """``readers`` processes, started (and their imports done) before anything is measured."""
    pool = ProcessPoolExecutor(readers, mp_context=get_context("spawn"))
    list(pool.map(time.sleep, [1.0] * readers))
    return pool


# --- the server -------------------------------------------------------------------------------

def process_tree(pid: int) -> list[int]:
    """``pid`` and its descendants (``luutru serve --workers N``: the parent and its workers)."""
    found, pending = [], [pid]
    while pending:
        current = pending.pop()
        found.append(current)
        try:
            for task in Path(f"/proc/{current}/task").iterdir():
                pending += [int(p) for p in (task / "children").read_text().split()]
        except FileNotFoundError:  # ended meanwhile
            continue
    return found


def cpu_seconds(pid: int) -> float:
    """User + system CPU time of ``pid`` and its descendants so far (all their threads)."""
    total = 0
    for member in process_tree(pid):
        try:
            fields = Path(f"/proc/{member}/stat").read_text().rpartition(")")[2].split()
        except FileNotFoundError:
            continue
        total += int(fields[11]) + int(fields[12])
    return total / os.sysconf("SC_CLK_TCK")


def _kib(path: Path, names: tuple[str, ...]) -> dict[str, float]:
    """Fields (kB) of a /proc status-like file, in MB."""
    out = {}
    for line in path.read_text().splitlines():
        name, _, value = line.partition(":")
        if name in names:
            out[name] = int(value.split()[0]) / 1024
    return out


def memory_mb(pid: int) -> list[dict[str, float]]:
    """Per process of the server (the parent first): peak RSS, and now RSS, PSS (its fair share
    of pages shared with the others) and the part of its RSS shared with them."""
    out = []
    for member in process_tree(pid):
        try:
            status = _kib(Path(f"/proc/{member}/status"), ("VmHWM",))
            rollup = _kib(Path(f"/proc/{member}/smaps_rollup"),
                          ("Rss", "Pss", "Shared_Clean", "Shared_Dirty"))
        except FileNotFoundError:
            continue
        out.append({"pid": member, "peak_rss": status.get("VmHWM", float("nan")),
                    "rss": rollup.get("Rss", float("nan")), "pss": rollup.get("Pss", float("nan")),
                    "shared": rollup.get("Shared_Clean", 0) + rollup.get("Shared_Dirty", 0)})
    return out


def add_users(archive_root: Path) -> None:
    from webserver import luutru_command

    for name, clearance in USERS.items():
        command = luutru_command(archive_root, "user", "add", name, "--clearance", clearance,
                                 "--password-stdin")
        done = subprocess.run(command, input=PASSWORD + "\n", capture_output=True, text=True)
        if done.returncode != 0 and "already exists" not in done.stderr:
            raise RuntimeError(f"luutru user add {name}: {done.stderr}")


def forget_logins(archive_root: Path) -> None:
    """Empty the archive's login rate-limit counters: they outlive a server (kept in
    ``access/ratelimit.sqlite`` for all its workers), and each run logs in twice, so the 16th run
    within an hour would be refused. The bench's archive is its own."""
    from luutru.archive import Archive
    from luutru.web.ratelimit import SqliteStorage, storage_uri

    SqliteStorage(storage_uri(Archive(archive_root))).reset()


def login(base: str, username: str) -> dict[str, str]:
    """Log in through the form (CSRF token and all); the session cookie."""
    import requests

    session = requests.Session()
    form = session.get(base + "/login", timeout=REQUEST_TIMEOUT).text
    token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', form) or re.search(
        r'value="([^"]+)"[^>]*name="csrf_token"', form)
    response = session.post(base + "/login", data={
        "username": username, "password": PASSWORD, "csrf_token": token.group(1) if token else ""},
        timeout=REQUEST_TIMEOUT, allow_redirects=False)
    if response.status_code != 302:
        raise RuntimeError(f"login as {username} answered {response.status_code}")
    return session.cookies.get_dict()


def prime(base: str, cookie: dict[str, str], path: str, marker: str) -> float:
    """The first request of a page (the search engine opened, the catalogue loaded): seconds.
    Warns when the page does not answer 200 with ``marker`` in it (the load would measure
    error pages)."""
    import requests

    start = time.perf_counter()
    response = requests.get(base + path, cookies=cookie, timeout=PRIME_TIMEOUT,
                            allow_redirects=False)
    seconds = time.perf_counter() - start
    if response.status_code != 200 or marker not in response.text:
        print(f"warning: {path} answered {response.status_code} without {marker!r}",
              file=sys.stderr)
    return seconds


class CpuProbe(threading.Thread):
    """Reads the server's CPU time at ``start`` and ``end`` (while the readers run)."""

    def __init__(self, pid: int, start: float, end: float):
        super().__init__(daemon=True)
        self.pid, self.start_at, self.end_at = pid, start, end
        self.seconds = float("nan")

    def run(self) -> None:
        time.sleep(max(0.0, self.start_at - time.time()))
        before = cpu_seconds(self.pid)
        time.sleep(max(0.0, self.end_at - time.time()))
        self.seconds = cpu_seconds(self.pid) - before


def phase(pool: ProcessPoolExecutor, base: str, pid: int, plans: list, warmup: float,
          duration: float, images: bool = False, think: float = 0.0) -> dict:
    """Readers for ``warmup`` + ``duration`` s; figures of the last ``duration`` s."""
    start = time.time() + warmup
    end = start + duration
    probe = CpuProbe(pid, start, end)
    probe.start()
    samples, client_cpu = run_readers(pool, base, plans, end - time.time(), images, think)
    probe.join()
    result = summary(samples, start, end)
    requests_done = sum(k["n"] for k in result.values())
    result["client_cpu_ms_per_request"] = client_cpu
    result["server_cpu_ms_per_request"] = probe.seconds * 1000 / max(1, requests_done)
    result["server_cpu_share"] = probe.seconds / duration
    return result


def measure(args: argparse.Namespace) -> dict:
    from webserver import running_server

    report = {"generation": vars(generate(args.work, args.pages, args.seed)),
              "readers": args.readers, "duration_s": args.duration, "images": args.images,
              "think_s": args.think, "workers": args.workers,
              "threads": args.threads, "serve_options": args.serve_option}
    archive_root = args.work / "archive"
    mix = searches(args.seed)
    items = {c: item_urls(archive_root, mix, CLEARANCE_LEVEL[c]) for c in CLEARANCE_LEVEL}
    print(f"mix: {len(mix)} searches; engine alone, {args.readers} threads, "
          f"{args.baseline_duration:.0f} s …", file=sys.stderr)
    report["engine"] = engine_alone(archive_root, mix, args.readers, args.baseline_duration)
    add_users(archive_root)
    forget_logins(archive_root)
    with reader_pool(args.readers) as pool, ExitStack() as stack:
        started = time.perf_counter()
        server = stack.enter_context(running_server(archive_root, log_dir=args.work,
                                                    timeout=PRIME_TIMEOUT, workers=args.workers,
                                                    threads=args.threads,
                                                    extra=tuple(args.serve_option)))
        report["server_start_s"] = time.perf_counter() - started
        pid = server.pid
        cookies = {name: login(server.url, name) for name in USERS}
        first_item = next(u for urls in items["none"].values() for u in urls)
        report["first_search_s"] = prime(server.url, cookies["bench-none"], mix[0].url(),
                                         'id="results"')
        report["first_item_s"] = prime(server.url, cookies["bench-none"], first_item,
                                       'id="fields"')
        users = [name for name, _ in zip(list(USERS) * args.readers, range(args.readers))]

        def plans(with_search: bool, with_items: bool) -> list:
            """Each reader's steps, in an order of its own (readers do not move in step, so
            the server's caches see what many readers reading different things do to them)."""
            out = []
            for n, user in enumerate(users):
                found = items[USERS[user]]
                steps = [(s.url() if with_search else None, found[s.url()] if with_items else [])
                         for s in mix if with_search or found[s.url()]]
                random.Random(n).shuffle(steps)
                out.append((cookies[user], steps))
            return out

        print(f"trivial page (GET /login, anonymous), {args.baseline_duration:.0f} s …",
              file=sys.stderr)
        report["login_page"] = phase(pool, server.url, pid, [(None, [("/login", [])])] * args.readers,
                                     1.0, args.baseline_duration)
        print(f"search + item pages: {args.warmup:.0f} s warm-up, {args.duration:.0f} s …",
              file=sys.stderr)
        report["mixed"] = phase(pool, server.url, pid, plans(True, True), args.warmup,
                                args.duration, args.images, args.think)
        for name, flags in (("search_only", (True, False)), ("item_only", (False, True))):
            print(f"{name.replace('_', ' ')}: {args.baseline_duration:.0f} s …", file=sys.stderr)
            report[name] = phase(pool, server.url, pid, plans(*flags), 1.0, args.baseline_duration)
        report["server_memory_mb"] = memory_mb(pid)
    report["load_average"] = os.getloadavg()
    return report


# --- printing -------------------------------------------------------------------------------

NONE = {"n": 0, "errors": 0}


def line(name: str, figures: dict) -> str:
    if "p50" not in figures:
        done = f"{figures['n']} requests, all failed" if figures["n"] else "no request started"
        return f"  {name:34s} {done} in the measured time"
    return (f"  {name:34s} p50 {figures['p50']:7.1f}  p95 {figures['p95']:7.1f}  "
            f"p99 {figures['p99']:7.1f} ms  {figures['per_s']:6.1f} req/s  "
            f"{figures['errors']} errors")


def print_report(report: dict) -> None:
    gen = report["generation"]
    print(f"\n== reading room, {gen['pages']:,} pages ({gen['items']:,} văn bản, "
          f"{gen['classified_items']:,} classified; {gen['files']:,} hồ sơ, "
          f"{gen['restricted_files']} restricted; {gen['fonds']} phông), "
          f"{report['readers']} concurrent readers, {os.cpu_count()} cores, "
          f"load average {report['load_average'][0]:.1f} at the end ==")
    print(f"archive: generated in {gen['generate_s']:.0f} s, indexed in {gen['index_s']:.0f} s; "
          f"{gen['disk_bytes'] / 1e9:.2f} GB on disk (index {gen['index_bytes'] / 1e6:.0f} MB)")
    print(f"server start until it answers: {report['server_start_s']:.1f} s; then the first "
          f"search page {report['first_search_s']:.1f} s, the first item page "
          f"{report['first_item_s']:.1f} s (index opened, catalogue loaded, on first use or at "
          f"start)")
    mixed = report["mixed"]
    think = f", {report['think_s']:g} s pauses" if report["think_s"] else ", no pauses"
    print(f"search then item page{' (and their images)' if report['images'] else ''}{think}, "
          f"{report['duration_s']:.0f} s after warm-up "
          f"(targets: search p95 ≤ 200 ms, item p95 ≤ 150 ms):")
    print(line("search page", mixed.get("search", NONE)))
    print(line("item page (?q=, highlights)", mixed.get("item", NONE)))
    if "image" in mixed:
        print(line("page images (thumb, view)", mixed["image"]))
    print(f"  server CPU {mixed['server_cpu_ms_per_request']:.1f} ms per request "
          f"(user+sys), {mixed['server_cpu_share']:.2f} cores busy; readers' CPU "
          f"{mixed['client_cpu_ms_per_request']:.2f} ms per request")
    for name, kind in (("search_only", "search"), ("item_only", "item")):
        part = report[name]
        print(line(f"{kind} page alone", part.get(kind, NONE)) +
              f"  server CPU {part['server_cpu_ms_per_request']:.1f} ms/request")
    print("baselines (same run, same concurrency):")
    engine = report["engine"]
    print(line("search engine alone, in process", engine) +
          f"  CPU {engine['cpu_ms_per_request']:.1f} ms/request")
    login = report["login_page"]
    print(line("GET /login (trivial page)", login.get("login", NONE)) +
          f"  server CPU {login['server_cpu_ms_per_request']:.1f} ms/request")
    memory = report["server_memory_mb"]
    workers = report["workers"] or os.cpu_count()
    kind = f"{workers} gunicorn workers" if workers > 1 else "1 waitress process"
    print(f"server: {kind}; memory (MB) "
          "per process, the parent first: " + "; ".join(
              f"peak RSS {m['peak_rss']:.0f}, RSS {m['rss']:.0f} of which shared {m['shared']:.0f}"
              f", PSS {m['pss']:.0f}" for m in memory) +
          f"; all together (PSS) {sum(m['pss'] for m in memory):.0f}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--pages", type=int, default=100_000)
    parser.add_argument("--duration", type=float, default=60.0, help="Measured seconds.")
    parser.add_argument("--warmup", type=float, default=10.0)
    parser.add_argument("--baseline-duration", type=float, default=20.0,
                        help="Seconds of each baseline and single-page phase.")
    parser.add_argument("--readers", type=int, default=20)
    parser.add_argument("--work", type=Path, default=None,
                        help="Where the archive is made and kept [/tmp/luutru-bench-web, or "
                             "/tmp/luutru-bench-web-<pages> for another size].")
    parser.add_argument("--images", action="store_true",
                        help="Readers also fetch each page's images (thumbnails, page views), "
                             "as a browser would; off: the pages alone are measured.")
    parser.add_argument("--think", type=float, default=0.0,
                        help="Mean pause of a reader after each page in the search+item phase "
                             "(0: each reader asks again as soon as answered, the hardest load).")
    parser.add_argument("--workers", type=int, default=None,
                        help="luutru serve --workers (default: its own, one per CPU).")
    parser.add_argument("--threads", type=int, default=None,
                        help="luutru serve --threads (default: its own).")
    parser.add_argument("--serve-option", action="append", default=[],
                        help="Another luutru serve option, e.g. --serve-option=--keep-alive=0.")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--json", type=Path, help="Also write the figures to this file.")
    args = parser.parse_args()
    if args.work is None:
        base = Path("/tmp/luutru-bench-web")
        args.work = base if args.pages == 100_000 else base.with_name(f"{base.name}-{args.pages}")
    report = measure(args)
    print_report(report)
    if args.json:
        args.json.write_text(json.dumps(report, indent=2, ensure_ascii=False))


if __name__ == "__main__":
    main()
