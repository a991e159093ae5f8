"""Helpers shared by the CLI commands: the contract's plumbing (``--json`` output, refusing options a
mode does not use, exit codes), numbers from the command line, scheme inputs (files or folders)
and picking schemes by key."""

from __future__ import annotations

import contextlib
import json
import math
import os
import sys
from pathlib import Path

from discovery.core.scheme import Scheme
from discovery.core.tensor import parse_format
from discovery.errors import DiscoveryError, RunRecordFile
from discovery.formats import folder_problem, load_schemes, read_reduced, scheme_files
from discovery.search.summary import Stop, to_plain

KEYS_SHOWN = 6  # a bad key lists this many keys and a count, not all 93 of a library file
INTERRUPTED = 130

# ---- --json: stdout is exactly one JSON document, human text goes to stderr ---------------------
_json_out: list = []  # [the real stdout, documents written] while a --json command runs


@contextlib.contextmanager
def json_mode(enabled: bool):
    """While a ``--json`` command runs, everything it prints goes to stderr; :func:`emit_json`
    writes its one document to the real stdout."""
    if not enabled:
        yield
        return
    _json_out[:] = [sys.stdout, 0]
    try:
        with contextlib.redirect_stdout(sys.stderr):
            yield
    finally:
        _json_out.clear()


def json_pending() -> bool:
    """True while a --json command runs and has not written its document yet."""
    return bool(_json_out) and not _json_out[1]


def emit_json(doc) -> None:
    """Write ``doc`` (plain JSON types, or anything :func:`~discovery.search.summary.to_plain` takes)
    as the command's one JSON document on stdout."""
    if not _json_out:
        print(json.dumps(to_plain(doc)))
        return
    if _json_out[1]:
        raise RuntimeError("a --json command wrote a second JSON document; it writes exactly one")
    _json_out[0].write(json.dumps(to_plain(doc)) + "\n")
    _json_out[0].flush()
    _json_out[1] = 1


def exit_code(ok: bool, stop=None) -> int:
    """The contract's exit code of a run: 130 if Ctrl-C stopped it (after saving what was found),
    else 0 if it reached what it was asked for, else 1."""
    if stop == Stop.INTERRUPTED:
        return INTERRUPTED
    return 0 if ok else 1


# ---- options a mode does not use are refused, not ignored --------------------------------------
def given(args, dest: str) -> bool:
    """True if the option ``dest`` was set to something other than its default."""
    return getattr(args, dest) != args._parser.get_default(dest)


def refuse(args, mode: str, dests, why: str = "") -> None:
    """One clear error if any of the options ``dests`` was given: ``mode`` does not use them."""
    used = [d for d in dests if given(args, d)]
    if used:
        flags = [_flag(args._parser, d) for d in used]
        raise DiscoveryError(f"{', '.join(flags)} {'does' if len(flags) == 1 else 'do'} nothing {mode}"
                             f"{'; ' + why if why else ''}; drop {'it' if len(flags) == 1 else 'them'}")


def _flag(parser, dest: str) -> str:
    for action in parser._actions:
        if action.dest == dest and action.option_strings:
            return max(action.option_strings, key=len)
    return dest


# ---- numbers -----------------------------------------------------------------------------------
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


# ---- outputs: checked before any work starts ---------------------------------------------------
def check_out_file(path, flag: str = "--out", extensions=None) -> Path:
    """``path`` as an output file that can be written, else one clear error: an unknown extension
    (``extensions``, default the scheme files'), a folder, or a parent folder that is missing, a
    file, or not writable."""
    from discovery.formats import EXTENSIONS

    path = Path(path)
    extensions = EXTENSIONS if extensions is None else extensions
    if path.is_dir():
        example = path / ("out" + (extensions[0] if extensions else ".txt"))
        raise DiscoveryError(f"{flag} {path} is a folder; give a file name such as {example}")
    if extensions and path.suffix.lower() not in extensions:
        raise DiscoveryError(f"{flag} {path}: unknown extension {path.suffix or '(none)'!r}; "
                             f"use one of {', '.join(extensions)}")
    parent = path.parent
    if not parent.is_dir():
        what = folder_problem(parent) or f"the folder {parent} does not exist"
        raise DiscoveryError(f"{flag} {path}: {what}; choose a file in an existing folder")
    if not os.access(parent, os.W_OK | os.X_OK):
        raise DiscoveryError(f"{flag} {path}: the folder {parent} is not writable; choose another")
    return path


def check_out_dir(path, flag: str = "--out", fix: str = "choose another folder") -> Path:
    """``path`` as an output folder that exists or can be created, else one clear error (a file
    on the way, or a folder that is not writable)."""
    problem = folder_problem(path)
    if problem:
        raise DiscoveryError(f"{flag} {path}: {problem}; {fix}")
    return Path(path)


# ---- scheme inputs: files or folders -----------------------------------------------------------
def input_files(path: str | Path) -> list[Path]:
    """The scheme files of one input: the file itself, or every scheme file under a folder."""
    q = Path(path)
    if q.is_dir():
        files = scheme_files(q, recursive=True)
        if not files:
            raise DiscoveryError(f"{q}: the folder holds no scheme file; give a file or a folder of schemes")
        return files
    return [q]


