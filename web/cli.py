"""``luutru serve`` and ``luutru user``: the reading room and its accounts."""

COMMANDS: list = []
