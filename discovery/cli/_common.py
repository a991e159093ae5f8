"""Helpers shared by the CLI commands: numbers from the command line, picking schemes by key,
a file's own reduced program."""

from __future__ import annotations

import json
import math
from pathlib import Path

from discovery.errors import DiscoveryError
from discovery.formats import load_schemes
from discovery.core.scheme import Scheme

KEYS_SHOWN = 6  # a bad key lists this many keys and a count, not all 93 of a library file


def int_arg(flag: str, text, minimum: int | None = None, error: type = DiscoveryError) -> int | None:
    """``text`` as an integer (None stays None), else one clear ``error`` naming ``flag``."""
    if text is None:
        return None
    try:
        x = int(str(text).strip())
    except ValueError:
        raise error(f"{flag} must be an integer, got {text!r}") from None
    if minimum is not None and x < minimum:
        raise error(f"{flag} must be at least {minimum}, got {x}")
    return x


def seconds_arg(flag: str, text, positive: bool = True, error: type = DiscoveryError) -> float | None:
    """``text`` as a finite number of seconds (positive unless told), else one clear ``error``."""
    if text is None:
        return None
    try:
        x = float(text)
    except ValueError:
        raise error(f"{flag} must be a number of seconds, got {text!r}") from None
    if not math.isfinite(x) or (positive and x <= 0):
        raise error(f"{flag} must be a {'positive, ' if positive else ''}finite number of seconds, got {text!r}")
    return x


def label_key(label: str) -> str | None:
    """The key of a label ``path[3,3,3]`` (``'3,3,3'``), or None for a single-scheme file."""
    return label[label.rfind("[") + 1:-1] if label.endswith("]") else None


def list_keys(keys: list[str]) -> str:
    """A short listing: the first few keys and how many there are."""
    if not keys:
        return "none"
    head = " ".join(keys[:KEYS_SHOWN])
    return head if len(keys) <= KEYS_SHOWN else f"{head} ... ({len(keys)} keys)"


def pick(path: str, key: str | None) -> list[tuple[str, Scheme]]:
    """The (label, scheme) pairs of ``path``; with ``key``, only the scheme(s) stored under it."""
    items = load_schemes(path)
    if key is None:
        return items
    chosen = [(lbl, s) for lbl, s in items if label_key(lbl) == key.replace(" ", "")]
    if not chosen:
        keys = [k for k in (label_key(lbl) for lbl, _ in items) if k is not None]
        raise DiscoveryError(f"{path}: no scheme with key {key!r} (keys: {list_keys(keys)})")
    return chosen


def pick_one(path: str, key: str | None) -> tuple[str, Scheme]:
    """The single scheme of ``path`` (or the one under ``key``); several without a key is an error."""
    items = pick(path, key)
    if len(items) != 1:
        keys = [k for k in (label_key(lbl) for lbl, _ in items) if k is not None]
        raise DiscoveryError(f"{path}: holds {len(items)} schemes; pick one with --key "
                             f"(keys: {list_keys(keys)})")
    return items[0]


def reduced_in_file(path: str):
    """The addition program a collection ``*_reduced.json`` file carries, or None.

    Returns a verified :class:`~discovery.circuits.symbolic.SimplifiedScheme` built from the file's
    ``u_fresh``/``v_fresh``/``w_fresh`` sums (see :func:`discovery.formats.read_reduced`).
    """
    if Path(path).suffix.lower() != ".json":
        return None
    try:
        given = json.loads(Path(path).read_text())
    except (OSError, ValueError):
        return None
    if not (isinstance(given, dict) and "u_fresh" in given):
        return None
    from discovery.formats import read_reduced

    return read_reduced(given)
