"""The catalogue stage: fonds (phông) → file (hồ sơ) → item (văn bản), in validated XML.

Library API: :func:`build_catalog` (for ``luutru run`` and ``luutru catalog``), and what the
other stages read the catalogue through: the readers :func:`iter_items`, :func:`iter_files`,
:func:`iter_fonds`, :func:`read_catalog` and the types they give, the summaries, the stamps read
on a page and the spreadsheet writer.
"""

from luutru.catalog.build import (CatalogReport, build_catalog, file_summary, fonds_summary,
                                  iter_files, iter_fonds, iter_items)
from luutru.catalog.model import ITEM_FIELDS, FileRecord, Fonds, Item, item_record_dict
from luutru.catalog.record import InvalidCatalogError, fonds_path, read_catalog, read_fonds_file
from luutru.catalog.secrecy import read_page_marks
from luutru.catalog.sheets import flat_cell, write_items_xlsx

__all__ = ["ITEM_FIELDS", "CatalogReport", "FileRecord", "Fonds", "InvalidCatalogError", "Item",
           "build_catalog", "file_summary", "flat_cell", "fonds_path", "fonds_summary",
           "item_record_dict", "iter_files", "iter_fonds", "iter_items", "read_catalog",
           "read_fonds_file", "read_page_marks", "write_items_xlsx"]
