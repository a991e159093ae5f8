"""Strategy "sgd": the StrassenNets SPN trained only on sampled products, landing on exact schemes.

K restarts of ``c = W_c[(W_b b) ⊙ (W_a a)]`` learn from examples (A, B, AB) drawn by
:class:`~discovery.search.solver._samples.ProductSampler`; the trainer never reads the target tensor.

1. fit: ``steps`` updates on batches of products, by Adam on the mean squared error (with
   weight decay, a learning rate decaying geometrically from ``lr`` to ``lr_end`` and, after
   ``penalty_start`` of the steps, an annealed ternary penalty ``μ·||x - round(clamp(x))||²``)
   or by Elser's conservative rule (a minimum-norm projection onto each batch's constraints,
   followed by a relaxed pull of ``μ`` toward the nearest ternary point). At ``cull_at`` of
   the fit, restarts whose loss on held-out products exceeds ``cull_loss`` leave the tensor.
2. round, one of
   * ``progressive``: ``rounds`` times fix the free entries nearest to {-1, 0, 1} (a growing
     share of all entries) and re-fit the free ones on fresh products (``refit_steps``
     updates with a pull toward their rounded values); restarts whose held-out loss exceeds
     ``drop_loss`` leave;
   * ``nearest``: round everything at once;
   * ``twn``: the paper's phases 2 and 3 (ternary forward pass with TWN, 0.7·mean|W| and one
     scale per matrix, straight-through gradients; then the patterns frozen and a scale per
     product fine-tuned), then rounding.
3. check: the rounded network is run on held-out products of small integer matrices; a
   restart with no wrong output is a candidate, and only exact verification in the store
   makes it a result.

:meth:`SGDParams.paper` is the faithful paper recipe expressed in these knobs (the start of
the ablation in ``experiments/spn_ablation.py``).
"""

from __future__ import annotations

import math
import numbers
from dataclasses import dataclass, fields, replace

import torch

from discovery.search.solver._batch import BatchOutcome, init_factors, past
from discovery.search.solver._config import SolverConfigError
from discovery.search.solver._samples import ProductSampler, conservative_step, sample_grads, sample_loss
from discovery.spn.quant import ternarize_twn

RULES = ("adam", "conservative")
ROUNDINGS = ("progressive", "nearest", "twn")


