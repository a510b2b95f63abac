"""Command-line layer of the catalog stage (thin: it calls the library API)."""

COMMANDS: list = []
