"""How the reading room keeps search in step with access changes, measured (issue 13).

Two ways to keep an access change from lagging in search: index the changed items synchronously
when the change is made or noticed, or check the record on every request. luutru does both: the
first keeps totals and facets right, the second is the safety net when the index is busy. This
prints what each costs on the reading-room benchmark's archive (``bench/webdata.py``):

- ``decision``: an archivist decides one hồ sơ (catalogue write + synchronous index update of its
  items), the work one click or ``luutru catalog access-decide`` costs;
- ``reload``: the reading room noticing a changed catalogue file (parse it, every item's level);
- ``record check``: the check of one results page's hits against the record (per search);
- ``search``: one search, the baseline the check is added to.

    python bench/access.py [--pages 5000] [--work /tmp/luutru-bench-web]
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from webdata import generate  # noqa: E402

from luutru.access import item_level  # noqa: E402
from luutru.archive import Archive  # noqa: E402
from luutru.catalog import iter_items  # noqa: E402
from luutru.catalog.accessreview import decide_access, file_item_ids  # noqa: E402
from luutru.index.model import SearchRequest  # noqa: E402
from luutru.index.update import apply_access_changes, item_levels, open_backend  # noqa: E402
from luutru.web.records import CatalogCache  # noqa: E402


def _ms(samples: list[float]) -> str:
    return f"median {statistics.median(samples) * 1000:.1f} ms, max {max(samples) * 1000:.1f} ms"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pages", type=int, default=5000)
    parser.add_argument("--work", type=Path, default=Path("/tmp/luutru-bench-web"))
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args()
    report = generate(args.work, args.pages, progress=False)
    archive = Archive(args.work / "archive")
    items = list(iter_items(archive))
    print(f"archive: {report.pages} pages, {len(items)} items, {report.files} hồ sơ")

    files = sorted({(i["fonds_code"], i["file_code"]) for i in items})[: args.rounds]
    decisions = []
    for n, (fonds, file) in enumerate(files):
        ids = file_item_ids(items, fonds, file)
        start = time.perf_counter()
        before = item_levels(archive)
        decide_access(archive, ids, "close" if n % 2 == 0 else "open")
        apply_access_changes(archive, before)
        decisions.append(time.perf_counter() - start)
        decide_access(archive, ids, "open")  # leave the archive as it was, nearly
    print(f"decision on one hồ sơ (write + synchronous index update): {_ms(decisions)}")

    cache = CatalogCache(archive)
    start = time.perf_counter()
    view = cache.get()
    print(f"reload of the whole catalogue with every level: "
          f"{(time.perf_counter() - start) * 1000:.0f} ms")

    searches, checks = [], []
    with open_backend(archive) as engine:
        for query in ("nghi quyet", "dang uy", "chi thi", "cong tac", "bao cao") * args.rounds:
            start = time.perf_counter()
            result = engine.search(SearchRequest(query, clearance=0, limit=10))
            searches.append(time.perf_counter() - start)
            start = time.perf_counter()
            for hit in result.hits:
                record = view.item(hit["item"]) if hit.get("item") else None
                item_level(record) if record is not None else 3
            checks.append(time.perf_counter() - start)
    print(f"search (baseline): {_ms(searches)}")
    print(f"record check of one results page (10 hits): {_ms(checks)}")


if __name__ == "__main__":
    main()