@dataclass(frozen=True)
class SGDParams:
    """Knobs of the "sgd" strategy (defaults measured with experiments/spn_ablation.py).

    Attributes:
        rule: "adam" (gradient steps) or "conservative" (Elser's rule).
        steps: fit updates; batch: products per update (fresh ones each update unless
            ``pool`` is set: then a fixed training set of ``pool`` products).
        lr, lr_end: Adam learning rate, decayed geometrically from lr to lr_end.
        relax: fraction of the conservative rule's projection taken per update.
        init_scale: std of the Gaussian initial weights.
        weight_decay: L2 weight (keeps fits bounded, away from border-rank solutions).
        penalty_start, penalty_min, penalty_max: the ternary penalty's weight ramps
            geometrically from min to max over the last 1 - penalty_start of the fit
            (penalty_max = 0: off).
        cull_at, cull_loss: at this fraction of the fit, restarts with a held-out loss above
            cull_loss stop (cull_at = None: never).
        rounding: "progressive", "nearest" or "twn" (see the module doc).
        rounds, refit_steps, refit_lr, pull, drop_loss: progressive rounding.
        twn_steps, frozen_steps, twn_factor: the paper's phases 2 and 3 (rounding "twn").
        check_products: held-out integer products a candidate must reproduce exactly.
    """

    rule: str = "adam"
    steps: int = 2000
    batch: int = 32
    pool: int | None = None
    lr: float = 0.03
    lr_end: float = 0.003
    relax: float = 0.5
    init_scale: float = 0.5
    weight_decay: float = 1e-4
    penalty_start: float = 0.5
    penalty_min: float = 1e-4
    penalty_max: float = 1e-2
    cull_at: float | None = 0.5
    cull_loss: float = 0.5
    rounding: str = "progressive"
    rounds: int = 12
    refit_steps: int = 100
    refit_lr: float = 0.01
    pull: float = 1e-2
    drop_loss: float = 0.05
    sparsify_steps: int = 400
    sparsify: float = 0.03
    sparsify_eps: float = 0.1
    twn_steps: int = 2000
    frozen_steps: int = 300
    twn_factor: float = 0.7
    check_products: int = 8

    def __post_init__(self):
        for f in fields(self):
            x = getattr(self, f.name)
            if f.name in ("rule", "rounding"):
                allowed = RULES if f.name == "rule" else ROUNDINGS
                if x not in allowed:
                    raise SolverConfigError(f"sgd {f.name} must be one of {', '.join(allowed)}, got {x!r}")
                continue
            if x is None and f.name in ("pool", "cull_at"):
                continue
            if isinstance(x, bool) or not isinstance(x, numbers.Real) or not math.isfinite(x):
                raise SolverConfigError(f"sgd parameter {f.name} must be a finite number, got {x!r}")
            if f.name in ("steps", "batch", "pool", "rounds", "check_products"):
                if not isinstance(x, numbers.Integral) or x < 1:
                    raise SolverConfigError(f"sgd parameter {f.name} must be a positive integer, got {x!r}")
            elif f.name in ("refit_steps", "twn_steps", "frozen_steps", "sparsify_steps"):
                if not isinstance(x, numbers.Integral) or x < 0:
                    raise SolverConfigError(f"sgd parameter {f.name} must be an integer >= 0, got {x!r}")
            elif f.name in ("lr", "lr_end", "relax", "refit_lr", "init_scale", "cull_loss", "drop_loss",
                            "sparsify_eps"):
                if x <= 0:
                    raise SolverConfigError(f"sgd parameter {f.name} must be > 0, got {x!r}")
            elif x < 0:
                raise SolverConfigError(f"sgd parameter {f.name} must be >= 0, got {x!r}")
        for name in ("penalty_start", "cull_at"):
            x = getattr(self, name)
            if x is not None and x > 1:
                raise SolverConfigError(f"sgd parameter {name} is a fraction of the fit, in [0, 1]; got {x!r}")

    @classmethod
    def paper(cls) -> "SGDParams":
        """The StrassenNets recipe: Adam at a constant lr 0.01 on 128 fresh products per step,
        no decay or penalty, no culling, 1500 full-precision steps, then TWN phases 2 and 3."""
        return cls(rule="adam", steps=1500, batch=128, lr=0.01, lr_end=0.01, weight_decay=0.0,
                   penalty_max=0.0, cull_at=None, rounding="twn", twn_steps=1500, frozen_steps=300)

    def samples_per_restart(self) -> int:
        """Products drawn for a restart that runs the whole schedule (held-out checks excluded)."""
        fit = self.pool if self.pool is not None else self.steps * self.batch
        if self.rounding == "progressive":
            fit += (self.rounds - 1) * self.refit_steps * self.batch if self.pool is None else 0
        elif self.rounding == "twn" and self.pool is None:
            fit += (self.twn_steps + self.frozen_steps) * self.batch
        return fit

    def with_(self, **changes) -> "SGDParams":
        return replace(self, **changes)


def sgd_params_for(n: int, m: int, p: int) -> SGDParams:
    """Defaults by size: larger formats need longer fits (measured, see benchmarks/discover.py)."""
    if n * m * p <= 12:
        return SGDParams()
    # <3,3,3> r23: fits reach ~1e-3 only with long runs at a low final lr; measured 1 of 16
    # restarts verified (20000 steps) where 8000 steps gave none
    return SGDParams(steps=20000, batch=128, lr=0.02, lr_end=3e-4, penalty_max=1e-3, cull_at=0.3,
                     cull_loss=1.0, rounds=30, refit_steps=400, sparsify_steps=1000)


