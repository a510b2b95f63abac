"""Safe XML reading for all of luutru.

XML that reaches luutru comes from outside (hOCR/ALTO from tools, EAD or catalogue files edited by
people), so no reader may fetch external entities, load a DTD or expand entities: that is how XXE
(reading local files, server-side requests) and "billion laughs" (memory exhaustion) work. lxml's
parser options switch those off; a document that declares entities in its DOCTYPE is refused outright
with a clear error rather than parsed with its entities silently left out.
"""

from __future__ import annotations

import re
from pathlib import Path

from lxml import etree
from luutru.errors import LuutruError


class UnsafeXMLError(LuutruError, ValueError):
    """The XML declares a DTD with entities (or otherwise asks for something we never do)."""


_ENTITY_DECL = re.compile(rb"<!ENTITY", re.IGNORECASE)
_INTERNAL_SUBSET = re.compile(rb"<!DOCTYPE[^>\[]*\[", re.IGNORECASE)


def safe_parser(**extra) -> etree.XMLParser:
    """An lxml parser that never resolves entities, never loads a DTD and never touches the network."""
    return etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False,
                           dtd_validation=False, huge_tree=False, remove_comments=False, **extra)


def _check(data: bytes, name: str) -> None:
    head = data[:65536]
    if _ENTITY_DECL.search(head) or _INTERNAL_SUBSET.search(head):
        raise UnsafeXMLError(
            f"{name}: refusing XML whose DOCTYPE declares entities or an internal DTD "
            "(possible XXE or entity-expansion attack)")


def parse(source: Path | str | bytes, *, name: str | None = None,
          remove_blank_text: bool = False) -> etree._ElementTree:
    """Parse XML from a path or bytes, refusing DTDs with entities, external DTDs and entity expansion.

    A DOCTYPE naming an external DTD (as in Tesseract's hOCR) is accepted: the DTD is never loaded.
    Raises :class:`UnsafeXMLError` for unsafe input and ``lxml.etree.XMLSyntaxError`` for malformed XML.
    """
    if isinstance(source, (bytes, bytearray)):
        data, label = bytes(source), name or "<bytes>"
    else:
        data, label = Path(source).read_bytes(), name or str(source)
    _check(data, label)
    parser = safe_parser(remove_blank_text=remove_blank_text)
    tree = etree.ElementTree(etree.fromstring(data, parser))
    for node in tree.iter():
        if isinstance(node, etree._Entity):
            raise UnsafeXMLError(f"{label}: refusing XML with entity references")
    return tree
