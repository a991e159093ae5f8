"""Fewest additions over many schemes of one format and rank, in a resumable folder.

The additions of a scheme depend on the scheme, not only on the heuristic: the <3,3,3> record
(58) and the <4,4,4> record (159) were found by simplifying many flip-graph variants of the same
rank. An integer start that is not ternary also gets its ternary sandwich image, if the walk of
:func:`discovery.circuits.variants.ternary_image` finds one (flips and sandwiches need {-1,0,1}).
A round here:

1. picks a parent from an elite pool (the ``pool_size`` best distinct schemes so far, biased
   towards the best);
2. makes variants: a fixed-rank flip walk from it (:func:`discovery.search.flips.explore`,
   ``walk_seconds`` long; it returns the cheapest scheme it saw), sampled ternary sandwiches
   (:func:`discovery.circuits.variants.ternary_sandwiches`) and, for formats with sides of at most
   3, the parent's cheapest sandwich image over tables of (X, Y, Z)
   (:func:`discovery.circuits.sandwich_table.best_sandwich`);
3. screens every new scheme with the quick heuristic (``best``, ``screen_tries`` runs) and, with
   ``cse="closure"`` (the default), the closure search with up to two extra nodes
   (:mod:`discovery.circuits.closure`, exact in the ternary model when it succeeds);
4. refines the promising ones (within ``refine_slack`` of the best screen) with the randomized
   search (:func:`discovery.circuits.cse_search.random_search`, all workers), then (``closure``)
   the closure search with up to :data:`discovery.circuits.cse.CLOSURE_KMAX` extra nodes per side,
   and keeps the best program, verified (exact matrices, sympy, random integers) before it is written.

Folder (``out``): ``config.json`` (the configuration and starts), ``state.json`` (rounds, seconds,
elite scores, history), ``pool/`` (the elite schemes) and ``best_reduced.json`` (the best program in
the collection's reduced layout, :func:`discovery.formats.read_reduced` reads it back).
Running again into the folder resumes from its state; the same seed and configuration replay the
same rounds (the time budget decides how many).
"""

from __future__ import annotations

import hashlib
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path

import numpy as np

from discovery.circuits.closure import closure_map
from discovery.circuits.cse import closure_improve, quick_additions
from discovery.circuits.cse_search import RandomSearchConfig, random_search
from discovery.circuits.symbolic import SimplifiedScheme
from discovery.circuits.variants import random_plus_transitions, ternary_image, ternary_sandwiches
from discovery.core.scheme import Scheme
from discovery.core.verify import require_valid
from discovery.errors import DiscoveryError
from discovery.search._additions_folder import Folder
from discovery.search._additions_folder import progress as make_progress
from discovery.search.summary import Stop

CSE_MODES = ("closure", "random")


@dataclass(frozen=True)
class AdditionsConfig:
    """Settings of :func:`additions_search`.

    Attributes:
        budget: seconds of searching (this call; a resumed run adds to the folder's total).
        workers: processes; each round makes this many batches of variants and refines up to
            this many promising ones in parallel.
        seed: the run's seed.
        plus: plus transitions per round (rank + 1), each walked back down to the rank by the
            flip graph (:func:`discovery.search.flips.flip_search`, one walker each).
        plus_seconds: time limit of that walk.
        walk_seconds: length of the fixed-rank flip walk per round (0: none).
        sandwiches: ternary sandwich variants tried per round.
        pool_size: elite schemes kept as parents.
        screen_tries: quick-heuristic runs per strategy for screening.
        refine_slack: refine a variant whose screen is at most best screen + this.
        refine_runs: randomized runs per group and round when refining.
        cse: ``"closure"`` (screen and refine with the closure search too; ternary schemes) or
            ``"random"`` (the quick heuristic and the randomized search only).
        table: with ``cse="closure"``, also make each parent's cheapest sandwich image over the
            tables of coset representatives (:func:`discovery.circuits.sandwich_table.best_sandwich`;
            formats with sides of at most 3; once per parent and process); the first rounds of a
            new folder take the starting elite as parents in order, so each of them gets one.
        ternary_images: add the ternary sandwich image of every integer start that is not ternary
            (:func:`discovery.circuits.variants.ternary_image`), when one is found.
    """

    budget: float
    workers: int = 1
    seed: int = 0
    plus: int = 8
    plus_seconds: float = 5.0
    walk_seconds: float = 0.0
    sandwiches: int = 4
    pool_size: int = 16
    screen_tries: int = 4
    refine_slack: int = 1
    refine_runs: int = 64
    cse: str = "closure"
    table: bool = True
    ternary_images: bool = True

    def __post_init__(self):
        if self.cse not in CSE_MODES:
            raise DiscoveryError(f"cse={self.cse!r}: use one of {', '.join(CSE_MODES)}")
        if not (isinstance(self.budget, (int, float)) and self.budget > 0 and np.isfinite(self.budget)):
            raise DiscoveryError(f"the search budget must be a positive number of seconds, got {self.budget!r}")
        for name, low in (("workers", 1), ("pool_size", 1), ("screen_tries", 1), ("refine_runs", 1), ("plus", 0),
                          ("plus_seconds", 0), ("walk_seconds", 0), ("sandwiches", 0), ("refine_slack", 0)):
            if getattr(self, name) < low:
                raise DiscoveryError(f"{name} must be at least {low}, got {getattr(self, name)!r}")


