"""The query language researchers type, parsed once into a tree both engines compile.

``nghi quyet "dân vận" -"tôn giáo" (tinh OR thanh) uy* fonds:PHONG-41 year:2006..2020``:
words (all required), "phrases", ``AND``/``OR``/``NOT`` (upper case) and ``-word``, ``prefix*``,
parentheses, and field filters (``fonds: file: type: organ: person: place: number: year: date:``).
Field filters narrow the whole result, so they must stand at the top level (``-fonds:X`` excludes).

OCR damages words, so a query is answered in *tiers* (:func:`plan_tiers`), each ranked below the
one before: a name-like query's matches in the signer field, then every word (from five words
on, most of them side by side; the same words scattered rank with the next tier), then most of
the words (:func:`partial_minimum`, as Elasticsearch's ``minimum_should_match``), then every
word again, folded syllables within one edit (:data:`FUZZY_MIN_LETTERS`, as ``fuzziness:
AUTO``). The last two are searched only while the ones before found fewer than
:data:`FALLBACK_BELOW` documents. Every tier keeps the filters, and each engine keeps the
clearance inside every tier's query.
"""

from __future__ import annotations

import calendar
import math
import re
from dataclasses import dataclass, field

from luutru.index.analysis import exact_tokens, find_numbers, folded_tokens, number_key
from luutru.index.model import QueryError
from luutru.textnorm import fold, nfc

FIELDS = ("fonds", "file", "type", "organ", "person", "place", "number", "year", "date")
_OPERATORS = {"AND", "OR", "NOT"}
_LEXEME = re.compile(r'\s*(?:(?P<lp>\()|(?P<rp>\))|(?P<quote>-?"[^"]*"?\*?)|(?P<field>-?[A-Za-z]+:"[^"]*")|(?P<word>[^\s()"]+))')
_FIELD = re.compile(r"^(-?)([A-Za-z]+):(.+)$")
_DATE = re.compile(r"^(\d{4})(?:-(\d{1,2})(?:-(\d{1,2}))?)?$")


@dataclass(frozen=True)
class Term:
    folded: str
    exact: str
    prefix: bool = False


@dataclass(frozen=True)
class Phrase:
    folded: tuple[str, ...]
    exact: tuple[str, ...]


@dataclass(frozen=True)
class And:
    children: tuple


@dataclass(frozen=True)
class Or:
    children: tuple


@dataclass(frozen=True)
class Not:
    child: object


@dataclass(frozen=True)
class AtLeast:
    """``node``'s required children, of which ``minimum`` must match (its excluded ones still
    exclude): the partial tier."""

    node: And
    minimum: int


@dataclass(frozen=True)
class Adjacent:
    """``node`` (every word), with at least ``minimum`` of its adjacent ``pairs`` side by side:
    the exact tier of a long run of words, so a document holding them scattered over its pages
    ranks below one holding them as typed (with the partial matches, or in the scattered tier)."""

    node: And
    pairs: tuple[tuple[str, str], ...]
    minimum: int


@dataclass(frozen=True)
class Fuzzy:
    """A folded word, or any indexed word one edit away from it (an OCR slip)."""

    term: Term


@dataclass(frozen=True)
class Person:
    """Folded name syllables in the signer field, each one edit off from four letters on: a
    name-like query's tier. A four-syllable name may miss one (OCR misreads short syllables
    too, "Bài" for "Bùi", and those allow no edit)."""

    folded: tuple[str, ...]

    @property
    def minimum(self) -> int:
        return len(self.folded) - 1 if len(self.folded) >= 4 else len(self.folded)


Node = Term | Phrase | And | Or | Not | AtLeast | Adjacent | Fuzzy | Person


@dataclass(frozen=True)
class Filter:
    """``field`` in FIELDS; ``value`` folded (keywords) or ``low``/``high`` (year, date), inclusive."""

    field: str
    value: str | None = None
    low: str | int | None = None
    high: str | int | None = None
    negate: bool = False


