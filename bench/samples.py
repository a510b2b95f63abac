"""Benchmark for samples/: how fast text, documents, pages and the demo batch are made.

    .venv/bin/python bench/samples.py [--pages 100000] [--out /tmp/bench-samples]

``text_pages_per_s`` is what a 100k–1M page search benchmark can count on from
``generate_corpus_text``; ``demo_s`` is the cost of ``make demo``'s first step (fresh directory).
Prints one JSON object.
"""

from __future__ import annotations

import argparse
import json
import random
import shutil
import time
from pathlib import Path

from luutru.samples.documents import generate_corpus_text, generate_document
from luutru.samples.make_samples import make_demo
from luutru.samples.render import render_page


def _timed(action) -> tuple[float, object]:
    start = time.perf_counter()
    result = action()
    return time.perf_counter() - start, result


def bench_text(pages: int) -> dict:
    """Wall time, and CPU time too: on a shared machine the wall figure mostly measures the others."""
    cpu = time.process_time()
    seconds, chars = _timed(lambda: sum(len(page.text) for page in generate_corpus_text(pages, seed=1)))
    cpu = time.process_time() - cpu
    words = [len(page.text.split()) for page in generate_corpus_text(2000, seed=2)]
    return {"text_pages": pages, "text_s": round(seconds, 2), "text_pages_per_s": round(pages / seconds),
            "text_pages_per_cpu_s": round(pages / cpu), "text_mb": round(chars / 1e6),
            "text_words_per_page": round(sum(words) / len(words))}


def bench_documents(count: int = 50) -> dict:
    seconds, docs = _timed(lambda: [generate_document(random.Random(seed)) for seed in range(count)])
    render_s, _ = _timed(lambda: [render_page(doc, 1, 200) for doc in docs[:5]])
    return {"documents_per_s": round(count / seconds, 1), "render_page_200dpi_s": round(render_s / 5, 2)}


def bench_demo(out: Path) -> dict:
    shutil.rmtree(out, ignore_errors=True)
    first, info = _timed(lambda: make_demo(out / "scans"))
    again, _ = _timed(lambda: make_demo(out / "scans"))
    return {"demo_pages": info.pages, "demo_documents": len(info.documents), "demo_s": round(first, 1),
            "demo_rerun_s": round(again, 2)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pages", type=int, default=100_000)
    parser.add_argument("--out", type=Path, default=Path("/tmp/bench-samples"))
    args = parser.parse_args()
    result = {**bench_text(args.pages), **bench_documents(), **bench_demo(args.out)}
    print(json.dumps(result, ensure_ascii=False))


if __name__ == "__main__":
    main()
