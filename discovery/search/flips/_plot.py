"""Figures for flip-graph runs (matplotlib ``Figure`` objects; no pyplot state, no file I/O)."""

from __future__ import annotations

from matplotlib.figure import Figure
from matplotlib.ticker import MaxNLocator


def rank_curve_figure(results, labels=None, best_known: int | None = None) -> Figure:
    """Best rank against time, one step curve per :class:`~discovery.search.flips.FlipResult`."""
    fig = Figure(figsize=(6, 3.6))
    ax = fig.subplots()
    for q, res in enumerate(results):
        ts = [t for t, _ in res.history] + [res.elapsed_s]
        rs = [r for _, r in res.history] + [res.best_rank]
        label = labels[q] if labels else f"seed {res.config.seed}"
        ax.step(ts, rs, where="post", label=label)
    if best_known is not None:
        ax.axhline(best_known, color="k", lw=0.8, ls="--", label=f"best known {best_known}")
    c = results[0].config
    ax.yaxis.set_major_locator(MaxNLocator(integer=True))
    ax.set_xlabel("seconds (after the kernels are loaded)")
    ax.set_ylabel("rank (verified)")
    ax.set_title(f"<{c.n},{c.m},{c.p}> over {c.ring}: flip-graph walks")
    ax.legend(fontsize=8)
    fig.tight_layout()
    return fig


def benchmark_figure(rows: list[dict]) -> Figure:
    """Rank reached per format (from the standard and composed starts) against the best known.

    ``rows`` are the records of ``benchmarks/flips.py`` (format, ring, start, rank_reached,
    best_known, start_rank).
    """
    rings = sorted({r["ring"] for r in rows})
    fig = Figure(figsize=(9, 3.4 * len(rings)))
    axes = fig.subplots(len(rings), 1, squeeze=False)[:, 0]
    for ax, ring in zip(axes, rings):
        sub = [r for r in rows if r["ring"] == ring]
        fmts = list(dict.fromkeys(r["format"] for r in sub))
        x = range(len(fmts))
        known = [next(int(r["best_known"]) for r in sub if r["format"] == f) for f in fmts]
        for k, (start, mark) in enumerate((("standard", "o"), ("composed", "s"))):
            ys = []
            for f in fmts:
                hit = [int(r["rank_reached"]) for r in sub if r["format"] == f and r["start"] == start]
                ys.append(hit[0] / known[fmts.index(f)] if hit else float("nan"))
            ax.plot([i + (k - 0.5) * 0.15 for i in x], ys, mark, label=f"from {start}")
        ax.axhline(1.0, color="k", lw=0.8, ls="--", label="best known")
        ax.set_xticks(list(x), fmts, rotation=45, fontsize=8)
        ax.set_ylabel("rank reached / best known")
        ax.set_title(f"flip-graph walks over {ring}")
        ax.legend(fontsize=8)
    fig.tight_layout()
    return fig
