"""Benchmark for IIIF tiles (web/iiif.py): time to serve every 512-pixel tile of an item's pages
at full resolution, first from the page image (made and cached) then from the cache, p50/p95.

Runs the reading room in-process (Flask's test client, a real login, the real access check),
so it measures the server's work without the network.

    .venv/bin/python bench/iiif.py ARCHIVE [--items 3] [--rounds 3]

ARCHIVE is copied to a scratch folder first (a user is added and tiles are cached there).
"""

from __future__ import annotations

import argparse
import re
import shutil
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
from luutru.archive import Archive
from luutru.catalog.build import iter_items
from luutru.web.accounts import Accounts
from luutru.web.app import create_app

PASSWORD = "một mật khẩu đủ dài cho bench"


def _client(archive: Archive):
    Accounts(archive).add_user("bench", PASSWORD, "reader", 3)
    client = create_app(archive, config={"LOGIN_RATE_LIMITS": "1000 per minute"}).test_client()
    token = re.search(r'name="csrf_token" value="([^"]+)"', client.get("/login").text)[1]
    client.post("/login", data={"username": "bench", "password": PASSWORD, "csrf_token": token})
    return client


def _tile_urls(client, item_id: str) -> list[str]:
    manifest = client.get(f"/iiif/item/{item_id}/manifest.json").get_json()
    urls = []
    for canvas in manifest["items"]:
        service = canvas["items"][0]["items"][0]["body"]["service"][0]["id"]
        service = service.removeprefix("http://localhost")
        width, height = canvas["width"], canvas["height"]
        for x in range(0, width, 512):
            for y in range(0, height, 512):
                w, h = min(512, width - x), min(512, height - y)
                urls.append(f"{service}/{x},{y},{w},{h}/{w},/0/default.jpg")
    return urls


def _timed(client, urls: list[str]) -> list[float]:
    times = []
    for url in urls:
        start = time.perf_counter()
        response = client.get(url)
        response.close()
        assert response.status_code == 200, (url, response.status_code)
        times.append(time.perf_counter() - start)
    return times


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("archive", type=Path)
    parser.add_argument("--items", type=int, default=3)
    parser.add_argument("--rounds", type=int, default=3, help="passes over the cached tiles")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="bench-iiif-") as scratch:
        root = Path(scratch) / "archive"
        shutil.copytree(args.archive, root, ignore=shutil.ignore_patterns("cache", "access"))
        archive = Archive.open(root, create=False)
        client = _client(archive)
        items = [item["id"] for item in iter_items(archive)][:args.items]
        urls = [url for item_id in items for url in _tile_urls(client, item_id)]
        first = _timed(client, urls)
        cached = [t for _ in range(args.rounds) for t in _timed(client, urls)]
    for label, times in (("made and cached", first), ("from the cache", cached)):
        ms = np.array(times) * 1000
        print(f"{label:16s} {len(ms):5d} tiles  p50 {np.percentile(ms, 50):6.1f} ms  "
              f"p95 {np.percentile(ms, 95):6.1f} ms")
    return 0


if __name__ == "__main__":
    sys.exit(main())
