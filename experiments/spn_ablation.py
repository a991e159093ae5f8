"""Ablation of the data-driven SPN trainer: which ingredient the paper's recipe is missing.

Every variant trains the SPN ``c = W_c[(W_b b) ⊙ (W_a a)]`` only on sampled products (A, B, AB)
through ``discovery.discover`` (strategies "paper" and "sgd"), and every candidate is verified
exactly before it counts. Starting from the faithful StrassenNets recipe, one ingredient is
added at a time; starting from the full "sgd" strategy, one is removed at a time. For each
variant and format the table reports the share of restarts that end in a verified scheme, the
median over seeds of the time to the first one, and the products drawn per restart.

Writes ``<out>/tables/spn_ablation.csv``, ``<out>/tables/spn_ablation_config.json`` and
``<out>/figures/spn_ablation.png`` (default out: ``runs/spn_ablation``; the committed table
was made with ``--out results``).

    nice python experiments/spn_ablation.py --out results     # full (about 20 min on 2 cores)
    python experiments/spn_ablation.py --quick                 # about 10 s, for CI
"""

from __future__ import annotations

import argparse
import json
import math
import sys
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path

import torch

from discovery._io import atomic_write_text, save_figure, write_csv
from discovery.search.solver import PaperParams, SGDParams, discover_over_seeds, sgd_params_for

# (name, group, how to build (strategy, params) from the format)
PAPER = "paper recipe"
SGD = "sgd (all ingredients)"


def _paper(**changes):
    return lambda fmt: ("sgd", SGDParams.paper().with_(**changes))


def _sgd(**changes):
    return lambda fmt: ("sgd", sgd_params_for(*fmt[:3]).with_(**changes))


VARIANTS = [
    ("paper strategy (discovery.search.solver._paper)", "baseline", lambda fmt: ("paper", PaperParams())),
    (PAPER, "baseline", _paper()),
    ("paper + lr decay", "add one", _paper(lr_end=0.001)),
    ("paper + weight decay", "add one", _paper(weight_decay=1e-4)),
    ("paper + ternary penalty", "add one", _paper(penalty_max=1e-2)),
    ("paper + culling", "add one", _paper(cull_at=0.5)),
    ("paper + progressive rounding", "add one", _paper(rounding="progressive", sparsify_steps=0)),
    ("paper + sparsify, progressive rounding", "add one", _paper(rounding="progressive")),
    ("paper + conservative rule (Elser)", "add one", _paper(rule="conservative", batch=2)),
    (SGD, "baseline", _sgd()),
    ("sgd - progressive rounding (TWN phases)", "remove one", _sgd(rounding="twn")),
    ("sgd - progressive rounding (nearest)", "remove one", _sgd(rounding="nearest")),
    ("sgd - sparsify", "remove one", _sgd(sparsify_steps=0)),
    ("sgd - ternary penalty", "remove one", _sgd(penalty_max=0.0)),
    ("sgd - lr decay", "remove one", _sgd(lr_end=0.03)),
    ("sgd - weight decay", "remove one", _sgd(weight_decay=0.0)),
    ("sgd - culling", "remove one", _sgd(cull_at=None)),
    ("sgd - fresh samples (256 fixed)", "remove one", _sgd(pool=256)),
    ("sgd, conservative rule (Elser)", "swap", _sgd(rule="conservative", batch=2)),
]
# the variants run on the big format (<3,3,3>): the paper's recipe and the full strategy
BIG_VARIANTS = (PAPER, SGD)
QUICK_VARIANTS = (PAPER, "paper + progressive rounding", SGD)


@dataclass(frozen=True)
class Config:
    """Settings of the ablation (written to the config JSON beside the table).

    Attributes:
        seed: first seed; ``seeds`` runs per (variant, format) use seed, seed+1, ...
        restarts, time_limit: per run on the small formats.
        formats: (n, m, p, rank) run with every variant.
        big_formats, big_seeds, big_restarts, big_time_limit: run with ``BIG_VARIANTS`` only.
        device: "cpu" or "cuda"; threads: torch CPU threads.
        quick: the CI setting (three variants, <2,2,2> r7, few restarts, short schedules).
    """

    seed: int = 0
    seeds: int = 2
    restarts: int = 16
    time_limit: float = 120.0
    formats: tuple = ((2, 2, 2, 7), (2, 2, 3, 11))
    big_formats: tuple = ((3, 3, 3, 23),)
    big_seeds: int = 1
    big_restarts: int = 32
    big_time_limit: float = 600.0
    device: str = "cpu"
    threads: int = 1
    quick: bool = False
    variants: tuple = field(default_factory=lambda: tuple(v[0] for v in VARIANTS))


