"""ALTO, the library world's XML for OCR text with its position on the page, checked offline.

Tesseract 5 writes ALTO 3.0 (namespace ``ns-v3#``). We keep it as ``ocr.alto.xml`` after putting
its text in NFC and naming the image it describes, and we validate it against the official schema
vendored in ``luutru/schemas``, offline (:mod:`luutru.schemas`).
"""

from __future__ import annotations

from lxml import etree

from luutru.errors import LuutruError
from luutru.schemas import safe_parser, schema
from luutru.textnorm import nfc

ALTO_NS = "http://www.loc.gov/standards/alto/ns-v3#"


class InvalidAlto(LuutruError, ValueError):
    """The ALTO does not conform to the schema; ``errors`` lists libxml2's messages."""

    def __init__(self, errors: list[str]):
        super().__init__("invalid ALTO: " + "; ".join(errors[:5]))
        self.errors = errors


def alto_schema() -> etree.XMLSchema:
    return schema("alto/3.0/alto-3-0.xsd")


def validate_alto(data: bytes) -> list[str]:
    """Schema errors of an ALTO document (empty when valid)."""
    try:
        document = etree.fromstring(data, safe_parser())
    except etree.XMLSyntaxError as error:
        return [f"not well-formed XML: {error}"]
    schema = alto_schema()
    if schema.validate(document):
        return []
    return [f"line {e.line}: {e.message}" for e in schema.error_log]


def finish_alto(data: bytes, image_name: str) -> bytes:
    """Tesseract's ALTO made ready to keep: NFC text, the kept image's name, schema-valid.

    Tesseract records the path of the temporary file it read; the page's ALTO should instead
    name the image kept next to it (``clean.png``). Raises :class:`InvalidAlto`.
    """
    document = etree.fromstring(nfc(data.decode("utf-8")).encode("utf-8"), safe_parser())
    for file_name in document.iter(f"{{{ALTO_NS}}}fileName"):
        file_name.text = image_name
    out = etree.tostring(document, xml_declaration=True, encoding="UTF-8")
    errors = validate_alto(out)
    if errors:
        raise InvalidAlto(errors)
    return out
