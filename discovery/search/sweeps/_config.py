"""The frozen configuration of a sweep, validated (and its folder checked) before any work starts."""

from __future__ import annotations

import hashlib
import itertools
import json
import math
import numbers
import os
import re
from dataclasses import dataclass
from pathlib import Path

from discovery._io import folder_problem
from discovery.core.tensor import parse_format
from discovery.errors import DiscoveryError

Format = tuple[int, int, int]

# Strategy names and one line each (the cells are in _cells.py).
STRATEGIES: dict[str, str] = {
    "als": "the SPN/ALS solver at each rank: batches of restarts on the executor's workers",
    "flips": "flip-graph walks (discovery.search.flips.flip_search) from the lowest-rank scheme found so far "
             "(at first the standard algorithm or a composed one) down to the cell's rank",
    "auto": "flips first (half the cell's budget); where they stall short of the rank, the ALS solver "
            "with the time left",
}
MAX_TENSOR_SIZE = 10_000
CONFIG_NAME = "sweep.json"
CELLS_NAME = "cells.csv"
# Fields that make two sweeps the same sweep (a rerun with them equal resumes).
IDENTITY = ("formats", "ranks", "strategy", "budget", "seed", "margin")


class SweepConfigError(DiscoveryError):
    """A sweep was configured with bad values (names the field and the fix)."""


def parse_formats(text: str) -> tuple[Format, ...]:
    """``"2x2x2,2x3x4"`` -> ((2, 2, 2), (2, 3, 4)); also ``"2,2,2;2,3,4"`` and a single ``"2,3,4"``
    (the format syntax of :func:`discovery.core.tensor.parse_format`); one clear error naming a
    bad item."""
    text = str(text).strip()
    one = parse_format(text)
    if one is not None:
        return (one,)
    items = [t.strip() for t in text.split(";" if ";" in text else ",") if t.strip()]
    if not items:
        raise SweepConfigError("--formats is empty; give formats like 2x2x2,2x3x4 (or --max-dim D)")
    out = []
    for t in items:
        fmt = parse_format(t)
        if fmt is None:
            raise SweepConfigError(f"format {t!r} is malformed; write NxMxP or N,M,P, e.g. 2x3x4 "
                                   "(several: 2x2x2,2x3x4 or 2,2,2;2,3,4)")
        out.append(fmt)
    return tuple(out)


def formats_up_to(max_dim) -> tuple[Format, ...]:
    """All sorted formats 2 <= n <= m <= p <= ``max_dim``, smallest tensors first."""
    if isinstance(max_dim, bool) or not isinstance(max_dim, numbers.Integral) or not 2 <= max_dim <= 8:
        raise SweepConfigError(f"max-dim must be an integer from 2 to 8, got {max_dim!r}")
    fmts = itertools.combinations_with_replacement(range(2, int(max_dim) + 1), 3)
    return tuple(sorted(fmts, key=lambda f: (f[0] * f[1] * f[2], f)))


def parse_ranks(text) -> tuple[int, int] | None:
    """``"auto"`` -> None; ``"LO:HI"`` -> (LO, HI); ``"R"`` -> (R, R)."""
    t = str(text).strip().lower()
    if t == "auto":
        return None
    mt = re.fullmatch(r"(\d+)\s*(?::\s*(\d+))?", t)
    if not mt:
        raise SweepConfigError(f"--ranks {text!r} is malformed; use auto, R or LO:HI (e.g. 20:24)")
    lo = int(mt.group(1))
    hi = int(mt.group(2)) if mt.group(2) else lo
    return lo, hi


def _int(name, x, low=0) -> int:
    if isinstance(x, bool) or not isinstance(x, numbers.Integral) or x < low:
        raise SweepConfigError(f"{name} must be an integer >= {low}, got {x!r}")
    return int(x)


