"""One Tesseract run per page, giving every output we keep (text, hOCR, ALTO, PDF) at once.

Tesseract spends nearly all its time recognising; each renderer it writes afterwards is almost
free. Running it once with several renderers instead of once per output is what keeps the OCR
stage close to raw Tesseract's throughput.

The page image is handed over as a file whose encoding decides what the PDF renderer embeds: a
bitonal page goes in as a 1-bit CCITT G4 TIFF (a few kB per page in the PDF), anything else as an
uncompressed TIFF, which Tesseract embeds as JPEG. A PNG would be embedded losslessly (Flate) and
make grey pages several times larger.

Two ways to run Tesseract, with the same renderers and the same outputs:

- in this process through tesserocr's API (``ENGINE_API``), when tesserocr is installed: the model
  is loaded once per worker process and kept, instead of once per page (~0.25 CPU s), and its
  bundled libtesseract (5.5, built without OpenMP) recognised dev pages in ~30 % less CPU than
  Debian's ``tesseract`` 5.3 command (12 cleaned pages, psm 4, model best: 2.01 vs 2.89 CPU s/page);
- the ``tesseract`` command through pytesseract (``ENGINE_CLI``): the fallback when tesserocr is
  missing, when ``config`` holds more than ``-c name=value`` settings, or when
  ``LUUTRU_TESSERACT_ENGINE=cli`` asks for it.
"""

from __future__ import annotations

import os
import shlex
import subprocess
import tempfile
import threading
from collections.abc import Sequence
from functools import lru_cache
from pathlib import Path

import cv2
import numpy as np
import pytesseract
from PIL import Image

from luutru.errors import LuutruError

#: output name -> (Tesseract's switch, extension of the file it writes)
OUTPUTS: dict[str, tuple[str, str]] = {
    "txt": ("tessedit_create_txt", "txt"),
    "hocr": ("tessedit_create_hocr", "hocr"),
    "alto": ("tessedit_create_alto", "xml"),
    "pdf": ("tessedit_create_pdf", "pdf"),
    "tsv": ("tessedit_create_tsv", "tsv"),
}
DEFAULT_OUTPUTS = ("txt", "hocr", "alto", "pdf")
ENGINE_API, ENGINE_CLI = "tesserocr", "cli"
ENGINE_ENV = "LUUTRU_TESSERACT_ENGINE"      # "cli" forces the tesseract command


class TesseractFailed(LuutruError, RuntimeError):
    """Tesseract could not read a page (crash, timeout, missing model); the message says why."""


def run_tesseract(image: np.ndarray | Image.Image, *, dpi: int, psm: int = 3, lang: str = "vie",
                  tessdata_dir: str | Path | None = None,
                  outputs: Sequence[str] = DEFAULT_OUTPUTS, config: str = "",
                  timeout: float = 0, workdir: str | Path | None = None,
                  engine: str | None = None) -> dict[str, bytes]:
    """Recognise ``image`` once and return the requested outputs' bytes by name.

    ``image``: uint8 grey (1 channel) or BGR colour array as OpenCV gives it, or a PIL image.
    ``dpi`` is written into the image file: Tesseract sizes the PDF page and its text by it.
    ``config``: extra Tesseract arguments, e.g. ``"-c preserve_interword_spaces=1"``.
    ``engine``: ``ENGINE_API`` or ``ENGINE_CLI``; by default :func:`engine_name`.
    """
    unknown = set(outputs) - OUTPUTS.keys()
    if unknown:
        raise ValueError(f"unknown Tesseract outputs {sorted(unknown)}; known: {sorted(OUTPUTS)}")
    os.environ.setdefault("OMP_THREAD_LIMIT", "1")  # one core per page; parallelism is per page
    variables = _config_variables(config)
    with tempfile.TemporaryDirectory(prefix="tess-", dir=workdir) as tmp:
        page_file = write_page_image(page_image(image), Path(tmp) / "page", dpi)
        base = Path(tmp) / "out"
        if (engine or engine_name()) == ENGINE_API and variables is not None:
            _run_api(page_file, base, psm, lang, tessdata_dir, outputs, variables, timeout)
        else:
            _run_cli(page_file, base, psm, lang, tessdata_dir, outputs, config, timeout)
        return {name: _read_output(base, OUTPUTS[name][1]) for name in outputs}


def _run_cli(page_file: Path, base: Path, psm: int, lang: str, tessdata_dir: str | Path | None,
             outputs: Sequence[str], config: str, timeout: float) -> None:
    args = [f"--psm {int(psm)}", config]
    if tessdata_dir is not None:
        args.insert(0, f"--tessdata-dir {shlex.quote(str(tessdata_dir))}")
    args += [f"-c {OUTPUTS[name][0]}=1" for name in outputs]
    try:
        pytesseract.pytesseract.run_tesseract(
            str(page_file), str(base), extension="", lang=lang,
            config=" ".join(a for a in args if a), timeout=timeout)
    except pytesseract.TesseractError as error:
        raise TesseractFailed(f"tesseract failed ({error.status}): {error.message}") from error
    except RuntimeError as error:  # pytesseract raises a bare RuntimeError on timeout
        raise TesseractFailed(f"tesseract: {error}") from error


# --- the in-process engine (tesserocr) ----------------------------------------------------------

_API_LOCK = threading.Lock()     # one Tesseract API object is not safe to share between threads


