"""luutru: scanned Vietnamese Party documents in, a searchable, well-described digital archive out.

The package is laid out by stage: ``ingest`` stores scanner output safely, ``ocr`` cleans and reads
each page, ``catalog`` describes fonds → file → item in XML, ``index`` makes it searchable.
Stages talk only through the archive on disk (``luutru.archive``) and small value objects.
"""

__version__ = "0.1.0"
