"""The volume as a print-ready PDF: the content set in HTML (a Jinja2 template) and laid out by WeasyPrint.

The template autoescapes: OCR text and catalogue fields are data, and a "<script>" read off a page
must print as those characters. Page numbers in the table of contents come from WeasyPrint's
``target-counter()``, so they are the pages the documents really start on.
"""

from __future__ import annotations

import logging
from pathlib import Path

from jinja2 import Environment, FileSystemLoader, select_autoescape
from PIL import ImageFile

from luutru.volume.content import VolumeContent

TEMPLATES = Path(__file__).parent / "templates"

_env = Environment(loader=FileSystemLoader(TEMPLATES), autoescape=select_autoescape(default=True),
                   trim_blocks=True, lstrip_blocks=True)


def render_html(content: VolumeContent) -> str:
    css = (TEMPLATES / "volume.css").read_text(encoding="utf-8")
    return _env.get_template("volume.html").render(volume=content, css=css)


def render_pdf(content: VolumeContent) -> tuple[bytes, int]:
    """The PDF bytes and its number of pages."""
    from weasyprint import HTML  # slow to import; only a build needs it

    # Importing WeasyPrint turns on Pillow's LOAD_TRUNCATED_IMAGES for the whole process, so a
    # truncated scan ingested later in this process would pass as whole: turn it off again.
    ImageFile.LOAD_TRUNCATED_IMAGES = False

    logging.getLogger("weasyprint").setLevel(logging.ERROR)
    logging.getLogger("fontTools").setLevel(logging.ERROR)
    document = HTML(string=render_html(content), base_url=str(TEMPLATES)).render()
    return document.write_pdf(), len(document.pages)