QUICK = dict(seeds=1, restarts=4, time_limit=20.0, formats=((2, 2, 2, 7),), big_formats=(),
             quick=True, variants=QUICK_VARIANTS)


def _shorten(strategy, params, quick: bool):
    """Quick mode: the paper's schedule cut to a few hundred steps (the sgd one is already short)."""
    if quick and strategy == "sgd" and params.rounding == "twn":
        return strategy, params.with_(steps=300, twn_steps=200, frozen_steps=50)
    return strategy, params


def _samples(strategy, params) -> int:
    if strategy == "paper":
        return (params.steps_full + params.steps_ternary + params.steps_frozen) * params.batch
    return params.samples_per_restart()


def run_variant(name: str, group: str, build, fmt, cfg: Config, restarts: int, limit: float,
                seeds: int) -> dict:
    """Run one variant on one format for ``seeds`` seeds; one table row."""
    strategy, params = _shorten(*build(fmt), cfg.quick)
    n, m, p, r = fmt
    sm = discover_over_seeds(n, m, p, r, range(cfg.seed, cfg.seed + seeds), restarts=restarts,
                             time_limit=limit, strategy=strategy, params=params, device=cfg.device,
                             threads=cfg.threads)
    med, done = sm.median_first_s, sm.restarts
    return {
        "format": f"{n}x{m}x{p}", "rank": r, "variant": name, "group": group, "strategy": strategy,
        "seeds": seeds, "restarts": done, "verified": sm.successes,
        "share_verified": round(sm.success_rate, 4),
        "median_first_s": round(med, 2) if math.isfinite(med) else f">{limit:g}",
        "samples_per_restart": _samples(strategy, params),
        "seconds_per_restart": round(sm.elapsed_s / done, 3) if done else None,
        "best_residual": None if math.isinf(sm.best_residual) else f"{sm.best_residual:.3g}",
        "best_errors": sm.best_errors,
    }