@dataclass
class ParsedQuery:
    text: Node | None
    filters: list[Filter] = field(default_factory=list)
    name: tuple[str, ...] | None = None  # folded syllables when the query looks like a name

    def positive_terms(self) -> list[Term | Phrase]:
        """Terms and phrases that make a document match (not the excluded ones), for snippets."""
        found: list[Term | Phrase] = []

        def walk(node: object, negated: bool) -> None:
            if isinstance(node, (Term, Phrase)):
                if not negated:
                    found.append(node)
            elif isinstance(node, (And, Or)):
                for child in node.children:
                    walk(child, negated)
            elif isinstance(node, Not):
                walk(node.child, not negated)

        walk(self.text, False)
        return found


def _plain(node: object) -> bool:
    return isinstance(node, Term) and not node.prefix


def and_parts(node: And) -> tuple[list[tuple[Node, Term | None]], list[Node]]:
    """What an engine compiles for ``a b -c``: each required child with the plain word right after
    it (for the adjacent-words bonus, or None), and the excluded children."""
    positives = [c for c in node.children if not isinstance(c, Not)]
    if not positives:
        raise QueryError("a group cannot only exclude: add a word to search for before NOT")
    required = []
    for i, child in enumerate(positives):
        following = positives[i + 1] if i + 1 < len(positives) else None
        required.append((child, following if _plain(child) and _plain(following) else None))
    return required, [c.child for c in node.children if isinstance(c, Not)]


def or_children(node: Or) -> tuple:
    if any(isinstance(child, Not) for child in node.children):
        raise QueryError("NOT cannot be an alternative of OR; write (a OR b) NOT c")
    return node.children


def parse_query(query: str) -> ParsedQuery:
    """Parse ``query``; raise :class:`QueryError` with a plain message if it is malformed."""
    query = _quote_spaced_numbers(nfc(query or ""))
    lexemes = _lex(query)
    filters: list[Filter] = []
    parser = _Parser(lexemes, filters)
    text = parser.parse()
    if text is None and not filters:
        raise QueryError("empty query: type some words, a \"phrase\" or a filter such as fonds:PHONG-41")
    if text is not None and _only_negative(text):
        raise QueryError("a query cannot only exclude: add a word to search for before NOT or -word")
    return ParsedQuery(text, filters, _name_like(lexemes, text))


_NAME_WORD = re.compile(r"^[^\W\d_][^\W\d_A-ZĐ]*$")


def _name_like(lexemes: list[tuple[str, str]], text: Node | None) -> tuple[str, ...] | None:
    """Folded syllables when the words typed are 2–4 capitalised syllables (``Đinh Trọng Tiến``,
    ``"Bui Thi Hong Lan"``), as a person's name is written; else None."""
    words = [value.strip('"') for kind, value in lexemes if kind in ("word", "quote")
             and not _FIELD.match(value)]
    words = [w for part in words for w in part.split()]
    if not 2 <= len(words) <= 4 or not all(_NAME_WORD.match(w) and w[0].isupper() for w in words):
        return None
    if isinstance(text, And) and all(_plain(c) for c in text.children):
        return tuple(c.folded for c in text.children)
    if isinstance(text, Phrase):
        return text.folded
    return None


# --- tiers ------------------------------------------------------------------------------------

PERSON, EXACT, SCATTERED, PARTIAL, FUZZY = "person", "exact", "scattered", "partial", "fuzzy"
MATCH_KINDS = (PERSON, EXACT, SCATTERED, PARTIAL, FUZZY)
EVERY_WORD = (EXACT, SCATTERED)  # the tiers that hold every word of the query (volumes)
# A search's tiers: the scattered matches of a long query are left to the partial tier, where
# they rank by score with the documents missing a word (measured: a title with a misread word
# is found in the top 3 for 97.5 % of the dev corpus this way, 92.5 % when they rank above it).
SEARCHED = (PERSON, EXACT, PARTIAL, FUZZY)
FALLBACK_BELOW = 10  # a forgiving tier is searched while the stricter ones found fewer documents
PARTIAL_SHARE = 0.6  # of the words (bench/search.py relevance --shares measures the choice)
PAIRS_FROM = 5  # words: from this many plain words on, the exact tier wants them side by side…
# …at least this share of their adjacent pairs. Measured, title top 3 on dev (real OCR; as typed /
# 1 / 2 syllables misread) and on 165 fresh titles of their own: 0.5 95/97.5/97.5 and
# 98.8/97.0/97.0 %; 0.8 95/100/97.5 and 98.8/97.6/97.0 %; 0.9 95/97.5/97.5 and 99.4/98.8/97.0 %.
# A document holding the words scattered with a few common pairs then ranks with the partial
# matches, not above a title missing one word to OCR.
PAIRS_SHARE = 0.8
FUZZY_MIN_LETTERS = 4  # one edit from four letters on; shorter syllables are too alike


