"""Strategy parameters from ``NAME=VALUE`` strings (the CLI's ``--param``), checked before any work."""

from __future__ import annotations

import dataclasses
import enum

from discovery.errors import DiscoveryError
from discovery.spn.quant import Ternarizer
from discovery.search.solver._config import SolverConfig, SolverConfigError


def _convert(name: str, default, text: str):
    low = text.strip().lower()
    if low in ("none", "null") and default is None:
        return None
    try:
        if isinstance(default, Ternarizer):
            return Ternarizer.parse(text)
        if isinstance(default, enum.Enum):
            return type(default)(low)
        if isinstance(default, bool):
            if low not in ("true", "false", "1", "0"):
                raise ValueError
            return low in ("true", "1")
        if isinstance(default, int):
            return int(low)
        if isinstance(default, float):
            return float(low)
        if isinstance(default, str):
            return text.strip()
        if isinstance(default, tuple):
            return tuple(float(x) for x in low.split(",") if x)
        if default is None:  # optional numbers: an integer if it reads as one
            try:
                return int(low)
            except ValueError:
                return float(low)
    except (ValueError, DiscoveryError):
        raise SolverConfigError(f"parameter {name}: cannot read {text!r} as a value like "
                                f"{str(default) if isinstance(default, Ternarizer) else repr(default)}") from None
    raise SolverConfigError(f"parameter {name} cannot be set from the command line")


def params_from_strings(config: SolverConfig, items) -> object | None:
    """The strategy's default parameters with ``NAME=VALUE`` items applied (None if no items).

    Raises SolverConfigError naming an unknown parameter (and the known ones) or a bad value.
    """
    items = list(items or ())
    if not items:
        return None
    from discovery.search.solver._task import default_params

    base = default_params(config)
    known = {f.name: f for f in dataclasses.fields(base)}
    changes = {}
    for item in items:
        name, eq, value = str(item).partition("=")
        name = name.strip().replace("-", "_")
        if not eq or not name:
            raise SolverConfigError(f"--param {item!r}: write NAME=VALUE, e.g. steps=2000")
        if name not in known:
            raise SolverConfigError(f"unknown parameter {name!r} for strategy {config.strategy}; "
                                    f"known: {', '.join(known)}")
        changes[name] = _convert(name, getattr(base, name), value)
    try:
        return dataclasses.replace(base, **changes)
    except (TypeError, ValueError) as exc:
        if isinstance(exc, SolverConfigError):
            raise
        raise SolverConfigError(f"bad parameters for strategy {config.strategy}: {exc}") from None
