"""The one result store: the single door through which schemes enter a folder.

A store is a folder of verified schemes, each written as ``r<rank>-<fingerprint>.json``
(native JSON, atomic write; the fingerprint is canonical up to term order and sign/scale and
includes the format, so duplicates are recognised by name), beside run records (``best.json``,
a solver's resumable state, a walk's config)::

    r7-0123456789abcdef.json       a verified scheme
    run-r7-als-seed0.json          a run record (never read as a scheme)
    best.json                      a run record too

:meth:`SchemeStore.add` verifies over the store's ring before anything is written;
:meth:`SchemeStore.existing` loads every scheme file the folder holds and *names* every file it
could not use and why (:class:`Skipped`); :meth:`SchemeStore.record` writes run records, which
every loader recognises as records (:class:`~discovery.errors.RunRecordFile`) and skips.
"""

from __future__ import annotations

import json
import os
import re
from dataclasses import dataclass
from pathlib import Path

from discovery._io import atomic_write_text
from discovery.core.scheme import Ring, Scheme
from discovery.core.transforms import fingerprint
from discovery.core.verify import require_valid, verify
from discovery.errors import DiscoveryError, RunRecordFile, SchemeFileError, SchemeFormatError
from discovery.formats import load_schemes, save_scheme, scheme_files

SCHEME_FILE = re.compile(r"^r(\d+)-([0-9a-f]+)\.json$")
RECORD_KEY = "record"  # the key every run record carries (its name), so no loader takes it for a scheme

Format = tuple[int, int, int]


@dataclass(frozen=True)
class Added:
    """What :meth:`SchemeStore.add` did: the scheme's fingerprint, its file, and whether the
    file is new (False: the store already held a scheme with that fingerprint)."""

    fingerprint: str
    path: Path
    is_new: bool


@dataclass(frozen=True)
class Skipped:
    """A file :meth:`SchemeStore.existing` could not use, and why.

    ``kind``: "record" (a run record, never a scheme), "unreadable" (not a readable scheme file),
    "format" (a scheme of another format than the store's) or "inexact" (not exact over the
    store's ring).
    """

    path: Path
    reason: str
    kind: str = "unreadable"


