"""What a lift is asked to do (:class:`LiftConfig`) and what came of it (:class:`LiftResult`)."""

from __future__ import annotations

from dataclasses import dataclass

from discovery._enum import ValueEnum
from discovery.core.scheme import Ring, Scheme
from discovery.errors import DiscoveryError
from discovery.search.summary import Stop, Summary

PRIMES = {Ring.Z2: 2, Ring.Z3: 3}
CHOICES = ("small", "plain")


class LiftOutcome(ValueEnum):
    """What came of a lift, finer than its :class:`~discovery.search.summary.Stop`.

    * ``lifted`` (stop ``done``): an exact scheme over ZT, Z or Q was found (verified exactly).
    * ``already_exact`` (``done``): the input is exact over Q already; it is returned unchanged.
    * ``no_lift`` (``infeasible``): the first step is inconsistent: **no** scheme over Z or Q
      whose denominators are prime to p reduces to the input modulo p (a proof).
    * ``exhausted`` (``stuck``): a later step was inconsistent for every correction tried (the
      retry budget is spent); a lift may still exist.
    * ``precision`` (``budget``): every step was consistent up to ``max_steps``, but no small
      rational scheme matched the residues.
    * ``time`` (``time``): the time limit was reached first.
    """

    LIFTED = "lifted"
    EXACT = "already_exact"
    NO_LIFT = "no_lift"
    EXHAUSTED = "exhausted"
    PRECISION = "precision"
    TIME = "time"

    @property
    def stop(self) -> Stop:
        """The run-summary stop reason of this outcome."""
        return _STOPS[self]


_STOPS = {LiftOutcome.LIFTED: Stop.DONE, LiftOutcome.EXACT: Stop.DONE, LiftOutcome.NO_LIFT: Stop.INFEASIBLE,
          LiftOutcome.EXHAUSTED: Stop.STUCK, LiftOutcome.PRECISION: Stop.BUDGET, LiftOutcome.TIME: Stop.TIME}


@dataclass(frozen=True)
class LiftConfig:
    """Settings of :func:`~discovery.search.lift.lift`.

    Attributes:
        ring: "Z2" or "Z3", the ring the input is valid over (None: the ring it declares, else
            Z2 if it is valid modulo 2, else Z3).
        max_steps: Hensel steps at most (None: as many as the residues hold: 62 for p = 2, 19
            for p = 3).
        retries: how many times in one attempt a step may be redone with another correction after a
            later step was inconsistent (backtracking), before the lift reports ``exhausted``.
        retries_per_step: how many corrections one step may try before the search goes back
            one step further.
        attempts: independent lifts at most; the first is deterministic, the others randomise
            the corrections from step 1 on. The smallest exact scheme is kept (see
            ``size_key``); a ternary one ends the search at once.
        choice: how a step picks its correction among all solutions: "small" (keep as many
            coefficients unchanged as the equations allow; see
            :mod:`discovery.search.lift._choose`) or "plain" (the textbook step: free unknowns
            keep their value; retries are randomised "small" choices either way).
        symmetry: "auto": a scheme invariant modulo 2 under the cyclic group of <n,n,n> (or
            cyclic × transpose) is lifted with unknowns for its orbit representatives only, so
            the lift stays invariant; if that finds nothing, the plain lift runs. "none": always
            the plain lift. (Modulo 3 the lift is always plain.)
        seed: seed of the randomised choices (the first try of each step of attempt 0 is
            deterministic).
        time_limit: seconds (None: no limit).
    """

    ring: str | None = None
    max_steps: int | None = None
    retries: int = 64
    retries_per_step: int = 8
    attempts: int = 4
    choice: str = "small"
    symmetry: str = "auto"
    seed: int = 0
    time_limit: float | None = None

    def __post_init__(self):
        if self.ring is not None:
            ring = Ring.parse(self.ring)
            if ring not in PRIMES:
                raise DiscoveryError(f"lifting starts from a scheme modulo a prime: ring Z2 or Z3, not {ring}")
            object.__setattr__(self, "ring", ring)
        for name, least in (("retries", 0), ("retries_per_step", 1), ("attempts", 1), ("seed", 0)):
            value = getattr(self, name)
            if not isinstance(value, int) or isinstance(value, bool) or value < least:
                raise DiscoveryError(f"{name} must be an integer of at least {least}, got {value!r}")
        if self.symmetry not in ("auto", "none"):
            raise DiscoveryError(f"symmetry must be 'auto' or 'none', got {self.symmetry!r}")
        if self.choice not in CHOICES:
            raise DiscoveryError(f"unknown choice {self.choice!r}; use one of {', '.join(CHOICES)}")
        if self.max_steps is not None and (not isinstance(self.max_steps, int) or self.max_steps < 1):
            raise DiscoveryError(f"max_steps must be a positive integer, got {self.max_steps!r}")
        if self.time_limit is not None and not self.time_limit > 0:
            raise DiscoveryError(f"time_limit must be a positive number of seconds, got {self.time_limit!r}")


@dataclass(frozen=True)
class LiftResult(Summary):
    """The outcome of a lift, in the run-summary vocabulary (:mod:`discovery.search.summary`).

    Attributes:
        config: the settings it ran with.
        ok: True iff ``scheme`` is exact (found by lifting, or given exact).
        scheme: the exact scheme (verified over ``ring``), else None.
        ring: where ``scheme`` lives: "ZT", "Z" or "Q" (None when not ok).
        prime: the p of the p-adic lift (2 or 3; None when the input was already exact).
        outcome: what came of it (:class:`LiftOutcome`); ``stop`` is its run-summary reason.
        symmetry: the group ("cyclic" or "full") the lift kept: the scheme was lifted with one
            unknown per entry of an orbit representative, so it is invariant; None otherwise.
        steps: Hensel steps behind ``scheme`` (it is the lift modulo p^(steps+1)); for a failed
            lift, the deepest precision reached, as steps.
        failed_step: the step whose linear system had no solution (1: the proof that no lift
            exists); for ``exhausted``, the step that failed last. None otherwise.
        attempts: independent lifts run (see :attr:`LiftConfig.attempts`).
        retries: steps redone with another correction (backtracking), over all attempts.
        solves: linear solves done (one per step tried).
        skipped_constraints: "keep this coefficient" wishes the equations overruled, summed
            over the steps of the returned lift.
        jacobian_rank, unknowns, equations: of the Jacobian mod p of the lift that gave the
            result (``kernel_dim`` = unknowns - rank: the freedom each step has; fewer unknowns
            for a symmetric lift).
        jacobian_s: seconds spent building and eliminating the Jacobian (once per lift).
        elapsed_s: wall-clock seconds of the whole lift.
        message: one line saying what happened.
    """

    config: LiftConfig
    ok: bool
    scheme: Scheme | None
    ring: Ring | None
    prime: int | None
    outcome: LiftOutcome
    symmetry: str | None
    steps: int
    failed_step: int | None
    attempts: int
    retries: int
    solves: int
    skipped_constraints: int
    jacobian_rank: int
    unknowns: int
    equations: int
    jacobian_s: float
    elapsed_s: float
    message: str

    @property
    def stop(self) -> Stop:
        return self.outcome.stop

    @property
    def kernel_dim(self) -> int:
        return self.unknowns - self.jacobian_rank

    def json_extra(self) -> dict:
        return {"stop": self.stop, "kernel_dim": self.kernel_dim}
