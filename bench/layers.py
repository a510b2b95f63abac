"""Print the import graph between luutru's stages: which stage imports which, and how often.

    python bench/layers.py [--detail]

The record layer (archive, access, errors, textnorm, xmlsafe, pageimage, ...: the modules at the
package root) may be imported by every stage; the orchestrators (cli, pipeline, status) may import
every stage. An import from one stage package into another is a place where
stages talk through each other's internals instead of through the record; the closing notes print
this graph before and after a change.
"""

from __future__ import annotations

import argparse
import ast
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
STAGES = ("ingest", "ocr", "catalog", "index", "web", "volume", "preserve", "export", "samples")
# The published interfaces a stage may be reached through (issue 14): search (the index package
# and its engine registry), the OCR engine seam, the export registry, the catalogue review, and
# the catalogue's readers (the catalog package: until typed items join the record layer).
INTERFACES = ("luutru.index", "luutru.index.registry", "luutru.ocr.engines", "luutru.export",
              "luutru.catalog.review", "luutru.catalog")
ORCHESTRATORS = ("cli", "pipeline", "status")


def stage_of(module: str) -> str:
    """``luutru.ocr.engine`` → ``ocr``; a module at the package root → ``record``."""
    parts = module.split(".")
    if len(parts) > 1 and parts[1] in STAGES:
        return parts[1]
    if len(parts) > 1 and parts[1] in ORCHESTRATORS:
        return "orchestrator"
    return "record"


def imports(path: Path) -> list[str]:
    """The luutru modules a file imports (top-level and inside functions)."""
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom) and node.module and node.module.startswith("luutru"):
            found.append(node.module)
        elif isinstance(node, ast.Import):
            found += [alias.name for alias in node.names if alias.name.startswith("luutru")]
    return found


def graph() -> tuple[Counter, list[tuple[str, str]]]:
    edges: Counter = Counter()
    detail = []
    for path in sorted(ROOT.rglob("*.py")):
        relative = path.relative_to(ROOT)
        if relative.parts[0] in ("tests", "bench", ".venv", "demo") or relative.parts[0].startswith("."):
            continue
        source = stage_of("luutru." + ".".join(relative.with_suffix("").parts))
        for module in imports(path):
            target = stage_of(module)
            if source != target and target != "record" and source not in ("record", "orchestrator"):
                edges[(source, target)] += 1
                detail.append((str(relative), module))
    return edges, detail


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--detail", action="store_true", help="list every cross-stage import")
    args = parser.parse_args()
    edges, detail = graph()
    published = sum(module in INTERFACES for _, module in detail)
    print(f"cross-stage imports: {sum(edges.values())} (record-layer imports not counted), "
          f"{published} of them through a published interface, {len(detail) - published} not")
    for (source, target), count in sorted(edges.items()):
        print(f"  {source:8} -> {target:8} {count}")
    if args.detail:
        for path, module in detail:
            print(f"    {path}: {module}")


if __name__ == "__main__":
    main()
