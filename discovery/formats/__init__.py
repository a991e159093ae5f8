"""Reading and writing scheme files; the format comes from the extension.

* ``.json`` — native JSON, compatible with the public flip-graph collection (one scheme).
* ``.npz`` — AlphaTensor's layout, one or more schemes keyed ``'n,m,p'`` (read safely).
* ``.exp`` — flip-graph text, one product a line (one scheme).
* the collection's reduced JSON (``*_reduced.json``, a scheme with its addition programs):
  :func:`read_reduced` / :func:`to_reduced`; a plain ``load_schemes`` expands it.
* circuit graphs as Graphviz DOT (:func:`to_dot`) and GraphML (:func:`to_graphml` / :func:`from_graphml`).

Every error names the file and the problem (:class:`~discovery.errors.SchemeFileError`).
Writes are atomic.
"""

from __future__ import annotations

import os
from pathlib import Path

from discovery._io import atomic_write_bytes, atomic_write_text
from discovery.errors import RunRecordFile, SchemeFileError, SchemeFormatError, UnsafeFileError
from discovery.core.scheme import Scheme
from discovery.formats import _exp, _json, _npz
from discovery.formats._graph import from_graphml as from_graphml
from discovery.formats._graph import to_dot as to_dot
from discovery.formats._graph import to_graphml as to_graphml
from discovery.formats._reduced import read_reduced as read_reduced
from discovery.formats._reduced import to_reduced as to_reduced

EXTENSIONS = (".json", ".npz", ".exp")
scheme_to_dict = _json.scheme_to_dict
scheme_from_dict = _json.scheme_from_dict


def _ext(path: Path) -> str:
    ext = path.suffix.lower()
    if ext not in EXTENSIONS:
        raise SchemeFileError(
            f"{path}: unknown extension {ext or '(none)'!r}; use one of {', '.join(EXTENSIONS)}")
    return ext


def load_schemes(path: str | os.PathLike) -> list[tuple[str, Scheme]]:
    """All schemes in a file as (label, Scheme) pairs; label is the npz key or the file name."""
    path = Path(path)
    ext = _ext(path)
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
    try:
        if ext == ".npz":
            return [(f"{path}[{k}]", s) for k, s in _npz.read_npz(data)]
        try:
            text = data.decode("utf-8")
        except UnicodeDecodeError:
            raise SchemeFormatError("not UTF-8 text") from None
        if ext == ".json":
            return [(str(path), _json.loads(text, source=f"file:{path.name}"))]
        return [(str(path), _exp.read_exp(text))]
    except (UnsafeFileError, RunRecordFile) as exc:
        raise type(exc)(f"{path}: {exc}") from None
    except SchemeFormatError as exc:
        raise SchemeFileError(f"{path}: {exc}") from None


def load_scheme(path: str | os.PathLike) -> Scheme:
    """The single scheme in a file (an npz with several raises; use :func:`load_schemes`)."""
    items = load_schemes(path)
    if len(items) != 1:
        raise SchemeFileError(f"{path}: holds {len(items)} schemes; use load_schemes or pick one key")
    return items[0][1]


def save_schemes(schemes: list[Scheme], path: str | os.PathLike) -> Path:
    """Write schemes to ``path`` atomically (.json and .exp take exactly one scheme)."""
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
    text = _json.dumps(s) if ext == ".json" else _exp.write_exp(s)
    return atomic_write_text(path, text)


def save_scheme(scheme: Scheme, path: str | os.PathLike) -> Path:
    """Write one scheme atomically; the format comes from the extension."""
    return save_schemes([scheme], path)
