"""The vendored XML schemas (ALTO, EAD3, METS, PREMIS, XLink, xml.xsd and luutru's catalogue),
loaded offline: a schema's import of XLink or xml.xsd from the web resolves to the copy here,
and any other address is refused, so validation never touches the network."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from lxml import etree

from luutru import xmlsafe

SCHEMA_DIR = Path(__file__).resolve().parent
_LOCAL_COPIES = {
    "http://www.loc.gov/standards/xlink/xlink.xsd": SCHEMA_DIR / "xlink" / "xlink.xsd",
    "http://www.w3.org/2001/xml.xsd": SCHEMA_DIR / "xml" / "xml.xsd",
    "http://www.w3.org/2001/03/xml.xsd": SCHEMA_DIR / "xml" / "xml.xsd",
}


class _VendoredSchemas(etree.Resolver):
    def resolve(self, url, pubid, context):
        local = _LOCAL_COPIES.get(url)
        if local is not None:
            return self.resolve_filename(str(local), context)
        if url and url.startswith(("http://", "https://")):
            raise xmlsafe.UnsafeXMLError(f"schema needs {url}, which is not vendored")
        return None


def safe_parser() -> etree.XMLParser:
    """A parser that never loads DTDs, expands entities or goes on the network."""
    parser = xmlsafe.safe_parser()
    parser.resolvers.add(_VendoredSchemas())
    return parser


@lru_cache(maxsize=None)
def schema(path: str) -> etree.XMLSchema:
    """The schema at ``path`` in this folder (``"mets/1.12.1/mets.xsd"``), parsed once."""
    return etree.XMLSchema(etree.parse(str(SCHEMA_DIR / path), safe_parser()))
