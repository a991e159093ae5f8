"""The run-summary vocabulary every search result speaks.

The results of :func:`discovery.discover`, :func:`discovery.flip_search`, :func:`discovery.explore`,
:func:`discovery.sweep` (and its cells) and :func:`discovery.lift` share one set of words:

* ``elapsed_s``: wall-clock seconds of the call.
* ``stop``: why it ended, a :class:`Stop`.
* ``to_json()``: a dict of plain JSON types (dict, list, str, int, float, bool, None), the
  run's configuration included, ready for ``json.dumps`` (what ``--json`` prints).

Counts are named for what they count, the same way everywhere:

* ``restarts``: solver restarts completed; ``successes``: those that ended in a verified scheme;
* ``walks``: flip-graph walks run; ``flips``: flips done (all walkers);
* ``distinct``: distinct verified schemes the run produced (by fingerprint);
* ``new``: of those, the ones not yet in the output folder (written by this run);
* ``rejected``: candidates that failed exact verification (never written);
* ``lost_batches``: batches that did not come back from their worker.

A yes/no outcome is a ``bool`` with its own name (``reached``: a cell's rank was reached), never
a count. Seconds: ``time_limit`` is the wall-clock limit of one call; ``budget`` is the seconds
each cell of a sweep gets (the sweep shares it out between strategies); ``walkers`` are walks
inside one flip search (one process), ``workers`` are an executor's processes or Dask threads.
"""

from __future__ import annotations

import dataclasses
import math
import os
from enum import Enum
from fractions import Fraction
from typing import Any, ClassVar

from discovery._enum import ValueEnum
from discovery.core.scheme import Scheme


class Stop(ValueEnum):
    """Why a search stopped. A ``str`` enum: ``Stop.TIME == "time"``, prints and serialises as its value."""

    TARGET = "target"            # the goal was reached (a target rank, a cell's rank)
    TIME = "time"                # the time was spent (``time_limit``, a cell's ``budget``)
    BUDGET = "budget"            # a work budget was spent (the requested restarts, ``max_flips``)
    FOUND = "found"              # as many new schemes as asked for (``max_found``)
    DONE = "done"                # all the work there was is done (every planned cell, a finished lift)
    STUCK = "stuck"              # no move was left (walkers that cannot move, a lift that cannot go on)
    INFEASIBLE = "infeasible"    # proven impossible (e.g. a mod-2 scheme with no lift at all)
    LOST = "lost"                # too many batches lost with their workers
    INTERRUPTED = "interrupted"  # Ctrl-C

    @property
    def description(self) -> str:
        """The reason in words, for people (the CLI's "stopped by ...")."""
        return _DESCRIPTIONS[self]


_DESCRIPTIONS = {  # each completes "stopped by ..."
    Stop.TARGET: "reaching the target",
    Stop.TIME: "the time limit",
    Stop.BUDGET: "the work budget (all requested restarts or flips done)",
    Stop.FOUND: "the number of schemes asked for",
    Stop.DONE: "the end of the work (everything planned ran)",
    Stop.STUCK: "having no move left",
    Stop.INFEASIBLE: "a proof that the goal cannot be reached",
    Stop.LOST: "too many batches lost with their workers",
    Stop.INTERRUPTED: "Ctrl-C",
}


def to_plain(x: Any) -> Any:
    """``x`` as plain JSON types.

    Enums give their value, paths and Fractions strings (``"p/q"``), numpy scalars Python numbers,
    non-finite floats None, tuples and sets lists; a dict's tuple keys (formats) become ``"NxMxP"``;
    an object with ``to_json()`` (a config, a result) gives that; another dataclass its fields; a
    :class:`~discovery.core.scheme.Scheme` its format, rank and ring (a summary names schemes, the
    files hold them).
    """
    if x is None or isinstance(x, bool):
        return x
    if isinstance(x, Enum):
        return to_plain(x.value)
    if isinstance(x, str):
        return str(x)
    if isinstance(x, int):
        return int(x)
    if isinstance(x, float):
        return float(x) if math.isfinite(x) else None
    if isinstance(x, Fraction):
        return str(x) if x.denominator != 1 else int(x)
    if isinstance(x, os.PathLike):
        return os.fspath(x)
    if isinstance(x, dict):
        return {_key(k): to_plain(v) for k, v in x.items()}
    if isinstance(x, (list, tuple, set, frozenset)):
        items = sorted(x, key=repr) if isinstance(x, (set, frozenset)) else x
        return [to_plain(v) for v in items]
    if hasattr(x, "to_json") and callable(x.to_json):
        return to_plain(x.to_json())
    if isinstance(x, Scheme):
        return {"format": list(x.format), "rank": int(x.rank), "ring": to_plain(x.ring)}
    if dataclasses.is_dataclass(x) and not isinstance(x, type):
        return {f.name: to_plain(getattr(x, f.name)) for f in dataclasses.fields(x)}
    if hasattr(x, "item") and callable(x.item):  # numpy scalar
        return to_plain(x.item())
    raise TypeError(f"{type(x).__name__} has no JSON form; give the result class a json_extra() for it")


def _key(k: Any) -> str:
    if isinstance(k, tuple) and all(isinstance(v, int) for v in k):
        return "x".join(str(v) for v in k)
    return str(to_plain(k))


class Summary:
    """Mixin for frozen result dataclasses: :meth:`to_json` from the fields.

    Every field goes in (through :func:`to_plain`) except those named in ``JSON_SKIP``; a class
    adds derived values (a best file, a rate) by overriding :meth:`json_extra`.
    """

    JSON_SKIP: ClassVar[tuple[str, ...]] = ()

    def json_extra(self) -> dict:
        """Derived values added to :meth:`to_json` (none by default)."""
        return {}

    def to_json(self) -> dict:
        """The result as plain JSON types, its configuration included."""
        out = {f.name: to_plain(getattr(self, f.name)) for f in dataclasses.fields(self)
               if f.name not in self.JSON_SKIP}
        out.update({k: to_plain(v) for k, v in self.json_extra().items()})
        return out
