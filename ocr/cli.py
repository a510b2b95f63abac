"""Command-line layer of the ocr stage (thin: it calls the library API)."""

COMMANDS: list = []
