"""Words that tell a block on the page is not the document's own: an e-signature or publication
stamp, a receiving office's registration stamp, a certified copy's "SAO Y" block.

An e-signed copy carries the signing authority's block ("Ký bởi: …", "Cơ quan: …",
"Thời gian ký: 05.02.2025 15:35:18 +07:00", "TRUNG TÂM CÔNG BÁO VÀ TIN HỌC", an e-mail address,
the VGCA logo "Xác thực & Bảo mật"), a received copy the registry's "CÔNG VĂN ĐẾN / Số / Ngày"
stamp. The catalogue leaves their numbers and dates out of the document's own; the stamp reader
(ocr/marks.py) does not take their logo or frame for a secrecy stamp. Both judge the same words,
so the patterns live here, on plain text.
"""

from __future__ import annotations

import re

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


def folded(text: str) -> str:
    """Folded (no diacritics), lower case, single spaces."""
    return re.sub(r"\s+", " ", fold(text).lower()).strip()


def is_esignature_text(text: str) -> bool:
    """A line of an e-signature or publication stamp block."""
    return _ESIGN.search(folded(text)) is not None


def is_received_head_text(text: str) -> bool:
    """The head of a registration stamp: ``CÔNG VĂN ĐẾN``, ``VB ĐẾN``, ``ĐẾN`` on its own."""
    return _RECEIVED.match(folded(text)) is not None


def is_copy_head_text(text: str) -> bool:
    """The head of a certified-copy block: ``SAO Y BẢN CHÍNH``, ``SAO LỤC``, ``TRÍCH SAO``."""
    return _COPY.match(folded(text)) is not None


# the fields a registration stamp's clerk fills in by hand: "Số: …", "Ngày: …", "Chuyển: …"
_REGISTRATION_FIELD = re.compile(r"^\W*(so|ngay|chuyen|luu ho so)\s*[:.]")


def is_registration_text(text: str) -> bool:
    """A line of a registration stamp: its head (``CÔNG VĂN ĐẾN``) or one of the fields filled in
    by hand (``Số:``, ``Ngày:``, ``Chuyển:``) — no secrecy or urgency stamp has either."""
    return is_received_head_text(text) or _REGISTRATION_FIELD.match(folded(text)) is not None
