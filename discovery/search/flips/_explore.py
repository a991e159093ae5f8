"""Fixed-rank exploration: walk the flip graph without reducing, collect distinct schemes
of the same rank, and minimise additions over them (:func:`discovery.circuits.symbolic.simplify_additions`).

Each new scheme is scored by one quick greedy elimination of common subexpressions
(:func:`discovery.circuits.cse.eliminate_pairs`, one try per side); walkers are re-seeded now and then
from the best-scored schemes, which biases the walk towards cheap ones. The plain addition
count is a poor guide (the 58-addition <3,3,3> record has 119 plain additions), so the
score is the shared count itself. The best ones are simplified fully and verified at the end.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from pathlib import Path
from typing import ClassVar

import numpy as np

from discovery._progress import Progress
from discovery.errors import DiscoveryError
from discovery.search.flips._config import FlipConfig
from discovery.search.flips._encode import check_ring, decode, decode_arrays, encode
from discovery.search.flips._kernels import OUT_FLIPS
from discovery.search.flips._search import Walkers
from discovery.search.summary import Stop, Summary
from discovery.core.scheme import Provenance, Scheme
from discovery.circuits.cse import eliminate_pairs
from discovery.circuits.symbolic import SimplifiedScheme, simplify_additions
from discovery.core.verify import verify


@dataclass(frozen=True)
class ExploreResult(Summary):
    """Distinct verified schemes of one rank and the cheapest evaluation found.

    Attributes:
        start_additions: additions of the start after sharing subexpressions.
        best: the simplified scheme with the fewest additions (verified, re-checked).
        best_additions: its addition count (``best.reduced_additions``).
        distinct: distinct schemes seen (up to term order and signs).
        simplified: how many of them were simplified (the sparsest ones).
        flips: flips done; elapsed_s: seconds of the call; stop: time or interrupted.
    """

    JSON_SKIP: ClassVar[tuple[str, ...]] = ("best",)

    start_additions: int
    best: SimplifiedScheme
    best_additions: int
    distinct: int
    simplified: int
    flips: int
    elapsed_s: float
    stop: Stop = Stop.TIME
    out: Path | None = None

    def json_extra(self) -> dict:
        return {"format": list(self.best.scheme.format), "rank": self.best.scheme.rank}


def _key(walkers, w: int, r: int) -> tuple:
    """Canonical key up to term order and sign changes: per term the three factors' hashes up
    to sign and the sign of the whole term (see :mod:`discovery.search.flips._moves`)."""
    H, S = walkers.H[w, :, :r], walkers.S[w, :, :r]
    sign = S[0] * S[1] * S[2]
    return tuple(sorted(zip(H[0].tolist(), H[1].tolist(), H[2].tolist(), sign.tolist())))


class _State:
    """Masks of one scheme (the shape a pool member has, so walkers can load it)."""

    __slots__ = ("pos", "neg")

    def __init__(self, pos: np.ndarray, neg: np.ndarray):
        self.pos, self.neg = pos, neg


def _score(n, m, p, pos, neg) -> int:
    """Additions after one quick greedy sharing pass on each side (no verification: a guide)."""
    return sum(eliminate_pairs(M, tries=1).additions for M in _sides(*decode_arrays(n, m, p, pos, neg)))


def _sides(u, v, w):
    return u, v, np.ascontiguousarray(w.T)


def explore(start: Scheme, *, ring: str = "ZT", time_limit: float = 30.0, walkers: int = 0,
            seed: int = 0, sample_flips: int = 2_000, reseed_every: int = 10, keep: int = 32,
            simplify_top: int = 64, out=None, progress: bool = False) -> ExploreResult:
    """Walk at the rank of ``start`` for ``time_limit`` seconds and minimise additions.

    Args:
        start: a scheme exact over ``ring`` ("ZT"; the addition count is over Z).
        sample_flips: flips per walker between two samples.
        reseed_every: samples between re-seeding walkers from the ``keep`` best-scored schemes.
        simplify_top: how many of the best-scored distinct schemes are simplified fully at the end.
        out: folder for the best scheme found (``r<rank>-<fingerprint>.json``).
    """
    check_ring(ring)
    if ring != "ZT":
        raise DiscoveryError("addition counts are over the integers: explore with ring ZT")
    if not verify(start, ring).ok:
        raise DiscoveryError(f"the start is not a valid scheme over {ring}")
    n, m, p = start.format
    config = FlipConfig(n, m, p, ring=ring, time_limit=time_limit, walkers=walkers, seed=seed,
                        chunk_flips=sample_flips, plus_after=0, path_limit=0)
    r0 = start.rank
    pos0, neg0 = encode(start, ring)
    walkers_ = Walkers(config, r0)
    K = walkers_.K
    walkers_.rng = np.random.SeedSequence([seed, K, 7]).generate_state(K, dtype=np.uint64) | np.uint64(1)
    pick = np.random.default_rng([seed, K, 8])
    origin = _State(pos0, neg0)
    for w in range(K):
        walkers_.load(w, origin, r0)
    seen: dict[tuple, int] = {}       # key -> quick additions
    states: dict[tuple, _State] = {}  # key -> masks, for the best-scored ones
    flips = 0
    t0 = time.perf_counter()
    samples = 0
    interrupted = False
    bar = Progress(f"explore {start.name}", total=time_limit, unit="s", enabled=progress)
    try:
        while time.perf_counter() - t0 < time_limit:
            walkers_.walk(sample_flips, reduce_on=False, plus_after=0, path_limit=0)
            flips += int(walkers_.out[:, OUT_FLIPS].sum())
            samples += 1
            for w in range(K):
                r = int(walkers_.rank[w])
                key = _key(walkers_, w, r)
                if key in seen:
                    continue
                st = _State(walkers_.P[w, :, :r].copy(), walkers_.N[w, :, :r].copy())
                seen[key] = _score(n, m, p, st.pos, st.neg)
                states[key] = st
                if len(states) > 4 * keep:
                    for k in sorted(states, key=seen.__getitem__)[keep:]:
                        del states[k]
            if samples % reseed_every == 0 and states:
                elite = sorted(states, key=seen.__getitem__)[:keep]
                for w in range(K):
                    walkers_.load(w, states[elite[int(pick.integers(len(elite)))]], r0)
            bar.set(time.perf_counter() - t0,
                    postfix=f"{len(seen)} distinct, fewest additions (quick) {min(seen.values(), default=0)}")
    except KeyboardInterrupt:
        interrupted = True
    finally:
        bar.close()
    prov = Provenance.now("flip-graph explore", seed, note=f"fixed rank {r0}")
    # The best-scored schemes get the full greedy search (16 tries a side); only the winner is
    # built as a Scheme, verified and re-checked (simplify_additions), since checks cost ~1 s each.
    start_ss = simplify_additions(start)
    best = start_ss
    ranked = sorted(states, key=seen.__getitem__)[:simplify_top]
    full = {k: sum(eliminate_pairs(M, tries=16).additions
                   for M in _sides(*decode_arrays(n, m, p, states[k].pos, states[k].neg))) for k in ranked}
    for k in sorted(full, key=full.__getitem__)[:3]:
        if full[k] >= best.reduced_additions:
            break
        s = decode(n, m, p, states[k].pos, states[k].neg, ring, prov)
        if not verify(s, ring).ok:  # never expected: the walk keeps the tensor
            continue
        ss = simplify_additions(s)
        if ss.reduced_additions < best.reduced_additions:
            best = ss
    folder = None
    if out is not None:
        from discovery.search.store import SchemeStore

        folder = SchemeStore(out, start.format, ring)
        folder.add(best.scheme)
    return ExploreResult(start_ss.reduced_additions, best, best.reduced_additions, len(seen),
                         len(ranked), flips, time.perf_counter() - t0, Stop.INTERRUPTED if interrupted else Stop.TIME,
                         folder.folder if folder else None)
