"""Hensel lifting: from a scheme valid modulo p (2 or 3) to an exact scheme over Z or Q.

Write the Brent equations as F(x) = T - sum_t u_t ⊗ v_t ⊗ w_t = 0 (see
:mod:`discovery.search.lift._system`). If F(x) ≡ 0 (mod p^k), then x + p^k d solves them
modulo p^(k+1) exactly when J d ≡ F(x) / p^k (mod p), J the Jacobian mod p: the same matrix at
every step. So J is eliminated once (packed, pivot rows only) and each step is one solve; the
residual of the corrected scheme says whether the step was consistent.

* Step 1 inconsistent: **no lift exists** (no scheme over Z, or over Q with denominators prime
  to p, reduces to the input). That is a proof, reported as ``no_lift``.
* A later step inconsistent: the corrections chosen so far cannot be continued, but others
  might. The search goes back a step and chooses another correction from the kernel of J
  (:mod:`discovery.search.lift._choose`: small coefficients first, then randomised), within a
  retry budget; only when that is spent does it report ``exhausted``.

Every step prefers the correction that keeps coefficients small (symmetric residues unchanged).
Once the residues' symmetric integers, or their rational reconstructions, are the same at two
consecutive steps, that guess is built and verified exactly; the first exact one is returned.
"""

from __future__ import annotations

import time
from dataclasses import replace
from fractions import Fraction
from typing import NamedTuple

import numpy as np

from discovery.core.scheme import Provenance, Ring, Scheme
from discovery.core.symmetry import SymmetryGroup
from discovery.core.verify import valid_rings, verify
from discovery.errors import DiscoveryError
from discovery.search.lift._choose import KernelChooser, particular
from discovery.search.lift._reconstruct import Candidates, symmetric
from discovery.search.lift._result import PRIMES, LiftConfig, LiftOutcome, LiftResult
from discovery.search.lift._symmetric import orbit_unknowns
from discovery.search.lift._system import PRECISION, BrentSystem


def lift(s: Scheme, config: LiftConfig | None = None, **settings) -> LiftResult:
    """Lift ``s`` (exact modulo 2 or 3) to an exact scheme over Z or Q, verified exactly.

    Args:
        s: the scheme; integer coefficients valid modulo p (or already exact, then returned
            unchanged with ``outcome="already_exact"``).
        config: a :class:`LiftConfig`, or its fields as keyword arguments
            (``lift(s, ring="Z3", seed=1)``).

    Returns a :class:`LiftResult`; ``ok`` is True only for a scheme that
    :func:`discovery.core.verify.verify` accepts over Q. Raises
    :class:`~discovery.errors.DiscoveryError` for input that is not valid modulo p.
    """
    t0 = time.perf_counter()
    if config is None:
        config = LiftConfig(**settings)
    elif settings:
        raise DiscoveryError("give either a LiftConfig or its settings as keywords, not both")
    exact = verify(s, "Q").ok
    if exact:
        ring = valid_rings(s)[0]
        return LiftResult(config, True, s.with_ring(ring), ring, None, LiftOutcome.EXACT, None, 0, None, 0, 0,
                          0, 0, 0, 0, 0, 0.0, time.perf_counter() - t0,
                          f"already exact over {ring}: returned unchanged (nothing to lift)")
    if not s.is_integral:
        raise DiscoveryError(f"{s.name} has fractional coefficients and is not exact; lifting starts from "
                             "a scheme with integer coefficients valid modulo 2 or 3")
    ring = _ring_to_lift(s, config.ring)
    p = PRIMES[ring]
    top = PRECISION[p] - 1
    max_steps = top if config.max_steps is None else config.max_steps
    if max_steps > top:
        raise DiscoveryError(f"max_steps must be at most {top} for a lift modulo {p}, got {max_steps}")
    tried = []  # symmetric lifts that found nothing: (group, unknowns, outcome)
    if p == 2 and config.symmetry == "auto":
        for group in SymmetryGroup.FULL, SymmetryGroup.CYCLIC:  # the larger group first
            orbits = orbit_unknowns(s, group)
            if orbits is None:
                continue
            res = _Search(s, p, max_steps, config, t0, *orbits).run()
            if res.ok:
                return res
            tried.append(f"{group} ({res.unknowns} unknowns) ended {res.outcome}")
    if tried:
        full = _Search(s, p, max_steps, config, t0).run()
        return replace(full, message=f"symmetric lifts {'; '.join(tried)}; without symmetry: {full.message}")
    return _Search(s, p, max_steps, config, t0).run()


