"""Distributed OCR on this machine: Celery workers against the local process pool, in one run.

    .venv/bin/python bench/distributed.py [--corpus DIR] [--pages N] [--lost-worker]

The first N pages of the corpus (whole scanned files, in name order) are ingested once; then each
configuration reads them into its own copy of that archive:

- ``local --jobs 2``: the process pool (the baseline, measured in the same run, before and after
  the Celery runs; the ratio is against the mean of the two);
- ``celery x1``, ``celery x2``: one and two ``luutru worker`` processes (one page at a time each)
  on a private redis-server, the coordinator in this process.

For each: pages per minute; the coordinator's CPU per page (this process: enqueueing, polling,
the report, and, for the local pool only, each original's PDF, which Celery workers build); the
readers' CPU per page (pool processes or workers, PDFs included for Celery); the
broker's CPU, commands and bytes per page (redis-server's
/proc and INFO); the extra latency per page (the time a reading process is not reading, per page:
wall × processes / pages − mean page time). Then the shared filesystem's operations per page
(opens, renames, bytes, counted by an audit hook on a few pages read in this process) and, with
``--lost-worker``, what a worker killed with -9 mid-page costs (pages read again, pages lost).

The machine is shared: absolute figures are noisy, the same-run ratios are the result.
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import resource
import shutil
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent / "tests"))

from celerycluster import redis_server, start_worker  # noqa: E402

from luutru.archive import Archive  # noqa: E402
from luutru.ingest import ingest_batch  # noqa: E402
from luutru.ocr import ocr_archive  # noqa: E402
from luutru.ocr.executors import InProcess  # noqa: E402

DEFAULT_CORPUS = Path("/work/shared/corpus/dev")
LOST_WORKER_VISIBILITY = "20"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--corpus", type=Path, default=DEFAULT_CORPUS)
    parser.add_argument("--pages", type=int, default=24, help="about N pages (0: all)")
    parser.add_argument("--fs-pages", type=int, default=3, help="pages for the filesystem count")
    parser.add_argument("--lost-worker", action="store_true", help="also kill a worker mid-batch")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    os.environ.setdefault("OMP_THREAD_LIMIT", "1")
    with tempfile.TemporaryDirectory(prefix="luutru-distributed-") as tmp:
        work = Path(tmp)
        base = _ingest_subset(args.corpus, args.pages, work)
        pages = sum(1 for _ in base.iter_page_refs())
        print(f"{pages} pages from {args.corpus}", flush=True)
        ocr_archive(_copy(base, work / "warm-up"), pages=list(base.iter_page_refs())[:1])
        results: dict[str, dict] = {}
        # the baseline before and after the Celery runs, so a machine growing busier or
        # quieter during the run moves both sides of the ratio
        for name, run in [("local --jobs 2", lambda: _local(base, work / "local-a", jobs=2)),
                          ("celery x1", lambda: _celery(base, work / "celery1", 1)),
                          ("celery x2", lambda: _celery(base, work / "celery2", 2)),
                          ("local --jobs 2 (again)", lambda: _local(base, work / "local-b", 2))]:
            results[name] = run()
            _print(results)
        local_rate = (results["local --jobs 2"]["pages_per_min"]
                      + results["local --jobs 2 (again)"]["pages_per_min"]) / 2
        figures = {"pages": pages, "runs": results,
                   "ratio_celery2_vs_local2": round(results["celery x2"]["pages_per_min"]
                                                    / local_rate, 3),
                   "filesystem_per_page": _filesystem(base, work / "fs", args.fs_pages)}
        if args.lost_worker:
            figures["lost_worker"] = _lost_worker(base, work / "lost")
        print(f"\ncelery x2 / local --jobs 2 (mean of both): "
              f"{figures['ratio_celery2_vs_local2']:.3f}× pages/min")
        print("shared filesystem per page:", json.dumps(figures["filesystem_per_page"]))
        if args.lost_worker:
            print("lost worker:", json.dumps(figures["lost_worker"], ensure_ascii=False))
        if args.json:
            print(json.dumps(figures, indent=2, ensure_ascii=False))
    return 0


# --- the corpus ---------------------------------------------------------------------------------

def _ingest_subset(corpus: Path, limit: int, work: Path) -> Archive:
    """Whole scanned files in name order until about ``limit`` pages, ingested once."""
    with (corpus / "manifest.csv").open(encoding="utf-8") as handle:
        counts = Counter(row["source"] for row in csv.DictReader(handle))
    scans, taken = work / "scans", 0
    for source in sorted(counts):
        if limit and taken >= limit:
            break
        target = scans / source
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(corpus / "scans" / source, target)
        taken += counts[source]
    archive = Archive.open(work / "base")
    ingest_batch(archive, scans)
    return archive


def _copy(base: Archive, target: Path) -> Archive:
    """The ingested archive again, originals hard-linked (they are never written)."""
    shutil.copytree(base.root, target, copy_function=os.link)
    return Archive(target)


# --- the runs -----------------------------------------------------------------------------------

def _cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def _group_cpu(pgid: int) -> float:
    """CPU seconds of every process in a process group, with the children it has reaped."""
    total = 0.0
    for entry in Path("/proc").iterdir():
        try:
            fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
        except (OSError, ValueError):
            continue
        if int(fields[2]) == pgid:
            total += sum(int(value) for value in fields[11:15])
    return total / os.sysconf("SC_CLK_TCK")


def _readers_cpu(workers) -> float:
    """CPU seconds used so far by whoever reads pages: the workers, else this process's children."""
    if workers:
        return sum(_group_cpu(worker.process.pid) for worker in workers)
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def _measure(archive: Archive, processes: int, executor, broker=None, workers=()) -> dict:
    stats = _broker_stats(broker) if broker else None
    broker_cpu = broker.cpu_seconds() if broker else 0.0
    readers_cpu = _readers_cpu(workers)
    cpu, started = _cpu(), time.monotonic()
    report = ocr_archive(archive, executor=executor, jobs=processes)
    wall, cpu = time.monotonic() - started, _cpu() - cpu
    readers_cpu = _readers_cpu(workers) - readers_cpu
    pages = len(report.done)
    if report.failed or pages == 0:
        raise SystemExit(f"pages failed: {report.failed}")
    page_seconds = _page_seconds(archive)
    figures = {"pages_per_min": round(60 * pages / wall, 2), "wall_s": round(wall, 1),
               "coordinator_cpu_ms_per_page": round(1000 * cpu / pages, 1),
               "mean_page_s": round(page_seconds, 3),
               "reader_cpu_s_per_page": round(readers_cpu / pages, 3),
               "extra_latency_ms_per_page": round(1000 * (wall * processes / pages - page_seconds), 1)}
    if broker:
        after = _broker_stats(broker)
        figures.update({
            "broker_cpu_ms_per_page": round(1000 * (broker.cpu_seconds() - broker_cpu) / pages, 1),
            **{f"broker_{name}_per_page": round((after[name] - stats[name]) / pages, 1)
               for name in after}})
    return figures


