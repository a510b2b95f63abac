"""Honest marking: which machine-read words a volume must not print as if they were proofread.

A line the OCR could not read at all is replaced by a marker (:func:`luutru.volume.text.is_unreadable`).
A line it did read may still hold wrong words; until an editor has proofread the page, a word is
printed as *doubtful* — set in brackets with a question mark, "[chỉ?] bộ", the sign editions use
for an uncertain reading — when

* Tesseract's confidence in it is under ``WORD_DOUBT`` (or the line's, when the words' own are not
  known, is under ``LINE_DOUBT``), unless the word is confirmed by the well-read text around it:
  a Vietnamese syllable, not in capitals, with nothing stuck to its front, that makes with a
  neighbour a pair of words the same volume holds read with full confidence elsewhere
  (:func:`well_read_pairs`). Tesseract is often unsure of short common words ("trong", "chi",
  "hoặc") it reads right; a pair seen read surely is the evidence that this one is right too.
  An abbreviation of the list the volume explains ("UBND", "KT."), a word of a place the
  gazetteer lists ("Quỳnh Phụ") and a date's "ngày", "tháng", "năm" before a number it may take
  are taken as read, too.
  Words in capitals are never confirmed so: headings are where the OCR drops or swaps diacritics
  consistently ("NỘI DỤNG", "ĐẲNG"), so a pair of them read surely elsewhere proves nothing;
* it cannot be a Vietnamese syllable, a number, a code or an abbreviation ("^.¬.ÀA"), a lone
  list letter ("điểm b", "a, b, c") excepted;
* it is an impossible date part: "tháng 91", "ngày 45", "năm 19960";
* it is a near miss of a stock compound of Party documents: the words fold (accents and case off)
  to the compound but are spelled otherwise ("chỉ bộ" for *chi bộ*, "quản Lý" for *quản lý*); the
  OCR model reads such slips with full confidence; likewise a typed "l" read as "t", "V" or
  "I" in one ("tần thứ", "Vương thực"), the rest of the word spelled as in the compound; a
  comma between two words parts them ("tỉnh, Ủy ban"). Only compounds whose slips are not
  Vietnamese are listed ("bảo vệ" is not: "báo về" is good Vietnamese; nor "cơ sở": "có số"; nor
  "quận ủy": "cơ quan Ủy ban");
* it starts with a capital L after a lower-case word with no sentence end between ("kết Luận",
  "quản Lý") and is not a name the same text writes capitalised elsewhere: Tesseract reads a
  typed "l" as "L", and institutions written capitalised in mid-sentence ("Nghị quyết", "Tỉnh ủy")
  do not start with L ("Luật", the title of a law, excepted).

A line of one or two letters is a speck read as letters and doubtful as a whole ("h", "ì A"),
unless it is one word of two letters read surely ("bỏ.": a paragraph's last word on its own line).

The thresholds are measured by ``bench/unreadable.py`` against the truth of the dev corpus, a
fresh-seed generated one and the real pages.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from typing import Any

from luutru.ocr.quality import _scorable, is_vietnamese_syllable   # the OCR quality score's rules
from luutru.textnorm import fold

# A word read with a confidence under this is doubtful (Tesseract's 0..100 word confidence).
WORD_DOUBT = 40.0
# Words read with at least this confidence are "well read": their pairs confirm unsure readings.
WELL_READ = 80.0
# Without word confidences, a line read under this is doubtful as a whole.
LINE_DOUBT = 60.0
FIRST_YEAR, LAST_YEAR = 1900, 2100
_VOWELS = set("aăâeêioôơuưy" "àằầèềìòồờùừỳ" "áắấéếíóốớúứý" "ảẳẩẻểỉỏổởủửỷ" "ãẵẫẽễĩõỗỡũữỹ"
              "ạặậẹệịọộợụựỵ")
_ALPHABET = _VOWELS | set("bcdđghklmnpqrstvxfjwz")
_LETTERS_AND_DIGITS = re.compile(r"[^\W\d_]+\d+|\d+[^\W\d_]{1,2}")
_PUNCT = " .,;:!?()[]{}\"'“”‘’«»…-–"
# A list number or a code ("8.", "III.", "57-NQ/TW"): Tesseract is unsure of them and they are
# checked against the catalogue, not printed from a guess.
_NUMBERING = re.compile(r"^(?:\d{1,3}|[IVXLC]{1,6}|[a-zđ])[.)]$|^\d+-[\w/]+$")
_SENTENCE_END = tuple(".:;!?…")
# Punctuation that parts two words of a phrase ("tỉnh, Ủy ban"); a period may be a misread speck
# inside a compound ("kết. Luận") and does not.
_PARTING = tuple(",;:")
# First letters an OCR error capitalises (typed "l" read as "L").
_CONFUSED_CAPITALS = "L"
# Words written capitalised mid-sentence that start with L: a law's title ("của Luật Đất đai").
_CAPITAL_L_WORDS = {"luat"}
# Words a lone letter follows as a list label ("điểm b khoản 1").
_LETTER_LABELS = {"diem", "muc", "tiet"}
# Words that may follow a lower-case word capitalised: titles and particles of names.
_NAME_INTRODUCERS = {"dong chi", "ong", "ba", "tinh", "huyen", "xa", "quan", "thanh pho", "thi xa",
                     "phuong", "dang", "nha nuoc", "chu tich", "bac", "to quoc", "chinh phu"}


# Stock compounds, spelled right, none of whose accent slips is a Vietnamese word pair.
PHRASES = ("chi bộ", "đảng bộ", "chi ủy", "cấp ủy", "đảng ủy", "quản lý", "kết luận", "lãnh đạo",
           "chỉ đạo", "đẩy mạnh", "đổi mới", "đại biểu", "đại hội", "chất lượng", "đảng viên",
           "cán bộ", "nghị quyết", "tuyên truyền", "kiểm tra", "giám sát", "nhiệm vụ", "giải pháp",
           "xây dựng", "phát triển", "thực hiện", "triển khai", "quán triệt", "pháp luật",
           "tổ chức", "chính trị", "kinh tế", "sản xuất", "học tập", "đoàn kết", "tỉnh ủy",
           "huyện ủy", "thành ủy", "tình hình", "mục tiêu", "tinh thần", "bồi dưỡng",
           "nhân dân", "trung ương", "đơn vị", "hội nghị", "ban hành", "biểu dương", "lần thứ",
           "lương thực", "lực lượng", "tài liệu", "lãnh thổ", "lao động", "lợi ích", "lịch sử")
_PHRASES_BY_FOLD = {fold(p).lower(): p.split() for p in PHRASES}
_L_LOOKALIKES = "tTVI1|"
_PHRASE_LENGTHS = sorted({len(words) for words in _PHRASES_BY_FOLD.values()}, reverse=True)


# The old tone placement ("uỷ", "hoà") is a spelling, not a slip.
_TONE_MARKS = "\u0300\u0301\u0309\u0303\u0323"


def _same_spelling(word: str, good: str) -> bool:
    """Equal, or equal but for where the tone mark sits (old "uỷ", new "ủy")."""
    if word == good:
        return True
    strip = lambda w: "".join(ch for ch in unicodedata.normalize("NFD", w) if ch not in _TONE_MARKS)
    tones = lambda w: [ch for ch in unicodedata.normalize("NFD", w) if ch in _TONE_MARKS]
    return strip(word) == strip(good) and tones(word) == tones(good)


def _misread_l(span: list[str]) -> list[int]:
    """The word of ``span`` whose first letter, read as "l", makes a stock compound: Tesseract
    reads a typed "l" as "t", "V" or "I" ("tần thứ", "Vương thực", "chất tượng")."""
    for k, word in enumerate(span):
        if word[:1] in _L_LOOKALIKES:
            trial = [*span[:k], "l" + word[1:], *span[k + 1:]]
            right = _PHRASES_BY_FOLD.get(fold(" ".join(trial)).lower())
            if right and all(_same_spelling(t.lower(), g) for t, g in zip(trial, right)):
                return [k]
    return []


def near_miss_phrases(tokens: list[str]) -> set[int]:
    """Indexes of the words that make a near miss of a stock phrase (see the module docstring):
    those spelled otherwise than in the phrase. A capital the phrase does not have is a miss
    except on the first word (a sentence start); lower case where the phrase has a capital is
    not (Party documents write both)."""
    words = [t.strip(_PUNCT) for t in tokens]
    missed: set[int] = set()
    for length in _PHRASE_LENGTHS:
        for i in range(len(words) - length + 1):
            if any(token.endswith(_PARTING) for token in tokens[i:i + length - 1]):
                continue        # "tỉnh, Ủy ban": a comma between, no compound
            span = words[i:i + length]
            right = _PHRASES_BY_FOLD.get(fold(" ".join(span)).lower())
            if right is None:
                missed.update(i + k for k in _misread_l(span))
                continue
            capitals = all(word.isupper() for word in span)   # a heading in capitals
            for k, (word, good) in enumerate(zip(span, right)):
                odd_case = k and not capitals and word[:1].isupper() and good[:1].islower()
                if not _same_spelling(word.lower(), good.lower()) or odd_case:
                    missed.add(i + k)
    return missed


def _number(token: str) -> int | None:
    word = token.strip(_PUNCT)
    return int(word) if word.isdigit() else None


def impossible_date_part(previous: str, token: str) -> bool:
    """"tháng 91", "ngày 0", "năm 19960": a number that cannot follow the word before it."""
    value = _number(token)
    if value is None:
        return False
    before = fold(previous.strip(_PUNCT))
    digits = token.strip(_PUNCT)
    if before == "thang":
        return not 1 <= value <= 12
    if before == "ngay":
        return not 1 <= value <= 31
    if before == "nam" and len(digits) >= 4:
        return not FIRST_YEAR <= value <= LAST_YEAR or len(digits) != 4
    return False


def impossible_word(token: str, list_letter: bool = False) -> bool:
    """Letters that spell no Vietnamese syllable, letters outside the Vietnamese alphabet ("Ñ"), a
    lone lower-case consonant ("g") unless it is a ``list_letter`` (:func:`is_list_letter`),
    letters run into digits ("N7", "4G"), and symbols a typed document does not hold."""
    if any(ch in token for ch in "^¬~|{}<>=_\\@#$*¦§¤⁄"):
        return True
    bare = token.strip(_PUNCT)
    if any(ch.isalpha() and ch.lower() not in _ALPHABET for ch in bare):
        return True
    if len(bare) == 1 and bare.islower() and bare not in _VOWELS and not token.endswith((")", ".")):
        return not list_letter
    if len(bare) == 1 and list_letter:
        return False
    if _LETTERS_AND_DIGITS.fullmatch(bare):
        return True
    word = _scorable(token)
    return word is not None and not is_vietnamese_syllable(word)


def is_list_letter(tokens: list[str], i: int) -> bool:
    """A lone letter that labels a point of a list: after "điểm" ("điểm b"), or one of a run of
    such letters ("a, b, c, d, đ hoặc e")."""
    bare = lambda j: tokens[j].strip(_PUNCT) if 0 <= j < len(tokens) else ""
    if len(bare(i)) != 1 or not bare(i).isalpha():
        return False
    if fold(bare(i - 1)).lower() in _LETTER_LABELS:
        return True
    listed = lambda j: len(bare(j)) == 1 and bare(j).isalpha() and tokens[j].endswith(",")
    return tokens[i].endswith(",") and (listed(i - 1) or listed(i + 1)) or listed(i - 1)


def _pair_word(token: str) -> str | None:
    """The word of ``token`` as pairs are kept: lower case, trailing punctuation off; None when
    it is no clean syllable (in capitals, something stuck to its front, not Vietnamese)."""
    word = token.rstrip(_PUNCT)
    if not word or not word[0].isalpha() or (len(word) > 1 and word.isupper()):
        return None
    word = word.lower()
    return word if is_vietnamese_syllable(word) else None


def well_read_pairs(lines: Iterable[Any]) -> frozenset[tuple[str, str]]:
    """Pairs of neighbouring words (:func:`_pair_word`) that ``lines`` (anything with ``text`` and
    ``word_confs``, and ``proofread`` for an editor's) hold both read with a confidence of at
    least ``WELL_READ``, or proofread."""
    pairs = set()
    for line in lines:
        words = [_pair_word(token) for token in line.text.split()]
        confs = [100.0] * len(words) if getattr(line, "proofread", False) else line.word_confs
        if not confs:
            continue
        for (a, conf_a), (b, conf_b) in zip(zip(words, confs), zip(words[1:], confs[1:])):
            if a and b and min(conf_a, conf_b) >= WELL_READ:
                pairs.add((a, b))
    return frozenset(pairs)


def confirmed(tokens: list[str], i: int, pairs: frozenset[tuple[str, str]]) -> bool:
    """Is token ``i`` confirmed although read unsure: an abbreviation Party and state documents
    use ("UBND", "KT."), a word of a place the gazetteer lists ("Quỳnh Phụ"), a date's "tháng"
    before a possible month, or a word that makes a known pair with a neighbour?"""
    from luutru.volume.apparatus import ABBREVIATIONS
    if tokens[i].rstrip(",;:") in ABBREVIATIONS or _place_name(tokens, i) or _date_word(tokens, i):
        return True
    word = _pair_word(tokens[i])
    if word is None or not pairs:
        return False
    before = _pair_word(tokens[i - 1]) if i else None
    after = _pair_word(tokens[i + 1]) if i + 1 < len(tokens) else None
    return (before, word) in pairs or (word, after) in pairs


def _place_name(tokens: list[str], i: int) -> bool:
    """Is token ``i`` one of two or three capitalised words that spell a place of the gazetteer
    (:mod:`luutru.volume.gazetteer`), with its accents as listed?"""
    from luutru.volume import gazetteer
    words = [token.strip(_PUNCT) for token in tokens]
    for start in range(max(i - 2, 0), i + 1):
        for end in range(max(start + 2, i + 1), min(start + 3, len(words)) + 1):
            run = words[start:end]
            if all(word[:1].isupper() and not word.isupper() for word in run) \
                    and gazetteer.places().get(gazetteer.spelling_key(" ".join(run))):
                return True
    return False


def _date_word(tokens: list[str], i: int) -> bool:
    """"ngày", "tháng", "năm" followed by a number it may take ("tháng 7", not "tháng 91")."""
    word = tokens[i].strip(_PUNCT).lower()
    after = tokens[i + 1] if i + 1 < len(tokens) else ""
    return (word in ("ngày", "tháng", "năm") and _number(after) is not None
            and not impossible_date_part(tokens[i], after))


def odd_capital(previous: str, token: str, capitalised: set[str]) -> bool:
    """"kết Luận": a capital after a lower-case word in mid-sentence, not a name of the text."""
    word = token.strip(_PUNCT)
    prev = previous.strip(_PUNCT)
    if not (len(word) > 1 and word[0] in _CONFUSED_CAPITALS and word[1:].islower()
            and prev[:1].islower()):
        return False
    if previous.rstrip().endswith(_SENTENCE_END) or fold(prev) in _NAME_INTRODUCERS:
        return False
    if fold(word).lower() in _CAPITAL_L_WORDS:
        return False
    return fold(word) not in capitalised


def capitalised_words(texts: list[str]) -> set[str]:
    """Words the text writes capitalised after another capitalised word (names: "Đinh Minh Quyết",
    "Thái Bình"): such a word after a lower-case one is a name too."""
    names: set[str] = set()
    for text in texts:
        tokens = [t.strip(_PUNCT) for t in text.split()]
        for left, right in zip(tokens, tokens[1:]):
            if left[:1].isupper() and right[:1].isupper() and not right.isupper():
                names.add(fold(right))
                if not left.isupper():
                    names.add(fold(left))
    return names


def doubtful_words(tokens: list[str], confs: list[float] | None, line_conf: float | None,
                   capitalised: set[str] = frozenset(),
                   well_read: frozenset[tuple[str, str]] = frozenset()) -> list[bool]:
    """For each whitespace token of a machine-read line: print it as doubtful? ``capitalised``
    are the names of the text (:func:`capitalised_words`), ``well_read`` the pairs of words the
    volume holds read surely (:func:`well_read_pairs`)."""
    letters = sum(ch.isalpha() for token in tokens for ch in token)
    digits = any(ch.isdigit() for token in tokens for ch in token)
    # a speck read as letters ("h", "ì A"), not a word of two letters read surely ("bỏ.", "án.":
    # the end of a paragraph on a line of its own)
    speck = 0 < letters <= 2 and not digits and not (
        len(tokens) == 1 and letters == 2 and confs is not None and confs[0] >= WELL_READ
        and _pair_word(tokens[0]) is not None)
    whole_line = (confs is None and line_conf is not None and line_conf < LINE_DOUBT) or speck
    missed = near_miss_phrases(tokens)
    out = []
    for i, token in enumerate(tokens):
        previous = tokens[i - 1] if i else ""
        conf = confs[i] if confs is not None else None
        unsure = (conf is not None and 0 <= conf < WORD_DOUBT and any(c.isalnum() for c in token)
                  and not _NUMBERING.match(token.strip(",;:")) and not confirmed(tokens, i, well_read))
        out.append(whole_line or unsure
                   or i in missed
                   or impossible_word(token, is_list_letter(tokens, i))
                   or impossible_date_part(previous, token)
                   or odd_capital(previous, token, capitalised))
    return out
