"""OCR spread over Celery workers through a real Redis, against the local process pool.

What must hold: two workers in their own working directories, sharing only the archive path, make
the same text, ALTO and catalogue as the local pool, byte for byte, and the same document PDFs
(built by the workers); a worker killed with -9 mid-page loses nothing and every page is read
once; a broker restarted mid-batch is waited for, and a broker gone for good stops the run with a
clear message and the next run finishes it; a worker with another model is refused; two
coordinators on one archive read no page twice (the second waits, and says so); a coordinator
killed with -9 leaves no lock behind.
"""

from __future__ import annotations

import filecmp
import json
import os
import re
import subprocess
import sys
import threading
import time
from collections import Counter
from pathlib import Path

import pikepdf
import pytest

from luutru.archive import Archive
from luutru.catalog import build_catalog
from luutru.ingest import ingest_batch
from luutru.ocr import ocr_archive
from luutru.ocr.celery_app import DOCUMENT_TASK_NAME
from luutru.samples.batch import make_batch
from luutru.samples.render import render_lines

sys.path.insert(0, str(Path(__file__).parent))
from celerycluster import LUUTRU, redis_available, redis_server, start_worker, worker  # noqa: E402

pytestmark = pytest.mark.skipif(
    not redis_available(),
    reason="redis-server is not on PATH (make test installs it: TEST_APT_PACKAGES in the Makefile)")

os.environ.setdefault("OMP_THREAD_LIMIT", "1")
# Long enough for a small page on a loaded machine, short enough for a test to wait it out.
VISIBILITY = "15"
WORKER_ENV = {"LUUTRU_VISIBILITY_TIMEOUT": VISIBILITY}
DONE = re.compile(r"'page': '([0-9a-f]{64}:\d+)', 'status': 'done'")


def _tiny_scans(folder: Path, pages: int) -> Path:
    """``pages`` one-page PNG documents, small enough to read in a fraction of a second."""
    target = folder / "PHONG-7" / "HS-1"
    target.mkdir(parents=True)
    for number in range(pages):
        image = render_lines(["ĐẢNG CỘNG SẢN VIỆT NAM", f"Báo cáo số {number} về công tác"],
                             dpi=150, size_mm=(120, 40), top_mm=8)
        image.save(target / f"doc-{number}.png", dpi=(150, 150))
    return folder


def _ingested(root: Path, scans: Path) -> Archive:
    archive = Archive.open(root)
    ingest_batch(archive, scans)
    return archive


def _celery(url: str, **options):
    from luutru.ocr.celery_executor import CeleryExecutor

    return CeleryExecutor(url, poll=0.05, max_poll=0.5, **options)


def _reads(*workers) -> Counter:
    """How many times each page was read to the end, from the workers' own logs."""
    return Counter(page for w in workers for page in DONE.findall(w.output()))


def _all_read(archive: Archive) -> bool:
    return all((archive.page_dir(ref) / "ocr.json").exists() for ref in archive.iter_page_refs())


def _pdf_text(path: Path) -> str:
    """A PDF's words as poppler extracts them, page by page (the PDFs' bytes differ by their
    creation time and file identifier, even built twice in one process)."""
    return subprocess.run(["pdftotext", "-layout", str(path), "-"], capture_output=True,
                          text=True, check=True).stdout