def _page_seconds(archive: Archive) -> float:
    """Mean time a worker spent reading a page, from each page's provenance."""
    times = [sum(json.loads((archive.page_dir(ref) / "ocr.json").read_text())["timings"].values())
             for ref in archive.iter_page_refs()]
    return sum(times) / len(times)


def _broker_stats(broker) -> dict[str, int]:
    import redis

    info = redis.Redis(port=broker.port).info("stats")
    return {"commands": info["total_commands_processed"],
            "bytes_in": info["total_net_input_bytes"], "bytes_out": info["total_net_output_bytes"]}


def _local(base: Archive, target: Path, jobs: int) -> dict:
    return _measure(_copy(base, target), jobs, None)


def _celery(base: Archive, target: Path, workers: int) -> dict:
    from luutru.ocr.celery_executor import CeleryExecutor

    archive = _copy(base, target)
    with redis_server(target.parent / f"redis-{target.name}") as broker:
        started = [start_worker(archive.root, broker.url, target.parent / f"{target.name}-m{n}")
                   for n in range(workers)]
        try:
            return _measure(archive, workers, CeleryExecutor(broker.url), broker, started)
        finally:
            for worker in started:
                worker.kill()


def _print(results: dict) -> None:
    name, figures = list(results.items())[-1]
    print(f"{name:16} " + "  ".join(f"{key}={value}" for key, value in figures.items()), flush=True)


