"""The frozen settings of a meta search, validated before any work starts."""

from __future__ import annotations

import itertools
import math
import numbers
from dataclasses import asdict, dataclass

from discovery.errors import DiscoveryError

Format = tuple[int, int, int]

# Strategy names and what a walker does with them after a walk phase (see _moves.py).
STRATEGIES: dict[str, str] = {
    "default": "merge with a best scheme of a compatible format if one gives a format of the family, "
               "else project or extend (a coin decides which is tried first)",
    "proj": "project: drop a row or column of one dimension",
    "ext": "extend: add a row or column with the standard products it needs",
}
STARTS = ("standard", "composed")


class MetaConfigError(DiscoveryError):
    """A meta search was configured with bad values (names the field and the fix)."""


def family_up_to(max_dim) -> tuple[Format, ...]:
    """Every sorted format 2 <= n <= m <= p <= ``max_dim``, smallest tensors first."""
    if isinstance(max_dim, bool) or not isinstance(max_dim, numbers.Integral) or max_dim < 2:
        raise MetaConfigError(f"max-dim must be an integer of at least 2, got {max_dim!r}")
    fmts = itertools.combinations_with_replacement(range(2, int(max_dim) + 1), 3)
    return tuple(sorted(fmts, key=lambda f: (f[0] * f[1] * f[2], f)))


def _family(formats, ring: str) -> tuple[Format, ...]:
    """The formats sorted (n <= m <= p: rank does not depend on the order), each once, in the
    order given; every one within the flip engine's width (the engine's own check decides)."""
    from discovery.search.flips import FlipConfig

    try:
        items = [tuple(int(x) for x in f) for f in formats]
    except (TypeError, ValueError):
        raise MetaConfigError(f"formats {formats!r} must be triples of integers (n, m, p)") from None
    out: list[Format] = []
    for f in items:
        if len(f) != 3 or min(f) < 2:
            raise MetaConfigError(f"format <{','.join(map(str, f))}> must be three integers of at least 2 "
                                  "(a 1-wide format has nothing to search)")
        key = tuple(sorted(f))
        if key not in out:
            out.append(key)
    if not out:
        raise MetaConfigError("the format family is empty; give --formats like 2x2x2,2x3x4 or --max-dim D")
    for f in out:
        FlipConfig(*f, ring=ring, max_flips=1)  # the engine's width and ring checks, one clear line each
    return tuple(out)


def _int(name: str, x, low: int) -> int:
    if isinstance(x, bool) or not isinstance(x, numbers.Integral) or x < low:
        raise MetaConfigError(f"{name} must be an integer >= {low}, got {x!r}")
    return int(x)


@dataclass(frozen=True)
class MetaConfig:
    """Everything that defines a meta search (written beside its outputs).

    Attributes:
        formats: the family: formats <n,m,p> (A n×m, B m×p) the walkers may visit, stored sorted
            n <= m <= p and each once; every dimension >= 2 and within the flip engine's width.
        walkers: meta walkers (None: one per format). Walker i starts on format i mod len(formats).
        phases: walk phases (each followed by the meta moves); None: until ``time_limit``.
        phase_flips: flips per walker in one walk phase (the engine's ``max_flips``).
        time_limit: wall-clock seconds of the whole search (None: only ``phases``). The search is
            reproducible for a given seed and phase count while this limit does not bind.
        probability: chance that a walker takes a meta move after a walk phase.
        strategy: one of :data:`STRATEGIES`.
        margin: a walker whose rank exceeds its format's reference rank (the best known rank of
            the shipped table for ``ring``, else the best this search holds) by more than this
            resets to a start; no move leads to a rank above reference + margin.
        ring: "ZT" (coefficients in {-1,0,1}) or a ring the flip engine walks modulo a prime ("Z2").
        seed: the search's seed (walk phases and moves derive theirs from it).
        start: the first scheme of a format with no stored scheme: "standard" (the definition) or
            "composed" (direct sums, Kronecker products, restrictions of Strassen and the schemes
            the family's folders hold).
        keep: distinct schemes kept per format at its best rank (in memory and in its folder).
        flip_options: further settings of :func:`discovery.search.flips.flip_search`
            (``plus_after``, ...), as (name, value) pairs.
    """

    formats: tuple[Format, ...]
    walkers: int | None = None
    phases: int | None = None
    phase_flips: int = 100_000
    time_limit: float | None = 60.0
    probability: float = 0.5
    strategy: str = "default"
    margin: int = 10
    ring: str = "ZT"
    seed: int = 0
    start: str = "standard"
    keep: int = 8
    flip_options: tuple[tuple[str, object], ...] = ()

    def __post_init__(self):
        if self.strategy not in STRATEGIES:
            raise MetaConfigError(f"unknown meta strategy {self.strategy!r}; use one of {', '.join(STRATEGIES)}")
        if self.start not in STARTS:
            raise MetaConfigError(f"unknown start {self.start!r}; use one of {', '.join(STARTS)}")
        ring = str(self.ring).strip()
        object.__setattr__(self, "ring", ring)
        object.__setattr__(self, "formats", _family(self.formats, ring))
        if self.walkers is not None:
            object.__setattr__(self, "walkers", _int("walkers", self.walkers, 1))
        if self.phases is not None:
            object.__setattr__(self, "phases", _int("phases", self.phases, 1))
        for name, low in (("phase_flips", 1), ("margin", 0), ("seed", 0), ("keep", 1)):
            object.__setattr__(self, name, _int(name.replace("_", "-"), getattr(self, name), low))
        t = self.time_limit
        if t is not None:
            if isinstance(t, bool) or not isinstance(t, numbers.Real) or not math.isfinite(t) or t <= 0:
                raise MetaConfigError(f"time limit must be a positive number of seconds, got {t!r}")
            object.__setattr__(self, "time_limit", float(t))
        if self.phases is None and self.time_limit is None:
            raise MetaConfigError("give a number of phases or a time limit, or the search never ends")
        q = self.probability
        if isinstance(q, bool) or not isinstance(q, numbers.Real) or not 0 <= q <= 1:
            raise MetaConfigError(f"probability must be a number from 0 to 1, got {q!r}")
        object.__setattr__(self, "probability", float(q))
        opts = dict(self.flip_options)
        taken = {"start", "ring", "time_limit", "walkers", "seed", "max_flips", "out", "progress", "target_rank"}
        if taken & set(opts):
            raise MetaConfigError(f"flip option {min(taken & set(opts))!r} is set by the meta search "
                                  "itself; leave it out")
        self._check_flip_options(opts)
        object.__setattr__(self, "flip_options", tuple(sorted(opts.items())))

    def _check_flip_options(self, opts: dict) -> None:
        from discovery.search.flips import FlipConfig

        try:
            FlipConfig(*self.formats[0], ring=self.ring, max_flips=1, **opts)
        except TypeError as exc:
            raise MetaConfigError(f"unknown flip option: {exc}; see discovery.search.flips.FlipConfig") from None

    @property
    def n_walkers(self) -> int:
        return self.walkers if self.walkers is not None else len(self.formats)

    def to_json(self) -> dict:
        d = asdict(self)
        d["formats"] = ["x".join(map(str, f)) for f in self.formats]
        d["flip_options"] = dict(self.flip_options)
        d["walkers"] = self.n_walkers
        return d
