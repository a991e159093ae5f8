"""Inline test fixtures for the circuits/symbolic tests: Strassen's scheme and data paths.

Written out by hand from Strassen (1969) in the project's convention (u: vec(A) row-major,
v: vec(B) row-major, w: vec(C^T), columns c11, c21, c12, c22).
"""

from pathlib import Path

import pytest

from discovery.scheme import Scheme

DATA = Path(__file__).resolve().parents[1].parent / "shared" / "data" / "fmm-collection"

STRASSEN_U = [[1, 0, 0, 1], [0, 0, 1, 1], [1, 0, 0, 0], [0, 0, 0, 1], [1, 1, 0, 0], [-1, 0, 1, 0], [0, 1, 0, -1]]
STRASSEN_V = [[1, 0, 0, 1], [1, 0, 0, 0], [0, 1, 0, -1], [-1, 0, 1, 0], [0, 0, 0, 1], [1, 1, 0, 0], [0, 0, 1, 1]]
STRASSEN_W = [[1, 0, 0, 1], [0, 1, 0, -1], [0, 0, 1, 1], [1, 1, 0, 0], [-1, 0, 1, 0], [0, 0, 0, 1], [1, 0, 0, 0]]


def strassen() -> Scheme:
    return Scheme.from_rows(2, 2, 2, STRASSEN_U, STRASSEN_V, STRASSEN_W)


def data_file(name: str) -> Path:
    path = DATA / name
    if not path.exists():
        pytest.skip(f"reference data {path} not available")
    return path


def winograd() -> Scheme:
    """Winograd's variant: the expansion of the collection's 15-addition reduced file."""
    from discovery.symbolic import read_reduced

    return read_reduced(data_file("2x2x2_m7_cr15_cn24_ZT_reduced.json")).scheme


def collection(name: str) -> Scheme:
    import json

    d = json.loads(data_file(name).read_text())
    return Scheme.from_rows(*d["n"], d["u"], d["v"], d["w"])
