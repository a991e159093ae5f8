"""Exact coefficients: what a scheme's entries may be, how input becomes them, how they are written.

A coefficient is a Python ``int`` or a :class:`fractions.Fraction`; a coefficient array is int64
when every entry is an integer that fits, else an object array of Fractions, and read-only.
Input may be ints, numpy integers, Fractions, strings ``"k"`` or ``"p/q"``, or floats that are
exact binary rationals with a small denominator (0.5, 0.125); anything else is one clear
:class:`~discovery.errors.SchemeFormatError` naming the entry. Written out (JSON), a coefficient
is an integer or the string ``"p/q"``.
"""

from __future__ import annotations

import math
import numbers
from fractions import Fraction
from typing import Any

import numpy as np

from discovery.errors import SchemeFormatError

# Largest denominator accepted when a float coefficient is read as an exact rational.
MAX_FLOAT_DENOMINATOR = 2**20


def int_or_fraction(x: Any) -> int | Fraction:
    """The exact value of ``x`` (int, numpy integer, Fraction or any rational) as a plain
    Python ``int`` when it is integral, else as a :class:`~fractions.Fraction`."""
    if isinstance(x, numbers.Integral):
        return int(x)
    f = x if isinstance(x, Fraction) else Fraction(x)
    return int(f.numerator) if f.denominator == 1 else f


def to_exact(x: Any, where: str = "coefficient") -> int | Fraction:
    """Convert one coefficient to an exact ``int`` or ``Fraction``.

    Accepts ints, Fractions, strings ``"p/q"`` or ``"k"``, and floats that are exact
    binary rationals with a denominator up to 2**20 (e.g. 0.5, 0.125). Raises
    :class:`SchemeFormatError` otherwise (NaN, inf, 0.1, text, bool, ...).
    """
    if isinstance(x, (bool, np.bool_)):
        raise SchemeFormatError(f"{where} {x!r} is a boolean; write coefficients as numbers")
    if isinstance(x, numbers.Integral):
        return int(x)
    if isinstance(x, Fraction):
        return int_or_fraction(x)
    if isinstance(x, numbers.Rational):
        return to_exact(Fraction(x.numerator, x.denominator), where)
    if isinstance(x, str):
        s = x.strip()
        try:
            f = Fraction(s)
        except (ValueError, ZeroDivisionError):
            raise SchemeFormatError(
                f"{where} {x!r} is not a number; use an integer or a rational written 'p/q'"
            ) from None
        if "." in s or "e" in s.lower():
            raise SchemeFormatError(
                f"{where} {x!r} is a decimal; write rationals exactly as 'p/q'"
            )
        return to_exact(f, where)
    if isinstance(x, numbers.Real):
        xf = float(x)
        if not math.isfinite(xf):
            raise SchemeFormatError(f"{where} {x!r} is not finite; coefficients must be exact rationals")
        f = Fraction(xf)
        if f.denominator > MAX_FLOAT_DENOMINATOR:
            raise SchemeFormatError(
                f"{where} {x!r} is a float that is not an exact rational with a small "
                f"denominator; write it as an integer or 'p/q'"
            )
        return to_exact(f, where)
    raise SchemeFormatError(
        f"{where} {x!r} has type {type(x).__name__}; coefficients must be integers or rationals"
    )


def exact_array(rows: Any, shape: tuple[int, int], name: str) -> np.ndarray:
    """Return a read-only exact array of the given shape from nested rows of coefficients.

    The result is int64 if every entry is an integer (and fits), else an object array of
    Fractions. ``name`` ("u", "v" or "w") is used in error messages.
    """
    r, cols = shape
    if isinstance(rows, np.ndarray) and rows.ndim == 2:
        _check_shape(rows.shape, shape, name)
        kind = rows.dtype.kind
        if kind in "iu":  # integer arrays: one vectorised copy at most, no per-entry work
            if rows.dtype.type is np.int64 and not rows.flags.writeable:
                return rows  # already exact and frozen: kept as it is
            if kind == "u" and rows.size and rows.max() >= 2**63:
                raise SchemeFormatError(f"{name} has entries too large for int64")
            out = rows.astype(np.int64)
            out.flags.writeable = False
            return out
        if kind == "O" and not rows.flags.writeable and _is_canonical_fractions(rows):
            return rows
    if isinstance(rows, np.ndarray) and rows.dtype.kind == "f" and rows.ndim == 2:
        # Vectorised path for float arrays (e.g. AlphaTensor files): convert each distinct value once.
        uniq, inv = np.unique(rows, return_inverse=True)
        exact = [to_exact(x, f"{name} entry") for x in uniq]
        if all(isinstance(x, int) for x in exact):
            out = np.array(exact, dtype=np.int64)[inv.reshape(-1)].reshape(shape)
        else:
            lut = np.empty(len(exact), dtype=object)
            lut[:] = [Fraction(x) for x in exact]
            out = lut[inv.reshape(-1)].reshape(shape)
        out.flags.writeable = False
        return out
    if isinstance(rows, np.ndarray) and rows.dtype.kind == "b":
        raise SchemeFormatError(f"{name} is boolean; write coefficients as numbers")
    try:
        rows = list(rows)
    except TypeError:
        raise SchemeFormatError(f"{name} must be a list of {r} rows, got {type(rows).__name__}") from None
    if len(rows) != r:
        raise SchemeFormatError(f"{name} has {len(rows)} rows but the rank is {r}; give one row per product")
    vals: list[list[int | Fraction]] = []
    for t, row in enumerate(rows):
        try:
            row = list(row)
        except TypeError:
            raise SchemeFormatError(f"{name} row {t} is not a list of coefficients") from None
        if len(row) != cols:
            raise SchemeFormatError(
                f"{name} row {t} has {len(row)} entries, expected {cols} for this format"
            )
        vals.append([to_exact(x, f"{name}[{t}][{c}]") for c, x in enumerate(row)])
    integral = all(isinstance(x, int) for row in vals for x in row)
    if integral and all(abs(x) < 2**62 for row in vals for x in row):
        out = np.array(vals, dtype=np.int64).reshape(shape)
    else:
        out = np.empty(shape, dtype=object)
        for t, row in enumerate(vals):
            for c, x in enumerate(row):
                out[t, c] = Fraction(x)
    out.flags.writeable = False
    return out


def _is_canonical_fractions(a: np.ndarray) -> bool:
    """True for what :func:`exact_array` itself returns as an object array: all Fractions,
    not all of them small integers (those would be int64)."""
    vals = a.ravel().tolist()
    if not all(type(x) is Fraction for x in vals):
        return False
    return any(x.denominator != 1 or abs(x.numerator) >= 2**62 for x in vals)


def _check_shape(got: tuple[int, ...], want: tuple[int, int], name: str) -> None:
    if got[0] != want[0]:
        raise SchemeFormatError(f"{name} has {got[0]} rows but the rank is {want[0]}; give one row per product")
    if got[1] != want[1]:
        raise SchemeFormatError(f"{name} rows have {got[1]} entries, expected {want[1]} for this format")


def coef_json(x) -> int | str:
    """An exact coefficient as JSON: an integer, or the string "p/q"."""
    x = int_or_fraction(x)
    return x if isinstance(x, int) else f"{x.numerator}/{x.denominator}"
