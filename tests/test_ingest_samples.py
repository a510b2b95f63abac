"""Real scan files made on the fly for the ingest tests: every format a scanner station writes, and
every kind of bad input. Pages are small (100 dpi, one line) so the tests stay fast."""

from __future__ import annotations

import random
import struct
import zlib
from pathlib import Path

import pikepdf
import pytest
from PIL import Image

from luutru.samples.render import render_lines
from luutru.textnorm import strip_diacritics

DPI = 100


def page(text: str = "Nghị quyết về công tác dân vận", dpi: int = DPI, mode: str = "L") -> Image.Image:
    return render_lines([text], dpi=dpi).convert(mode)


def pages(count: int, mode: str = "L", dpi: int = DPI, tag: str = "") -> list[Image.Image]:
    return [page(f"Trang {i} {tag}", dpi=dpi, mode=mode) for i in range(1, count + 1)]


def write_tiff(path: Path, count: int, compression: str, mode: str = "L", dpi: int = DPI,
               tag: str = "") -> Path:
    """Multi-page TIFF: ``group4`` (bitonal), ``tiff_lzw`` or ``jpeg``."""
    path.parent.mkdir(parents=True, exist_ok=True)
    frames = pages(count, mode="1" if compression == "group4" else mode, dpi=dpi, tag=tag)
    frames[0].save(path, save_all=True, append_images=frames[1:], compression=compression,
                   dpi=(dpi, dpi))
    return path


def write_image(path: Path, fmt: str, text: str = "Chỉ thị", dpi: int | None = DPI,
                mode: str = "L") -> Path:
    """Single-page JPEG or PNG; ``dpi=None`` writes no resolution at all."""
    path.parent.mkdir(parents=True, exist_ok=True)
    image = page(text, dpi=dpi or 150, mode=mode)
    options = {"dpi": (dpi, dpi)} if dpi else {}
    if fmt == "JPEG" and not dpi:
        options = {"dpi": (0, 0)}
    image.save(path, fmt, **options)
    return path


def write_image_pdf(path: Path, count: int, dpi: int = DPI, tag: str = "") -> Path:
    """An image-only PDF, one embedded JPEG scan per page, page size matching its resolution."""
    path.parent.mkdir(parents=True, exist_ok=True)
    frames = pages(count, mode="RGB", dpi=dpi, tag=tag)
    frames[0].save(path, "PDF", save_all=True, append_images=frames[1:], resolution=float(dpi))
    return path


def write_text_pdf(path: Path, text: str = "Bao cao tong ket", logo: bool = False) -> Path:
    """A born-digital A4 PDF with a real text layer (ASCII: a standard font), and if ``logo`` a
    small 120×40 image in a corner, which must not be taken for a scan of the page."""
    path.parent.mkdir(parents=True, exist_ok=True)
    pdf = pikepdf.new()
    font = pdf.make_indirect(pikepdf.Dictionary(Type=pikepdf.Name.Font, Subtype=pikepdf.Name.Type1,
                                                BaseFont=pikepdf.Name.Helvetica))
    content = f"BT /F1 14 Tf 72 760 Td ({strip_diacritics(text)}) Tj ET"
    resources = pikepdf.Dictionary(Font=pikepdf.Dictionary(F1=font))
    if logo:
        image = pdf.make_stream(b"\x80" * 120 * 40, Type=pikepdf.Name.XObject,
                                Subtype=pikepdf.Name.Image, Width=120, Height=40,
                                ColorSpace=pikepdf.Name.DeviceGray, BitsPerComponent=8)
        resources.XObject = pikepdf.Dictionary(Logo=image)
        content += " q 60 0 0 20 500 800 cm /Logo Do Q"
    page_obj = pikepdf.Dictionary(
        Type=pikepdf.Name.Page, MediaBox=[0, 0, 595.28, 841.89], Resources=resources,
        Contents=pdf.make_stream(content.encode("ascii")))
    pdf.pages.append(pikepdf.Page(page_obj))
    pdf.save(path)
    return path


