"""Reading and writing scheme files; the format comes from the extension.

* ``.json`` — native JSON, compatible with the public flip-graph collection (one scheme).
* ``.npz`` — AlphaTensor's layout, one or more schemes keyed ``'n,m,p'`` (read safely).
* ``.exp`` — flip-graph text, one product a line (one scheme; tolerant reader, :mod:`._exp`).
* ``.m`` — Kauers & Moosbauer's Mathematica/Maple nested lists (one scheme, :mod:`._m`).
* ``.txt`` — the C++ ternary flip-graph tool's default output (one scheme, :mod:`._txt`).
* the collection's reduced JSON (``*_reduced.json``, a scheme with its addition programs):
  :func:`read_reduced` / :func:`to_reduced`; a plain ``load_schemes`` expands it.
* circuit graphs as Graphviz DOT (:func:`to_dot`) and GraphML (:func:`to_graphml` / :func:`from_graphml`).

The symmetric form of a square scheme (:class:`~discovery.core.symmetry.SymmetricScheme`) is a
``.json`` file with a ``"symmetry"`` block beside the expanded scheme (:mod:`._symmetric`,
:func:`save_symmetric` / :func:`load_symmetric`); :func:`load_schemes` gives its expanded scheme.

Every format has a writer. ``.exp``, ``.m`` and ``.txt`` carry no ring; reading them, the ring
is taken from the file name where the collection states it (``mod2`` in the name: valid modulo 2
only, ring Z2; ``mod3``: Z3; ``mod0``: characteristic 0, the ring of the coefficients), else inferred
by exact verification: the ring of the coefficients (ZT, Z or Q) if the scheme is exact there, else
Z2 if it is exact modulo 2, else Z3 if it is exact modulo 3, else the ring of the coefficients (and
verification reports it wrong).

Every error names the file and the problem (:class:`~discovery.errors.SchemeFileError`; for
text formats the line and what was expected). Writes are atomic.
"""

from __future__ import annotations

import os
import re
from pathlib import Path

from discovery._io import atomic_write_bytes
from discovery._io import atomic_write_text as atomic_write_text
from discovery._io import folder_problem as folder_problem
from discovery._io import save_figure as save_figure
from discovery.core.scheme import Provenance, Ring, Scheme
from discovery.core.symmetry import SymmetricScheme, SymmetryGroup, detect_symmetry
from discovery.core.verify import verify
from discovery.errors import RunRecordFile, SchemeFileError, SchemeFormatError, UnsafeFileError
from discovery.formats import _exp, _json, _m, _npz, _symmetric, _txt
from discovery.formats._graph import from_graphml as from_graphml
from discovery.formats._graph import to_dot as to_dot
from discovery.formats._graph import to_graphml as to_graphml
from discovery.formats._reduced import read_reduced as read_reduced
from discovery.formats._reduced import to_reduced as to_reduced

EXTENSIONS = (".json", ".npz", ".exp", ".m", ".txt")
# formats that hold one scheme as text and carry no ring: (reader, writer)
_TEXT = {".exp": (_exp.read_exp, _exp.write_exp), ".m": (_m.read_m, _m.write_m),
         ".txt": (_txt.read_txt, _txt.write_txt)}
_MODULUS = re.compile(r"mod(\d+)(?!\d)")
scheme_to_dict = _json.scheme_to_dict
scheme_from_dict = _json.scheme_from_dict


def scheme_files(folder: str | os.PathLike, recursive: bool = False) -> list[Path]:
    """The scheme files of ``folder`` (by extension, sorted; hidden files such as an atomic write
    in flight are not), with those of its subfolders when ``recursive``."""
    folder = Path(folder)
    found = folder.rglob("*") if recursive else folder.iterdir()
    return sorted(q for q in found if q.suffix.lower() in EXTENSIONS and q.is_file()
                  and not any(part.startswith(".") for part in q.relative_to(folder).parts))


def _ext(path: Path) -> str:
    ext = path.suffix.lower()
    if ext not in EXTENSIONS:
        raise SchemeFileError(
            f"{path}: unknown extension {ext or '(none)'!r}; use one of {', '.join(EXTENSIONS)}")
    return ext


def _read_text(path: Path) -> str:
    """The text of a scheme file (one clear error when it is missing, empty or not UTF-8)."""
    data = _read_bytes(path)
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        raise SchemeFileError(f"{path}: not UTF-8 text") from None


def _read_bytes(path: Path) -> bytes:
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        raise SchemeFileError(f"{path}: no such file") from None
    except IsADirectoryError:
        raise SchemeFileError(f"{path}: is a folder, not a scheme file") from None
    except OSError as exc:
        raise SchemeFileError(f"{path}: cannot read ({exc.strerror})") from None
    if not data.strip():
        raise SchemeFileError(f"{path}: the file is empty")
    return data


def load_schemes(path: str | os.PathLike) -> list[tuple[str, Scheme]]:
    """All schemes in a file as (label, Scheme) pairs; label is the npz key or the file name.

    A JSON file with a ``"symmetry"`` block gives its expanded scheme (see :func:`load_symmetric`)."""
    path = Path(path)
    ext = _ext(path)
    try:
        if ext == ".npz":
            return [(f"{path}[{k}]", s) for k, s in _npz.read_npz(_read_bytes(path))]
        text = _read_text(path)
        if ext == ".json":
            d = _json.parse(text)
            if isinstance(d, dict) and "symmetry" in d:
                return [(str(path), _symmetric.read(d, f"file:{path.name}")[1])]
            return [(str(path), _json.scheme_from_dict(d, f"file:{path.name}"))]
        s = _TEXT[ext][0](text).with_provenance(Provenance(source=f"file:{path.name}"))
        return [(str(path), _with_ring(s, path.name))]
    except (UnsafeFileError, RunRecordFile) as exc:
        raise type(exc)(f"{path}: {exc}") from None
    except SchemeFormatError as exc:
        raise SchemeFileError(f"{path}: {exc}") from None


