"""The document numbers a document cites in its body (``so_ky_hieu_trich_dan``)."""

from __future__ import annotations

import re

from luutru.catalog.fieldtext import (DIGITS_MIN_CONF, POOR_PAGE_CONF, POOR_PAGE_DIGITS_CONF,
                                      SO_LINE, Extracted, text_key)
from luutru.catalog.pagelines import PageLines
from luutru.catalog.patterns import find_so_ky_hieu


_NUMBER_LIKE = re.compile(r"\b\d{1,4}\s*[-–]\s*[A-Za-zĐđ]{1,5}\s*/\s*\w+")


def read_citations(pages: list[PageLines], own: str | None) -> Extracted:
    """Document numbers cited in the body; unsure when any of their digits was read unsurely (more
    so on a poor scan), or when something shaped like a number could not be read as one (the
    list then misses it)."""
    found: list[str] = []
    pages_seen: list[int] = []
    conf, missed = 1.0, False
    for number, page in enumerate(pages, start=1):
        floor = DIGITS_MIN_CONF if page.mean_conf >= POOR_PAGE_CONF else POOR_PAGE_DIGITS_CONF
        for line in page.lines:
            values = find_so_ky_hieu(line.text)
            if number == 1 and own in values and SO_LINE.match(text_key(line.text)):
                continue
            missed = missed or len(_NUMBER_LIKE.findall(line.text)) > len(values)
            if values:
                conf = min(conf, min(line.conf_of(re.match(r"\d+", v).group(0)) for v in values)
                           * DIGITS_MIN_CONF / floor)
            for value in values:
                if value != own and value not in found:
                    found.append(value)
                    pages_seen.append(number)
    return Extracted(found, conf, sorted(set(pages_seen)), conf < DIGITS_MIN_CONF or missed)
