"""How text becomes search terms, the same way for indexing, querying and snippets.

Tokens are runs of letters and digits (what SQLite's ``unicode61`` and Elasticsearch's standard
tokenizer also cut), in two forms: *exact* (NFC, lower case) ranks exact diacritics first, *folded*
(:func:`luutru.textnorm.fold`, đ→d) makes ``dang uy`` find ``Đảng ủy``.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterator

from luutru.textnorm import nfc

_TOKEN = re.compile(r"[^\W_]+")
# "43-NQ/TW", "43/NQ-TW", "120-KH/BTGTU", "15/2012/NQ-HĐND", "43 NQ TW": digits, then symbol groups.
_NUMBER = re.compile(
    r"(?<![^\W_])(?<![-/.])\d{1,5}(?:[-/.](?:\d+|[^\W\d_]+)|[ \t]+[A-ZĐ]{1,8}(?![^\W_]))+",
    re.UNICODE)


_MARKS = re.compile("[\u0300-\u036f]+")


def fast_nfc(text: str) -> str:
    """:func:`luutru.textnorm.nfc` without its per-character table (slow on long texts)."""
    text = unicodedata.normalize("NFC", text)
    if "\u00d0" in text or "\u00f0" in text:
        text = text.replace("\u00d0", "\u0110").replace("\u00f0", "\u0111")
    return text


def fast_fold(text: str) -> str:
    """:func:`luutru.textnorm.fold` for Vietnamese, several times faster (indexing folds every page).

    Same words (tokens) as ``fold``, except that digits glued after letters are cut off
    (``so63`` → ``so 63``); punctuation may differ. Vietnamese letters decompose into an
    ASCII letter and combining marks, đ is replaced; when nothing else outside ASCII is left
    (typographic punctuation is mapped first), dropping every non-ASCII code point removes exactly
    the marks, which is much faster than a regular expression. Tests check it against ``fold``.
    """
    text = unicodedata.normalize("NFD", text)
    for char, plain in _PLAIN:
        if char in text:
            text = text.replace(char, plain)
    if _OTHER.search(text) is None:
        text = text.encode("ascii", "ignore").decode("ascii").lower()
    else:
        text = _MARKS.sub("", text).casefold()
    return _GLUED.sub(r"\1 \2", text)


_PLAIN = (("\u0111", "d"), ("\u0110", "D"), ("\u00f0", "d"), ("\u00d0", "D"),
          ("\u2026", "..."), ("\u2013", "-"), ("\u2014", "-"), ("\u201c", '"'), ("\u201d", '"'),
          ("\u2018", "'"), ("\u2019", "'"), ("\u00a0", " "), ("\u00b0", " "), ("\u2022", " "))
_OTHER = re.compile("[^\x00-\x7f\u0300-\u036f]")
# OCR glues a number to the word before it ("Số63-HD/VPTU", "năm2012"): search them apart.
_GLUED = re.compile(r"([a-z])(\d)")


# Starts with \d so the scan is cheap: digits are rare, and only then is the letter before looked at.
_GLUED_DIGIT = re.compile(r"\d(?<=[^\W\d_]\d)")


def split_glued(text: str) -> str:
    """A space between a letter and a digit glued to it (``Số63`` → ``Số 63``), as ``fast_fold``
    cuts them, for text an engine will tokenise itself."""
    return _GLUED_DIGIT.sub(r" \g<0>", text)


def exact(text: str) -> str:
    return fast_nfc(text).lower()


def iter_tokens(text: str) -> Iterator[re.Match[str]]:
    return _TOKEN.finditer(text)


def exact_tokens(text: str) -> list[str]:
    return [m.group() for m in _TOKEN.finditer(exact(text))]


def folded_tokens(text: str) -> list[str]:
    return [m.group() for m in _TOKEN.finditer(fast_fold(text))]


def word_pairs(text: str) -> str:
    """Each two adjacent folded words as one token (``kế hoạch`` → ``ke_hoach``), the way
    Elasticsearch's ``index_phrases`` stores them: a phrase of two words, or two query words side
    by side, is then one term lookup instead of a walk through both words' positions."""
    tokens = folded_tokens(text)
    return " ".join([f"{first}_{second}" for first, second in zip(tokens, tokens[1:])])


def number_key(so_ky_hieu: str | None) -> str | None:
    """Canonical form of a document number: ``Số 43-NQ/TW``, ``43 NQ TW`` → ``43-nq-tw``."""
    if not so_ky_hieu:
        return None
    parts = folded_tokens(so_ky_hieu)
    if parts and parts[0] == "so" and len(parts) > 1:
        parts = parts[1:]
    if not parts or not any(ch.isdigit() for ch in parts[0]):
        return None
    return "-".join(parts)


def find_numbers(text: str) -> list[tuple[int, int]]:
    """Spans of things that look like document numbers (a digit group, then letter groups)."""
    spans = []
    for match in _NUMBER.finditer(nfc(text)):
        if any(ch.isalpha() for ch in match.group()):
            spans.append(match.span())
    return spans


def meta_text(item_fields: dict[str, str | None]) -> str:
    """The catalogue fields that are searched (and weighted above body text), as one text.

    ``loai_van_ban số so_ky_hieu`` is spelled out so the quoted citation form
    ``"Nghị quyết số 43-NQ/TW"`` finds the item itself, not only the documents citing it.
    """
    loai, so = item_fields.get("loai_van_ban"), item_fields.get("so_ky_hieu")
    parts = [f"{loai or ''} số {so}" if so else (loai or "")]
    for name in ("trich_yeu", "co_quan_ban_hanh", "nguoi_ky"):
        if item_fields.get(name):
            parts.append(str(item_fields[name]))
    return nfc(" . ".join(p for p in parts if p))
