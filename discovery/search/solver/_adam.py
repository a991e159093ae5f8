"""Strategy "adam": Adam on the exact tensor loss with an annealed ternary penalty.

K restarts minimise, each on its own slice,

    ||sum_t u_t⊗v_t⊗w_t - T||² + wd·||x||² + μ(s)·||x - round(clamp(x, -1, 1))||²

where the penalty weight μ(s) ramps geometrically from ``penalty_min`` to ``penalty_max``
over the last ``1 - penalty_start`` of the steps, pulling entries toward {-1, 0, 1}. The
good fits then go through the same progressive rounding with masked re-fits as "als"
(:func:`discovery.search.solver._als.round_progressively`). Kept as a measured alternative:
gradient steps converge far more slowly than ALS on these tensors (see the benchmark).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import torch

from discovery.search.solver._als import ALSParams, _unfoldings, round_progressively
from discovery.search.solver._batch import BatchOutcome, init_factors, past
from discovery.search.solver._loss import reconstruct, rounded_errors, tensor_loss


@dataclass(frozen=True)
class AdamParams:
    """Knobs of the "adam" strategy.

    Attributes:
        steps: Adam steps; lr: learning rate; init_scale: std of the initial entries.
        weight_decay: L2 weight (keeps fits away from diverging, degenerate solutions).
        penalty_start: fraction of the steps after which the ternary penalty is on.
        penalty_min, penalty_max: its weight, ramped geometrically to the end.
        rounding: selection and progressive-rounding settings (fields of :class:`ALSParams`
            used: select_residual, select_max_abs, rounds, refit_sweeps, pull, lam_end,
            drop_residual).
    """

    steps: int = 2000
    lr: float = 0.02
    init_scale: float = 0.5
    weight_decay: float = 1e-4
    penalty_start: float = 0.6
    penalty_min: float = 1e-4
    penalty_max: float = 1e-2
    rounding: ALSParams = field(default_factory=ALSParams)


def run_adam(T: torch.Tensor, r: int, seed: int, restarts, deadline: float | None,
             params: AdamParams = AdamParams()) -> BatchOutcome:
    """Run restarts ``restarts`` (indices) of the "adam" strategy together (see module doc)."""
    restarts = list(restarts)
    F = [x.clone().requires_grad_(True)
         for x in init_factors(*T.shape, r, seed, restarts, params.init_scale, T.dtype, T.device)]
    opt = torch.optim.Adam(F, lr=params.lr)
    start = int(params.penalty_start * params.steps)
    for step in range(params.steps):
        loss = (reconstruct(*F) - T).pow(2).sum() + params.weight_decay * sum(x.pow(2).sum() for x in F)
        if step >= start:
            frac = (step - start) / max(1, params.steps - start - 1)
            mu = params.penalty_min * (params.penalty_max / params.penalty_min) ** frac
            loss = loss + mu * sum((x - x.detach().clamp(-1, 1).round()).pow(2).sum() for x in F)
        opt.zero_grad()
        loss.backward()
        opt.step()
        if step % 50 == 0 and past(deadline):
            return BatchOutcome.unfinished(*F)
    F = [x.detach() for x in F]
    residual = tensor_loss(*F, T)
    rp = params.rounding
    biggest = torch.stack([x.abs().amax(dim=(1, 2)) for x in F]).amax(0)
    idx = torch.nonzero((residual < rp.select_residual) & (biggest < rp.select_max_abs)).flatten()
    rounded = round_progressively([x[idx] for x in F], _unfoldings(T), T, rp, rp.lam_end,
                                  lambda: past(deadline))
    if rounded is None:
        return BatchOutcome.unfinished(*F)
    G, ok = rounded
    for mode in range(3):
        F[mode] = F[mode].index_copy(0, idx[ok], G[mode])
    return BatchOutcome(*F, errors=rounded_errors(*F, T), residual=residual, completed=True)
