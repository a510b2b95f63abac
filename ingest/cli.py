"""Command-line layer of the ingest stage (thin: it calls the library API)."""

COMMANDS: list = []