def write_pdf_with_bad_page(path: Path, count: int = 3, bad: int = 2) -> Path:
    """An image PDF whose page ``bad`` embeds a JPEG stream that is not a JPEG."""
    write_image_pdf(path, count)
    with pikepdf.open(path, allow_overwriting_input=True) as pdf:
        image = next(iter(pdf.pages[bad - 1].get_images().values()))
        image.write(b"\xff\xd8\xff\xe0 not a scan " * 50, filter=pikepdf.Name.DCTDecode)
        pdf.save(path)
    return path


def write_encrypted_pdf(path: Path, user_password: str = "mat-khau") -> Path:
    """Encrypted with a password to open, or (``user_password=""``) with permissions only."""
    plain = write_image_pdf(path.with_suffix(".plain.pdf"), 1)
    with pikepdf.open(plain) as pdf:
        pdf.save(path, encryption=pikepdf.Encryption(user=user_password, owner="chu-so-huu"))
    plain.unlink()
    return path


def write_empty(path: Path) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(b"")
    return path


def write_not_an_image(path: Path) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("Biên bản họp, không phải ảnh quét\n", encoding="utf-8")
    return path


def write_truncated_jpeg(path: Path) -> Path:
    return cut_short(write_image(path, "JPEG", text="Bị cắt cụt"), 0.5)


def cut_short(path: Path, keep: float) -> Path:
    """The file as a copy interrupted part-way would leave it."""
    data = path.read_bytes()
    path.write_bytes(data[: int(len(data) * keep)])
    return path


def write_corrupt_png(path: Path) -> Path:
    """A PNG signature and header, then compressed data that is not zlib at all (fixed noise: the
    same file every run)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(_png_bytes(400, 300, idat=random.Random(41).randbytes(2000)))
    return path


def write_short_stream_png(path: Path) -> Path:
    """A whole PNG (IEND and all) whose pixel data stops early: Pillow calls it "truncated",
    but nothing was cut off the file; its data is wrong."""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(_png_bytes(400, 300, idat=zlib.compress(b"\x00" * 1000)))
    return path


def write_bad_table_jpeg(path: Path) -> Path:
    """A whole JPEG (EOI at the end) whose Huffman table is nonsense: it cannot be decoded."""
    data = bytearray(write_image(path, "JPEG", text="Bảng mã hỏng").read_bytes())
    table = data.find(b"\xff\xc4") + 5  # after the marker, the length and the class/id byte
    data[table:table + 16] = b"\xff" * 16  # code counts no Huffman tree can have
    path.write_bytes(bytes(data))
    return path


def write_png_bomb(path: Path, side: int = 40_000) -> Path:
    """A tiny file declaring a 1.6-gigapixel page: it must be refused before any decoding."""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(_png_bytes(side, side, idat=zlib.compress(b"\x00" * 1000)))
    return path


def write_tiff_bomb(path: Path, side: int = 40_000) -> Path:
    """An uncompressed-TIFF header declaring a 1.6-gigapixel page, followed by a few bytes."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tags = [(256, 4, side), (257, 4, side), (258, 3, 8), (259, 3, 1), (262, 3, 1),
            (273, 4, 8 + 2 + 9 * 12 + 4), (277, 3, 1), (278, 4, side), (279, 4, side * side)]
    ifd = struct.pack("<H", len(tags)) + b"".join(
        struct.pack("<HHII", tag, kind, 1, value) if kind == 4 else
        struct.pack("<HHIHH", tag, kind, 1, value, 0) for tag, kind, value in tags)
    path.write_bytes(b"II*\x00" + struct.pack("<I", 8) + ifd + struct.pack("<I", 0) + b"\x00" * 64)
    return path


def _png_bytes(width: int, height: int, idat: bytes) -> bytes:
    def chunk(kind: bytes, body: bytes) -> bytes:
        return (struct.pack(">I", len(body)) + kind + body
                + struct.pack(">I", zlib.crc32(kind + body) & 0xFFFFFFFF))
    header = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", idat)
            + chunk(b"IEND", b""))


def write_tiff_with_bad_page(path: Path, count: int = 3, bad: int = 2) -> Path:
    """An LZW TIFF whose page ``bad`` has its compressed strips overwritten with noise."""
    write_tiff(path, count, "tiff_lzw", tag="hỏng")
    with Image.open(path) as image:
        image.seek(bad - 1)
        offsets, counts = image.tag_v2[273], image.tag_v2[279]
    data = bytearray(path.read_bytes())
    noise = bytes(range(256)) * 64
    for offset, length in zip(offsets, counts):
        data[offset:offset + length] = noise[:length]
    path.write_bytes(bytes(data))
    return path


