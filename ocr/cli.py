"""Command-line layer of the ocr stage (thin: it calls the library API)."""

from __future__ import annotations

import os
from pathlib import Path

import click

from luutru.cliutil import (BROKER_ENV, archive_option, choose_executor, emit_report, executor_options, json_option, open_archive, show_progress)
from luutru.ocr.cleanup import STEPS, CleanupOptions
from luutru.ocr.executors import ExecutorUnavailable
from luutru.ocr.models import DEFAULT_MODEL, MODELS, ModelMissing
from luutru.ocr.pipeline import OcrOptions, ocr_archive


def _step_switches(func):
    """One ``--no-<step>`` flag per clean-up step, gathered into ``disabled_steps``."""
    for step in reversed(STEPS):
        func = click.option(f"--no-{step}", f"no_{step}", is_flag=True,
                            help=f"Bỏ bước làm sạch {step}.")(func)
    return func


@click.command("ocr")
@click.option("--redo", is_flag=True, help="Đọc lại cả những trang đã đọc.")
@click.option("--jobs", "-j", type=click.IntRange(min=1), default=1, show_default=True,
              help="Số trang đọc song song (số tiến trình).")
@click.option("--model", type=click.Choice(sorted(MODELS)), default=DEFAULT_MODEL,
              show_default=True, help="Mô hình tiếng Việt của Tesseract.")
@click.option("--debug-images", is_flag=True,
              help="Giữ mọi ảnh trung gian của bước làm sạch trong thư mục debug/ của từng trang.")
@executor_options
@_step_switches
@archive_option
@json_option
def ocr_command(redo: bool, jobs: int, model: str, debug_images: bool, executor: str,
                broker: str | None, archive_path: Path | None, as_json: bool,
                **switches: bool) -> None:
    """Làm sạch và đọc (OCR) các trang đã nhập; dựng PDF tra cứu được cho từng bản gốc.

    Pages already read with the same settings are skipped, so an interrupted run resumes.
    Exits 2 when some page could not be read (the others are kept).
    """
    try:
        archive = open_archive(archive_path, create=False)
    except FileNotFoundError as exc:
        raise click.ClickException(str(exc)) from exc
    disabled = frozenset(step for step in STEPS if switches.get(f"no_{step}"))
    options = OcrOptions(cleanup=CleanupOptions(disabled=disabled), debug_images=debug_images)
    chosen = choose_executor(executor, jobs, broker)
    try:
        report = ocr_archive(archive, redo=redo, jobs=jobs, options=options, model=model,
                             progress=show_progress(as_json), executor=chosen)
    except (ModelMissing, ExecutorUnavailable) as exc:
        raise click.ClickException(str(exc)) from exc
    emit_report(report, as_json)


@click.command("worker")
@click.option("--broker", envvar=BROKER_ENV, required=True, metavar="URL",
              help=f"Redis của máy điều phối, ví dụ redis://host:6379/0 [mặc định: ${BROKER_ENV}].")
@click.option("--concurrency", "-c", type=click.IntRange(min=1), default=os.cpu_count() or 1,
              show_default=True, help="Số trang đọc cùng lúc (tiến trình; mỗi lõi một).")
@click.option("--loglevel", default="INFO", show_default=True, help="Mức ghi nhật ký của Celery.")
@archive_option
def worker_command(broker: str, concurrency: int, loglevel: str,
                   archive_path: Path | None) -> None:
    """Đọc trang trên máy này cho `luutru run|ocr --executor celery` (một worker Celery).

    Kho lưu trữ là của máy điều phối, truy cập qua hệ thống tệp dùng chung (NFS, SMB). Worker
    không chạy, hoặc dừng lại, khi mã nguồn, Tesseract hay mô hình khác với máy điều phối.
    Dừng bằng Ctrl+C hoặc SIGTERM: các trang đang giữ được trả lại hàng đợi.
    """
    from luutru.ocr.celery_app import WorkerRefused, run_worker

    try:
        archive = open_archive(archive_path, create=False)
    except FileNotFoundError as exc:
        raise click.ClickException(str(exc)) from exc
    try:
        run_worker(archive, broker, concurrency, loglevel)
    except (WorkerRefused, ExecutorUnavailable, ModelMissing) as exc:
        raise click.ClickException(str(exc)) from exc


COMMANDS: list = [ocr_command, worker_command]
