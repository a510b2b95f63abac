"""Every XML reader in luutru refuses DTD entities, external entities and entity expansion."""

from __future__ import annotations

import pytest
from lxml import etree

from luutru import xmlsafe
from luutru.catalog.pagelines import parse_hocr

BILLION_LAUGHS = b"""<?xml version="1.0"?>
<!DOCTYPE lolz [
 <!ENTITY lol "lol">
 <!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
 <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
]>
<lolz>&lol3;</lolz>"""


def test_external_entity_is_refused(tmp_path):
    secret = tmp_path / "secret.txt"
    secret.write_text("mật khẩu", encoding="utf-8")
    xxe = (f'<?xml version="1.0"?><!DOCTYPE r [<!ENTITY x SYSTEM "file://{secret}">]>'
           f"<r>&x;</r>").encode()
    with pytest.raises(xmlsafe.UnsafeXMLError, match="entities"):
        xmlsafe.parse(xxe)


def test_entity_expansion_is_refused():
    with pytest.raises(xmlsafe.UnsafeXMLError):
        xmlsafe.parse(BILLION_LAUGHS)


def test_parameter_entity_and_internal_subset_are_refused(tmp_path):
    evil = b'<?xml version="1.0"?><!DOCTYPE r [<!ATTLIST r a CDATA "x">]><r/>'
    with pytest.raises(xmlsafe.UnsafeXMLError):
        xmlsafe.parse(evil)
    path = tmp_path / "evil.xml"
    path.write_bytes(b'<!DOCTYPE r [<!ENTITY % p SYSTEM "http://example.invalid/x.dtd"> %p;]><r/>')
    with pytest.raises(xmlsafe.UnsafeXMLError, match="evil.xml"):
        xmlsafe.parse(path)


def test_undeclared_entity_reference_is_an_error_not_a_silent_drop():
    with pytest.raises((xmlsafe.UnsafeXMLError, etree.XMLSyntaxError)):
        xmlsafe.parse(b'<!DOCTYPE r SYSTEM "file:///etc/passwd"><r>&passwd;</r>')


def test_hocr_doctype_without_entities_is_read_and_its_dtd_not_loaded():
    hocr = ('<?xml version="1.0" encoding="UTF-8"?>\n'
            '<!DOCTYPE html PUBLIC "-//W3C//DTD XHTML 1.0 Transitional//EN" '
            '"http://www.w3.org/TR/xhtml1/DTD/xhtml1-transitional.dtd">\n'
            '<html xmlns="http://www.w3.org/1999/xhtml"><body>'
            "<div class='ocr_page' title='bbox 0 0 1000 1400'>"
            "<span class='ocr_line' title='bbox 100 100 400 140'>"
            "<span class='ocrx_word' title='bbox 100 100 160 140; x_wconf 91'>Số</span>"
            "<span class='ocrx_word' title='bbox 170 100 400 140; x_wconf 88'>43-NQ/TU</span>"
            "</span></div></body></html>").encode()
    page = parse_hocr(hocr)
    assert [line.text for line in page.lines] == ["Số 43-NQ/TU"]
    assert page.lines[0].conf == pytest.approx(0.88)
    assert page.width == 1000


def test_hocr_with_entities_is_refused():
    with pytest.raises(xmlsafe.UnsafeXMLError):
        parse_hocr(BILLION_LAUGHS)