@dataclass(frozen=True)
class Tier:
    """One tier of a query: its kind (:data:`MATCH_KINDS`) and its text node. An engine searches
    ``node`` AND NOT any of ``before`` (the earlier tiers' nodes), with filters and clearance."""

    kind: str
    node: Node
    before: tuple[Node, ...] = ()


def near_enough(folded: str) -> bool:
    """Whether a word may be matched one edit away (long enough, letters only)."""
    return len(folded) >= FUZZY_MIN_LETTERS and folded.isalpha()


def partial_minimum(count: int) -> int | None:
    """How many of ``count`` words a partial match needs (None: too few words to leave one out)."""
    if count < 3:
        return None
    return min(count - 1, max(2, math.ceil(PARTIAL_SHARE * count)))


def plan_tiers(parsed: ParsedQuery, kinds: tuple[str, ...] = SEARCHED) -> list[Tier]:
    """The tiers of ``parsed`` (of ``kinds`` only), strictest first; a filter-only query has one
    (exact) tier."""
    if parsed.text is None:
        return [Tier(EXACT, None)]
    nodes: list[tuple[str, Node]] = []
    if parsed.name:
        nodes.append((PERSON, Person(parsed.name)))
    nodes.append((EXACT, _adjacent(parsed.text)))
    if nodes[-1][1] != parsed.text:  # every word, but not side by side
        nodes.append((SCATTERED, parsed.text))
    for kind, node in ((PARTIAL, _partial(parsed.text)), (FUZZY, _fuzzy(parsed.text))):
        if node is not None:
            nodes.append((kind, node))
    nodes = [(kind, node) for kind, node in nodes if kind in kinds]
    return [Tier(kind, node, tuple(n for _, n in nodes[:i]))
            for i, (kind, node) in enumerate(nodes)]


def _positives(node: Node) -> tuple[list[Node], list[Node]] | None:
    """A plain run of words (``a b c -e``) as (positive, excluded); None else. A "phrase" asks
    for exactly those words together, so a query holding one has no forgiving tier (a quoted
    name still has the signer field's)."""
    children = node.children if isinstance(node, And) else (node,)
    positive = [c for c in children if not isinstance(c, Not)]
    if not all(_plain(c) for c in positive):
        return None
    return positive, [c for c in children if isinstance(c, Not)]


def _adjacent(node: Node) -> Node:
    """The exact tier's node: a long plain run of words also needs most pairs side by side."""
    if not isinstance(node, And):
        return node
    words = [c for c in node.children if not isinstance(c, Not)]
    if len(words) < PAIRS_FROM or not all(_plain(w) for w in words):
        return node
    pairs = tuple((a.folded, b.folded) for a, b in zip(words, words[1:]))
    return Adjacent(node, pairs, math.ceil(PAIRS_SHARE * len(pairs)))


def _partial(node: Node) -> Node | None:
    parts = _positives(node)
    minimum = partial_minimum(len(parts[0])) if parts else None
    return AtLeast(node, minimum) if minimum else None


def _fuzzy(node: Node) -> Node | None:
    parts = _positives(node)
    if parts is None:
        return None
    positive, excluded = parts
    loose = [Fuzzy(w) if near_enough(w.folded) else w for w in positive]
    if not any(isinstance(w, Fuzzy) for w in loose):
        return None
    if len(loose) == 1 and not excluded:
        return loose[0]
    return And(tuple(loose) + tuple(excluded))


