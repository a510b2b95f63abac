"""The catalogue stage: fonds (phông) → file (hồ sơ) → item (văn bản), in validated XML.

Library API: :func:`build_catalog` (for ``luutru run`` and ``luutru catalog``), and the readers
:func:`iter_items`, :func:`iter_files`, :func:`iter_fonds` that the search stage and the exports use.
"""

from luutru.catalog.build import CatalogReport, build_catalog, iter_files, iter_fonds, iter_items

__all__ = ["CatalogReport", "build_catalog", "iter_files", "iter_fonds", "iter_items"]