@dataclass(frozen=True)
class AdditionsResult:
    """What :func:`additions_search` found.

    Attributes:
        best: the verified program with the fewest additions (its scheme is among the variants).
        start_additions: the best of the starts after the quick heuristic.
        rounds: rounds done in the folder so far; seen: distinct schemes screened (this call).
        seconds: seconds searched in the folder so far.
        history: (seconds, additions) each time the best dropped.
        out: the folder, if any.
        stop: ``Stop.TIME`` (the budget spent) or ``Stop.INTERRUPTED`` (Ctrl-C; the best so far is kept).
    """

    best: SimplifiedScheme
    start_additions: int
    rounds: int
    seen: int
    seconds: float
    history: tuple[tuple[float, int], ...] = field(default=())
    out: Path | None = None
    stop: Stop = Stop.TIME

    def summary(self) -> dict:
        n, m, p = self.best.format
        return {"format": [n, m, p], "rank": self.best.multiplications, "additions": self.best.reduced_additions,
                "by_side": [self.best.a.additions, self.best.b.additions, self.best.c.additions],
                "start_additions": self.start_additions, "rounds": self.rounds, "seen": self.seen,
                "seconds": round(self.seconds, 1), "out": str(self.out) if self.out else None,
                "stop": self.stop.value}


def known_starts(fmt, rank: int) -> list[Scheme]:
    """The known algorithms (:data:`discovery.core.known.CATALOGUE`) of format ``fmt`` and rank
    ``rank``, and the Kronecker products of two of them that have it (Winograd ⊗ Winograd for
    <4,4,4> rank 49)."""
    from discovery.core.known import CATALOGUE, known
    from discovery.core.transforms import kron

    base = [known(name) for name in CATALOGUE]
    out = [s for s in base if s.format == tuple(fmt) and s.rank == rank]
    for s1 in base:
        for s2 in base:
            if s1.rank * s2.rank == rank and tuple(a * b for a, b in zip(s1.format, s2.format)) == tuple(fmt):
                out.append(kron(s1, s2))
    return out


