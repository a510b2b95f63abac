"""The volume spec: what an editor asks for (title, period, selection, options), read from YAML or TOML.

The spec is a small file an editor writes by hand or the reading room's basket writes for them, so
every mistake is reported by the key it concerns (``select.fonds: …``) rather than as a traceback.
YAML is read with ``safe_load`` only: a spec is data and must never construct Python objects.
"""

from __future__ import annotations

import datetime as dt
import tomllib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from luutru.textnorm import nfc
from luutru.errors import LuutruError

PAPERS = ("A4", "A5")
FORMATS = ("pdf", "docx")
# The apparatus after the documents, each of which an editor may leave out.
APPARATUS = ("chronology", "names", "places", "abbreviations")
ORDERS = ("date", "items")

_TOP_KEYS = {"title", "subtitle", "editors", "foreword", "period", "repository", "publisher", "place", "year",
             "select", "options"}
_PERIOD_KEYS = {"from", "to"}
_SELECT_KEYS = {"query", "fonds", "files", "items"}
_OPTION_KEYS = {"review_appendix", "paper", "formats", "apparatus", "order"}


class SpecError(LuutruError, ValueError):
    """A volume spec that cannot be used; the message names the key and says what is wrong."""


def _this_year() -> int:
    return dt.date.today().year


@dataclass(frozen=True)
class VolumeSpec:
    """One compiled volume as asked for. Lists are tuples so specs compare and hash by value."""

    title: str
    subtitle: str = ""
    period_from: dt.date | None = None
    period_to: dt.date | None = None
    repository: str = ""
    publisher: str = ""
    place: str = ""
    year: int = field(default_factory=_this_year)
    query: str = ""
    fonds: tuple[str, ...] = ()
    files: tuple[str, ...] = ()
    items: tuple[str, ...] = ()
    review_appendix: bool = True
    paper: str = "A4"
    formats: tuple[str, ...] = FORMATS
    editors: tuple[str, ...] = ()         # the Ban biên tập: the DOCX's author, the title page
    foreword: str = ""                    # the Lời giới thiệu (paragraphs by blank lines); a placeholder if empty
    apparatus: tuple[str, ...] = APPARATUS
    order: str = "date"                   # date: chronological; items: as select.items lists them

    @property
    def items_order(self) -> bool:
        return self.order == "items"

    def __post_init__(self) -> None:
        _check_spec(self)


# --- validation -------------------------------------------------------------------------------

def _check_spec(spec: VolumeSpec) -> None:
    if not spec.title.strip():
        raise SpecError("title: required, and must not be empty")
    if spec.period_from and spec.period_to and spec.period_from > spec.period_to:
        raise SpecError(f"period: from ({spec.period_from}) is after to ({spec.period_to})")
    if not (spec.query.strip() or spec.fonds or spec.files or spec.items):
        raise SpecError("select: give at least one of query, fonds, files, items")
    for code in spec.files:
        if code.count("/") != 1 or not all(code.split("/")):
            raise SpecError(f"select.files: {code!r} is not of the form PHONG/HỒ-SƠ "
                            "(e.g. PHONG-12/HS-2019-004)")
    if spec.paper not in PAPERS:
        raise SpecError(f"options.paper: {spec.paper!r} is not one of {', '.join(PAPERS)}")
    if not spec.formats:
        raise SpecError("options.formats: give at least one of pdf, docx")
    for fmt in spec.formats:
        if fmt not in FORMATS:
            raise SpecError(f"options.formats: {fmt!r} is not one of {', '.join(FORMATS)}")
    for part in spec.apparatus:
        if part not in APPARATUS:
            raise SpecError(f"options.apparatus: {part!r} is not one of {', '.join(APPARATUS)}")
    if spec.order not in ORDERS:
        raise SpecError(f"options.order: {spec.order!r} is not one of {', '.join(ORDERS)}")
    if spec.order == "items" and (spec.query.strip() or spec.fonds or spec.files):
        raise SpecError("options.order: items orders select.items only; give no query, fonds or files")
    if not 1000 <= spec.year <= 9999:
        raise SpecError(f"year: {spec.year} is not a four-digit year")