def _run_api(page_file: Path, base: Path, psm: int, lang: str, tessdata_dir: str | Path | None,
             outputs: Sequence[str], variables: tuple[tuple[str, str], ...],
             timeout: float) -> None:
    with _API_LOCK:
        api = _api(lang, str(tessdata_dir) if tessdata_dir is not None else None, variables)
        api.SetPageSegMode(int(psm))
        for name, (switch, _) in OUTPUTS.items():
            api.SetVariable(switch, "1" if name in outputs else "0")
        try:
            done = api.ProcessPages(str(base), str(page_file), timeout=int(timeout * 1000))
        except RuntimeError as error:
            raise TesseractFailed(f"tesseract (tesserocr): {error}") from error
        finally:
            api.Clear()
    if not done:
        raise TesseractFailed(f"tesseract (tesserocr) could not read the page"
                              f"{' in ' + str(timeout) + ' s' if timeout else ''}")


@lru_cache(maxsize=2)
def _api(lang: str, tessdata_dir: str | None, variables: tuple[tuple[str, str], ...]):
    """A Tesseract API with ``lang`` loaded, kept for the life of the process (one per worker)."""
    import tesserocr

    path = tessdata_dir or str(default_tessdata_dir() or "")
    try:
        api = tesserocr.PyTessBaseAPI(path=path, lang=lang, init=True,
                                      variables=dict(variables))
    except RuntimeError as error:
        raise TesseractFailed(f"tesseract (tesserocr) could not load language {lang!r} "
                              f"from {path or 'its default folder'}: {error}") from error
    return api


def _config_variables(config: str) -> tuple[tuple[str, str], ...] | None:
    """``-c name=value`` settings of ``config``; None when it holds anything else (CLI only)."""
    words = shlex.split(config)
    if len(words) % 2 or any(flag != "-c" for flag in words[::2]):
        return None
    pairs = [word.partition("=") for word in words[1::2]]
    if any(not sep or not name for name, sep, _ in pairs):
        return None
    return tuple((name, value) for name, _, value in pairs)


@lru_cache(maxsize=1)
def engine_name() -> str:
    """``ENGINE_API`` when tesserocr is importable and not refused by ``ENGINE_ENV``, else CLI."""
    if os.environ.get(ENGINE_ENV, "").strip().lower() == ENGINE_CLI:
        return ENGINE_CLI
    try:
        import tesserocr  # noqa: F401
    except ImportError:
        return ENGINE_CLI
    return ENGINE_API


def write_page_image(image: Image.Image, stem: Path, dpi: int) -> Path:
    """Save ``image`` as the TIFF that Tesseract reads and its PDF renderer embeds (see module doc)."""
    path = stem.with_suffix(".tif")
    bitonal = as_bitonal(image)
    if bitonal is not None:
        bitonal.save(path, dpi=(dpi, dpi), compression="group4")
    else:
        image.save(path, dpi=(dpi, dpi))
    return path


def as_bitonal(image: Image.Image) -> Image.Image | None:
    """``image`` as a 1-bit image when it holds only pure black and white, else None.

    Without dithering: the pixels are already 0 or 255, and Pillow's default Floyd–Steinberg pass
    would cost ten times the conversion itself for the same result.
    """
    if image.mode == "1":
        return image
    if not is_bitonal(image):
        return None
    return image.convert("1", dither=Image.Dither.NONE)


def is_bitonal(image: Image.Image) -> bool:
    """True for mode "1" and for grey images holding only pure black and pure white."""
    if image.mode == "1":
        return True
    if image.mode != "L":
        return False
    histogram = image.histogram()
    return histogram[0] + histogram[255] == image.width * image.height


def page_image(image: np.ndarray | Image.Image) -> Image.Image:
    """``image`` as the PIL image to save: an array of only black and white as 1-bit, else grey
    or RGB (OpenCV's BGR turned round); a PIL image as it is (grey, RGB or 1-bit)."""
    if isinstance(image, Image.Image):
        return image if image.mode in ("1", "L", "RGB") else image.convert("RGB")
    array = np.asarray(image)
    if array.dtype != np.uint8:
        raise ValueError(f"page image must be uint8, got {array.dtype}")
    if array.ndim == 2:
        if not cv2.countNonZero(cv2.inRange(array, 1, 254)):
            # Black and white (what clean-up gives): 1-bit here, where telling it costs a fifth of
            # PIL's histogram in as_bitonal().
            return Image.fromarray(array, "L").convert("1", dither=Image.Dither.NONE)
        return Image.fromarray(array, "L")
    if array.ndim == 3 and array.shape[2] == 3:
        return Image.fromarray(array[:, :, ::-1].copy(), "RGB")  # OpenCV's BGR -> RGB
    raise ValueError(f"page image must be grey or BGR, got shape {array.shape}")


def _read_output(base: Path, extension: str) -> bytes:
    path = base.with_suffix(f".{extension}")
    if not path.exists():
        raise TesseractFailed(f"tesseract wrote no {extension} output")
    return path.read_bytes()


@lru_cache(maxsize=1)
def tesseract_version() -> str:
    """The version of the Tesseract that reads pages, e.g. ``5.5.4`` (in each page's provenance)."""
    if engine_name() == ENGINE_API:
        import tesserocr

        first = tesserocr.tesseract_version().split()  # "tesseract 5.5.4\n leptonica-..."
        if len(first) > 1:
            return first[1]
    return str(pytesseract.get_tesseract_version())


@lru_cache(maxsize=1)
def default_tessdata_dir() -> Path | None:
    """Where Tesseract looks for models by default (for copying ``pdf.ttf`` next to ours)."""
    result = subprocess.run([pytesseract.pytesseract.tesseract_cmd, "--list-langs"],
                            capture_output=True, text=True, check=False)
    first = (result.stdout.splitlines() or [""])[0]
    if '"' in first:
        return Path(first.split('"')[1])
    return None
