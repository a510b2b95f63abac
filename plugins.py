"""Named implementations of one interface (search engines, exports), built-in or from plugins.

A registry maps names to objects given as ``"module:attribute"`` and imported on first use, so
listing the names costs no import. A plugin package adds its own through its entry point group
(``[project.entry-points."luutru.exports"] name = "package.module:attribute"``), exactly as the
built-in ones are listed; :meth:`Registry.register` does the same at run time.
"""

from __future__ import annotations

import importlib
from importlib.metadata import entry_points
from typing import Generic, TypeVar

T = TypeVar("T")


class Registry(Generic[T]):
    def __init__(self, group: str, builtins: dict[str, str]):
        self.group = group
        self._found: dict[str, str | T] = dict(builtins)

    def register(self, name: str, target: str | T) -> None:
        """Make ``target`` (the object, or ``"module:attribute"``) the one called ``name``."""
        self._found[name] = target

    def names(self) -> list[str]:
        """Every name known: the built-in ones and those plugins register."""
        for point in entry_points(group=self.group):
            self._found.setdefault(point.name, point.value)
        return sorted(self._found)

    def get(self, name: str) -> T | None:
        """The object called ``name`` (imported now if it was not), or None."""
        if name not in self.names():
            return None
        found = self._found[name]
        if isinstance(found, str):
            module, _, attribute = found.partition(":")
            found = self._found[name] = getattr(importlib.import_module(module), attribute)
        return found