def load_symmetric(path: str | os.PathLike, group: str | None = None,
                   ring: str | None = None) -> SymmetricScheme:
    """The symmetric form of the scheme in ``path``.

    A JSON file with a ``"symmetry"`` block gives that form (:mod:`._symmetric`); any other
    scheme file is read and :func:`~discovery.core.symmetry.detect_symmetry` finds its orbits.
    With ``group`` the result is under that group ("cyclic" or "full"); with ``ring`` the scheme
    is taken over that ring first (``ring="Z2"`` compares terms modulo 2: a scheme lifted from a
    symmetric one mod 2 may be invariant only so). A scheme that is not invariant is a
    :class:`SchemeFileError` naming the file.
    """
    path = Path(path)
    want = SymmetryGroup.parse(group) if group is not None else None
    try:
        ring = Ring.parse(ring) if ring is not None else None
        sym = None
        if _ext(path) == ".json":
            d = _json.parse(_read_text(path))
            if isinstance(d, dict) and "symmetry" in d:
                sym = _symmetric.read(d, f"file:{path.name}")[0]
        if sym is not None and want in (None, sym.group) and ring in (None, sym.ring):
            return sym
        s = load_scheme(path)
        s = s.with_ring(ring) if ring is not None else s
    except SchemeFormatError as exc:
        raise SchemeFileError(f"{path}: {exc}") from None
    if not s.n == s.m == s.p:
        raise SchemeFileError(f"{path}: the scheme is <{s.n},{s.m},{s.p}>; symmetric schemes are for "
                              "square formats <n,n,n>")
    found = detect_symmetry(s, want)
    if found is None:
        hint = "" if s.ring == Ring.Z2 else "; a scheme lifted from a symmetric one modulo 2 may be " \
            "invariant only modulo 2: try load_symmetric(path, ring='Z2')"
        raise SchemeFileError(f"{path}: {s.name} is not invariant under the {want or 'cyclic'} group as it "
                              f"stands (terms compared up to scaling){hint}")
    return found


def _with_ring(s: Scheme, name: str) -> Scheme:
    """``s`` (read from a format without a ring) with the ring its file name states, else the one
    exact verification finds (see the module docstring)."""
    mt = _MODULUS.search(name.lower())
    modular = {str(r.modulus): r for r in Ring if r.modulus}
    if mt and mt.group(1) in modular:
        if not s.is_integral:
            raise SchemeFormatError(f"the name says mod{mt.group(1)} (valid modulo {mt.group(1)}) but a "
                                    "coefficient is a fraction")
        return s.with_ring(modular[mt.group(1)])
    if mt and mt.group(1) != "0":
        raise SchemeFormatError(f"the name says mod{mt.group(1)}: schemes valid modulo {mt.group(1)} only are "
                                f"not supported (rings: {', '.join(Ring)}); rename the file if that is wrong")
    if mt or verify(s).ok or not s.is_integral:
        return s
    for ring in modular.values():
        if verify(s, ring).ok:
            return s.with_ring(ring)
    return s


def load_scheme(path: str | os.PathLike) -> Scheme:
    """The single scheme in a file (an npz with several raises; use :func:`load_schemes`)."""
    items = load_schemes(path)
    if len(items) != 1:
        raise SchemeFileError(f"{path}: holds {len(items)} schemes; use load_schemes or pick one key")
    return items[0][1]


def save_schemes(schemes: list[Scheme], path: str | os.PathLike) -> Path:
    """Write schemes to ``path`` atomically (only .npz takes several; the others exactly one)."""
    path = Path(path)
    ext = _ext(path)
    schemes = list(schemes)
    if not schemes:
        raise SchemeFileError(f"{path}: nothing to write")
    if ext == ".npz":
        try:
            return atomic_write_bytes(path, _npz.write_npz(schemes))
        except SchemeFormatError as exc:
            raise SchemeFileError(f"{path}: {exc}") from None
    if len(schemes) != 1:
        raise SchemeFileError(f"{path}: {ext} holds one scheme, got {len(schemes)}; use .npz for several")
    s = schemes[0]
    text = _json.dumps(s) if ext == ".json" else _TEXT[ext][1](s)
    return atomic_write_text(path, text)


def save_scheme(scheme: Scheme, path: str | os.PathLike) -> Path:
    """Write one scheme atomically; the format comes from the extension."""
    return save_schemes([scheme], path)


def save_symmetric(sym: SymmetricScheme, path: str | os.PathLike) -> Path:
    """Write the symmetric form atomically as ``.json`` (the expanded scheme plus its
    ``"symmetry"`` block, :mod:`._symmetric`); other extensions take :meth:`SymmetricScheme.expand`
    through :func:`save_scheme`."""
    path = Path(path)
    if _ext(path) != ".json":
        raise SchemeFileError(f"{path}: the symmetric form is written as .json; use save_scheme(sym.expand(), "
                              "path) for the expanded scheme in another format")
    return atomic_write_text(path, _symmetric.dumps(sym))