class _Adam:
    """Adam on a list of batched tensors whose state can follow restarts leaving (``keep``)."""

    def __init__(self, like, b1=0.9, b2=0.999, eps=1e-8):
        self.m = [torch.zeros_like(x) for x in like]
        self.v = [torch.zeros_like(x) for x in like]
        self.t, self.b1, self.b2, self.eps = 0, b1, b2, eps

    def step(self, F, grads, lr: float):
        self.t += 1
        c1, c2 = 1 - self.b1 ** self.t, 1 - self.b2 ** self.t
        for i, g in enumerate(grads):
            self.m[i].mul_(self.b1).add_(g, alpha=1 - self.b1)
            self.v[i].mul_(self.b2).addcmul_(g, g, value=1 - self.b2)
            F[i] = F[i] - lr * (self.m[i] / c1) / ((self.v[i] / c2).sqrt() + self.eps)

    def keep(self, ok):
        self.m = [x[ok] for x in self.m]
        self.v = [x[ok] for x in self.v]


def _ternary_gap(x):
    return x - x.clamp(-1, 1).round()


def run_sgd(fmt: tuple[int, int, int], r: int, seed: int, restarts, deadline: float | None,
            params: SGDParams = SGDParams(), device="cpu", dtype=torch.float64) -> BatchOutcome:
    """Run restarts ``restarts`` (indices) of the "sgd" strategy together (see module doc).

    The products of a batch come from the generators of its first restart (streams 5, 6), so
    a restart's trajectory depends on the batch it ran in (its initial point does not).

    Returns a :class:`BatchOutcome` whose ``residual`` is the held-out sample loss after the
    fit (an unbiased estimate of ``||Σ u⊗v⊗w − T||²``) and whose ``errors`` counts the wrong
    outputs of the rounded network on held-out integer products (0: candidate).
    """
    n, m, p = fmt
    restarts = list(restarts)
    K = len(restarts)
    sizes = (n * m, m * p, p * n)
    F = list(init_factors(*sizes, r, seed, restarts, params.init_scale, dtype, device))
    data = ProductSampler(fmt, seed, restarts[0], 5, params.pool, dtype, device)
    held = ProductSampler(fmt, seed, restarts[0], 6, None, dtype, device)
    residual = torch.full((K,), math.inf, dtype=dtype, device=device)
    alive = torch.arange(K, device=device)
    G = [x.clone() for x in F]
    free = [torch.ones_like(x, dtype=torch.bool) for x in G]

    # phase 1: fit
    adam = _Adam(G)
    start = int(params.penalty_start * params.steps)
    cull = None if params.cull_at is None else int(params.cull_at * params.steps)
    for step in range(params.steps):
        frac = step / max(1, params.steps - 1)
        mu = 0.0
        if params.penalty_max > 0 and step >= start:
            f = (step - start) / max(1, params.steps - start - 1)
            mu = params.penalty_min * (params.penalty_max / params.penalty_min) ** f
        a, b, c = data.batch(params.batch)
        if params.rule == "adam":
            _, grads = sample_grads(*G, a, b, c)
            grads = [g + 2 * params.weight_decay * x + 2 * mu * _ternary_gap(x) for g, x in zip(grads, G)]
            adam.step(G, grads, params.lr * (params.lr_end / params.lr) ** frac)
        else:
            conservative_step(G, free, a, b, c, relax=params.relax)
            G = [x * (1 - params.weight_decay) - mu * _ternary_gap(x) for x in G]
        if step == cull and step > 0:
            res = sample_loss(*G, *held.batch(256))
            residual[alive] = res
            ok = res < params.cull_loss
            G, alive, free = _keep(F, G, alive, free, ok)
            adam.keep(ok)
            if not alive.numel():
                break
        if step % 25 == 0 and past(deadline):
            return BatchOutcome.unfinished(*F, residual)
    _write_back(F, G, alive)
    if alive.numel():
        residual[alive] = sample_loss(*G, *held.batch(256))

    # phase 2: round
    if alive.numel():
        if params.rounding == "progressive":
            out = _round_progressively(G, free, alive, F, data, held, params, deadline)
            if out is None:
                return BatchOutcome.unfinished(*F, residual)
            G, alive = out
        elif params.rounding == "twn":
            G = _twn_phases(G, data, params, deadline)
            if G is None:
                return BatchOutcome.unfinished(*F, residual)
        G = [x.clamp(-1, 1).round() for x in G]
        _write_back(F, G, alive)
    # phase 3: check the rounded network on held-out integer products
    F = [x.clamp(-1, 1).round() for x in F]
    a, b, c = held.integer(params.check_products)
    pred = ((a @ F[0]) * (b @ F[1])) @ F[2].transpose(1, 2)
    errors = (pred != c).sum(dim=(1, 2))
    rounded_alive = torch.zeros(K, dtype=torch.bool, device=device)
    rounded_alive[alive] = True
    errors = torch.where(rounded_alive, errors, errors.clamp(min=1))  # culled restarts never count
    return BatchOutcome(*F, errors=errors, residual=residual, completed=True)


