"""The frozen settings of a catalogue run, validated (and its folder checked) before any work starts."""

from __future__ import annotations

import json
import math
import numbers
from dataclasses import dataclass
from pathlib import Path

from discovery.errors import DiscoveryError

Format = tuple[int, int, int]
CONFIG_NAME = "catalogue.json"
TABLE_NAME = "catalogue.csv"
FIGURE_NAME = "catalogue.png"
# Fields that make two runs the same catalogue (a rerun with them equal resumes).
IDENTITY = ("formats", "budget", "meta_time", "seed", "library", "margin")


class CatalogueConfigError(DiscoveryError):
    """A catalogue run was configured with bad values (names the field and the fix)."""


def _family(formats) -> tuple[Format, ...]:
    """The formats sorted (n <= m <= p), each once, smallest tensors first; each within the flip
    engine's width (its own check gives the line)."""
    from discovery.search.flips import FlipConfig

    try:
        items = [tuple(int(x) for x in f) for f in formats]
    except (TypeError, ValueError):
        raise CatalogueConfigError(f"formats {formats!r} must be triples of integers (n, m, p)") from None
    out: set[Format] = set()
    for f in items:
        if len(f) != 3 or min(f) < 2:
            raise CatalogueConfigError(f"format <{','.join(map(str, f))}> must be three integers of at "
                                       "least 2 (a 1-wide format has nothing to search)")
        out.add(tuple(sorted(f)))
    if not out:
        raise CatalogueConfigError("the format family is empty; give --formats like 2x2x2,2x3x4 or --max-dim D")
    for f in out:
        try:
            FlipConfig(*f, max_flips=1)
        except DiscoveryError as exc:
            raise CatalogueConfigError(str(exc)) from None
    return tuple(sorted(out, key=lambda f: (f[0] * f[1] * f[2], f)))


def _seconds(name: str, x, zero: bool = False) -> float:
    ok = isinstance(x, numbers.Real) and not isinstance(x, bool) and math.isfinite(x) and (x >= 0 if zero else x > 0)
    if not ok:
        raise CatalogueConfigError(f"{name} must be a {'non-negative' if zero else 'positive'} number of "
                                   f"seconds, got {x!r}")
    return float(x)


def _int(name: str, x, low: int) -> int:
    if isinstance(x, bool) or not isinstance(x, numbers.Integral) or x < low:
        raise CatalogueConfigError(f"{name} must be an integer >= {low}, got {x!r}")
    return int(x)


@dataclass(frozen=True)
class CatalogueConfig:
    """Everything that defines a catalogue run (written as ``catalogue.json`` beside its outputs).

    Attributes:
        formats: the family <n,m,p> (A n×m, B m×p), stored sorted n <= m <= p, each once, smallest
            tensors first; every dimension >= 2 and within the flip engine's width.
        budget: seconds of flip-graph walking per format (the same for every format; recorded).
        meta_time: seconds of one meta search over the whole family after the walks (0: none).
        seed: the run's seed (each format's walk and the meta search derive theirs from it).
        library: scheme files or folders composed into starts (direct sums, Kronecker products,
            restrictions, projections); Strassen and the standard algorithm are always there.
        margin: the meta search resets a walker more than this above its format's best known rank.
        scheduler: a Dask scheduler address (None: local processes); workers: local processes
            (None: all cores). Neither changes what the catalogue is, only where it runs.
    """

    formats: tuple[Format, ...]
    budget: float = 30.0
    meta_time: float = 0.0
    seed: int = 0
    library: tuple[str, ...] = ()
    margin: int = 10
    scheduler: str | None = None
    workers: int | None = None

    def __post_init__(self):
        object.__setattr__(self, "formats", _family(self.formats))
        object.__setattr__(self, "budget", _seconds("budget", self.budget))
        object.__setattr__(self, "meta_time", _seconds("meta time", self.meta_time, zero=True))
        object.__setattr__(self, "seed", _int("seed", self.seed, 0))
        object.__setattr__(self, "margin", _int("margin", self.margin, 0))
        if self.workers is not None:
            object.__setattr__(self, "workers", _int("workers", self.workers, 1))
        if self.scheduler is not None and self.workers is not None:
            raise CatalogueConfigError("give either a scheduler (a Dask cluster) or workers (local processes), not both")
        lib = (self.library,) if isinstance(self.library, (str, Path)) else tuple(self.library)
        for q in lib:
            if not Path(q).exists():
                raise CatalogueConfigError(f"library {q}: no such file or folder; give scheme files or folders")
        object.__setattr__(self, "library", tuple(str(q) for q in lib))

    def identity(self) -> dict:
        """The settings that must match for a rerun to resume this catalogue."""
        d = self.to_json()
        return {k: d[k] for k in IDENTITY}

    def to_json(self) -> dict:
        return {"formats": ["x".join(map(str, f)) for f in self.formats], "budget": self.budget,
                "meta_time": self.meta_time, "seed": self.seed, "library": list(self.library),
                "margin": self.margin, "scheduler": self.scheduler, "workers": self.workers}

    def check_out(self, out: Path) -> None:
        """Refuse a folder that holds another catalogue (other identity) or is a file."""
        if out.exists() and not out.is_dir():
            raise CatalogueConfigError(f"{out} is a file; give --out a folder")
        path = out / CONFIG_NAME
        if not path.exists():
            return
        try:
            held = json.loads(path.read_text())["config"]
            same = {k: held.get(k) for k in IDENTITY} == self.identity()
        except (OSError, ValueError, KeyError, TypeError):
            raise CatalogueConfigError(f"{path} is damaged; remove it (or choose another --out)") from None
        if not same:
            diff = [k for k in IDENTITY if held.get(k) != self.identity()[k]]
            raise CatalogueConfigError(f"{out} holds another catalogue (different {', '.join(diff)}); "
                                       "choose another --out or repeat its settings to resume")