def _ring_to_lift(s: Scheme, asked: Ring | None) -> Ring:
    if asked is not None:
        rep = verify(s, asked)
        if not rep.ok:  # bad input (exit 2), not a failed lift: check the ring or the file
            raise DiscoveryError(f"the scheme is not valid modulo {PRIMES[asked]}, so there is nothing to "
                                 f"lift (check --ring or the file): {rep.summary(2)}")
        return asked
    if s.ring in PRIMES and verify(s, s.ring).ok:
        return s.ring
    for ring in PRIMES:
        if verify(s, ring).ok:
            return ring
    raise DiscoveryError(f"the scheme is not valid modulo 2 or 3, so there is nothing to lift (check the "
                         f"file): {verify(s, 'Z2').summary(2)}")


class _Level:
    """One precision reached: x valid modulo p^k, its residual, its guesses, tries so far."""

    def __init__(self, x: np.ndarray, F: np.ndarray, cand: Candidates, skipped: int):
        self.x, self.F, self.cand, self.skipped, self.tries = x, F, cand, skipped, 0
        self.checked = False  # its stable guesses were verified already


class _Attempt(NamedTuple):
    outcome: LiftOutcome
    scheme: Scheme | None
    steps: int
    failed: int | None
    skipped: int


def size_key(s: Scheme) -> tuple:
    """How small a scheme's coefficients are, for choosing between lifts: ternary before integer
    before rational, then the largest |numerator| or denominator, then their sum."""
    heights = [max(abs(Fraction(x).numerator), Fraction(x).denominator) if x else 0
               for a in s.factors() for x in a.ravel()]
    return (0 if s.is_ternary else 1 if s.is_integral else 2, max(heights), sum(heights))