def _quote_spaced_numbers(query: str) -> str:
    """``43 NQ TW`` typed with spaces is one document number: search it as a phrase."""
    out, last, inside = [], 0, False
    spans = [s for s in find_numbers(query) if re.search(r"\s", query[s[0]:s[1]])]
    for start, end in spans:
        inside = query.count('"', 0, start) % 2 == 1
        if inside or (start > 0 and query[start - 1] in ':"'):
            continue
        out.append(query[last:start] + '"' + query[start:end] + '"')
        last = end
    return "".join(out) + query[last:]


def _lex(query: str) -> list[tuple[str, str]]:
    lexemes, pos = [], 0
    while pos < len(query):
        match = _LEXEME.match(query, pos)
        if not match or match.end() == pos:
            if query[pos:].strip() == "":
                break
            raise QueryError(f"cannot read the query at {query[pos:pos + 20]!r}")
        pos = match.end()
        kind = match.lastgroup
        lexemes.append((kind, match.group(kind)))
    return lexemes


def _only_negative(node: object) -> bool:
    if isinstance(node, Not):
        return True
    if isinstance(node, And):
        return all(_only_negative(child) for child in node.children)
    if isinstance(node, Or):
        return any(_only_negative(child) for child in node.children)
    return False


class _Parser:
    """Recursive descent: or_expr := and_expr (OR and_expr)*; and_expr := unary (AND? unary)*."""

    def __init__(self, lexemes: list[tuple[str, str]], filters: list[Filter]):
        self.lexemes = lexemes
        self.pos = 0
        self.depth = 0
        self.filters = filters

    def peek(self) -> tuple[str, str] | None:
        return self.lexemes[self.pos] if self.pos < len(self.lexemes) else None

    def is_op(self, name: str) -> bool:
        lexeme = self.peek()
        return lexeme is not None and lexeme[0] == "word" and lexeme[1] == name

    def parse(self) -> Node | None:
        node = self.or_expr()
        if self.peek() is not None:
            kind, value = self.peek()
            raise QueryError("unbalanced ')' in the query" if kind == "rp"
                             else f"unexpected {value!r} in the query")
        return node

    def or_expr(self) -> Node | None:
        children = [self.and_expr()]
        while self.is_op("OR"):
            self.pos += 1
            if self.peek() is None or self.peek()[0] == "rp" or self.is_op("OR"):
                raise QueryError("OR needs something on both sides")
            children.append(self.and_expr())
        if len(children) > 1 and any(child is None for child in children):
            raise QueryError("OR needs words on both sides (field filters cannot be alternatives)")
        if children[0] is None:
            return None
        return children[0] if len(children) == 1 else Or(tuple(children))

    def and_expr(self) -> Node | None:
        children: list[Node] = []
        while True:
            lexeme = self.peek()
            if lexeme is None or lexeme[0] == "rp" or self.is_op("OR"):
                break
            if self.is_op("AND"):
                self.pos += 1
                if not children or self.peek() is None or self.is_op("OR") or self.is_op("AND"):
                    raise QueryError("AND needs something on both sides")
                continue
            node = self.unary()
            if node is not None:
                children.append(node)
        if not children:
            return None
        return children[0] if len(children) == 1 else And(tuple(children))

    def unary(self) -> Node | None:
        if self.is_op("NOT"):
            self.pos += 1
            if self.peek() is None or self.peek()[0] == "rp" or self.peek()[1] in _OPERATORS:
                raise QueryError("NOT needs a word or phrase after it")
            node = self.unary()
            return Not(node) if node is not None else None
        return self.atom()

    def atom(self) -> Node | None:
        kind, value = self.lexemes[self.pos]
        self.pos += 1
        if kind == "lp":
            self.depth += 1
            node = self.or_expr()
            if self.peek() is None or self.peek()[0] != "rp":
                raise QueryError("unclosed '(' in the query")
            self.pos += 1
            self.depth -= 1
            return node
        if kind == "quote":
            return self.phrase(value)
        if kind == "field":
            return self.word(value)
        return self.word(value)

    def phrase(self, value: str) -> Node | None:
        negate = value.startswith("-")
        body = value[1:] if negate else value
        if body.endswith("*"):
            raise QueryError("a \"phrase\" cannot end with *; put * on a single word")
        if len(body) < 2 or not body.endswith('"'):
            raise QueryError("unclosed quote (\") in the query")
        node = _text_node(body[1:-1])
        if node is None:
            return None
        return Not(node) if negate else node

    def word(self, value: str) -> Node | None:
        field_match = _FIELD.match(value)
        if field_match and field_match.group(2).lower() in FIELDS:
            self.add_filter(field_match.group(2).lower(), field_match.group(3),
                            negate=field_match.group(1) == "-")
            return None
        if field_match and field_match.group(2).isascii() and not field_match.group(3).startswith("/"):
            raise QueryError(f"unknown field {field_match.group(2)}: (fields: {', '.join(FIELDS)})")
        negate = value.startswith("-") and len(value) > 1
        if negate:
            value = value[1:]
        prefix = value.endswith("*")
        node = _text_node(value.rstrip("*"), prefix=prefix)
        if node is None:
            if prefix:
                raise QueryError("* must follow a word, as in nghi*")
            return None
        return Not(node) if negate else node

    def add_filter(self, name: str, raw: str, negate: bool) -> None:
        if self.depth:
            raise QueryError(f"field filter {name}: must stand outside parentheses")
        if self.pos >= 2 and self.lexemes[self.pos - 2][1] in ("NOT", "OR"):
            raise QueryError(f"field filter {name}: cannot follow NOT or OR; use -{name}:value")
        self.filters.append(_make_filter(name, raw, negate))