def test_two_workers_make_the_archive_the_local_pool_makes(tmp_path):
    scans = tmp_path / "scans"
    make_batch(scans, seed=5, documents=2, pages=2)
    local = _ingested(tmp_path / "local", scans)
    expected = ocr_archive(local, jobs=2)
    assert expected.exit_code == 0
    build_catalog(local)

    spread = _ingested(tmp_path / "spread", scans)
    with redis_server(tmp_path / "redis") as redis, \
            worker(spread.root, redis.url, tmp_path / "machine-a") as a, \
            worker(spread.root, redis.url, tmp_path / "machine-b") as b:   # (full pages: slow)
        report = ocr_archive(spread, executor=_celery(redis.url))
    assert report.exit_code == 0 and len(report.done) == 4
    assert sorted(d["original"] for d in report.documents) == \
        sorted(d["original"] for d in expected.documents)
    build_catalog(spread)

    refs = list(local.iter_page_refs())
    assert len(refs) == 4
    for ref in refs:
        for name in ("text.txt", "ocr.alto.xml"):
            assert (local.page_dir(ref) / name).read_bytes() == \
                (spread.page_dir(ref) / name).read_bytes(), (ref, name)
        provenance = json.loads((spread.page_dir(ref) / "ocr.json").read_text(encoding="utf-8"))
        assert provenance["worker"]["pid"] != os.getpid()      # read by a worker, not here
    catalogues = sorted(p.name for p in local.catalog_dir.glob("*.xml"))
    assert catalogues
    match, mismatch, errors = filecmp.cmpfiles(local.catalog_dir, spread.catalog_dir, catalogues,
                                               shallow=False)
    assert not mismatch and not errors
    assert sum(_reads(a, b).values()) == 4

    built_by_workers = sum(w.output().count(f"{DOCUMENT_TASK_NAME}[") for w in (a, b))
    assert built_by_workers >= 2 * len(report.documents)        # received, succeeded
    for entry in expected.documents:
        mine, theirs = Path(entry["path"]), spread.document_pdf_path(entry["original"])
        assert _pdf_text(theirs) == _pdf_text(mine) and _pdf_text(mine).strip()
        with pikepdf.open(mine) as one, pikepdf.open(theirs) as other:
            assert len(one.pages) == len(other.pages)
            for left, right in zip(one.pages, other.pages):
                assert left.mediabox == right.mediabox
                assert [image.read_raw_bytes() for image in left.get_images().values()] == \
                    [image.read_raw_bytes() for image in right.get_images().values()]


def test_a_worker_killed_mid_page_loses_nothing_and_reads_nothing_twice(tmp_path):
    archive = _ingested(tmp_path / "archive", _tiny_scans(tmp_path / "scans", 5))
    with redis_server(tmp_path / "redis") as redis:
        doomed = start_worker(archive.root, redis.url, tmp_path / "machine-a", env=WORKER_ENV)
        result: dict = {}
        coordinator = threading.Thread(
            target=lambda: result.update(report=ocr_archive(archive, executor=_celery(redis.url))))
        coordinator.start()
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:                     # kill it while it holds a page
            log = doomed.output()
            if log.count("succeeded in") >= 1 and log.count(" received") > log.count("succeeded in"):
                break
            time.sleep(0.01)
        doomed.kill()
        with worker(archive.root, redis.url, tmp_path / "machine-b", env=WORKER_ENV) as survivor:
            coordinator.join(timeout=180)
            assert not coordinator.is_alive()
        report = result["report"]
        assert report.exit_code == 0 and len(report.done) == 5, report.to_json()
        assert _all_read(archive)
        reads = _reads(doomed, survivor)
        assert sorted(reads) == sorted(ref.key for ref in archive.iter_page_refs())
        assert set(reads.values()) == {1}                      # every page read exactly once
        assert _reads(survivor)                                # the batch finished on the other


def _killing_the_broker(archive: Archive, redis, after: int, back_in: float | None):
    """The archive's pages, with Redis killed after ``after`` of them (back ``back_in`` s later)."""
    for number, ref in enumerate(archive.iter_page_refs()):
        if number == after:
            redis.kill()
            if back_in is not None:
                threading.Timer(back_in, redis.start).start()
        yield ref


def test_a_broker_restarted_mid_batch_is_waited_for(tmp_path):
    archive = _ingested(tmp_path / "archive", _tiny_scans(tmp_path / "scans", 4))
    with redis_server(tmp_path / "redis") as redis, \
            worker(archive.root, redis.url, tmp_path / "machine-a", env=WORKER_ENV) as reader:
        report = ocr_archive(archive, executor=_celery(redis.url, reconnect_timeout=60),
                             pages=_killing_the_broker(archive, redis, after=2, back_in=2.0))
        assert report.exit_code == 0 and len(report.done) == 4, report.to_json()
        assert _all_read(archive) and len(list(archive.documents_dir.glob("*.pdf"))) == 4
        reader.kill()                                          # all read: no worker needed now
        again = ocr_archive(archive, executor=_celery(redis.url))
        assert len(again.skipped) == 4 and not again.done and not again.failed


