"""Command-line layer of the index stage (thin: it calls the library API)."""

COMMANDS: list = []
