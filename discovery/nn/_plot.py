"""Trade-off plots (the shape of the StrassenNets figures): metric vs operations, log x."""

from __future__ import annotations

from typing import Sequence

from matplotlib.figure import Figure  # no pyplot: no global backend state, nothing shown


def plot_tradeoff(rows: Sequence[dict], metric: str, group: str, teacher: dict | None = None,
                  ops: Sequence[str] = ("mults", "adds"), label: str = "r",
                  metric_label: str | None = None, title: str = ""):
    """Plot ``metric`` against each op count in ``ops`` (one panel each, log x).

    Args:
        rows: dicts holding ``metric``, the op columns, ``group`` (one line per value) and
            ``label`` (annotated at each point).
        teacher: a row for the dense teacher, drawn as a star and a dashed line.
    Returns:
        the matplotlib Figure (nothing is shown or saved).
    """
    fig = Figure(figsize=(5.2 * len(ops), 4))
    axes = fig.subplots(1, len(ops), squeeze=False)
    groups = sorted({str(r[group]) for r in rows})
    for ax, op in zip(axes[0], ops):
        for g in groups:
            pts = sorted((r for r in rows if str(r[group]) == g), key=lambda r: r[op])
            ax.plot([r[op] for r in pts], [r[metric] for r in pts], "o-", label=g)
            for r in pts:
                ax.annotate(str(r[label]), (r[op], r[metric]), fontsize=7,
                            textcoords="offset points", xytext=(3, 3))
        if teacher is not None:
            ax.plot([teacher[op]], [teacher[metric]], "k*", ms=12, label="dense teacher")
            ax.axhline(teacher[metric], color="k", ls="--", lw=0.8)
        ax.set_xscale("log")
        ax.set_xlabel(f"{op} (log scale)")
        ax.set_ylabel(metric_label or metric)
        ax.grid(True, which="both", alpha=0.3)
    axes[0][0].legend(fontsize=8, title=group)
    if title:
        fig.suptitle(title)
    fig.tight_layout()
    return fig
