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