# --- the shared filesystem ----------------------------------------------------------------------

def _filesystem(base: Archive, target: Path, pages: int) -> dict:
    """Opens for reading and writing, renames and bytes under the archive, per page read.

    Counted in this process with an audit hook (the operations a worker makes on the shared
    filesystem); a PDF original is read by poppler's pdftoppm, which the hook does not see.
    """
    archive = _copy(base, target)
    root = str(archive.root.resolve())
    refs = list(archive.iter_page_refs())[:pages + 1]
    counts: Counter = Counter()
    active = [False]

    def hook(event: str, args: tuple) -> None:
        if not active[0]:
            return
        if event == "open" and isinstance(args[0], (str, os.PathLike)) \
                and str(args[0]).startswith(root):
            path = Path(args[0])
            writing = any(flag in str(args[1] or "r") for flag in "wax+") or \
                (isinstance(args[2], int) and args[2] & (os.O_WRONLY | os.O_RDWR))
            counts["opens_write" if writing else "opens_read"] += 1
            if not writing and path.is_file():
                counts["bytes_read"] += path.stat().st_size
        elif event in ("os.rename", "os.replace") and str(args[1]).startswith(root):
            counts["renames"] += 1
            counts["bytes_written"] += Path(args[0]).stat().st_size
        elif event == "os.remove" and str(args[0]).startswith(root):
            counts["removes"] += 1

    sys.addaudithook(hook)
    executor = InProcess()
    list(ocr_archive(archive, executor=executor, pages=refs[:1]).done)   # model loaded, warm
    active[0] = True
    ocr_archive(archive, executor=executor, pages=refs[1:])
    active[0] = False
    read = len(refs) - 1
    return {name: round(value / read, 1) for name, value in sorted(counts.items())}


# --- a lost worker ------------------------------------------------------------------------------

def _lost_worker(base: Archive, target: Path) -> dict:
    """Two workers, one killed with -9 while it holds a page: what is read twice, what is lost."""
    import re
    import threading

    from luutru.ocr.celery_executor import CeleryExecutor

    os.environ["LUUTRU_VISIBILITY_TIMEOUT"] = LOST_WORKER_VISIBILITY
    archive = _copy(base, target)
    done = re.compile(r"'page': '([0-9a-f]{64}:\d+)', 'status': 'done'")
    with redis_server(target.parent / "redis-lost") as broker:
        workers = [start_worker(archive.root, broker.url, target.parent / f"lost-m{n}")
                   for n in range(2)]
        result: dict = {}
        started = time.monotonic()
        coordinator = threading.Thread(target=lambda: result.update(
            report=ocr_archive(archive, executor=CeleryExecutor(broker.url))))
        coordinator.start()
        doomed = workers[0]
        while coordinator.is_alive():
            log = doomed.output()
            if log.count("succeeded in") >= 2 and log.count(" received") > log.count("succeeded in"):
                break
            time.sleep(0.02)
        held = doomed.output().count(" received") - doomed.output().count("succeeded in")
        doomed.kill()
        coordinator.join()
        wall = time.monotonic() - started
        for worker in workers:
            worker.kill()
        reads = Counter(page for w in workers for page in done.findall(w.output()))
    report = result["report"]
    return {"pages": len(report.done), "failed": len(report.failed), "held_when_killed": held,
            "read_twice": sum(1 for n in reads.values() if n > 1),
            "never_read": sum(1 for ref in archive.iter_page_refs()
                              if not (archive.page_dir(ref) / "ocr.json").exists()),
            "wall_s": round(wall, 1), "visibility_timeout_s": float(LOST_WORKER_VISIBILITY)}


if __name__ == "__main__":
    sys.exit(main())
