"""The result store: verified schemes of one format in a folder, plus resumable run state.

Layout of the folder (default ``runs/discover/<n>x<m>x<p>/``)::

    r7-<fingerprint>.json            one verified scheme (native JSON, atomic write)
    run-r7-als-seed0.json            the run's config and state (restarts done, successes)

A scheme's file name carries its fingerprint (canonical up to term order and sign/scale),
so duplicates are recognised without reading files, and a second run into the same folder
skips schemes it already has and continues with the restarts not yet done.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

from discovery._io import atomic_write_text
from discovery.formats import save_scheme
from discovery.core.scheme import Scheme
from discovery.search.solver._config import SolverConfig
from discovery.core.transforms import fingerprint
from discovery.core.verify import require_valid

_SCHEME_FILE = re.compile(r"^r(\d+)-([0-9a-f]+)\.json$")


def _merge(intervals: list[list[int]]) -> list[list[int]]:
    out: list[list[int]] = []
    for a, b in sorted(intervals):
        if out and a <= out[-1][1]:
            out[-1][1] = max(out[-1][1], b)
        else:
            out.append([a, b])
    return out


def pending_restarts(done: list[list[int]], count: int) -> list[int]:
    """The ``count`` smallest restart indices not covered by the ``done`` intervals [a, b)."""
    out, i = [], 0
    for a, b in _merge(done):
        while i < a and len(out) < count:
            out.append(i)
            i += 1
        i = max(i, b)
    while len(out) < count:
        out.append(i)
        i += 1
    return out


class ResultStore:
    """Verified schemes of one format and the state of one run (rank, strategy, seed)."""

    def __init__(self, config: SolverConfig):
        self.config = config
        self.folder = config.check_writable()
        c = config
        self.state_path = self.folder / f"run-r{c.rank}-{c.strategy}-seed{c.seed}.json"
        self.fingerprints: set[str] = set()
        for path in self.folder.glob("r*-*.json"):
            mt = _SCHEME_FILE.match(path.name)
            if mt:  # fingerprints include format and terms: ranks never collide
                self.fingerprints.add(mt.group(2))
        self.state = {"done": [], "restarts": 0, "successes": 0, "schemes": 0}
        if self.state_path.exists():
            try:
                old = json.loads(self.state_path.read_text())
                self.state.update({k: old[k] for k in self.state if k in old})
            except (OSError, ValueError, TypeError):
                pass  # a damaged state file only costs repeating restarts; schemes are safe

    def pending(self, count: int) -> list[int]:
        """Next ``count`` restart indices this (rank, strategy, seed) has not run."""
        return pending_restarts(self.state["done"], count)

    def add(self, scheme: Scheme) -> tuple[str, Path, bool]:
        """Verify exactly, then write ``scheme`` unless its fingerprint is already stored.

        Returns (fingerprint, path, is_new). Raises VerificationError if not exact.
        """
        require_valid(scheme)
        fp = fingerprint(scheme)
        path = self.folder / f"r{scheme.rank}-{fp}.json"
        if fp in self.fingerprints:
            return fp, path, False
        save_scheme(scheme, path)
        self.fingerprints.add(fp)
        return fp, path, True

    def record(self, restarts: list[int], successes: int, new_schemes: int) -> None:
        """Mark restarts as done and write the run state atomically."""
        self.state["done"] = _merge(self.state["done"] + [[i, i + 1] for i in restarts])
        self.state["restarts"] += len(restarts)
        self.state["successes"] += successes
        self.state["schemes"] += new_schemes
        payload = {"config": self.config.to_json(), **self.state}
        atomic_write_text(self.state_path, json.dumps(payload, indent=1) + "\n")
