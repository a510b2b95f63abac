"""Preservation: fixity audits (``verify``), self-repair (``repair``), preservation packages
(``export aip``: BagIt + METS + PREMIS) and rebuilding an archive from them (``restore``).

Library API (the commands are thin layers over it)::

    report = verify(archive, sample=0.1, replica=Path("/mnt/copy"))
    report.findings  # [Finding(path, kind, what, detail), ...]
"""

from luutru.preserve.fixity import Finding, VerifyReport, verify

__all__ = ["Finding", "VerifyReport", "verify"]
