"""Lazy re-exports: names whose modules import torch load on first use (PEP 562).

This keeps ``import discovery`` and the CLI's start-up free of torch for the exact core
(``discovery verify``, ``convert``, ``show``, ...), while ``discovery.discover`` and
friends still work as plain attributes.
"""

from __future__ import annotations

import importlib
import sys


def lazy_exports(package: str, names: dict[str, str]):
    """``(__getattr__, __dir__)`` for a package loading ``names`` (name -> relative module)."""

    def __getattr__(name: str):
        if name in names:
            value = getattr(importlib.import_module(names[name], package), name)
            setattr(sys.modules[package], name, value)
            return value
        raise AttributeError(f"module {package!r} has no attribute {name!r}")

    def __dir__():
        return sorted(set(vars(sys.modules[package])) | set(names))

    return __getattr__, __dir__