def _text_node(text: str, prefix: bool = False) -> Node | None:
    folded, exact = folded_tokens(text), exact_tokens(text)
    if not folded:
        return None
    if len(folded) != len(exact):  # fold can only remove marks; keep exact aligned with folded
        exact = folded
    if len(folded) == 1:
        return Term(folded[0], exact[0], prefix)
    if prefix:
        raise QueryError(f"* must follow a single word, not {text!r}")
    return Phrase(tuple(folded), tuple(exact))


def _make_filter(name: str, raw: str, negate: bool) -> Filter:
    raw = raw.strip('"')
    if not raw:
        raise QueryError(f"{name}: needs a value")
    if name == "year":
        low, high = _range(raw, name, _year)
        return Filter(name, low=low, high=high, negate=negate)
    if name == "date":
        low, high = _range(raw, name, _date_bounds)
        return Filter(name, low=low[0] if low else None, high=high[1] if high else None,
                      negate=negate)
    if name == "number":
        key = number_key(raw)
        if key is None:
            raise QueryError(f"number:{raw} does not look like a document number such as 43-NQ/TW")
        return Filter(name, value=key, negate=negate)
    return Filter(name, value=fold(raw), negate=negate)


def _range(raw: str, name: str, convert):
    low_text, sep, high_text = raw.partition("..")
    low = convert(low_text, name) if low_text else None
    high = convert(high_text, name) if sep and high_text else (None if sep else low)
    if low is None and high is None:
        raise QueryError(f"{name}: needs a value or a range such as {name}:2006..2020")
    return low, high


def _year(text: str, name: str) -> int:
    if not re.fullmatch(r"\d{4}", text):
        raise QueryError(f"{name}:{text} is not a year (use four digits, e.g. 2012 or 2006..2020)")
    return int(text)


def _date_bounds(text: str, name: str) -> tuple[str, str]:
    """``2012`` → (2012-01-01, 2012-12-31); ``2012-05`` → whole month; a full date → itself."""
    match = _DATE.match(text)
    if not match:
        raise QueryError(f"{name}:{text} is not a date (use 2012, 2012-05 or 2012-05-14)")
    year, month, day = int(match.group(1)), match.group(2), match.group(3)
    try:
        if month is None:
            return f"{year:04d}-01-01", f"{year:04d}-12-31"
        m = int(month)
        if day is None:
            last = calendar.monthrange(year, m)[1]
            return f"{year:04d}-{m:02d}-01", f"{year:04d}-{m:02d}-{last:02d}"
        d = int(day)
        calendar.monthrange(year, m)
        if not 1 <= d <= calendar.monthrange(year, m)[1]:
            raise ValueError
        return (f"{year:04d}-{m:02d}-{d:02d}",) * 2
    except (ValueError, calendar.IllegalMonthError):
        raise QueryError(f"{name}:{text} is not a real date") from None
