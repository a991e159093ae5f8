"""Strategy "paper": the StrassenNets method, K restarts trained together.

Train :class:`discovery.search.solver._spn.MatMulSPN` on batches of random Gaussian products (A, B) ->
vec((AB)ᵀ) with Adam and the mean squared error, in the paper's three phases:

1. FULL: full-precision W_a, W_b, W_c;
2. TERNARY: ternary forward pass (TWN, 0.7·mean|W|, one scale per matrix; or a fixed
   threshold), straight-through gradients into the latent full-precision weights;
3. FROZEN: ternary patterns fixed, the per-product scales alpha fine-tuned.

The candidate of a restart is its ternary pattern with each product's scale rounded to
{-1, 0, 1}; only exact verification makes it a result. This is the baseline: it is
faithful to the paper, not tuned for success.
"""

from __future__ import annotations

from dataclasses import dataclass

import torch

from discovery.search.solver._batch import BatchOutcome, init_factors, past, restart_generator
from discovery.search.solver._loss import random_products, rounded_errors, tensor_loss
from discovery.search.solver._spn import MatMulSPN
from discovery.spn.quant import QuantMode, Ternarizer


@dataclass(frozen=True)
class PaperParams:
    """Knobs of the "paper" strategy.

    Attributes:
        steps_full, steps_ternary, steps_frozen: Adam steps of phases 1, 2, 3.
        lr: Adam learning rate (phase 3 uses lr/10).
        batch: random products per step.
        ternarizer: TWN (relative threshold 0.7·mean|W|) or FIXED (a threshold); on the
            command line ``--param ternarizer=fixed:0.05``.
        init_scale: std of the Gaussian initial weights.
    """

    steps_full: int = 1500
    steps_ternary: int = 1500
    steps_frozen: int = 300
    lr: float = 1e-2
    batch: int = 128
    ternarizer: Ternarizer = Ternarizer()
    init_scale: float = 0.5


def run_paper(fmt: tuple[int, int, int], T: torch.Tensor, r: int, seed: int, restarts,
              deadline: float | None, params: PaperParams = PaperParams()) -> BatchOutcome:
    """Run restarts ``restarts`` (indices) of the paper's method together (see module doc).

    The random products of a batch come from the generator of its first restart, so a
    restart's trajectory depends on the batch it ran in (the init does not).
    """
    n, m, p = fmt
    restarts = list(restarts)
    init = init_factors(*T.shape, r, seed, restarts, params.init_scale, T.dtype, T.device)
    spn = MatMulSPN(n, m, p, r, len(restarts), init=init, ternarizer=params.ternarizer).to(T.device)
    data_gen = restart_generator(seed, restarts[0])
    phases = ((QuantMode.FULL, params.steps_full, params.lr),
              (QuantMode.TERNARY, params.steps_ternary, params.lr),
              (QuantMode.FROZEN, params.steps_frozen, params.lr / 10))
    residual = None
    for mode, steps, lr in phases:
        if mode is QuantMode.TERNARY:
            residual = tensor_loss(*spn.factors(), T)  # how close the full-precision fit came
        spn.set_mode(mode)
        opt = torch.optim.Adam([q for q in spn.parameters() if q.requires_grad], lr=lr)
        for step in range(steps):
            a, b, c = random_products(n, m, p, params.batch, data_gen, T.dtype, T.device)
            loss = (spn(a, b) - c).pow(2).sum(-1).mean(-1).sum()
            opt.zero_grad()
            loss.backward()
            opt.step()
            if step % 50 == 0 and past(deadline):
                return BatchOutcome.unfinished(*spn.factors())
    U, V, W = spn.factors()
    errors = rounded_errors(U, V, W, T)
    return BatchOutcome(U, V, W, errors=errors, residual=residual, completed=True)
