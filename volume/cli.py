"""``luutru volume``: build a compiled volume from a spec."""

COMMANDS: list = []