def _mapping(value: Any, key: str) -> Mapping[str, Any]:
    if value is None:
        return {}
    if not isinstance(value, Mapping):
        raise SpecError(f"{key}: expected a table of keys, got {type(value).__name__}")
    return value


def _no_unknown(data: Mapping[str, Any], allowed: set[str], prefix: str) -> None:
    unknown = sorted(str(k) for k in data if k not in allowed)
    if unknown:
        where = f"{prefix}." if prefix else ""
        raise SpecError(f"{where}{unknown[0]}: unknown key (allowed: {', '.join(sorted(allowed))})")


def _text(value: Any, key: str) -> str:
    if value is None:
        return ""
    if isinstance(value, bool) or not isinstance(value, (str, int, float)):
        raise SpecError(f"{key}: expected text, got {type(value).__name__}")
    return nfc(str(value)).strip()


def _date(value: Any, key: str) -> dt.date | None:
    if value is None or value == "":
        return None
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    if isinstance(value, int) and not isinstance(value, bool):
        return _date(f"{value}-01-01" if key.endswith("from") else f"{value}-12-31", key)
    if isinstance(value, str):
        try:
            return dt.date.fromisoformat(value.strip())
        except ValueError:
            pass
    raise SpecError(f"{key}: {value!r} is not a date (write it as YYYY-MM-DD)")


def _codes(value: Any, key: str) -> tuple[str, ...]:
    if value is None:
        return ()
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, list):
        raise SpecError(f"{key}: expected a list of codes, got {type(value).__name__}")
    codes = []
    for entry in value:
        if not isinstance(entry, (str, int)) or isinstance(entry, bool) or not str(entry).strip():
            raise SpecError(f"{key}: {entry!r} is not a code")
        codes.append(nfc(str(entry)).strip())
    return tuple(dict.fromkeys(codes))


def _bool(value: Any, key: str, default: bool) -> bool:
    if value is None:
        return default
    if not isinstance(value, bool):
        raise SpecError(f"{key}: expected true or false, got {value!r}")
    return value


def _year(value: Any) -> int:
    if value is None:
        return _this_year()
    if isinstance(value, bool):
        raise SpecError(f"year: {value!r} is not a year")
    try:
        return int(value)
    except (TypeError, ValueError):
        raise SpecError(f"year: {value!r} is not a year") from None


def _choices(value: Any, key: str, default: tuple[str, ...]) -> tuple[str, ...]:
    if value is None:
        return default
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, list):
        raise SpecError(f"{key}: expected a list such as [{', '.join(default)}], got {value!r}")
    return tuple(dict.fromkeys(str(v).strip().lower() for v in value))


def _formats(value: Any) -> tuple[str, ...]:
    return _choices(value, "options.formats", FORMATS)


def _names(value: Any, key: str) -> tuple[str, ...]:
    if value is None:
        return ()
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, list):
        raise SpecError(f"{key}: expected a list of names, got {type(value).__name__}")
    return tuple(name for name in (_text(v, key) for v in value) if name)


def spec_from_dict(data: Any) -> VolumeSpec:
    """The spec a parsed YAML/TOML document describes; :class:`SpecError` names what is wrong."""
    data = _mapping(data, "spec")
    _no_unknown(data, _TOP_KEYS, "")
    period = _mapping(data.get("period"), "period")
    _no_unknown(period, _PERIOD_KEYS, "period")
    select = _mapping(data.get("select"), "select")
    _no_unknown(select, _SELECT_KEYS, "select")
    options = _mapping(data.get("options"), "options")
    _no_unknown(options, _OPTION_KEYS, "options")
    if "title" not in data:
        raise SpecError("title: required")
    return VolumeSpec(
        title=_text(data.get("title"), "title"),
        subtitle=_text(data.get("subtitle"), "subtitle"),
        period_from=_date(period.get("from"), "period.from"),
        period_to=_date(period.get("to"), "period.to"),
        repository=_text(data.get("repository"), "repository"),
        publisher=_text(data.get("publisher"), "publisher"),
        place=_text(data.get("place"), "place"),
        year=_year(data.get("year")),
        query=_text(select.get("query"), "select.query"),
        fonds=_codes(select.get("fonds"), "select.fonds"),
        files=_codes(select.get("files"), "select.files"),
        items=_codes(select.get("items"), "select.items"),
        review_appendix=_bool(options.get("review_appendix"), "options.review_appendix", True),
        paper=_text(options.get("paper"), "options.paper").upper() or "A4",
        formats=_formats(options.get("formats")),
        editors=_names(data.get("editors"), "editors"),
        foreword=_text(data.get("foreword"), "foreword"),
        apparatus=_choices(options.get("apparatus"), "options.apparatus", APPARATUS),
        order=_text(options.get("order"), "options.order").lower() or "date",
    )


