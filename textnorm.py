"""Vietnamese text normalisation shared by every stage.

All text luutru stores or compares is Unicode NFC. Tesseract's Vietnamese model sometimes emits the
Icelandic eth ``Ð`` (U+00D0) where the page has ``Đ`` (U+0110); they look the same but never match in
search, so they are mapped here once, for everybody.
"""

from __future__ import annotations

import unicodedata

_LOOKALIKES = str.maketrans({"\u00d0": "\u0110", "\u00f0": "\u0111"})
_FOLD_D = str.maketrans({"\u0110": "D", "\u0111": "d"})


def nfc(text: str) -> str:
    """Return ``text`` in NFC with Vietnamese look-alike letters repaired."""
    return unicodedata.normalize("NFC", text).translate(_LOOKALIKES)


def strip_diacritics(text: str) -> str:
    """Remove tone and vowel marks and fold đ→d, keeping case: ``Đảng ủy`` → ``Dang uy``.

    Unicode decomposition does not split ``đ`` (it is a letter of its own), which is why it is
    folded explicitly.
    """
    decomposed = unicodedata.normalize("NFD", nfc(text).translate(_FOLD_D))
    stripped = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return unicodedata.normalize("NFC", stripped)


def fold(text: str) -> str:
    """Search key of ``text``: lower case, no diacritics, đ→d (``Nghị Quyết`` → ``nghi quyet``)."""
    return strip_diacritics(text).casefold()
