"""AlphaTensor ``.npz`` files, read without ever unpickling arbitrary objects.

Each key ``'n,m,p'`` holds (u, v, w) in AlphaTensor's layout: u (n*m, R), v (m*p, R),
w (p*n, R) with the convention of :mod:`discovery.core.tensor` (w indexes C transposed).
Cubic formats are plain stacked arrays (3, n*n, R); others are numpy *object* arrays of
three arrays, i.e. pickles. We read those with a restricted unpickler that admits only
numpy's array reconstruction and refuses everything else. Files we write use the same
layout (so AlphaTensor's code reads them); several schemes of one format get keys
``'n,m,p'``, ``'n,m,p#2'``, ...; a plain-text ``__discovery__`` entry holds JSON metadata
(rings, provenance).
"""

from __future__ import annotations

import io
import json
import pickle
import re
import zipfile
from fractions import Fraction

import numpy as np

from discovery.core.scheme import Provenance, Scheme
from discovery.errors import SchemeFormatError, UnsafeFileError

_ALLOWED = {
    ("numpy.core.multiarray", "_reconstruct"),
    ("numpy._core.multiarray", "_reconstruct"),
    ("numpy", "ndarray"),
    ("numpy", "dtype"),
}
_KEY = re.compile(r"^(\d+),(\d+),(\d+)(?:#\d+)?$")
META_KEY = "__discovery__"


class _RestrictedUnpickler(pickle.Unpickler):
    def find_class(self, module, name):
        if (module, name) in _ALLOWED:
            return super().find_class(module, name)
        raise UnsafeFileError(
            f"refused to load {module}.{name}: the file holds a pickle that would run code; "
            "only numpy arrays are accepted")


def _read_member(data: bytes, key: str) -> np.ndarray:
    f = io.BytesIO(data)
    try:
        version = np.lib.format.read_magic(f)
        if version == (1, 0):
            shape, fortran, dtype = np.lib.format.read_array_header_1_0(f)
        else:
            shape, fortran, dtype = np.lib.format.read_array_header_2_0(f)
    except ValueError as exc:
        raise SchemeFormatError(f"entry {key!r} is not a numpy array ({exc})") from None
    if not dtype.hasobject:
        f.seek(0)
        return np.lib.format.read_array(f, allow_pickle=False)
    try:
        arr = _RestrictedUnpickler(f).load()
    except UnsafeFileError:
        raise
    except Exception as exc:  # malformed pickle data
        raise SchemeFormatError(f"entry {key!r} holds unreadable object data ({exc})") from None
    if not isinstance(arr, np.ndarray):
        raise SchemeFormatError(f"entry {key!r} is not an array")
    return arr


def read_npz(data: bytes) -> list[tuple[str, Scheme]]:
    """Parse npz bytes into (key, Scheme) pairs in file order."""
    try:
        z = zipfile.ZipFile(io.BytesIO(data))
    except zipfile.BadZipFile:
        raise SchemeFormatError("not an npz (zip) archive") from None
    members = {name[:-4]: name for name in z.namelist() if name.endswith(".npy")}
    meta = {}
    if META_KEY in members:
        arr = np.lib.format.read_array(io.BytesIO(z.read(members.pop(META_KEY))), allow_pickle=False)
        try:
            meta = json.loads(str(arr))
        except json.JSONDecodeError:
            meta = {}
    if not members:
        raise SchemeFormatError("the archive holds no arrays")
    out = []
    for key, name in members.items():
        mt = _KEY.match(key)
        if not mt:
            raise SchemeFormatError(f"key {key!r} is not a format 'n,m,p'")
        n, m, p = (int(x) for x in mt.groups())
        arr = _read_member(z.read(name), key)
        if arr.shape[:1] != (3,):
            raise SchemeFormatError(f"entry {key!r} must hold three factors (u, v, w), got shape {arr.shape}")
        U, V, W = (np.asarray(x) for x in arr)
        for nm, F, rows in (("u", U, n * m), ("v", V, m * p), ("w", W, p * n)):
            if F.ndim != 2 or F.shape[0] != rows or F.dtype.kind not in "iuf":
                raise SchemeFormatError(
                    f"entry {key!r}: factor {nm} has shape {F.shape} ({F.dtype}); expected a numeric "
                    f"({rows}, rank) array for format <{n},{m},{p}>")
        if not U.shape[1] == V.shape[1] == W.shape[1]:
            raise SchemeFormatError(f"entry {key!r}: factors have different ranks {U.shape[1]}, {V.shape[1]}, {W.shape[1]}")
        info = meta.get(key, {}) if isinstance(meta, dict) else {}
        prov = Provenance(**{k: info["provenance"][k] for k in ("source", "seed", "time", "note")
                             if k in info.get("provenance", {})}) if isinstance(info, dict) and "provenance" in info else Provenance()
        try:
            s = Scheme.from_factors(n, m, p, U, V, W, ring=info.get("ring") if isinstance(info, dict) else None,
                                    provenance=prov)
        except SchemeFormatError as exc:
            raise SchemeFormatError(f"entry {key!r}: {exc}") from None
        out.append((key, s))
    return out


def write_npz(schemes: list[Scheme]) -> bytes:
    """npz bytes in AlphaTensor's layout, one key per scheme (see the module docstring)."""
    arrays, meta, used = {}, {}, {}
    for s in schemes:
        base = f"{s.n},{s.m},{s.p}"
        used[base] = used.get(base, 0) + 1
        key = base if used[base] == 1 else f"{base}#{used[base]}"
        facs = []
        for F in (s.u, s.v, s.w):
            if F.dtype == object:
                fl = np.array([float(x) for x in F.ravel()]).reshape(F.shape)
                if any(Fraction(y) != Fraction(x) for x, y in zip(F.ravel(), fl.ravel())):
                    raise SchemeFormatError(
                        f"{s.name}: a coefficient is not exactly representable as a float; "
                        "npz stores floats, use .json for this scheme")
                facs.append(fl.T)
            else:
                facs.append(np.ascontiguousarray(F.T))
        if s.n == s.m == s.p and all(f.dtype == facs[0].dtype for f in facs):
            arrays[key] = np.stack(facs)
        else:
            obj = np.empty(3, dtype=object)
            obj[:] = facs
            arrays[key] = obj
        prov = {k: v for k, v in vars(s.provenance).items() if v not in (None, "")}
        meta[key] = {"ring": s.ring, "provenance": prov}
    arrays[META_KEY] = np.array(json.dumps(meta))
    buf = io.BytesIO()
    np.savez_compressed(buf, **arrays)
    return buf.getvalue()

