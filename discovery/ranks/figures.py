"""Figures of rank bounds: a table's composed ranks against a reference column (the best known)."""

from __future__ import annotations


def rank_ratio_figure(rows: list[dict], column: str, reference: str):
    """Bar chart of ``row[column] / row[reference]`` per format; returns a matplotlib Figure."""
    from matplotlib.figure import Figure

    rows = [r for r in rows if reference in r and column in r]
    fig = Figure(figsize=(max(6, 0.32 * len(rows)), 3.6), constrained_layout=True)
    ax = fig.add_subplot()
    ratios = [r[column] / r[reference] for r in rows]
    labels = [f"{r['n']}{r['m']}{r['p']}" for r in rows]
    ax.bar(range(len(rows)), ratios, color=["tab:green" if x == 1 else "tab:orange" for x in ratios])
    ax.axhline(1, color="k", lw=0.8)
    ax.set_xticks(range(len(rows)), labels, rotation=90, fontsize=7)
    ax.set_ylabel(f"{column} / {reference}")
    ax.set_xlabel("format nmp")
    ax.set_ylim(0.95, max(ratios + [1.05]) * 1.02)
    ax.set_title(f"rank composed from {column} relative to {reference} (1 = matches)")
    return fig