def parse_spec(text: str, suffix: str = ".yaml") -> VolumeSpec:
    """Parse spec text; ``suffix`` (``.toml`` or ``.yaml``/``.yml``) says which syntax it is in."""
    is_toml = suffix.lower() == ".toml"
    try:
        data = tomllib.loads(text) if is_toml else yaml.safe_load(text)
    except (yaml.YAMLError, ValueError) as exc:  # ValueError: a well-formed but impossible date
        raise SpecError(f"not valid {'TOML' if is_toml else 'YAML'}: {exc}") from None
    return spec_from_dict(data)


def load_spec(path: str | Path) -> VolumeSpec:
    """Read a spec file (``.yaml``, ``.yml`` or ``.toml``, UTF-8)."""
    path = Path(path)
    if path.suffix.lower() not in (".yaml", ".yml", ".toml"):
        raise SpecError(f"{path.name}: a volume spec is a .yaml, .yml or .toml file")
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise SpecError(f"{path}: no such file") from None
    except UnicodeDecodeError:
        raise SpecError(f"{path.name}: not UTF-8 text") from None
    except OSError as exc:
        raise SpecError(f"{path}: cannot be read ({exc.strerror})") from None
    return parse_spec(text, path.suffix)


# --- writing ----------------------------------------------------------------------------------

def spec_to_dict(spec: VolumeSpec) -> dict[str, Any]:
    """The spec as plain data in the file's key order, leaving out what is empty."""
    data: dict[str, Any] = {"title": spec.title}
    if spec.subtitle:
        data["subtitle"] = spec.subtitle
    if spec.editors:
        data["editors"] = list(spec.editors)
    if spec.foreword:
        data["foreword"] = spec.foreword
    period = {k: v for k, v in (("from", spec.period_from), ("to", spec.period_to)) if v}
    if period:
        data["period"] = period
    for key in ("repository", "publisher", "place"):
        if getattr(spec, key):
            data[key] = getattr(spec, key)
    data["year"] = spec.year
    select: dict[str, Any] = {}
    if spec.query:
        select["query"] = spec.query
    for key in ("fonds", "files", "items"):
        if getattr(spec, key):
            select[key] = list(getattr(spec, key))
    data["select"] = select
    data["options"] = {"review_appendix": spec.review_appendix, "paper": spec.paper,
                       "formats": list(spec.formats), "apparatus": list(spec.apparatus),
                       "order": spec.order}
    return data


def dump_spec(spec: VolumeSpec) -> str:
    """YAML text for ``spec`` that :func:`load_spec` reads back to an equal spec (UTF-8, unescaped)."""
    return yaml.safe_dump(spec_to_dict(spec), allow_unicode=True, sort_keys=False,
                          default_flow_style=False, width=100)


def spec_for_items(item_ids: Iterable[str], title: str, period_from: dt.date | str | None = None,
                   period_to: dt.date | str | None = None) -> VolumeSpec:
    """A spec selecting exactly these items (the reading room's basket), in the order given."""
    return VolumeSpec(
        title=_text(title, "title"),
        period_from=_date(period_from, "period.from"),
        period_to=_date(period_to, "period.to"),
        items=_codes(list(item_ids), "select.items"),
    )
