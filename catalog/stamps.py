"""Blocks on a page that are not the document's own: e-signature and publication stamps, a
receiving office's registration stamp, a certified copy's "SAO Y" block.

An e-signed copy carries the signing authority's block at its top ("Ký bởi: …", "Cơ quan: …",
"Thời gian ký: 05.02.2025 15:35:18 +07:00", "TRUNG TÂM CÔNG BÁO VÀ TIN HỌC", an e-mail address),
and a received copy the registry's "ĐẾN / Số / Ngày" stamp: their dates and numbers are when
someone else handled the document, never its own number or date of issue.
"""

from __future__ import annotations

import re

from luutru.catalog.pagelines import Line
from luutru.textnorm import fold

# On folded, lower-cased text (dots and colons kept: they carry the time stamp).
_ESIGN = re.compile(
    r"\d{1,2}\s*[.]\s*\d{1,2}\s*[.]\s*\d{4}\s+\d{1,2}\s*:\s*\d{2}"   # 05.02.2025 15:35(:18)
    r"|\d{1,2}\s*:\s*\d{2}\s*:\s*\d{2}"                             # a time with seconds
    r"|[+]\s*0?7\s*:?\s*00\b"                                       # +07:00
    r"|\bky boi\b|\bthoi gian ky\b|\bnguoi ky\s*:|\bco quan\s*:"
    r"|\bcong bao\b|\bxac thuc\b|@|\.gov\.vn\b|\bemail\b")
_COPY = re.compile(r"^\W*(sao y|sao luc|trich sao|ban sao)\b")
_RECEIVED = re.compile(r"^\W*((cong|van|vb|cv)\b.{0,10}\bden\b|den\b\W*$|den\W+(so|ngay)\s*:)")


def _folded(text: str) -> str:
    return re.sub(r"\s+", " ", fold(text).lower()).strip()


def is_esignature(line: Line) -> bool:
    """A line of an e-signature or publication stamp block."""
    return _ESIGN.search(_folded(line.text)) is not None


def is_received_head(line: Line) -> bool:
    """The head of a registration stamp: ``CÔNG VĂN ĐẾN``, ``VB ĐẾN``, ``ĐẾN`` on its own."""
    return _RECEIVED.match(_folded(line.text)) is not None


def is_copy_head(line: Line) -> bool:
    """The head of a certified-copy block (``SAO Y BẢN CHÍNH``, ``SAO LỤC``, ``TRÍCH SAO``): the
    copying office's own number, date, recipients and signer follow it."""
    return _COPY.match(_folded(line.text)) is not None


def before_copy_block(lines: list[Line], height: int | None) -> list[Line]:
    """A page's lines above a certified-copy block standing in its lower part (the copy's own
    "Nơi nhận" and signer are not the document's)."""
    for i, line in enumerate(lines):
        if is_copy_head(line) and (line.box is None or not height or line.box[1] > 0.4 * height):
            return lines[:i]
    return lines


def without_esignature(lines: list[Line]) -> list[Line]:
    """The page's lines without those of e-signature and publication stamps."""
    return [line for line in lines if not is_esignature(line)]