@dataclass(frozen=True)
class SweepConfig:
    """Everything that defines a sweep (written as ``sweep.json`` beside its outputs).

    Attributes:
        formats: the formats <n, m, p> to sweep, in order (A is n×m, B is m×p).
        ranks: None for "auto" (per format: start at min(composed bound, best known ZT rank +
            ``margin``), go down until a cell finds nothing or a proven lower bound is reached),
            or (lo, hi): every rank from hi down to lo (clipped to n·m·p).
        strategy: one of :data:`STRATEGIES`.
        budget: wall-clock seconds per (format, rank) cell.
        seed: base seed (the solver's restart i is (seed, i); flip walks derive theirs from it).
        out: output folder (None: ``runs/sweep-<strategy>-<hash of the settings>``).
        margin: ranks above the best known where "auto" starts.
        scheduler: Dask scheduler address (None: local processes). workers: local processes
            (None: all cores). Neither changes what the sweep is, only where it runs.
    """

    formats: tuple[Format, ...]
    ranks: tuple[int, int] | None = None
    strategy: str = "als"
    budget: float = 60.0
    seed: int = 0
    out: str | None = None
    margin: int = 1
    scheduler: str | None = None
    workers: int | None = None

    def __post_init__(self):
        fmts = tuple(tuple(int(x) for x in f) for f in self.formats)
        if not fmts:
            raise SweepConfigError("no formats to sweep; give --formats or --max-dim")
        for f in fmts:
            if len(f) != 3 or min(f) < 1:
                raise SweepConfigError(f"format {f} must be three positive integers")
            if f[0] * f[1] * f[2] > MAX_TENSOR_SIZE:
                raise SweepConfigError(f"format <{f[0]},{f[1]},{f[2]}> is too large to sweep "
                                       f"(n*m*p > {MAX_TENSOR_SIZE})")
        if len(set(fmts)) != len(fmts):
            raise SweepConfigError("a format is listed twice; list each once")
        object.__setattr__(self, "formats", fmts)
        if self.ranks is not None:
            lo, hi = (int(x) for x in self.ranks)
            if lo < 1:
                raise SweepConfigError(f"ranks must be positive, got {lo}:{hi}")
            if lo > hi:
                raise SweepConfigError(f"rank range {lo}:{hi} is empty (LO > HI); write LO:HI with LO <= HI")
            object.__setattr__(self, "ranks", (lo, hi))
        if self.strategy not in STRATEGIES:
            raise SweepConfigError(f"unknown strategy {self.strategy!r}; use one of {', '.join(STRATEGIES)}")
        b = self.budget
        if isinstance(b, bool) or not isinstance(b, numbers.Real) or not b > 0 or not math.isfinite(b):
            raise SweepConfigError(f"budget must be a positive number of seconds per cell, got {b!r}")
        object.__setattr__(self, "budget", float(b))
        object.__setattr__(self, "seed", _int("seed", self.seed))
        object.__setattr__(self, "margin", _int("margin", self.margin))
        if self.workers is not None:
            object.__setattr__(self, "workers", _int("workers", self.workers, 1))
        if self.strategy in ("flips", "auto"):
            _need_flips(self.strategy)

    def identity(self) -> dict:
        """The settings that must match for a rerun to resume this sweep."""
        return {"formats": [list(f) for f in self.formats],
                "ranks": "auto" if self.ranks is None else list(self.ranks),
                "strategy": self.strategy, "budget": self.budget, "seed": self.seed, "margin": self.margin}

    @property
    def out_dir(self) -> Path:
        if self.out is not None:
            return Path(self.out)
        digest = hashlib.sha256(json.dumps(self.identity(), sort_keys=True).encode()).hexdigest()[:8]
        return Path("runs") / f"sweep-{self.strategy}-{digest}"

    def to_json(self) -> dict:
        return {**self.identity(), "out": str(self.out_dir), "scheduler": self.scheduler, "workers": self.workers}

    def prepare_out(self, create: bool = True) -> Path:
        """Create (or only check, ``create=False``) the output folder; refuse one that holds something else.

        A folder with this sweep's ``sweep.json`` (same :meth:`identity`) is resumed; one with
        another sweep's settings, or other files, is an error naming the difference.
        """
        out = self.out_dir
        cfg = out / CONFIG_NAME
        if out.exists() and not out.is_dir():
            raise SweepConfigError(f"{out} is a file; give --out a folder")
        if cfg.exists():
            try:
                old = json.loads(cfg.read_text())
                old_id = {k: old[k] for k in IDENTITY}
            except (OSError, ValueError, KeyError, TypeError):
                raise SweepConfigError(f"{cfg} is unreadable; choose another --out") from None
            mine = self.identity()
            diff = [k for k in IDENTITY if old_id[k] != mine[k]]
            if diff:
                k = diff[0]
                raise SweepConfigError(
                    f"{out} holds another sweep ({k} {old_id[k]!r} there, {mine[k]!r} here); "
                    "choose another --out, or rerun with that sweep's settings to resume it")
        elif out.is_dir() and any(out.iterdir()):
            raise SweepConfigError(f"{out} is not empty and holds no sweep; choose another --out")
        if not create:
            problem = folder_problem(out)
            if problem:
                raise SweepConfigError(f"--out {out}: {problem}; choose another folder")
            return out
        try:
            out.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise SweepConfigError(f"cannot create output folder {out}: {exc.strerror or exc}") from None
        if not os.access(out, os.W_OK | os.X_OK):
            raise SweepConfigError(f"output folder {out} is not writable; choose another with --out")
        return out


def _need_flips(strategy: str) -> None:
    try:
        from discovery.search.flips import flip_search  # noqa: F401
    except ImportError:
        raise SweepConfigError(f"strategy {strategy!r} needs the flip-graph engine (discovery.search.flips), "
                               "which this installation lacks; use --strategy als") from None