class _Search:
    def __init__(self, s: Scheme, p: int, max_steps: int, config: LiftConfig, t0: float,
                 expansion: np.ndarray | None = None, group: SymmetryGroup | None = None):
        self.s, self.p, self.max_steps, self.config, self.t0 = s, p, max_steps, config, t0
        self.group = group
        start = time.perf_counter()
        self.system = BrentSystem(s.format, s.factors(), p, expansion)
        self.jacobian_s = time.perf_counter() - start
        self.chooser: KernelChooser | None = None  # built at the first step that has freedom
        self.retries = self.solves = self.attempts = 0
        self.prov = Provenance.now(f"hensel-lift-{p}",
                                   note=f"lifted from {s.provenance.source or s.name} (mod {p})")

    def run(self) -> LiftResult:
        best: _Attempt | None = None
        last = None
        for attempt in range(self.config.attempts):
            out = last = self._attempt(attempt)
            if out.outcome in (LiftOutcome.NO_LIFT, LiftOutcome.TIME):
                break
            if out.scheme is not None and (best is None or size_key(out.scheme) < size_key(best.scheme)):
                best = out
                if out.scheme.is_ternary:
                    break
        return self._result(best or last)

    def _out_of_time(self) -> bool:
        return self.config.time_limit is not None and time.perf_counter() - self.t0 > self.config.time_limit

    def _attempt(self, attempt: int) -> _Attempt:
        """One depth-first lift: attempt 0 starts deterministic, later ones randomised."""
        sy, p = self.system, self.p
        self.attempts += 1
        levels = [_Level(sy.x0, sy.residual(sy.x0), Candidates.of(sy.x0, p, 1), 0)]
        deepest, failed, retries = 1, None, 0
        while True:
            k = len(levels)
            cur = levels[-1]
            if k >= 2 and not cur.checked:
                cur.checked = True
                found = self._exact_guess(cur, levels[-2])
                if found is not None:
                    return _Attempt(LiftOutcome.LIFTED, found, k - 1, None, sum(lv.skipped for lv in levels))
            if k > self.max_steps:
                return _Attempt(LiftOutcome.PRECISION, None, k - 1, None, 0)
            if self._out_of_time():
                return _Attempt(LiftOutcome.TIME, None, deepest - 1, failed, 0)
            x, skipped = self._step(cur, k, attempt)
            F = sy.residual(x)
            if sy.vanishes(F, k + 1):
                levels.append(_Level(x, F, Candidates.of(x, p, k + 1), skipped))
                deepest = max(deepest, k + 1)
                continue
            failed = k
            if k == 1:
                return _Attempt(LiftOutcome.NO_LIFT, None, 0, 1, 0)
            levels.pop()  # x_k cannot be continued: choose another correction at step k - 1
            while levels[-1].tries >= self.config.retries_per_step and len(levels) > 1:
                levels.pop()
            if retries >= self.config.retries or levels[-1].tries >= self.config.retries_per_step:
                return _Attempt(LiftOutcome.EXHAUSTED, None, deepest - 1, failed, 0)
            retries += 1
            self.retries += 1

    def _step(self, cur: _Level, k: int, attempt: int) -> tuple[np.ndarray, int]:
        """x + p^k d for the chosen correction d of step k (and the constraints skipped)."""
        sy, p = self.system, self.p
        d0 = particular(sy.echelon, sy.digit(cur.F, k))
        self.solves += 1
        q = p**k
        rng = None
        if attempt or cur.tries:
            rng = np.random.default_rng([self.config.seed, attempt, k, cur.tries])
        cur.tries += 1
        if rng is None and self.config.choice == "plain":
            d, skipped = d0, 0
        else:
            if self.chooser is None:
                self.chooser = KernelChooser(sy.echelon)
            s = symmetric(cur.x, q)
            keep = np.where(s < 0, p - 1, 0).astype(np.uint8)
            d, skipped = self.chooser.choose(d0, keep, np.abs(s), rng)
        return cur.x + d.astype(np.uint64) * np.uint64(q), skipped

    def _exact_guess(self, cur: _Level, prev: _Level) -> Scheme | None:
        for guess in cur.cand.stable_since(prev.cand):
            full = self.system.expand(np.asarray(guess, dtype=object))
            t = Scheme.from_rows(*self.s.format, *self.system.split(full), provenance=self.prov)
            if verify(t, "Q").ok:
                return t
        return None

    def _result(self, out: _Attempt) -> LiftResult:
        sy, p = self.system, self.p
        outcome, scheme, steps, failed = out.outcome, out.scheme, out.steps, out.failed
        ring = None
        if scheme is not None:
            ring = Ring.ZT if scheme.is_ternary else (Ring.Z if scheme.is_integral else Ring.Q)
            scheme = scheme.with_ring(ring)
            outcome = LiftOutcome.LIFTED
        retry_hint = "raise retries or attempts, or change the seed"
        message = {
            LiftOutcome.LIFTED: f"lifted to an exact scheme over {ring} after {steps} step(s) "
                                f"(modulo {p}^{steps + 1})",
            LiftOutcome.NO_LIFT: f"step 1 failed: no lift exists: no scheme over Z or Q (denominators prime "
                                 f"to {p}) reduces to this one modulo {p}, since the equations modulo {p * p} "
                                 "have no solution",
            LiftOutcome.EXHAUSTED: f"step {failed} failed: the corrections tried cannot be continued modulo "
                                   f"{p}^{(failed or 0) + 1} ({self.retries} retries in {self.attempts} "
                                   f"attempt(s), the budget); a lift may still exist ({retry_hint})",
            LiftOutcome.PRECISION: f"lifted modulo {p}^{steps + 1}, but no small rational scheme matches it",
            LiftOutcome.TIME: f"time limit reached after {self.solves} step(s) tried (deepest modulo "
                              f"{p}^{steps + 1})",
        }[outcome]
        return LiftResult(self.config, scheme is not None, scheme, ring, p, outcome, self.group, steps, failed,
                          self.attempts, self.retries, self.solves, out.skipped, sy.rank, sy.unknowns,
                          sy.equations, self.jacobian_s, time.perf_counter() - self.t0, message)
