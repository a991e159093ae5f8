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

import numpy as np

from discovery.errors import DiscoveryError
from discovery.search.flips import _kernels
from discovery.search.flips._encode import check_ring, decode, decode_arrays, encode
from discovery.search.flips._search import _Folder, FlipConfig
from discovery.core.scheme import Provenance, Scheme
from discovery.circuits.cse import eliminate_pairs
from discovery.circuits.symbolic import SimplifiedScheme, simplify_additions
from discovery.core.transforms import fingerprint
from discovery.core.verify import verify


@dataclass(frozen=True)
class ExploreResult:
    """Distinct verified schemes of one rank and the cheapest evaluation found.

    Attributes:
        start_additions: additions of the start after sharing subexpressions.
        best: the simplified scheme with the fewest additions (verified, re-checked).
        best_additions: its addition count (``best.reduced_additions``).
        distinct: distinct schemes seen (up to term order and signs).
        simplified: how many of them were simplified (the sparsest ones).
        flips, seconds: work done.
    """

    start_additions: int
    best: SimplifiedScheme
    best_additions: int
    distinct: int
    simplified: int
    flips: int
    seconds: float
    out: Path | None = None


def _key(pos: np.ndarray, neg: np.ndarray, r: int) -> tuple:
    """Cheap canonical key up to term order and sign changes (ternary schemes)."""
    terms = []
    for t in range(r):
        pu, nu, pv, nv, pw, nw = (int(pos[0, t]), int(neg[0, t]), int(pos[1, t]), int(neg[1, t]),
                                  int(pos[2, t]), int(neg[2, t]))
        if (nu & -nu) > (pu & -pu) if pu else True:  # lowest set bit of u is a -1: flip u, w
            if nu:
                pu, nu, pw, nw = nu, pu, nw, pw
        if (nv & -nv) > (pv & -pv) if pv else True:
            if nv:
                pv, nv, pw, nw = nv, pv, nw, pw
        terms.append((pu, nu, pv, nv, pw, nw))
    return tuple(sorted(terms))


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
                        chunk_flips=sample_flips, plus_after=0)
    K = config.n_walkers
    r0 = start.rank
    pos0, neg0 = encode(start, ring)
    P = np.zeros((K, 3, r0), dtype=np.uint64)
    N = np.zeros((K, 3, r0), dtype=np.uint64)
    P[:] = pos0
    N[:] = neg0
    rank = np.full(K, r0, dtype=np.int64)
    rng = np.random.SeedSequence([seed, K, 7]).generate_state(K, dtype=np.uint64) | np.uint64(1)
    pick = np.random.default_rng([seed, K, 8])
    stall = np.zeros(K, dtype=np.int64)
    flips_out = np.zeros(K, dtype=np.int64)
    seen: dict[tuple, int] = {}       # key -> plain additions
    states: dict[tuple, tuple] = {}   # key -> (pos, neg) for the sparsest ones
    flips = 0
    t0 = time.perf_counter()
    samples = 0
    bar = None
    if progress:
        from tqdm import tqdm
        bar = tqdm(total=time_limit, unit="s", leave=False, desc=f"explore {start.name}",
                   bar_format="{desc} {bar} {n:.0f}/{total_fmt}s {postfix}")
    try:
        while time.perf_counter() - t0 < time_limit:
            _kernels.walk_chunk(P, N, rank, rng, stall, flips_out, sample_flips, 0, r0, 0, False, False)
            flips += int(flips_out.sum())
            samples += 1
            for w in range(K):
                r = int(rank[w])
                if r != r0:  # a factor vanished: the walk found a lower rank; keep exploring at r0
                    P[w], N[w], rank[w] = pos0, neg0, r0
                    continue
                key = _key(P[w], N[w], r)
                if key in seen:
                    continue
                seen[key] = _score(n, m, p, P[w], N[w])
                states[key] = (P[w].copy(), N[w].copy())
                if len(states) > 4 * keep:
                    for k in sorted(states, key=seen.__getitem__)[keep:]:
                        del states[k]
            if samples % reseed_every == 0 and states:
                elite = sorted(states, key=seen.__getitem__)[:keep]
                for w in range(K):
                    P[w], N[w] = states[elite[int(pick.integers(len(elite)))]]
                    rank[w] = r0
            if bar is not None:
                bar.n = min(time.perf_counter() - t0, time_limit)
                bar.set_postfix_str(f"{len(seen)} distinct, fewest additions (quick) {min(seen.values(), default=0)}")
                bar.refresh()
    except KeyboardInterrupt:
        pass
    finally:
        if bar is not None:
            bar.close()
    prov = Provenance.now("flip-graph explore", seed, note=f"fixed rank {r0}")
    # The best-scored schemes get the full greedy search (16 tries a side); only the winner is
    # built as a Scheme, verified and re-checked (simplify_additions), since checks cost ~1 s each.
    start_ss = simplify_additions(start)
    best = start_ss
    ranked = sorted(states, key=seen.__getitem__)[:simplify_top]
    full = {k: sum(eliminate_pairs(M, tries=16).additions
                   for M in _sides(*decode_arrays(n, m, p, *states[k]))) for k in ranked}
    for k in sorted(full, key=full.__getitem__)[:3]:
        if full[k] >= best.reduced_additions:
            break
        s = decode(n, m, p, states[k][0], states[k][1], ring, prov)
        if not verify(s, ring).ok:  # never expected: the walk keeps the tensor
            continue
        ss = simplify_additions(s)
        if ss.reduced_additions < best.reduced_additions:
            best = ss
    folder = None
    if out is not None:
        folder = _Folder(Path(out), config)
        folder.add(best.scheme, fingerprint(best.scheme))
    return ExploreResult(start_ss.reduced_additions, best, best.reduced_additions, len(seen),
                         len(ranked), flips, time.perf_counter() - t0, folder.folder if folder else None)
