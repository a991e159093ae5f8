"""The symmetric flip walk at scale: runs, the ranks they reach, time to the best, the best lifted.

For each format <n,n,n> a :func:`discovery.search.flips.symmetric_search` over Z2 from the cube
start (Moosbauer & Poole: the diagonal in ``cubes`` fixed points, frozen; rank ≡ cubes mod 3) with
runs of a fixed length that restart from the start, for a time budget; the best schemes are lifted
(symmetric lift first) to an exact scheme. One CSV row per format: runs finished, the distribution
of the ranks they reached, the best rank and the seconds to it, flips per second, the lifted ring.

    python benchmarks/symmetric.py --quick
    python benchmarks/symmetric.py --formats 4,5 --budget 1800 --out results/benchmarks/symmetric.csv \
        --schemes results/schemes/symmetric --figure results/figures/symmetric.png

The CSV is written after every format (default ``runs/benchmarks/symmetric.csv``), its config beside
it (``*_config.json``: settings, cores, load average before and after each format), the figure from
the CSV. Every scheme the search keeps goes to ``--store/NxNxN/`` (outside git); ``--schemes``
gets the best verified scheme per format (its symmetric form) and its lift.
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

DEFAULT_OUT = Path("runs") / "benchmarks" / "symmetric.csv"
# per format: cubes (the rank class of the target), run length and plus transitions in orbit flips
# per format: cubes (the rank class of the target), run length and plus transitions in orbit flips, the
# margin of plus transitions above a run's best. <5,5,5>: 10 M-flip runs reached 99 in 4 of 42 runs against
# 1 of 4 for 100 M and 1 of 180 for 4 M (plus_after 5 k / 100 k and margin 12 no better; 120-300 s each,
# seed 1-3, load 2); one 1 G-flip run per walker also stopped at 99.
SETTINGS = {3: dict(cubes=2, run_flips=200_000, plus_after=2_000, margin=6),
            4: dict(cubes=1, run_flips=3_000_000, plus_after=5_000, margin=6),
            5: dict(cubes=3, run_flips=10_000_000, plus_after=20_000, margin=6),
            6: dict(cubes=3, run_flips=30_000_000, plus_after=100_000, margin=6)}
FIELDS = ["format", "ring", "cubes", "start_rank", "runs", "ranks", "best_rank", "best_known", "time_to_best_s",
          "budget_s", "seconds", "flips", "flips_per_s", "walkers", "seed", "run_flips", "plus_after", "margin",
          "lifted_ring", "lifted_rank", "stop", "load_before", "load_after"]


def run_format(n: int, a, budget: float) -> dict:
    import discovery as d
    from discovery.formats import save_symmetric
    from discovery.ranks.best_known import best_known_table

    st = SETTINGS.get(n, SETTINGS[6])
    margin = st["margin"] if a.margin is None else a.margin
    load_before = round(os.getloadavg()[0], 2)
    res = d.symmetric_search(n, ring="Z2", cubes=st["cubes"], time_limit=budget, runs=a.runs,
                             run_flips=a.run_flips or st["run_flips"], plus_after=st["plus_after"], margin=margin,
                             walkers=a.walkers, seed=a.seed, greedy=0, chunk_flips=500_000, lift=True, keep=4,
                             out=a.store / f"{n}x{n}x{n}", progress=a.progress)
    if a.schemes is not None:
        a.schemes.mkdir(parents=True, exist_ok=True)
        save_symmetric(res.best_symmetric, a.schemes / f"{n}x{n}x{n}-r{res.best_rank}-z2-cyclic.json")
        if res.lifted is not None:
            sym = d.detect_symmetry(res.lifted, "cyclic")
            path = a.schemes / f"{n}x{n}x{n}-r{res.lifted.rank}-{res.lifted_ring.lower()}.json"
            save_symmetric(sym, path) if sym is not None else d.save_scheme(res.lifted, path)
    known = best_known_table().get((n, n, n))
    return {"format": f"{n}x{n}x{n}", "ring": "Z2", "cubes": st["cubes"], "start_rank": res.start_rank,
            "runs": res.runs, "ranks": ";".join(f"{r}:{c}" for r, c in res.rank_counts.items()),
            "best_rank": res.best_rank, "best_known": known.Q if known else "",
            "time_to_best_s": round(res.time_to_best_s, 1), "budget_s": budget, "seconds": round(res.elapsed_s, 1),
            "flips": res.flips, "flips_per_s": round(res.flips / res.elapsed_s) if res.elapsed_s else 0,
            "walkers": res.config.n_walkers, "seed": a.seed, "run_flips": res.config.run_flips,
            "plus_after": st["plus_after"], "margin": margin, "lifted_ring": res.lifted_ring or "",
            "lifted_rank": res.lifted.rank if res.lifted is not None else "", "stop": res.stop.value,
            "load_before": load_before, "load_after": round(os.getloadavg()[0], 2)}


def figure(rows: list[dict]):
    """One panel per format: how many runs ended at each rank, the best known rank marked."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, axes = plt.subplots(1, len(rows), figsize=(4.2 * len(rows), 3.2), squeeze=False)
    for ax, row in zip(axes[0], rows):
        pairs = [tuple(map(int, x.split(":"))) for x in row["ranks"].split(";") if x]
        if pairs:
            ranks = [r for r, _ in pairs]
            gap = min((b - a for a, b in zip(ranks, ranks[1:])), default=3)
            ax.bar(ranks, [c for _, c in pairs], width=0.8 * gap, color="tab:blue")
            low, count = pairs[0]  # the best rank's runs: often too few to see as a bar
            if count < 0.1 * max(c for _, c in pairs):
                ax.annotate(f"{count} run{'s' if count != 1 else ''} at {low}", (low, count), xytext=(0, 12),
                            textcoords="offset points", ha="left", fontsize=8,
                            arrowprops=dict(arrowstyle="-", lw=0.6))
        if row["best_known"] != "":
            ax.axvline(int(row["best_known"]), color="tab:red", ls="--", lw=1, label=f"best known {row['best_known']} (any ring)")
            ax.legend(fontsize=8)
        lifted = f", lifted to {row['lifted_ring']}" if row["lifted_ring"] else ""
        ax.set_title(f"<{row['format'].replace('x', ',')}>: best {row['best_rank']}{lifted}", fontsize=9)
        ax.set_xlabel(f"rank at the end of a run ({row['runs']} runs, {float(row['seconds']) / 60:.0f} min)")
        ax.set_ylabel("runs")
    fig.suptitle("symmetric flip walk over Z2 from the cube start (load average in the CSV)", fontsize=10)
    fig.tight_layout()
    return fig