def _round_progressively(G, free, alive, F, data, held, params: SGDParams, deadline):
    """Progressive rounding with re-fits on fresh products; returns (G, alive) or None (late)."""
    from discovery.search.solver._als import _fix_round

    total = sum(x.shape[1] * x.shape[2] for x in G)
    adam = _Adam(G)
    for _ in range(params.sparsify_steps if params.sparsify > 0 else 0):
        # re-weighted ridge ~ L1: moves the fit along its family of solutions toward a sparse point
        a, b, c = data.batch(params.batch)
        _, grads = sample_grads(*G, a, b, c)
        grads = [g + 2 * params.sparsify * x / (x.detach().abs() + params.sparsify_eps) for g, x in zip(grads, G)]
        adam.step(G, grads, params.refit_lr)
    for k in range(params.rounds):
        _fix_round(G, free, math.ceil(total * (k + 1) / params.rounds))
        if k + 1 == params.rounds:
            break
        adam = _Adam(G)
        for _ in range(params.refit_steps):
            a, b, c = data.batch(params.batch)
            if params.rule == "adam":
                _, grads = sample_grads(*G, a, b, c)
                grads = [(g + 2 * params.pull * _ternary_gap(x)) * fr for g, x, fr in zip(grads, G, free)]
                adam.step(G, grads, params.refit_lr)
            else:
                conservative_step(G, free, a, b, c, relax=params.relax)
                G = [x - params.pull * fr * _ternary_gap(x) for x, fr in zip(G, free)]
        ok = sample_loss(*G, *held.batch(256)) < params.drop_loss
        if not bool(ok.all()):
            G, alive, free = _keep(F, G, alive, free, ok)
            if not alive.numel():
                break
        if past(deadline):
            return None
    return G, alive


def _twn_phases(G, data, params: SGDParams, deadline):
    """The paper's phases 2 and 3 on the fitted factors (analytic gradients, STE through TWN)."""
    latent = list(G)
    adam = _Adam(latent)

    def quantized(xs):
        return [t * s for t, s in (ternarize_twn(x, params.twn_factor, dim=(1, 2)) for x in xs)]

    for step in range(params.twn_steps):
        a, b, c = data.batch(params.batch)
        _, grads = sample_grads(*quantized(latent), a, b, c)  # straight through: dQ applied to latent
        adam.step(latent, grads, params.lr)
        if step % 25 == 0 and past(deadline):
            return None
    Q = quantized(latent)
    # phase 3: patterns fixed, one scale per product (alpha) trained, at lr / 10
    alpha = torch.ones(Q[0].shape[0], 1, Q[0].shape[2], dtype=Q[0].dtype, device=Q[0].device)
    adam = _Adam([alpha])
    for step in range(params.frozen_steps):
        a, b, c = data.batch(params.batch)
        _, (_, _, dW) = sample_grads(Q[0], Q[1], Q[2] * alpha, a, b, c)
        box = [alpha]
        adam.step(box, [(dW * Q[2]).sum(1, keepdim=True)], params.lr / 10)
        alpha = box[0]
        if step % 25 == 0 and past(deadline):
            return None
    return [Q[0], Q[1], Q[2] * alpha]


def _write_back(F, G, alive) -> None:
    for mode in range(3):
        F[mode] = F[mode].index_copy(0, alive, G[mode])


def _keep(F, G, alive, free, ok):
    """Drop restarts where ``ok`` is False, saving their state into F first."""
    _write_back(F, G, alive)
    return [x[ok] for x in G], alive[ok], [f[ok] for f in free]