def ablation_figure(rows):
    """Share of restarts verified per variant (bars, one colour per format); returns the figure."""
    import matplotlib

    matplotlib.use("Agg", force=False)
    from matplotlib.figure import Figure

    names = list(dict.fromkeys(r["variant"] for r in rows))
    formats = list(dict.fromkeys(f"{r['format']} r{r['rank']}" for r in rows))
    fig = Figure(figsize=(9, 0.32 * len(names) * max(1, len(formats)) ** 0.5 + 1.6))
    ax = fig.add_subplot(1, 1, 1)
    h = 0.8 / len(formats)
    for j, f in enumerate(formats):
        share = {r["variant"]: r["share_verified"] for r in rows if f"{r['format']} r{r['rank']}" == f}
        ys = [i + j * h for i, v in enumerate(names) if v in share]
        ax.barh(ys, [100 * share[v] for v in names if v in share], height=h, label=f)
    ax.set_yticks([i + 0.4 - h / 2 for i in range(len(names))], names, fontsize=8)
    ax.invert_yaxis()
    ax.set_xlabel("restarts ending in an exactly verified scheme (%)")
    ax.set_xlim(0, 100)
    ax.set_title("SPN trained on sampled products only: one ingredient at a time")
    ax.legend(loc="lower right", fontsize=8)
    fig.tight_layout()
    return fig


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--quick", action="store_true", help="three variants on <2,2,2> r7 (about 10 s)")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--seeds", type=int, default=None, help="runs per variant and format (default 2)")
    ap.add_argument("--restarts", type=int, default=None, help="restarts per run (default 16)")
    ap.add_argument("--big", action=argparse.BooleanOptionalAction, default=True,
                    help="also run <3,3,3> r23 with a few variants (default on)")
    ap.add_argument("--formats", default=None,
                    help="small formats run with every variant, e.g. 2x2x2:7,2x2x3:11 ('' for none)")
    ap.add_argument("--big-formats", default=None,
                    help="formats run with the paper recipe and sgd only (default 3x3x3:23)")
    ap.add_argument("--resume", action="store_true",
                    help="keep the rows already in the output table and run only the missing ones")
    ap.add_argument("--device", default="cpu", choices=("cpu", "cuda"))
    ap.add_argument("--threads", type=int, default=1)
    ap.add_argument("--out", type=Path, default=Path("runs") / "spn_ablation",
                    help="writes tables/ and figures/ under it (default runs/spn_ablation)")
    a = ap.parse_args(argv)
    for name in ("seeds", "restarts", "threads"):
        v = getattr(a, name)
        if v is not None and v < 1:
            ap.error(f"--{name} must be a positive integer, got {v}")
    over = dict(QUICK) if a.quick else {}
    over.update({k: getattr(a, k) for k in ("seeds", "restarts") if getattr(a, k) is not None})
    for name in ("formats", "big_formats"):
        text = getattr(a, name)
        if text is not None:
            try:
                over[name] = tuple(tuple(map(int, f.split(":")[0].split("x"))) + (int(f.split(":")[1]),)
                                   for f in text.split(",") if f.strip())
            except (IndexError, ValueError):
                ap.error(f"--{name.replace('_', '-')} {text!r}: write NxMxP:R items separated by commas")
            if any(len(f) != 4 or min(f) < 1 for f in over[name]):
                ap.error(f"--{name.replace('_', '-')} {text!r}: write NxMxP:R items separated by commas")
    if not a.big:
        over["big_formats"] = ()
    cfg = Config(seed=a.seed, device=a.device, threads=a.threads, **over)
    tables, figures = a.out / "tables", a.out / "figures"
    tables.mkdir(parents=True, exist_ok=True)
    figures.mkdir(parents=True, exist_ok=True)
    extra = {"torch": torch.__version__, "started_utc": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
             "resume": a.resume, "load_average_at_start": _load()}
    atomic_write_text(tables / "spn_ablation_config.json",
                      json.dumps({"config": asdict(cfg), **extra}, indent=2) + "\n")
    rows = _read_rows(tables / "spn_ablation.csv") if a.resume else []
    have = {(r["variant"], r["format"], int(r["rank"])) for r in rows}
    t0 = time.monotonic()
    jobs = [(fmt, cfg.restarts, cfg.time_limit, cfg.seeds, cfg.variants) for fmt in cfg.formats]
    jobs += [(fmt, cfg.big_restarts, cfg.big_time_limit, cfg.big_seeds, BIG_VARIANTS)
             for fmt in cfg.big_formats]
    for fmt, restarts, limit, seeds, chosen in jobs:
        for name, group, build in VARIANTS:
            if name not in chosen or (name, "x".join(map(str, fmt[:3])), fmt[3]) in have:
                continue
            row = run_variant(name, group, build, fmt, cfg, restarts, limit, seeds)
            rows.append(row)
            print(f"{row['format']} r{row['rank']} {name:<42} {row['verified']:>4}/{row['restarts']:<4} "
                  f"{row['share_verified']:>7.1%}  first {row['median_first_s']!s:>7} s  "
                  f"{row['samples_per_restart']:>8} samples", flush=True)
            write_csv(tables / "spn_ablation.csv", rows)  # written as it goes: Ctrl-C keeps the rows
    save_figure(ablation_figure(rows), figures / "spn_ablation.png")
    print(f"done in {time.monotonic() - t0:.0f} s -> {tables / 'spn_ablation.csv'}, "
          f"{figures / 'spn_ablation.png'} (load average {_load()})", file=sys.stderr)
    return 0


def _read_rows(path: Path) -> list[dict]:
    import csv

    if not path.exists():
        return []
    with open(path, newline="") as f:
        rows = list(csv.DictReader(f))
    for r in rows:
        r["share_verified"] = float(r["share_verified"])
    return rows


def _load() -> str:
    try:
        return Path("/proc/loadavg").read_text().split()[0]
    except OSError:
        return "?"


if __name__ == "__main__":
    sys.exit(main())
