"""Helpers shared by the CLI commands: picking schemes by key, a file's own reduced program."""

from __future__ import annotations

import json
from pathlib import Path

from discovery.errors import DiscoveryError
from discovery.formats import load_schemes
from discovery.scheme import Scheme

KEYS_SHOWN = 6  # a bad key lists this many keys and a count, not all 93 of a library file


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

    Returns a verified :class:`~discovery.symbolic.SimplifiedScheme` built from the file's
    ``u_fresh``/``v_fresh``/``w_fresh`` sums (see :func:`discovery.symbolic.read_reduced`).
    """
    if Path(path).suffix.lower() != ".json":
        return None
    try:
        given = json.loads(Path(path).read_text())
    except (OSError, ValueError):
        return None
    if not (isinstance(given, dict) and "u_fresh" in given):
        return None
    from discovery.symbolic import read_reduced

    return read_reduced(given)
