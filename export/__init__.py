"""Exports: the archive's content in standard formats, one module per format, found by name.

    ead     the catalogue as EAD3 (:mod:`luutru.export.ead`)
    items   one row per document: JSONL, CSV, XLSX (:mod:`luutru.export.items`)
    text    each read page's text as a file (:mod:`luutru.export.text`)
    aip     one preservation package (BagIt, METS, PREMIS) per hồ sơ (:mod:`luutru.export.aip`)

Each export is a click command (``luutru export NAME``) over its module's library function, and
each is made for a clearance where it holds documents. The built-in exports are registered here
exactly as a plugin's are (:class:`luutru.plugins.Registry`): a package adds its own through
the ``luutru.exports`` entry point group (``name = "package.module:command"``), or with
``EXPORTS.register``. A command's module is imported only when it runs.
"""

from __future__ import annotations

import click

from luutru.plugins import Registry

EXPORTS: Registry[click.Command] = Registry("luutru.exports", {
    "ead": "luutru.export.cli:ead",
    "items": "luutru.export.cli:items",
    "text": "luutru.export.cli:text",
    "aip": "luutru.export.cli:aip",
})
