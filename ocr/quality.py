"""A Vietnamese quality score for OCR text: how much of it is made of possible syllables.

Vietnamese is written one syllable per word-token, and a syllable has a small fixed structure:
an optional onset consonant, a rhyme (optional medial o/u, a vowel nucleus, an optional coda) and
at most one tone mark. OCR garbage (``đ¡ng``, ``nghịệp``, ``cảc``) breaks that structure, and so
does text from a page read in the wrong orientation. The share of tokens that are possible
syllables therefore tells a person which pages to review without any dictionary.

Tokens with digits, document codes (``43-NQ/TW``, ``T/M``), all-capital abbreviations (``UBND``),
single consonant letters (list markers ``a)``) and bare punctuation are not scored.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

from luutru.textnorm import nfc

# Tone marks as combining characters (NFD): huyền, sắc, hỏi, ngã, nặng.
_GRAVE, _ACUTE, _HOOK, _TILDE, _DOT = "\u0300", "\u0301", "\u0309", "\u0303", "\u0323"
_TONES = {_GRAVE, _ACUTE, _HOOK, _TILDE, _DOT}
_CHECKED_TONES = {_ACUTE, _DOT}  # the only tones a syllable ending in c, ch, p, t can carry

_LETTERS = set("aăâbcdđeêghiklmnoôơpqrstuưvxy")
_VOWELS = set("aăâeêioôơuưy")

_ONSETS = sorted("b c ch d đ g gh gi h k kh l m n ng ngh nh p ph qu r s t th tr v x".split(),
                 key=len, reverse=True)

# Rhymes without a medial glide.
_RHYMES_PLAIN = set("""
a ai ao au ay ac ach am an ang anh ap at
ăc ăm ăn ăng ăp ăt
âc âm ân âng âp ât âu ây
e eo ec em en eng ep et
ê êu êch êm ên ênh êp êt
i ia iu ich im in inh ip it iêc iêm iên iêng iêp iêt iêu
o oi oc om on ong op ot oong ooc
ô ôi ôc ôm ôn ông ôp ôt
ơ ơi ơm ơn ơp ơt
u ua ui uc um un ung up ut uôc uôi uôm uôn uông uôt
ư ưa ưi ưu ưc ưng ưt ưm ưn ươc ươi ươm ươn ương ươp ươt ươu
y
""".split())
# Rhymes with the medial o or u (hoa, khoẻ, thuế, huy, tuyết, xuân, thuở).
_RHYMES_MEDIAL = set("""
oa oai oay oac oach oam oan oang oanh oap oat oăc oăm oăn oăng oăt oe oeo oen oet
uân uâng uât uây uê uêch uênh uy uya uych uyn uynh uyp uyt uyu uyên uyêt uơ
""".split())
# Without an onset a syllable may also begin with yê (yêu, yên).
_RHYMES_BARE = {"yêm", "yên", "yêt", "yêu"}
# After qu the u is the medial: qua, quân, quê, quy, quyết, quỳnh, quýt.
_RHYMES_AFTER_QU = ({r for r in _RHYMES_PLAIN if r[0] not in "uư"}
                    | {"y", "ynh", "yt", "ych", "yn", "yp", "yu", "ya", "yêt", "yên"})
_FRONT = ("e", "ê", "i", "y")  # k, gh, ngh go before these; c, g, ng never do

_OUTER_PUNCT = "\"'“”‘’«»()[]{}<>.,;:!?…–—-*•·/\\|_~`"
_ABBREVIATION = re.compile(r"^[A-ZĐ]{2,}$")


def _split_tone(token: str) -> tuple[str, list[str], int | None]:
    """(base letters without tone, tone marks found, index of the letter carrying the tone)."""
    base, tones, tone_at = [], [], None
    for char in token:
        decomposed = unicodedata.normalize("NFD", char)
        marks = [m for m in decomposed if m in _TONES]
        if marks:
            tones.extend(marks)
            tone_at = len(base)
        kept = "".join(m for m in decomposed if m not in _TONES)
        base.append(unicodedata.normalize("NFC", kept))
    return "".join(base), tones, tone_at


def _rhyme_ok(onset: str, rhyme: str) -> bool:
    if onset == "qu":
        return rhyme in _RHYMES_AFTER_QU
    if onset == "gi":  # gia, giữ; also gì, gìn, giếng where the i belongs to the rhyme
        return rhyme in _RHYMES_PLAIN or ("i" + rhyme) in _RHYMES_PLAIN or rhyme == "êng"
    if not (rhyme in _RHYMES_PLAIN or rhyme in _RHYMES_MEDIAL or (not onset and rhyme in _RHYMES_BARE)):
        return False
    front = rhyme.startswith(_FRONT)
    if onset in ("k", "gh", "ngh"):
        return front
    if onset in ("c", "g", "ng"):
        return not front
    return True


def _parses(base: str) -> bool:
    if base == "gi":  # gì: the i is both the onset's and the nucleus
        return True
    candidates = [o for o in _ONSETS if base.startswith(o)] + [""]
    return any(_rhyme_ok(onset, base[len(onset):]) for onset in candidates if base[len(onset):])


@lru_cache(maxsize=1 << 15)
def is_vietnamese_syllable(token: str) -> bool:
    """True if ``token`` (one word, any case) is spelled as a possible Vietnamese syllable."""
    word = nfc(token).lower()
    if not word:
        return False
    base, tones, tone_at = _split_tone(word)
    if not set(base) <= _LETTERS or len(tones) > 1:
        return False
    if tones and base[tone_at] not in _VOWELS:
        return False
    if tones and base.endswith(("c", "ch", "p", "t")) and tones[0] not in _CHECKED_TONES:
        return False
    return _parses(base)


@lru_cache(maxsize=1 << 15)   # a page repeats its words; every page scores the same few thousand
def _scorable(token: str) -> str | None:
    """The token stripped of outer punctuation, or None if it should not be scored."""
    word = token.strip(_OUTER_PUNCT)
    if not word or not any(ch.isalpha() for ch in word):
        return None
    if any(ch.isdigit() for ch in word) or any(ch in word for ch in "/-."):
        return None  # numbers, dates, document codes and abbreviations (43-NQ/TW, T/M, T.Ư)
    if len(word) == 1 and word.lower() not in _VOWELS:
        return None  # list markers a) b), initials
    if _ABBREVIATION.match(word) and not is_vietnamese_syllable(word):
        return None  # UBND, HĐND, TW, XIII
    return word


def vietnamese_quality(text: str) -> float:
    """Share (0..1) of scorable tokens of ``text`` that are possible Vietnamese syllables.

    0.0 when nothing is scorable (an empty page reads as "look at it", not as "fine").
    """
    words = [w for w in (_scorable(t) for t in nfc(text).split()) if w is not None]
    if not words:
        return 0.0
    return sum(is_vietnamese_syllable(w) for w in words) / len(words)
