"""Blocks on a page that are not the document's own: e-signature and publication stamps, a
receiving office's registration stamp, a certified copy's "SAO Y" block.

An e-signed copy carries the signing authority's block at its top ("Ký bởi: …", "Cơ quan: …",
"Thời gian ký: 05.02.2025 15:35:18 +07:00", "TRUNG TÂM CÔNG BÁO VÀ TIN HỌC", an e-mail address),
and a received copy the registry's "ĐẾN / Số / Ngày" stamp: their dates and numbers are when
someone else handled the document, never its own number or date of issue.
"""

from __future__ import annotations

from luutru.catalog.pagelines import Line
from luutru.stampwords import is_copy_head_text, is_esignature_text, is_received_head_text


def is_esignature(line: Line) -> bool:
    """A line of an e-signature or publication stamp block."""
    return is_esignature_text(line.text)


def is_received_head(line: Line) -> bool:
    """The head of a registration stamp: ``CÔNG VĂN ĐẾN``, ``VB ĐẾN``, ``ĐẾN`` on its own."""
    return is_received_head_text(line.text)


def is_copy_head(line: Line) -> bool:
    """The head of a certified-copy block (``SAO Y BẢN CHÍNH``, ``SAO LỤC``, ``TRÍCH SAO``): the
    copying office's own number, date, recipients and signer follow it."""
    return is_copy_head_text(line.text)


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