def known_programs(fmt, rank: int) -> list[SimplifiedScheme]:
    """Verified programs for the Kronecker products of two known algorithms that have format
    ``fmt`` and rank ``rank``, built stage by stage (:func:`discovery.circuits.products.kron_simplified`)
    from each factor's shared-subexpression program and its alternative basis (a known algorithm
    times the standard algorithm of the rest of the format counts too: Winograd ⊗ <1,1,2> for
    <2,2,4> rank 14); cheapest first. Winograd ⊗ Winograd in the alternative basis: 156 additions
    for <4,4,4> rank 49."""
    from discovery.circuits.basis import alternative_basis
    from discovery.circuits.products import kron_simplified
    from discovery.circuits.symbolic import simplify_additions
    from discovery.core.known import CATALOGUE, known, standard

    base = [known(name) for name in CATALOGUE]
    pairs = [(s1, s2) for s1 in base for s2 in base]
    for s1 in base:  # a known algorithm times the standard algorithm of the rest of the format
        if all(f % g == 0 for f, g in zip(fmt, s1.format)):
            rest = tuple(f // g for f, g in zip(fmt, s1.format))
            if rest != (1, 1, 1) and max(rest) <= 4:
                pairs += [(s1, standard(*rest)), (standard(*rest), s1)]
    out = []
    for s1, s2 in pairs:
        if s1.rank * s2.rank != rank or tuple(a * b for a, b in zip(s1.format, s2.format)) != tuple(fmt):
            continue
        forms = [[simplify_additions(s)] + ([alternative_basis(s)] if s.rank < s.n * s.m * s.p else [])
                 for s in (s1, s2)]
        out += [kron_simplified(x1, x2) for x1 in forms[0] for x2 in forms[1]]
    return sorted(out, key=lambda ss: ss.reduced_additions)


def scheme_key(s: Scheme) -> str:
    """A short digest equal for integer schemes equal up to term order and the signs of the
    factors (each term's u and v start positive, the signs go to w); fast on integer arrays
    (the core's :func:`discovery.core.transforms.fingerprint` works in Fractions, ~10 ms a scheme)."""
    u, v, w = (np.asarray(x, dtype=np.int64) for x in (s.u, s.v, s.w))
    su = np.sign(u[np.arange(len(u)), np.argmax(u != 0, axis=1)])
    sv = np.sign(v[np.arange(len(v)), np.argmax(v != 0, axis=1)])
    rows = np.hstack([u * su[:, None], v * sv[:, None], w * (su * sv)[:, None]])
    rows = rows[np.lexsort(rows.T[::-1])]
    return hashlib.sha256(repr(s.format).encode() + rows.tobytes()).hexdigest()[:16]


def screen(s: Scheme, tries: int = 4, seed: int = 0, cse: str = "random") -> int:
    """Additions after the quick heuristic on each side (:func:`discovery.circuits.cse.quick_additions`;
    an integer scheme); with ``cse="closure"`` the closure search with up to two extra nodes where
    it does better (:func:`discovery.circuits.closure.closure_map`; a ternary side)."""
    total = 0
    for M in (s.u, s.v, s.w.T):
        M = np.asarray(M, dtype=np.int64)
        adds = quick_additions(M, tries, seed)
        if cse == "closure" and s.is_ternary:
            res = closure_map(M, 2, SCREEN_NODE_LIMIT)
            if res.program is not None:
                adds = min(adds, res.program.additions)
        total += adds
    return total


SCREEN_NODE_LIMIT = 1_000  # candidate nodes the screen's closure search visits at most per side


def refine(s: Scheme, runs: int, seed: int, executor=None, workers: int = 1, cse: str = "random") -> SimplifiedScheme:
    """The randomized search on the three sides of ``s`` (then, with ``cse="closure"``, the
    closure search for a cheaper program per side: :func:`discovery.circuits.cse.closure_improve`), verified."""
    maps = [s.u, s.v, np.ascontiguousarray(s.w.T)]
    res = random_search(maps, RandomSearchConfig(runs=runs, rounds=30, patience=3, seed=seed, workers=workers),
                        executor=executor)
    progs = res.programs
    if cse == "closure":
        progs = tuple(closure_improve(np.asarray(M), prog) for M, prog in zip(maps, progs))
    return SimplifiedScheme(s, *progs, s.counts().additions).check()


def additions_search(starts: list[Scheme], config: AdditionsConfig, out=None, executor=None,
                     progress: bool = False, programs: list[SimplifiedScheme] = ()) -> AdditionsResult:
    """Search variants of ``starts`` (verified schemes of one format and rank) for the fewest
    additions; see the module docstring. ``programs``: verified programs of the same format and
    rank to beat (e.g. :func:`known_programs`); the best of them is the best so far.

    Each round makes ``config.workers`` batches of variants (from ``config.workers`` parents) at
    once and then refines up to that many promising ones at once, on ``executor`` (anything with
    ``submit(fn, *args)`` returning a future; default: ``config.workers`` spawned processes, or
    this process for one). Batches are merged in order, so a round depends only on the seed.
    """
    if not starts:
        raise DiscoveryError("no start scheme to search from")
    starts = [require_valid(s) for s in starts]
    if config.ternary_images:
        starts += [t for t in (ternary_image(s, seed=config.seed) for s in starts if not s.is_ternary) if t is not None]
    fmt, rank = starts[0].format, starts[0].rank
    for s in starts:
        if s.format != fmt or s.rank != rank:
            raise DiscoveryError("every start must have the same format and rank (here "
                                 f"<{','.join(map(str, fmt))}> rank {rank} and <{','.join(map(str, s.format))}> "
                                 f"rank {s.rank})")
    folder = Folder(out)
    state, saved_pool, best = folder.load(fmt, rank)
    own = None
    if executor is None and config.workers > 1:
        import concurrent.futures as cf
        import multiprocessing

        own = executor = cf.ProcessPoolExecutor(config.workers, mp_context=multiprocessing.get_context("spawn"))
    try:
        for ss in programs:
            if ss.format != fmt or ss.multiplications != rank:
                raise DiscoveryError("every given program must have the starts' format and rank")
        return _search(starts, config, folder, state, saved_pool, best, executor, progress,
                       [ss.check() for ss in programs])
    finally:
        if own is not None:
            own.shutdown(cancel_futures=True)


def variants_task(parent: Scheme, seed: int, config: AdditionsConfig) -> list[tuple[str, int, Scheme]]:
    """One batch of variants of ``parent`` (plus walks, sandwiches, a fixed-rank walk), each
    with its key and screen score; a worker's task (seeded)."""
    rng = np.random.default_rng([seed, 18])
    variants = ternary_sandwiches(parent, config.sandwiches, rng)
    if config.plus > 0 and parent.is_ternary:  # the ternary flip graph takes ternary schemes only
        variants += _plus_walks(parent, config.plus, config.plus_seconds, rng)
    if config.walk_seconds > 0 and parent.is_ternary:
        variants.append(_walk(parent, config.walk_seconds, int(rng.integers(2**31))))
    if config.table and config.cse == "closure" and parent.is_ternary and max(parent.format) <= 3:
        image = _table_image(parent)
        if image is not None:
            variants.append(image)
    out, keys = [], set()
    for v in variants:
        k = scheme_key(v)
        if k not in keys:
            keys.add(k)
            out.append((k, screen(v, config.screen_tries, seed, config.cse), v))
    return out


def refine_task(s: Scheme, runs: int, seed: int, cse: str = "random") -> SimplifiedScheme:
    """:func:`refine` in one process (a worker's task)."""
    return refine(s, runs, seed, cse=cse)


def _run(executor, fn, calls: list[tuple]) -> list:
    """``fn(*args)`` for each call, on ``executor`` if given; results in call order."""
    if executor is None:
        return [fn(*args) for args in calls]
    futures = [executor.submit(fn, *args) for args in calls]
    return [f.result() for f in futures]


def _search(starts, config, folder, state, saved_pool, best, executor, progress, programs) -> AdditionsResult:
    fmt, rank = starts[0].format, starts[0].rank
    pool: dict[str, tuple[int, Scheme]] = {}
    seen: set[str] = set()

    def consider(key: str, score: int, s: Scheme) -> bool:
        if key in seen:
            return False
        seen.add(key)
        pool[key] = (score, s)
        if len(pool) > config.pool_size:
            worst = max(pool, key=lambda k: (pool[k][0], k))
            del pool[worst]
        return True

    for s in saved_pool + starts:
        consider(scheme_key(s), screen(s, config.screen_tries, config.seed, config.cse), s)
    start_adds = min(sc for sc, _ in pool.values())
    if best is None:
        best_fp = min(pool, key=lambda k: (pool[k][0], k))
        best = refine(pool[best_fp][1], config.refine_runs, config.seed, cse=config.cse)
    best = min([best, *programs], key=lambda ss: ss.reduced_additions)  # the first of equals: the saved one
    rounds = int(state.get("rounds", 0))
    spent = float(state.get("seconds", 0.0))
    history = [tuple(h) for h in state.get("history", [])] or [(spent, best.reduced_additions)]
    if history[-1][1] > best.reduced_additions:  # a given program beats the folder's best
        history.append((spent, best.reduced_additions))
    cfg_record = {"command": "additions", "format": list(fmt), "rank": rank, "config": asdict(config),
                  "starts": [s.provenance.source or s.name for s in starts]}

    def snapshot(new_best: bool, seconds: float):
        st = {"rounds": rounds, "seconds": round(seconds, 2), "best_additions": best.reduced_additions,
              "history": history, "pool": sorted(pool, key=lambda k: (pool[k][0], k)),
              "pool_scores": sorted(sc for sc, _ in pool.values()), "seen_this_call": len(seen)}
        folder.save(cfg_record, st, pool, best, new_best)

    snapshot(True, spent)
    table = config.table and config.cse == "closure" and max(fmt) <= 3
    sweep = [pool[k][1] for k in sorted(pool, key=lambda k: (pool[k][0], k))] if table and rounds == 0 else []
    bar = make_progress(progress, fmt, rank, config.budget)
    t0 = time.perf_counter()
    stop = Stop.TIME
    try:
        if not any(sc.is_ternary for _, sc in pool.values()):
            # No ternary variant can be made (sandwiches and flip walks keep {-1,0,1}): refine the
            # starts longer instead, cheapest first, and stop.
            stop = Stop.DONE
            for _, s in sorted(pool.values(), key=lambda t: t[0]):
                if time.perf_counter() - t0 >= config.budget:
                    stop = Stop.TIME
                    break
                rounds += 1
                cand = refine(s, 4 * config.refine_runs, config.seed + rounds, executor=executor,
                              workers=config.workers, cse=config.cse)
                if cand.reduced_additions < best.reduced_additions:
                    best = cand
                    history.append((round(spent + time.perf_counter() - t0, 1), best.reduced_additions))
                snapshot(cand is best, spent + time.perf_counter() - t0)
        while stop is Stop.TIME and time.perf_counter() - t0 < config.budget:
            rounds += 1
            rng = np.random.default_rng([config.seed, rounds, 18])
            elite = sorted(pool, key=lambda k: (pool[k][0], k))
            parents = [pool[elite[min(int(rng.exponential(2.0)), len(elite) - 1)]][1] for _ in range(config.workers)]
            if sweep:  # the first rounds take the starting elite in order, so each gets its table image
                parents, sweep = sweep[: config.workers], sweep[config.workers:]
            batches = _run(executor, variants_task,
                           [(par, int(rng.integers(2**31)), config) for par in parents])
            bar_line = min(min(sc for sc, _ in pool.values()), best.reduced_additions) + config.refine_slack
            promising = []
            for batch in batches:
                for key, score, v in batch:
                    if consider(key, score, v) and score <= bar_line:
                        promising.append((score, key, v))
            promising = sorted(promising, key=lambda t: t[:2])[: max(1, config.workers)]
            improved = False
            for cand in _run(executor, refine_task,
                             [(v, config.refine_runs, config.seed + rounds, config.cse) for _, _, v in promising]):
                if cand.reduced_additions < best.reduced_additions:
                    best, improved = cand, True
                    history.append((round(spent + time.perf_counter() - t0, 1), best.reduced_additions))
            snapshot(improved, spent + time.perf_counter() - t0)
            bar.set(time.perf_counter() - t0, postfix=f"round {rounds}, best {best.reduced_additions}, "
                                               f"pool {sorted(sc for sc, _ in pool.values())[:4]}")
    except KeyboardInterrupt:
        stop = Stop.INTERRUPTED
    finally:
        bar.close()
    spent += time.perf_counter() - t0
    snapshot(False, spent)
    return AdditionsResult(best, start_adds, rounds, len(seen), spent, tuple(history), folder.out, stop)


_TABLE_DONE: dict[str, bool] = {}  # parents whose table image this process made already


def _table_image(parent: Scheme) -> Scheme | None:
    """The parent's cheapest sandwich image (None if it was made before here, or is the parent)."""
    from discovery.circuits.sandwich_table import best_sandwich

    key = scheme_key(parent)
    if key in _TABLE_DONE:
        return None
    _TABLE_DONE[key] = True
    choice = best_sandwich(parent)
    return None if choice.scheme is parent else choice.scheme


def _plus_walks(parent: Scheme, count: int, seconds: float, rng: np.random.Generator) -> list[Scheme]:
    """Schemes of the parent's rank reached by the flip graph from ``count`` plus transitions of
    it (one walker each; every scheme returned is verified by the walk)."""
    from discovery.search.flips import flip_search

    ups = random_plus_transitions(parent, count, rng)
    if not ups:
        return []
    res = flip_search(*parent.format, start=ups, target_rank=parent.rank, time_limit=seconds,
                      walkers=len(ups), seed=int(rng.integers(2**31)))
    return [s for s in res.schemes if s.rank == parent.rank]


def _walk(parent: Scheme, seconds: float, seed: int) -> Scheme:
    """The cheapest scheme a fixed-rank flip walk from ``parent`` saw (the parent if none was cheaper)."""
    from discovery.search.flips import explore

    return explore(parent, time_limit=seconds, seed=seed).best.scheme
