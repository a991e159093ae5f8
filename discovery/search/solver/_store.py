"""The solver's run state on top of the result store (:class:`discovery.search.store.SchemeStore`).

Layout of the folder (default ``runs/discover/<n>x<m>x<p>/``)::

    r7-<fingerprint>.json            one verified scheme (written by the SchemeStore door)
    run-r7-als-seed0.json            the run's config and state (restarts done, successes): a run record

A second run into the same folder skips schemes it already has (their fingerprints are in the
file names) and continues with the restarts of its (rank, strategy, seed) not yet done.
"""

from __future__ import annotations

from discovery.core.scheme import Ring, Scheme
from discovery.search.solver._config import SolverConfig
from discovery.search.store import Added, SchemeStore


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
    """The verified schemes of one format (a :class:`SchemeStore` over ZT) and the resumable
    state of one run (rank, strategy, seed), kept as a run record beside them."""

    def __init__(self, config: SolverConfig):
        self.config = config
        self.folder = config.check_writable()
        self.schemes = SchemeStore(self.folder, fmt=config.format, ring=Ring.ZT)
        c = config
        self.state_name = f"run-r{c.rank}-{c.strategy}-seed{c.seed}.json"
        self.state = {"done": [], "restarts": 0, "successes": 0, "schemes": 0}
        old = self.schemes.read_record(self.state_name) or {}
        self.state.update({k: old[k] for k in self.state if k in old})

    def pending(self, count: int) -> list[int]:
        """Next ``count`` restart indices this (rank, strategy, seed) has not run."""
        return pending_restarts(self.state["done"], count)

    def add(self, scheme: Scheme) -> Added:
        """Verify exactly over ZT, then write ``scheme`` unless its fingerprint is already stored
        (:meth:`SchemeStore.add`). Raises VerificationError if not exact."""
        return self.schemes.add(scheme)

    def record(self, restarts: list[int], successes: int, new_schemes: int) -> None:
        """Mark restarts as done and write the run state atomically (a run record)."""
        self.state["done"] = _merge(self.state["done"] + [[i, i + 1] for i in restarts])
        self.state["restarts"] += len(restarts)
        self.state["successes"] += successes
        self.state["schemes"] += new_schemes
        self.schemes.record(self.state_name, {"config": self.config.to_json(), **self.state})
