"""The reading room: server-rendered Vietnamese pages over the archive (``luutru serve``).

It reads the record (catalogue, page files) and searches through :mod:`luutru.index`, with the
caller's clearance passed into the search backend's query; it never calls ocr/. Every request
goes through one access check (:mod:`luutru.web.access`).
"""

from luutru.web.app import create_app

__all__ = ["create_app"]