class SchemeStore:
    """Verified schemes in one folder, optionally of one format, exact over one ring.

    Args:
        folder: the folder. create: make it (and its parents) if needed; False: it must exist.
        fmt: (n, m, p) to hold only schemes of that format (None: any format).
        ring: the ring every scheme is verified over before it is written (a :class:`Ring` or
            its name; default ZT, what the solver and the ternary flips produce).
    Raises:
        SchemeFileError (a DiscoveryError) naming the folder if it cannot be created or written.
    """

    def __init__(self, folder: str | os.PathLike, fmt: Format | None = None, ring: Ring | str = Ring.ZT,
                 create: bool = True):
        self.folder = Path(folder)
        self.ring = Ring.parse(ring)
        self.fmt = _check_format(fmt)
        if create:
            try:
                self.folder.mkdir(parents=True, exist_ok=True)
            except OSError as exc:
                raise SchemeFileError(f"{self.folder}: cannot create the folder ({exc.strerror or exc}); "
                                      "choose another --out") from None
        if not self.folder.is_dir():
            what = "is not a folder" if self.folder.exists() else "does not exist"
            raise SchemeFileError(f"{self.folder}: the folder {what}; give an existing folder")
        self._fingerprints = {mt.group(2) for mt in (SCHEME_FILE.match(q.name) for q in scheme_files(self.folder))
                              if mt}

    # ---- the door -----------------------------------------------------------------------
    def add(self, scheme: Scheme) -> Added:
        """Verify ``scheme`` exactly over the store's ring, then write it as
        ``r<rank>-<fingerprint>.json`` (atomically) unless the store already holds it.

        Raises VerificationError if it is not exact over the ring, SchemeFormatError if it is
        of another format than the store's, SchemeFileError if the folder is not writable.
        """
        if self.fmt is not None and scheme.format != self.fmt:
            raise SchemeFormatError(f"{scheme.name} is not of the store's format <{_fmt(self.fmt)}> ({self.folder})")
        require_valid(scheme, self.ring)
        fp = fingerprint(scheme)
        path = self.folder / f"r{scheme.rank}-{fp}.json"
        if fp in self._fingerprints:
            return Added(fp, path, False)
        save_scheme(scheme, path)
        self._fingerprints.add(fp)
        return Added(fp, path, True)

    def __contains__(self, fp: str) -> bool:
        return fp in self._fingerprints

    def __len__(self) -> int:
        """Distinct schemes the store holds (one ``r<rank>-<fingerprint>.json`` file each)."""
        return len(self._fingerprints)

    # ---- what the folder holds ----------------------------------------------------------
    def entries(self) -> tuple[tuple[tuple[Path, Scheme], ...], tuple[Skipped, ...]]:
        """(path, scheme) for every usable scheme in the folder's scheme files, and the files skipped.

        Usable: of the store's format (if it has one) and exact over its ring. Every other file
        with a scheme extension is named in ``skipped`` with the reason; run records are skipped
        as records. Files of other extensions (CSV tables, figures) are not scheme files.
        """
        found: list[tuple[Path, Scheme]] = []
        skipped: list[Skipped] = []
        for path in scheme_files(self.folder):
            try:
                items = load_schemes(path)
            except RunRecordFile:
                skipped.append(Skipped(path, "a run record, not a scheme", "record"))
                continue
            except DiscoveryError as exc:
                skipped.append(Skipped(path, str(exc), "unreadable"))
                continue
            for label, s in items:
                if self.fmt is not None and s.format != self.fmt:
                    skipped.append(Skipped(path, f"{label}: {s.name}, not of the store's format "
                                                 f"<{_fmt(self.fmt)}>", "format"))
                    continue
                report = verify(s, self.ring)
                if not report.ok:
                    skipped.append(Skipped(path, f"{label}: not exact over {self.ring}: {report.summary(2)}",
                                           "inexact"))
                    continue
                found.append((path, s))
        return tuple(found), tuple(skipped)

    def existing(self) -> tuple[tuple[Scheme, ...], tuple[Skipped, ...]]:
        """Every usable scheme the folder holds (see :meth:`entries`) and the files skipped."""
        found, skipped = self.entries()
        return tuple(s for _, s in found), skipped

    def best_rank(self) -> int | None:
        """The lowest rank among the usable schemes (None: the store holds none)."""
        schemes, _ = self.existing()
        return min((s.rank for s in schemes), default=None)

    # ---- run records --------------------------------------------------------------------
    def record(self, name: str, payload: dict) -> Path:
        """Write the run record ``name`` (e.g. ``"best.json"``) atomically: ``payload`` as JSON
        with a ``"record"`` key naming it, which every loader skips as a record."""
        path = self.folder / _record_name(name)
        if not isinstance(payload, dict):
            raise TypeError(f"a run record is a dict, got {type(payload).__name__}")
        body = {RECORD_KEY: path.stem, **{k: v for k, v in payload.items() if k != RECORD_KEY}}
        atomic_write_text(path, json.dumps(body, indent=1) + "\n")
        return path

    def read_record(self, name: str) -> dict | None:
        """The run record ``name`` (without its ``"record"`` key), or None if there is none.

        A damaged record is one clear SchemeFileError naming it (remove it to start afresh).
        """
        path = self.folder / _record_name(name)
        if not path.exists():
            return None
        try:
            body = json.loads(path.read_text())
            if not isinstance(body, dict):
                raise ValueError("not a JSON object")
        except (OSError, ValueError) as exc:
            raise SchemeFileError(f"{path}: the run record is damaged ({exc}); remove it to start "
                                  "the run's state afresh (the schemes beside it are safe)") from None
        body.pop(RECORD_KEY, None)
        return body


def _record_name(name: str) -> str:
    if not isinstance(name, str) or "/" in name or os.sep in name or not name.endswith(".json") \
            or name.startswith(".") or SCHEME_FILE.match(name):
        raise ValueError(f"run record name {name!r} must be a plain file name ending in .json that "
                         "does not look like a scheme file (r<rank>-<fingerprint>.json)")
    return name


def _check_format(fmt) -> Format | None:
    if fmt is None:
        return None
    try:
        n, m, p = (int(x) for x in fmt)
    except (TypeError, ValueError):
        raise SchemeFormatError(f"store format {fmt!r} must be three positive integers (n, m, p)") from None
    if min(n, m, p) < 1:
        raise SchemeFormatError(f"store format {fmt!r} must be three positive integers (n, m, p)")
    return (n, m, p)


def _fmt(fmt: Format) -> str:
    return ",".join(map(str, fmt))
