"""A ``str`` enum that reads as its value: the base of :class:`~discovery.core.scheme.Ring` and
:class:`~discovery.search.summary.Stop`."""

from __future__ import annotations

from enum import Enum


class ValueEnum(str, Enum):
    """Members compare equal to, print, format, repr and serialise to JSON as their value
    (``Ring.ZT == "ZT"``, ``("ZT", "Z2")`` tuples of members read as before)."""

    def __str__(self) -> str:
        return self.value

    def __format__(self, spec: str) -> str:
        return format(self.value, spec)

    def __repr__(self) -> str:
        return repr(self.value)
