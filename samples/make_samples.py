"""Write the demo batch: ``python -m luutru.samples.make_samples OUTDIR [--seed N] [--truth DIR]``,
or with ``--documents N [--tiers t0,t2]`` a corpus of N documents in the evaluation corpus layout.

About a dozen pages in the mix a scanning station really produces (JPEG, PNG, multi-page TIFF in
LZW colour and CCITT G4, an image-only PDF holding a whole hồ sơ), with skew, a page turned
sideways, red seals over signatures, a margin note in pen and one classified (Mật) document.
The archivist's ``inventory.csv`` goes beside OUTDIR (``luutru run --inventory OUTDIR/../inventory.csv
OUTDIR``), and so do the answers by default (``manifest.csv`` and ``truth/``; ``--truth DIR`` moves
them), so ``score_ocr.py --truth OUTDIR/..`` scores a pipeline run on ``OUTDIR``.
"""

from __future__ import annotations

from pathlib import Path

import click

from luutru.samples.batch import BatchInfo, DocPlan, corpus_plans, make_batch


def demo_plans(seed: int) -> list[DocPlan]:
    """Seven documents, twelve pages, in two fonds and three hồ sơ."""
    del seed  # the plan is fixed; the seed varies the documents themselves
    thai_binh = dict(fonds="PHONG-12", file_code="HS-2019-004", year=2019)
    hai_phong = dict(fonds="PHONG-31", file_code="HS-1991-011", year=1991)
    dong_hung = dict(fonds="PHONG-52", file_code="HS-2008-002", year=2008)
    return [
        DocPlan("tif-lzw", "t0", pages=2, doc_type="NQ", dpi=300, **thai_binh),
        DocPlan("jpg", "t1", pages=1, doc_type="CV", dpi=300, skew_deg=2.0, **thai_binh),
        DocPlan("png", "t0", pages=2, doc_type="KH", dpi=300, note="Lưu hồ sơ", **thai_binh),
        DocPlan("jpg", "t1", pages=1, doc_type="TB", dpi=300, rotation=90, skew_deg=0.5, **hai_phong),
        DocPlan("tif-g4", "t0", pages=2, doc_type="KL", dpi=300, do_mat="Mật", font="mono", **hai_phong),
        DocPlan("hs-pdf", "t1", pages=2, doc_type="BC", dpi=200, **dong_hung),
        DocPlan("hs-pdf", "t1", pages=2, doc_type="CT", dpi=200, rotation=180, **dong_hung),
    ]


def make_demo(outdir: Path, seed: int = 1, truth_dir: Path | None = None) -> BatchInfo:
    return make_batch(outdir, seed, demo_plans(seed), truth_dir=truth_dir)


@click.command()
@click.argument("outdir", type=click.Path(file_okay=False, path_type=Path))
@click.option("--seed", default=1, show_default=True, help="Same seed, same files.")
@click.option("--truth", "truth_dir", type=click.Path(file_okay=False, path_type=Path),
              help="Where manifest.csv and truth/ go (default: OUTDIR/..).")
@click.option("--documents", type=click.IntRange(1), default=None,
              help="Instead of the demo, a corpus of this many documents (hồ sơ, formats and tiers mixed).")
@click.option("--tiers", default="t0,t1,t2,t3", show_default=True, help="Scan tiers of --documents, in turn.")
def main(outdir: Path, seed: int, truth_dir: Path | None, documents: int | None, tiers: str) -> None:
    """Write a small realistic batch of scanned Party documents to OUTDIR."""
    if documents is None:
        info = make_demo(outdir, seed, truth_dir)
    else:
        chosen = tuple(tier.strip() for tier in tiers.split(",") if tier.strip())
        unknown = sorted(set(chosen) - {"t0", "t1", "t2", "t3"})
        if unknown or not chosen:
            raise click.BadParameter(f"tiers are t0, t1, t2, t3 (not {', '.join(unknown) or 'none'})",
                                     param_hint="--tiers")
        info = make_batch(outdir, seed, corpus_plans(documents, seed, chosen), truth_dir=truth_dir)
    for path in info.files:
        state = "wrote" if path in info.written else "kept "
        pages = sum(1 for row in info.manifest if (info.scans_dir / row["source"]) == path)
        click.echo(f"{state} {path}  ({pages} page{'s' if pages != 1 else ''})")
    click.echo(f"{len(info.documents)} documents, {info.pages} pages in {info.scans_dir}; "
               f"inventory {info.inventory}; answers in {info.truth_dir} "
               f"(manifest.csv, truth/)")


if __name__ == "__main__":
    main()