def test_a_broker_gone_for_good_stops_the_run_clearly_and_the_next_run_finishes(tmp_path):
    from luutru.ocr.executors import ExecutorUnavailable

    archive = _ingested(tmp_path / "archive", _tiny_scans(tmp_path / "scans", 4))
    with redis_server(tmp_path / "redis") as redis, \
            worker(archive.root, redis.url, tmp_path / "machine-a", env=WORKER_ENV):
        with pytest.raises(ExecutorUnavailable, match="Không kết nối được tới Redis"):
            ocr_archive(archive, executor=_celery(redis.url, reconnect_timeout=2),
                        pages=_killing_the_broker(archive, redis, after=2, back_in=None))
        redis.start()                                          # the next run: all is read
        report = ocr_archive(archive, executor=_celery(redis.url))
        assert report.exit_code == 0, report.to_json()
        assert len(report.done) + len(report.skipped) == 4
        assert _all_read(archive) and len(list(archive.documents_dir.glob("*.pdf"))) == 4


def test_a_worker_with_another_model_is_refused(tmp_path):
    from luutru.ocr.celery_app import make_app, publish_versions, versions
    from luutru.ocr.models import DEFAULT_MODEL, locate

    archive = Archive.open(tmp_path / "archive")
    other_model = tmp_path / "other-tessdata"
    other_model.mkdir()
    (other_model / "vie.traineddata").write_bytes(b"not the pinned network")
    with redis_server(tmp_path / "redis") as redis:
        publish_versions(make_app(redis.url), versions(locate(DEFAULT_MODEL)))
        refused = start_worker(archive.root, redis.url, tmp_path / "machine-a",
                               env={"LUUTRU_TESSDATA": str(other_model)})
        assert refused.process.wait(timeout=120) == 1
        assert "Máy đọc từ chối" in refused.output() and "mô hình OCR" in refused.output()
        assert " ready." not in refused.output()

        coordinator = dict(versions(locate(DEFAULT_MODEL)), model_sha256="0" * 64)
        publish_versions(make_app(redis.url), coordinator)     # a coordinator with another model
        refused = start_worker(archive.root, redis.url, tmp_path / "machine-b")
        assert refused.process.wait(timeout=120) == 1
        assert "mã kiểm tra sha256 của mô hình" in refused.output()


def test_two_coordinators_on_one_archive_read_no_page_twice(tmp_path):
    archive = _ingested(tmp_path / "archive", _tiny_scans(tmp_path / "scans", 6))
    with redis_server(tmp_path / "redis") as redis, \
            worker(archive.root, redis.url, tmp_path / "machine-a", env=WORKER_ENV) as reader:
        command = [*LUUTRU, "ocr", "-a", str(archive.root), "--executor", "celery", "--json"]
        env = {**os.environ, "LUUTRU_BROKER_URL": redis.url}
        coordinators = [subprocess.Popen(command, env=env, stdout=subprocess.PIPE,
                                         stderr=subprocess.PIPE, text=True) for _ in range(2)]
        outputs = [c.communicate(timeout=300) for c in coordinators]
    assert [c.returncode for c in coordinators] == [0, 0]
    reports = [json.loads(out) for out, _ in outputs]
    for report in reports:                                     # each saw every page come in
        assert report["pages_done"] + report["pages_skipped"] == 6 and not report["failed"]
    waited = ["Một lượt OCR khác đang chạy" in err for _, err in outputs]
    assert sorted(waited) == [False, True]                     # one waited for the other, said so
    assert sorted(r["pages_done"] for r in reports) == [0, 6]  # and found all read
    reads = _reads(reader)
    assert sorted(reads) == sorted(ref.key for ref in archive.iter_page_refs())
    assert set(reads.values()) == {1}
    assert _all_read(archive)


def test_celery_needs_a_broker_and_says_so(tmp_path):
    from click.testing import CliRunner

    from luutru.cli import cli

    Archive.open(tmp_path / "archive")
    env = {"LUUTRU_BROKER_URL": ""}
    result = CliRunner().invoke(cli, ["ocr", "-a", str(tmp_path / "archive"), "--executor",
                                      "celery"], env=env)
    assert result.exit_code == 1 and "--broker" in result.output and "cần" in result.output


