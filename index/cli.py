"""Command-line layer of the index stage (thin: it calls the library API)."""

from __future__ import annotations

import re
from pathlib import Path

import click

from luutru.cliutil import (archive_option, emit_report, json_option, open_archive, print_json,
                            show_progress)
from luutru.index.backend import MATCH_LABELS
from luutru.index.registry import ES_ENV
from luutru.access import CLEARANCE_NAMES, parse_clearance
from luutru.index.model import QueryError, SearchRequest
from luutru.index.snippets import MARK_CLOSE, MARK_OPEN
from luutru.index.tantivy_backend import IndexBusy
from luutru.index.update import checked_search, open_backend, reindex, update_index


def es_option(func):
    return click.option("--es", "es_url", envvar=ES_ENV, show_envvar=True, default=None,
                        metavar="URL",
                        help="Địa chỉ Elasticsearch (http://user:password@host:9200) thay cho chỉ mục nhúng.")(func)


def _backend(archive_path: Path | None, es_url: str | None, create: bool = True):
    try:
        archive = open_archive(archive_path, create=create)
    except FileNotFoundError as exc:
        raise click.ClickException(str(exc)) from exc
    try:
        return archive, open_backend(archive, es_url)
    except Exception as exc:  # a wrong URL or an unreachable server: say so, no traceback
        raise click.ClickException(f"Không mở được chỉ mục tìm kiếm: {exc}") from exc


def _index_run(action, archive_path: Path | None, es_url: str | None, as_json: bool) -> None:
    archive, backend = _backend(archive_path, es_url)
    try:
        with backend:
            report = action(archive, backend, progress=show_progress(as_json))
    except click.ClickException:
        raise
    except IndexBusy as exc:
        raise click.ClickException(f"Chỉ mục đang bận: {exc}") from exc
    except Exception as exc:
        if type(exc).__module__.startswith(("elasticsearch", "elastic_transport")):
            raise click.ClickException(f"Lỗi Elasticsearch: {exc}") from exc
        raise
    emit_report(report, as_json)


@click.command("index")
@archive_option
@es_option
@json_option
def index_command(archive_path: Path | None, es_url: str | None, as_json: bool) -> None:
    """Cập nhật chỉ mục tìm kiếm theo hồ sơ lưu trữ (chỉ phần thay đổi; chạy lại an toàn)."""
    _index_run(update_index, archive_path, es_url, as_json)


@click.command("reindex")
@archive_option
@es_option
@json_option
def reindex_command(archive_path: Path | None, es_url: str | None, as_json: bool) -> None:
    """Dựng lại chỉ mục tìm kiếm từ hồ sơ lưu trữ; chỉ mục cũ phục vụ đến khi chỉ mục mới xong."""
    _index_run(reindex, archive_path, es_url, as_json)


@click.command("search")
@click.argument("query")
@click.option("--limit", type=click.IntRange(1, 1000), default=10, show_default=True)
@click.option("--page", "page_no", type=click.IntRange(min=1), default=1, show_default=True,
              help="Trang kết quả (bắt đầu từ 1).")
@click.option("--sort", type=click.Choice(["relevance", "date", "oldest"]), default="relevance",
              show_default=True)
@click.option("--clearance", type=click.Choice(list(CLEARANCE_NAMES)), default="none",
              show_default=True, help="Độ mật bạn được xem (mỗi mức gồm các mức dưới nó).")
@archive_option
@es_option
@json_option
def search_command(query: str, limit: int, page_no: int, sort: str, clearance: str,
                   archive_path: Path | None, es_url: str | None, as_json: bool) -> None:
    """Tìm trong kho: từ, "cụm từ", AND/OR/NOT, -từ, tiền_tố*, và bộ lọc
    fonds: file: type: organ: person: place: number: year:2006..2020 date:2012-05."""
    archive, backend = _backend(archive_path, es_url, create=False)
    try:
        with backend:
            request = SearchRequest(query, parse_clearance(clearance), limit, page_no, sort)
            result = checked_search(archive, backend, request)
            if result.total == 0:
                _refuse_empty_index(archive, backend)
    except QueryError as exc:
        raise click.UsageError(f"Câu tìm kiếm không hợp lệ: {exc}") from exc
    except Exception as exc:
        if type(exc).__module__.startswith(("elasticsearch", "elastic_transport")):
            raise click.ClickException(f"Lỗi Elasticsearch: {exc}") from exc
        raise
    if as_json:
        print_json(result.to_json())
        return
    _print_result(result, request)


def _refuse_empty_index(archive, backend) -> None:
    """No hit from an index that holds nothing, while the archive has pages, is not an answer:
    the index was deleted or never built, and "0 kết quả" would hide it."""
    has_pages = archive.pages_dir.is_dir() and any(archive.pages_dir.iterdir())
    if has_pages and not backend.fingerprints():
        raise click.ClickException("Chỉ mục tìm kiếm trống hoặc không còn: cần `luutru reindex`.")


def _terminal(snippet: str) -> str:
    parts = re.split(f"({re.escape(MARK_OPEN)}.*?{re.escape(MARK_CLOSE)})", snippet)
    out = []
    for part in parts:
        if part.startswith(MARK_OPEN):
            out.append(click.style(part[len(MARK_OPEN):-len(MARK_CLOSE)], bold=True))
        else:
            out.append(part)
    return "".join(out).replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&")


def _print_result(result, request: SearchRequest) -> None:
    first = request.offset + 1
    last = request.offset + len(result.hits)
    click.echo(f"{result.total} kết quả" + (f" (hiển thị {first}–{last})" if result.hits else "."))
    for notice in result.notices:
        click.echo(notice)
    forgiving = [t for t in result.tiers if t["kind"] != "exact" and t["total"]]
    if forgiving:
        click.echo("Gồm: " + "; ".join(f"{t['total']} {t['label']}" for t in result.tiers
                                       if t["total"]))
    if result.suggestion:
        click.echo(f"Có phải bạn muốn tìm: {result.suggestion}")
    for rank, hit in enumerate(result.hits, start=first):
        if hit["item"] is None:
            title = f"[trang chưa biên mục] {hit['source']} trang {hit['page']}"
        else:
            title = " ".join(x for x in (hit.get("so_ky_hieu"), hit.get("loai_van_ban"),
                                         hit.get("trich_yeu")) if x)
            title += f"  ({hit.get('ngay_ban_hanh') or 'không rõ ngày'})"
        kind = "" if hit.get("match") in (None, "exact") else f"  [{MATCH_LABELS[hit['match']]}]"
        click.echo(f"\n{rank}. {title}{kind}")
        if hit["item"] is not None:
            click.echo(f"   {hit['source']} tr. {hit['first_page']}–{hit['last_page']}  [{hit['id']}]")
        pages = ", ".join(str(p["n"]) for p in hit["pages"])
        if pages:
            click.echo(f"   khớp ở trang {pages} của văn bản")
        click.echo(f"   {_terminal(hit['snippet'])}")
    for name, counts in result.facets.items():
        labels = result.facet_labels.get(name, {})
        if counts:
            click.echo(f"\n{name}: " + ", ".join(f"{labels.get(k, k)} ({v})"
                                                 for k, v in counts.items()))


COMMANDS: list = [index_command, reindex_command, search_command]
