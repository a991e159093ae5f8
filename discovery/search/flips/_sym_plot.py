"""Figures of the symmetric walk: a scheme's orbit representatives, and where runs ended."""

from __future__ import annotations

import numpy as np


def orbit_figure(sym, max_orbits: int = 40):
    """The orbit representatives of a symmetric scheme as n×n coefficient matrices U, V, W.

    Args:
        sym: a :class:`~discovery.core.symmetry.SymmetricScheme`; one row of panels per orbit
            (fixed points last, marked), at most ``max_orbits`` rows.
    Returns a matplotlib Figure (red +1, blue -1, white 0; mod-2 schemes show their 1s in red).
    """
    import matplotlib.pyplot as plt

    n = sym.n
    order = sorted(range(sym.n_orbits), key=lambda q: (sym.orbit_sizes[q] == 1, q))[:max_orbits]
    cols = 4  # orbits per line of the figure, three panels each
    lines = -(-len(order) // cols)
    fig, axes = plt.subplots(lines, 3 * cols, figsize=(1.1 * 3 * cols, 1.25 * lines + 0.5), squeeze=False)
    for ax in axes.ravel():
        ax.set_axis_off()
    for k, q in enumerate(order):
        for x, (name, rows) in enumerate(zip("UVW", (sym.u, sym.v, sym.w))):
            ax = axes[k // cols, 3 * (k % cols) + x]
            m = np.asarray([int(c) for c in rows[q]], dtype=float).reshape(n, n)
            ax.imshow(m, cmap="bwr_r", vmin=-1, vmax=1)
            ax.set_axis_on()
            ax.set_xticks([])
            ax.set_yticks([])
            fixed = sym.orbit_sizes[q] == 1
            ax.set_title(f"{name}{q}" + (" (fixed)" if fixed and x == 0 else ""), fontsize=7,
                         color="tab:red" if fixed else "black")
    fig.suptitle(f"<{n},{n},{n}> rank {sym.rank}: {sym.n_orbits} orbit representatives "
                 f"({sum(s == 3 for s in sym.orbit_sizes)} orbits of 3, "
                 f"{sum(s == 1 for s in sym.orbit_sizes)} fixed points); each stands for (U,V,W), (V,W,U), (W,U,V)",
                 fontsize=8)
    fig.tight_layout()
    return fig


def runs_figure(rank_counts: dict, title: str = "", best_known: int | None = None):
    """A bar chart: how many runs ended at each rank (``rank_counts``: {rank: runs})."""
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(5, 2.8))
    ranks = sorted(rank_counts)
    ax.bar(ranks, [rank_counts[r] for r in ranks], width=2.4, color="tab:blue")
    if best_known is not None:
        ax.axvline(best_known, color="tab:red", ls="--", lw=1, label=f"best known {best_known}")
        ax.legend(fontsize=8)
    ax.set_xlabel("rank at the end of a run")
    ax.set_ylabel("runs")
    ax.set_title(title, fontsize=9)
    fig.tight_layout()
    return fig