def test_the_job_survives_the_message_round_trip(tmp_path):
    """The job a worker rebuilds from the JSON message is the coordinator's, settings and all."""
    from luutru.ocr.celery_app import job_from_message, job_message
    from luutru.ocr.cleanup import CleanupOptions
    from luutru.ocr.models import DEFAULT_MODEL, locate
    from luutru.ocr.pipeline import OcrOptions, PageJob

    options = OcrOptions(cleanup=CleanupOptions(disabled=frozenset({"deskew"}),
                                                stamp_hues=("red",)), tesseract_config="--dpi 300")
    job = PageJob("/coordinator/archive", options, locate(DEFAULT_MODEL), redo=True)
    message = json.loads(json.dumps(job_message(job)))
    rebuilt = job_from_message(message, str(tmp_path))
    assert rebuilt.options == options and rebuilt.redo and rebuilt.root == str(tmp_path)
    assert rebuilt.options.settings(rebuilt.model) == options.settings(job.model)


def test_a_page_from_a_coordinator_with_another_model_is_put_back_and_the_worker_stops(tmp_path):
    """A worker started before any coordinator checks each page: it reads none for a coordinator
    whose model differs, leaves the page on the queue for a worker that matches, and stops."""
    import redis as redis_py

    from luutru.ocr.celery_app import QUEUE, TASK_NAME, job_message, make_app, versions
    from luutru.ocr.models import DEFAULT_MODEL, locate
    from luutru.ocr.pipeline import OcrOptions, PageJob

    archive = _ingested(tmp_path / "archive", _tiny_scans(tmp_path / "scans", 1))
    ref = next(archive.iter_page_refs())
    with redis_server(tmp_path / "redis") as redis, \
            worker(archive.root, redis.url, tmp_path / "machine-a", env=WORKER_ENV) as reader:
        assert " ready." in reader.output()
        model = locate(DEFAULT_MODEL)
        other = dict(versions(model), model_sha256="0" * 64)
        job = job_message(PageJob(str(archive.root), OcrOptions(), model))
        make_app(redis.url).send_task(TASK_NAME, args=[ref.key, job, other])
        assert reader.process.wait(timeout=120) == 0           # a warm shutdown, asked for
        assert "Máy đọc từ chối" in reader.output()
        assert not (archive.page_dir(ref) / "ocr.json").exists()
        assert redis_py.Redis(port=redis.port).llen(QUEUE) == 1    # back on the queue


def test_a_coordinator_killed_mid_batch_leaves_no_lock_and_the_next_run_finishes(tmp_path):
    """The OCR lock is the kernel's (flock): it dies with its holder, and no lease has to lapse;
    the pages the dead coordinator left queued are sent again under the same ids."""
    archive = _ingested(tmp_path / "archive", _tiny_scans(tmp_path / "scans", 4))
    with redis_server(tmp_path / "redis") as redis, \
            worker(archive.root, redis.url, tmp_path / "machine-a", env=WORKER_ENV) as reader:
        command = [*LUUTRU, "ocr", "-a", str(archive.root), "--executor", "celery"]
        doomed = subprocess.Popen(command, env={**os.environ, "LUUTRU_BROKER_URL": redis.url},
                                  stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        deadline = time.monotonic() + 120
        while not _reads(reader) and time.monotonic() < deadline:
            time.sleep(0.05)
        doomed.kill()
        doomed.wait()
        assert not _all_read(archive)                          # killed mid-batch
        started = time.monotonic()
        report = ocr_archive(archive, executor=_celery(redis.url))
        assert time.monotonic() - started < 60                 # no lease to wait out
    assert report.exit_code == 0, report.to_json()
    assert len(report.done) + len(report.skipped) == 4
    assert _all_read(archive) and len(list(archive.documents_dir.glob("*.pdf"))) == 4


def test_a_page_read_before_stamps_were_looked_for_gets_them_from_a_worker(tmp_path):
    """As the local pool does: the page is not read again, only its stamps are looked for."""
    archive = _ingested(tmp_path / "archive", _tiny_scans(tmp_path / "scans", 1))
    assert ocr_archive(archive).exit_code == 0
    ref = next(archive.iter_page_refs())
    marks = archive.page_dir(ref) / "marks.json"
    expected = json.loads(marks.read_text(encoding="utf-8"))
    marks.unlink()
    with redis_server(tmp_path / "redis") as redis, \
            worker(archive.root, redis.url, tmp_path / "machine-a", env=WORKER_ENV) as reader:
        report = ocr_archive(archive, executor=_celery(redis.url))
    assert report.skipped == [ref.key] and not report.done and not report.failed
    assert json.loads(marks.read_text(encoding="utf-8")) == expected
    assert not _reads(reader)                                  # not read again
    assert "succeeded" in reader.output()                      # but a worker did look