def main(argv=None) -> int:
    from discovery._io import atomic_write_text

    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--formats", default="4,5", help="n of each <n,n,n>, comma-separated")
    ap.add_argument("--budget", default="600", help="seconds per format: one number, or n=S pairs (4=600,5=1800)")
    ap.add_argument("--runs", type=int, default=None, help="runs per format at most")
    ap.add_argument("--run-flips", type=int, default=None, help="a run's length in orbit flips (default per format)")
    ap.add_argument("--margin", type=int, default=None,
                    help="plus transitions while the rank stays within best + margin (default per format)")
    ap.add_argument("--walkers", type=int, default=0)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--out", type=Path, default=DEFAULT_OUT)
    ap.add_argument("--store", type=Path, default=Path("runs") / "symmetric", help="every kept scheme, per format")
    ap.add_argument("--schemes", type=Path, default=None, help="the best verified schemes (symmetric form)")
    ap.add_argument("--figure", type=Path, default=None, help="default: beside the CSV")
    ap.add_argument("--progress", action="store_true")
    ap.add_argument("--quick", action="store_true", help="<3,3,3> for 5 s (a smoke test)")
    ap.add_argument("--figure-only", action="store_true", help="redraw the figure from the CSV at --out")
    a = ap.parse_args(argv)
    if a.figure_only:
        with open(a.out, newline="") as f:
            rows = list(csv.DictReader(f))
        (a.figure or a.out.with_suffix(".png")).parent.mkdir(parents=True, exist_ok=True)
        figure(rows).savefig(a.figure or a.out.with_suffix(".png"), dpi=120)
        return 0
    if a.quick:
        a.formats, a.budget = "3", "5"
    try:
        formats = [int(x) for x in a.formats.split(",")]
        budgets = ({int(k): float(v) for k, v in (x.split("=") for x in a.budget.split(","))} if "=" in a.budget
                   else {n: float(a.budget) for n in formats})
        assert set(formats) <= set(budgets)
    except (ValueError, AssertionError):
        ap.error(f"--formats {a.formats!r} / --budget {a.budget!r}: give sizes like 4,5,6 and seconds like "
                 "600 or 4=600,5=1800")
    a.out.parent.mkdir(parents=True, exist_ok=True)
    config = {"command": "python benchmarks/" + Path(__file__).name + " " + " ".join(sys.argv[1:] if argv is None else argv),
              "formats": formats, "budget_s": budgets, "runs": a.runs, "margin": a.margin, "walkers": a.walkers,
              "seed": a.seed, "settings": {str(n): SETTINGS.get(n, SETTINGS[6]) for n in formats},
              "cores": os.cpu_count(), "load_at_start": [round(x, 2) for x in os.getloadavg()]}
    atomic_write_text(a.out.with_name(a.out.stem + "_config.json"), json.dumps(config, indent=2) + "\n")
    rows = []
    for n in formats:
        rows.append(run_format(n, a, budgets[n]))
        print(json.dumps(rows[-1]), flush=True)
        with open(a.out.with_suffix(".tmp"), "w", newline="") as f:
            w = csv.DictWriter(f, fieldnames=FIELDS)
            w.writeheader()
            w.writerows(rows)
        os.replace(a.out.with_suffix(".tmp"), a.out)
    fig_path = a.figure or a.out.with_suffix(".png")
    fig_path.parent.mkdir(parents=True, exist_ok=True)
    figure(rows).savefig(fig_path, dpi=120)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
