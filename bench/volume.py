"""How long a compiled volume takes to build, stage by stage, with and without its apparatus.

    .venv/bin/python bench/volume.py --archive ARCHIVE [--spec SPEC.yaml] [--clearance tuyet-mat]

Without ``--spec`` the volume holds every document of the archive (every fonds). Printed: the
documents and pages, then wall-clock and CPU seconds for selecting, setting the text (editorial
layer, marks, indexes), writing the DOCX and laying out the PDF; the baseline in the same run is
the same volume without the apparatus (chronology, indexes, abbreviations, appendix). The target
(issue 19): 100 documents in at most 60 s on 2 cores. CPU seconds say what the build costs on a
machine of its own; wall-clock seconds on a shared one depend on the load (printed too).
"""

from __future__ import annotations

import argparse
import dataclasses
import os
import sys
import time
from pathlib import Path

from luutru.archive import Archive
from luutru.catalog.build import iter_fonds
from luutru.volume.content import volume_content
from luutru.volume.pdf import render_pdf
from luutru.volume.select import select_items
from luutru.volume.spec import VolumeSpec, load_spec
from luutru.volume.word import render_docx

TARGET_SECONDS = 60.0


def main() -> int:
    args = _arguments()
    archive = Archive(args.archive)
    spec = load_spec(args.spec) if args.spec else VolumeSpec(
        title="Tập đo thời gian", fonds=tuple(f["code"] for f in iter_fonds(archive)))
    print(f"archive {args.archive}; load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs")
    baseline = dataclasses.replace(spec, apparatus=(), review_appendix=False)
    for name, shown in (("baseline (no apparatus)", baseline), ("volume", spec)):
        print(f"\n{name}")
        total_wall, total_cpu = _build(archive, shown, args.clearance)
        print(f"  total: {total_wall:.1f} s wall, {total_cpu:.1f} s CPU")
    met = total_cpu <= TARGET_SECONDS
    print(f"\ntarget: ≤ {TARGET_SECONDS:.0f} s for 100 documents: {total_cpu:.1f} s CPU "
          f"({'met' if met else 'NOT met'}; wall {total_wall:.1f} s under the load above)")
    return 0


def _arguments() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--archive", type=Path, required=True)
    parser.add_argument("--spec", type=Path, help="a volume spec (default: every fonds)")
    parser.add_argument("--clearance", default="tuyet-mat")
    return parser.parse_args()


def _timed(label: str, work):
    wall, cpu = time.monotonic(), time.process_time()
    result = work()
    wall, cpu = time.monotonic() - wall, time.process_time() - cpu
    print(f"  {label:<8} {wall:6.1f} s wall {cpu:6.1f} s CPU")
    return result, wall, cpu


def _build(archive: Archive, spec: VolumeSpec, clearance: str) -> tuple[float, float]:
    from luutru.access import parse_clearance
    level = parse_clearance(clearance)
    selection, w1, c1 = _timed("select", lambda: select_items(archive, spec, level))
    content, w2, c2 = _timed("text", lambda: volume_content(archive, spec, selection))
    _, w3, c3 = _timed("docx", lambda: render_docx(content))
    (_, pages), w4, c4 = _timed("pdf", lambda: render_pdf(content))
    print(f"  {len(content.documents)} documents, {pages} pages")
    return w1 + w2 + w3 + w4, c1 + c2 + c3 + c4


if __name__ == "__main__":
    sys.exit(main())