def test_samples_are_what_they_claim(tmp_path):
    """The bad samples are really bad for Pillow/qpdf, so tests on them test luutru."""
    tiff = write_tiff(tmp_path / "g4.tif", 2, "group4")
    with Image.open(tiff) as image:
        assert image.n_frames == 2 and image.info["compression"] == "group4"
    with pikepdf.open(write_text_pdf(tmp_path / "t.pdf")) as pdf:
        assert "/F1" in pdf.pages[0].obj.Resources.Font
    with pytest.raises(pikepdf.PasswordError):
        pikepdf.open(write_encrypted_pdf(tmp_path / "e.pdf"))
    with Image.open(write_png_bomb(tmp_path / "b.png", side=3000)) as image:
        assert image.size == (3000, 3000)


def make_batch(scans: Path, tag: str = "") -> list[str]:
    """A scanner station's batch in every format, under ``<fonds>/<file>/``; returns the paths."""
    folder = scans / "PHONG-41" / "HS-2008-015"
    write_tiff(folder / "doc-0001.tif", 3, "group4", tag=tag)
    write_tiff(folder / "doc-0002.tif", 2, "tiff_lzw", tag=tag)
    write_tiff(folder / "doc-0003.tif", 2, "jpeg", mode="RGB", tag=tag)
    write_image(folder / "doc-0004_p001.jpg", "JPEG", text=f"Công văn {tag}", dpi=200)
    write_image(folder / "doc-0005_p001.png", "PNG", text=f"Báo cáo {tag}", dpi=None)
    write_image_pdf(folder / "HS-2008-015.pdf", 2, tag=tag)
    write_text_pdf(scans / "PHONG-17" / "HS-1990-016" / "digital.pdf", text=f"Ket luan {tag}")
    return sorted(p.relative_to(scans).as_posix() for p in scans.rglob("*") if p.is_file())


BATCH_PAGES = 3 + 2 + 2 + 1 + 1 + 2 + 1


def make_bad_batch(scans: Path) -> dict[str, str]:
    """One file of every bad kind, with the reason each must be quarantined for."""
    folder = scans / "PHONG-41" / "HS-2008-099"
    write_empty(folder / "empty.tif")
    write_truncated_jpeg(folder / "cut.jpg")
    write_corrupt_png(folder / "broken.png")
    write_encrypted_pdf(folder / "secret.pdf")
    write_png_bomb(folder / "bomb.png")
    write_not_an_image(folder / "notes.tif")
    write_tiff_with_bad_page(folder / "three-pages.tif")
    return {"PHONG-41/HS-2008-099/empty.tif": "empty-file",
            "PHONG-41/HS-2008-099/cut.jpg": "truncated-image",
            "PHONG-41/HS-2008-099/broken.png": "corrupt-image",
            "PHONG-41/HS-2008-099/secret.pdf": "encrypted-pdf",
            "PHONG-41/HS-2008-099/bomb.png": "image-too-large",
            "PHONG-41/HS-2008-099/notes.tif": "unsupported-type",
            "PHONG-41/HS-2008-099/three-pages.tif": "bad-page"}


def archive_snapshot(root: Path) -> dict[str, object]:
    """Everything an archive holds (but scratch space), with run times left out of records."""
    import json

    snapshot: dict[str, object] = {}
    for path in sorted(root.rglob("*")):
        rel = path.relative_to(root).as_posix()
        if not path.is_file() or rel.startswith("tmp/"):
            continue
        if rel.endswith(".json.sha256"):   # the checksum of a record with times in it
            continue
        if path.suffix == ".json":
            record = json.loads(path.read_text(encoding="utf-8"))
            if isinstance(record, dict):
                for key in ("ingested_at", "quarantined_at", "received_at"):
                    record.pop(key, None)
            snapshot[rel] = record
        else:
            snapshot[rel] = (path.read_bytes(), path.stat().st_mode & 0o777)
    return snapshot
