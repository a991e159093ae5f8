"""Training: distillation loss, a small model-agnostic trainer, and the three SPN phases.

Phases (StrassenNets Sec. 4): (1) full-precision SPN, (2) ternary W_b, W_c with
straight-through gradients, (3) ternary W_b, W_c frozen (scales folded into ã) while ã, norms,
biases and any non-Strassen layers train.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable, Iterable

import torch
import torch.nn.functional as F
from torch import nn

from discovery._progress import Progress
from discovery.errors import DiscoveryError
from discovery.nn._conv import StrassenConv2d
from discovery.nn._linear import StrassenLinear
from discovery.nn._lstm import StrassenLSTM
from discovery.spn.quant import QuantMode

STRASSEN_LAYERS = (StrassenLinear, StrassenConv2d, StrassenLSTM)


def distillation_loss(student: torch.Tensor, teacher: torch.Tensor | None,
                      target: torch.Tensor, lam: float = 0.5, temperature: float = 4.0
                      ) -> torch.Tensor:
    """``(1 − λ)·CE(student, target) + λ·T²·KL(softmax(teacher/T) ‖ softmax(student/T))``.

    Args:
        student, teacher: logits (N, K); teacher may be None (then plain CE).
        target: class indices (N,).
    """
    if not 0.0 <= lam <= 1.0:
        raise DiscoveryError(f"distillation weight lam must be in [0, 1], got {lam}")
    ce = F.cross_entropy(student, target)
    if teacher is None or lam == 0.0:
        return ce
    if teacher.shape != student.shape:
        raise DiscoveryError(
            f"teacher logits {tuple(teacher.shape)} do not match student logits "
            f"{tuple(student.shape)}; teacher and student need the same output classes"
        )
    if temperature <= 0:
        raise DiscoveryError(f"temperature must be > 0, got {temperature}")
    kl = F.kl_div(F.log_softmax(student / temperature, -1),
                  F.log_softmax(teacher.detach() / temperature, -1),
                  reduction="batchmean", log_target=True)
    return (1 - lam) * ce + lam * temperature ** 2 * kl


def set_mode(model: nn.Module, mode: QuantMode) -> int:
    """Set the mode of every Strassen layer in ``model``; returns how many were set."""
    n = 0
    for m in model.modules():
        if isinstance(m, STRASSEN_LAYERS):
            m.set_mode(mode)
            n += 1
    return n


@dataclass(frozen=True)
class PhaseConfig:
    """Epochs and learning rate of each phase; ``lam``/``temperature`` for distillation."""

    epochs_full: int = 5
    epochs_ternary: int = 5
    epochs_frozen: int = 2
    lr: float = 2e-3
    lr_frozen: float = 1e-3
    weight_decay: float = 0.0
    lam: float = 0.5
    temperature: float = 4.0
    grad_clip: float | None = 5.0


# A step function maps (model, batch) to (logits (N, K), targets (N,), teacher inputs).
StepFn = Callable[[nn.Module, object], tuple[torch.Tensor, torch.Tensor]]


def fit(model: nn.Module, batches: Callable[[], Iterable], forward: StepFn, epochs: int,
        lr: float, teacher: nn.Module | None = None, lam: float = 0.0,
        temperature: float = 4.0, weight_decay: float = 0.0, grad_clip: float | None = None,
        desc: str = "train", on_epoch: Callable[[int], None] | None = None,
        progress: bool = True) -> list[float]:
    """Adam on the trainable parameters for ``epochs`` passes over ``batches()``.

    ``forward(model, batch)`` returns (logits (N, K), targets (N,)); with a teacher the loss
    is :func:`distillation_loss` with the teacher's logits on the same batch. Returns the mean
    loss per epoch. The trainer knows nothing about the model.
    """
    params = [p for p in model.parameters() if p.requires_grad]
    if not params or epochs <= 0:
        return []
    opt = torch.optim.Adam(params, lr=lr, weight_decay=weight_decay)
    sched = torch.optim.lr_scheduler.CosineAnnealingLR(opt, T_max=epochs)
    if teacher is not None:
        teacher.eval()
    history = []
    bar = Progress(desc, total=epochs, unit="epoch", enabled=progress)
    for ep in range(epochs):
        model.train()
        total, n = 0.0, 0
        for batch in batches():
            logits, target = forward(model, batch)
            t_logits = None
            if teacher is not None and lam > 0:
                with torch.no_grad():
                    t_logits, _ = forward(teacher, batch)
            loss = distillation_loss(logits, t_logits, target, lam, temperature)
            opt.zero_grad(set_to_none=True)
            loss.backward()
            if grad_clip:
                torch.nn.utils.clip_grad_norm_(params, grad_clip)
            opt.step()
            total += loss.item() * len(target)
            n += len(target)
        sched.step()
        history.append(total / max(n, 1))
        bar.update(1, postfix=f"loss {history[-1]:.4f}")
        if on_epoch is not None:
            on_epoch(ep)
    bar.close()
    return history


def train_phases(model: nn.Module, batches: Callable[[], Iterable], forward: StepFn,
                 config: PhaseConfig = PhaseConfig(), teacher: nn.Module | None = None,
                 progress: bool = True) -> dict[str, list[float]]:
    """Run the three phases on a model holding Strassen layers; returns losses per phase.

    The model ends in FROZEN mode (exact ternary W_b, W_c).
    """
    if set_mode(model, QuantMode.FULL) == 0:
        raise DiscoveryError("train_phases: the model has no Strassen layers; "
                             "convert it with strassenify() first")
    kw = dict(teacher=teacher, lam=config.lam if teacher is not None else 0.0,
              temperature=config.temperature, weight_decay=config.weight_decay,
              grad_clip=config.grad_clip, progress=progress)
    hist = {"full": fit(model, batches, forward, config.epochs_full, config.lr,
                        desc="phase 1 full", **kw)}
    set_mode(model, QuantMode.TERNARY)
    hist["ternary"] = fit(model, batches, forward, config.epochs_ternary, config.lr,
                          desc="phase 2 ternary", **kw)
    set_mode(model, QuantMode.FROZEN)
    hist["frozen"] = fit(model, batches, forward, config.epochs_frozen, config.lr_frozen,
                         desc="phase 3 frozen", **kw)
    return hist
