"""Is a raster file shorter than its own structure says? (a copy cut off part-way)

When a page does not decode, ingest quarantines it as ``truncated-image`` or ``corrupt-image``. That
choice is made here from the file's bytes, never from the decoder's error text: Pillow's wording
changes between versions, and its process-wide ``LOAD_TRUNCATED_IMAGES`` switch (which importing
WeasyPrint turns on) changes which error a damaged file gives. Each format says where it ends:

- PNG: a chain of length-prefixed chunks closed by ``IEND``;
- JPEG: length-prefixed header segments, then entropy-coded scans, closed by the ``EOI`` marker;
- TIFF: a chain of page directories whose strips (or tiles) lie at stated offsets and lengths.

A file whose structure runs past its last byte was cut short; a file whose structure is whole but
whose data does not decode is corrupt.
"""

from __future__ import annotations

import mmap
import os
import struct
from collections.abc import Iterator
from pathlib import Path

Buffer = bytes | mmap.mmap
_JPEG_SOS, _JPEG_EOI = 0xDA, 0xD9
_JPEG_STANDALONE = {0x01, *range(0xD0, 0xD8)}  # TEM and the restart markers carry no length
_TIFF_STRIPS = ((273, 279), (324, 325))  # (offsets, byte counts) of strips, then of tiles
_TIFF_TAGS = {tag for pair in _TIFF_STRIPS for tag in pair}
_TIFF_TYPES = {3: ("H", 2), 4: ("I", 4), 16: ("Q", 8)}  # SHORT, LONG, LONG8
_TIFF_MAX_PAGES = 100_000  # a directory chain that loops is corrupt, not long


def cut_short(path: Path, fmt: str) -> bool:
    """True when ``path`` (of format ``fmt``: png, jpeg or tiff) ends before its structure does.
    The file is mapped, not read: a large scan is never held in memory whole."""
    check = {"png": _png_cut_short, "jpeg": _jpeg_cut_short, "tiff": _tiff_cut_short}.get(fmt)
    with open(path, "rb") as handle:
        if check is None or os.fstat(handle.fileno()).st_size == 0:
            return False
        with mmap.mmap(handle.fileno(), 0, access=mmap.ACCESS_READ) as data:
            return check(data)


def _png_cut_short(data: Buffer) -> bool:
    position = 8  # after the signature
    while position + 8 <= len(data):
        length, kind = struct.unpack_from(">I4s", data, position)
        position += 12 + length  # length, type, data, CRC
        if position > len(data):
            return True
        if kind == b"IEND":
            return False
    return True


def _jpeg_cut_short(data: Buffer) -> bool:
    """Header segments are walked by their lengths up to the first scan; after it, a whole file
    has its EOI after the start of its last scan (entropy-coded data never holds FF D9)."""
    position = 2  # after SOI
    while True:
        while position + 1 < len(data) and data[position] == 0xFF == data[position + 1]:
            position += 1  # fill bytes before a marker
        if position + 2 > len(data):
            return True
        if data[position] != 0xFF:
            return False  # not a marker where one must be: damaged, not short
        marker = data[position + 1]
        if marker == _JPEG_EOI:
            return False
        if marker in _JPEG_STANDALONE:
            position += 2
            continue
        if position + 4 > len(data):
            return True
        position += 2 + int.from_bytes(data[position + 2:position + 4], "big")
        if position > len(data):
            return True
        if marker == _JPEG_SOS:
            last_scan = data.rfind(b"\xff\xda", position)
            return data.find(b"\xff\xd9", max(position, last_scan)) < 0


def _tiff_cut_short(data: Buffer) -> bool:
    """A page directory, or a strip or tile of a page, that lies (partly) past the end."""
    try:
        return any(end > len(data) for end in _tiff_extents(data))
    except struct.error:
        return True  # a directory itself runs past the end


def _tiff_extents(data: Buffer) -> Iterator[int]:
    """End offset of every directory and every strip or tile, page by page."""
    order = "<" if data[:2] == b"II" else ">"
    big = struct.unpack_from(order + "H", data, 2)[0] == 43
    offset_format, count_format, entry_size = ("Q", "Q", 20) if big else ("I", "H", 12)
    directory = struct.unpack_from(order + offset_format, data, 8 if big else 4)[0]
    seen: set[int] = set()
    while directory and directory not in seen and len(seen) < _TIFF_MAX_PAGES:
        seen.add(directory)
        count = struct.unpack_from(order + count_format, data, directory)[0]
        entries = directory + struct.calcsize(count_format)
        yield entries + count * entry_size + struct.calcsize(offset_format)
        tags = dict(_tiff_entries(data, order, entries, count, big))
        for offsets_tag, counts_tag in _TIFF_STRIPS:
            if offsets_tag in tags and counts_tag in tags:
                yield from (start + length for start, length in
                            zip(tags[offsets_tag], tags[counts_tag]))
        directory = struct.unpack_from(order + offset_format, data,
                                       entries + count * entry_size)[0]


def _tiff_entries(data: Buffer, order: str, entries: int, count: int, big: bool
                  ) -> Iterator[tuple[int, list[int]]]:
    """The strip and tile entries of a directory: tag and values (inline or pointed to)."""
    entry_size, number = (20, "Q") if big else (12, "I")
    for at in range(entries, entries + count * entry_size, entry_size):
        tag, kind = struct.unpack_from(order + "HH", data, at)
        if tag not in _TIFF_TAGS or kind not in _TIFF_TYPES:
            continue
        values = struct.unpack_from(order + number, data, at + 4)[0]
        code, size = _TIFF_TYPES[kind]
        field = at + 4 + struct.calcsize(number)
        if values * size > struct.calcsize(number):  # too long to sit in the entry itself
            field = struct.unpack_from(order + number, data, field)[0]
        if field + values * size > len(data):
            raise struct.error("values past the end")
        yield tag, list(struct.unpack_from(f"{order}{values}{code}", data, field))