def load_input(path: str | Path) -> tuple[list[tuple[str, Scheme]], list[str]]:
    """(label, scheme) pairs of a file or of every scheme file under a folder, and the run records
    skipped (a folder's ``best.json``, a run's state). A file that cannot be read is an error."""
    items, records = [], []
    for f in input_files(path):
        try:
            items += load_schemes(f)
        except RunRecordFile:
            records.append(str(f))
    return items, records


def label_key(label: str) -> str | None:
    """The key of a label ``path[3,3,3]`` (``'3,3,3'``), or None for a single-scheme file."""
    return label[label.rfind("[") + 1:-1] if label.endswith("]") else None


def list_keys(keys: list[str]) -> str:
    """A short listing: the first few keys and how many there are."""
    if not keys:
        return "none"
    head = " ".join(keys[:KEYS_SHOWN])
    return head if len(keys) <= KEYS_SHOWN else f"{head} ... ({len(keys)} keys)"


def _keys(items, folder: bool) -> list[str]:
    if folder:
        return [Path(lbl).name if label_key(lbl) is None else f"{Path(lbl[:lbl.rfind('[')]).name}[{label_key(lbl)}]"
                for lbl, _ in items]
    return [k for k in (label_key(lbl) for lbl, _ in items) if k is not None]


def normal_key(key: str) -> str:
    """A key in its one spelling: ``3x3x3``, ``<3,3,3>`` and ``3,3,3`` are all ``3,3,3`` (a second
    scheme of a format in one npz: ``3,3,3#2``, also written ``3x3x3#2``)."""
    base, hash_, dup = key.strip().partition("#")
    fmt = parse_format(base)
    return (",".join(map(str, fmt)) if fmt else base.replace(" ", "")) + hash_ + dup.strip()


def _chosen(label: str, s: Scheme, key: str) -> bool:
    """Whether ``key`` picks this scheme: its npz key (in either spelling), its file's name in a
    folder, or, for a scheme without an npz key, its format."""
    lk = label_key(label)
    if lk is not None:
        return normal_key(lk) == normal_key(key)
    return Path(label).name == key or ("#" not in key and parse_format(key) == s.format)


def pick(path: str, key: str | None) -> list[tuple[str, Scheme]]:
    """The (label, scheme) pairs of ``path`` (a file or a folder); with ``key``, only the scheme(s)
    under it: an npz key such as ``3,3,3`` or ``3x3x3``, in a folder a file's name or a format."""
    items, _ = load_input(path)
    if not items:
        raise DiscoveryError(f"{path}: holds no scheme, only run records")
    if key is None:
        return items
    chosen = [(lbl, s) for lbl, s in items if _chosen(lbl, s, key)]
    if not chosen:
        raise DiscoveryError(f"{path}: no scheme with key {key!r} (keys: {list_keys(_keys(items, Path(path).is_dir()))})")
    return chosen


def key_listing(path: str, items) -> list[str]:
    """One line per scheme of a multi-scheme input: its key, format, rank and ring."""
    folder = Path(path).is_dir()
    keys = [_keys([item], folder)[0] if folder or label_key(item[0]) else Path(item[0]).name for item in items]
    width = max(map(len, keys), default=0)
    return [f"  {k:{width}s}  <{','.join(map(str, s.format))}> rank {s.rank}, {s.ring}"
            for k, (_, s) in zip(keys, items)]


def pick_one(path: str, key: str | None) -> tuple[str, Scheme]:
    """The single scheme of ``path`` (or the one under ``key``); several without a key is an error."""
    items = pick(path, key)
    if len(items) != 1:
        raise DiscoveryError(f"{path}: holds {len(items)} schemes; pick one with --key "
                             f"(keys: {list_keys(_keys(items, Path(path).is_dir()))})")
    return items[0]


def declares_exact_ring(path: str) -> bool:
    """True for a collection ``*_reduced.json`` file that declares characteristic 0 (``"z2": false``,
    no ``"z3": true``): its addition program claims an exact scheme, so one valid only modulo 2 or 3
    is a wrong program, not a scheme over another ring."""
    if Path(path).suffix.lower() != ".json" or not Path(path).is_file():
        return False
    try:
        d = json.loads(Path(path).read_text())
    except (OSError, ValueError):
        return False
    return isinstance(d, dict) and "u_fresh" in d and d.get("z2") is False and d.get("z3") is not True


def reduced_in_file(path: str):
    """The addition program a collection ``*_reduced.json`` file carries, or None.

    Returns a verified :class:`~discovery.circuits.symbolic.SimplifiedScheme` built from the file's
    ``u_fresh``/``v_fresh``/``w_fresh`` sums (see :func:`discovery.formats.read_reduced`).
    """
    if Path(path).suffix.lower() != ".json" or not Path(path).is_file():
        return None
    try:
        given_ = json.loads(Path(path).read_text())
    except (OSError, ValueError):
        return None
    if not (isinstance(given_, dict) and "u_fresh" in given_):
        return None
    return read_reduced(given_)
