"""Atomic file writes: a crash or Ctrl-C mid-write never leaves a half-written file."""

from __future__ import annotations

import csv
import io
import os
import tempfile
from pathlib import Path

from discovery.errors import SchemeFileError


def atomic_write_bytes(path: str | os.PathLike, data: bytes) -> Path:
    """Write ``data`` to ``path`` via a temporary file in the same folder and ``os.replace``.

    The folder must exist: a mistyped path is an error, not a silent ``mkdir -p``. Callers
    that own an output folder (``--out DIR``) create it themselves first.
    """
    path = Path(path)
    parent = path.parent
    if not parent.is_dir():
        what = "is not a folder" if parent.exists() else "does not exist"
        raise SchemeFileError(f"{path}: the folder {parent} {what}; create it first or choose another path")
    try:
        fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    except OSError as exc:
        raise SchemeFileError(f"{path}: cannot write here ({exc.strerror}); choose a writable folder") from None
    try:
        os.chmod(tmp, 0o666 & ~_umask())  # mkstemp makes 0600; give the usual permissions
        with os.fdopen(fd, "wb") as f:
            f.write(data)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, path)
    except BaseException:
        try:
            os.unlink(tmp)
        except OSError:
            pass
        raise
    return path


def _umask() -> int:
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


def atomic_write_text(path: str | os.PathLike, text: str) -> Path:
    return atomic_write_bytes(path, text.encode("utf-8"))


def save_figure(fig, path: str | os.PathLike, dpi: int = 110, **savefig_kw) -> Path:
    """Render a matplotlib figure in memory (format from the suffix) and write it atomically."""
    path = Path(path)
    buf = io.BytesIO()
    fig.savefig(buf, format=path.suffix.lstrip(".").lower() or "png", dpi=dpi, **savefig_kw)
    return atomic_write_bytes(path, buf.getvalue())


def write_csv(path: str | os.PathLike, rows: list[dict]) -> Path:
    """Write ``rows`` (dicts with the same keys, in column order) as a CSV table, atomically."""
    buf = io.StringIO(newline="")
    w = csv.DictWriter(buf, fieldnames=list(rows[0]))
    w.writeheader()
    w.writerows(rows)
    return atomic_write_text(path, buf.getvalue())


def folder_problem(path: str | os.PathLike) -> str | None:
    """Why the folder ``path`` could not be used for output (created if missing), or None.

    Checked before any work starts, without creating anything: a file in the way (``path`` itself
    or a folder above it), or a nearest existing folder that is not writable.
    """
    path = Path(path)
    probe = path
    while not probe.exists() and probe != probe.parent:
        probe = probe.parent
    if not probe.is_dir():
        return f"{probe} is a file, not a folder"
    if not os.access(probe, os.W_OK | os.X_OK):
        return f"the folder {probe} is not writable"
    return None
