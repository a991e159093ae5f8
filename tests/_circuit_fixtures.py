"""Helpers for the symbolic/circuit/codegen/fastmm tests: reference schemes from the core
(:mod:`discovery.known`) and from the public collection under ../shared/data."""

import json
from pathlib import Path

import pytest

from discovery.core.known import strassen as _strassen
from discovery.core.known import winograd as _winograd
from discovery.core.scheme import Scheme
from tests.conftest import shared_data_dir


def strassen() -> Scheme:
    return _strassen()


def winograd() -> Scheme:
    return _winograd()


def data_file(name: str) -> Path:
    path = shared_data_dir() / "fmm-collection" / name
    if not path.exists():
        pytest.skip(f"reference data {path} not available")
    return path


def collection(name: str) -> Scheme:
    d = json.loads(data_file(name).read_text())
    return Scheme.from_rows(*d["n"], d["u"], d["v"], d["w"])


def expand_equations(ss):
    """C as a sympy Matrix from a program's equations, substituted in order (independent of the
    program's own checks)."""
    import sympy

    env = {}
    for name, expr in ss.equations():
        env[name] = sympy.expand(expr.subs(env))
    n, m, p = ss.format
    return sympy.Matrix(n, p, lambda i, k: env[f"c{i + 1}{k + 1}"])


def sympy_product(n, m, p):
    """A @ B for symbolic matrices a11.., b11.. (the names of :mod:`discovery.core.tensor`)."""
    import sympy

    A = sympy.Matrix(n, m, lambda i, j: sympy.Symbol(f"a{i + 1}{j + 1}"))
    B = sympy.Matrix(m, p, lambda j, k: sympy.Symbol(f"b{j + 1}{k + 1}"))
    return A * B
