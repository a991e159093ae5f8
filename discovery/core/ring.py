"""The rings a scheme is declared (or verified) to be valid over: ZT, Z, Q, and modulo 2 or 3."""

from __future__ import annotations

from typing import Any

from discovery._enum import ValueEnum
from discovery.errors import SchemeFormatError


class Ring(ValueEnum):
    """The ring a scheme is declared (or verified) to be valid over.

    A ``str`` enum: ``Ring.ZT == "ZT"``, it prints, reprs and serialises to JSON as its value, and
    :meth:`parse` turns user input into a member (or raises :class:`SchemeFormatError`).
    """

    ZT = "ZT"
    Z = "Z"
    Q = "Q"
    Z2 = "Z2"
    Z3 = "Z3"

    @property
    def description(self) -> str:
        return RING_NAMES[self]

    @property
    def integral(self) -> bool:
        """True when the ring needs integer coefficients (ZT, Z, Z2, Z3)."""
        return self is not Ring.Q

    @property
    def modulus(self) -> int | None:
        """The prime p of the rings "modulo p" (Z2: 2, Z3: 3); None for ZT, Z and Q."""
        return _MODULI.get(self)

    @classmethod
    def parse(cls, value: Any) -> "Ring":
        """``value`` as a Ring; raises SchemeFormatError naming the valid choices."""
        if type(value) is cls:
            return value
        try:
            return cls(value)
        except ValueError:
            raise SchemeFormatError(
                f"unknown ring {value!r}; use one of {', '.join(RINGS)}") from None


RINGS: tuple[Ring, ...] = tuple(Ring)
RING_NAMES = {
    Ring.ZT: "ternary coefficients {-1, 0, 1} over the integers",
    Ring.Z: "integers",
    Ring.Q: "rationals",
    Ring.Z2: "integers modulo 2",
    Ring.Z3: "integers modulo 3",
}
_MODULI = {Ring.Z2: 2, Ring.Z3: 3}
