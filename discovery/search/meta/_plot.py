"""A figure of a meta search: where the walkers went and how far above the best known they stood
(a matplotlib ``Figure``; no pyplot state, no file I/O)."""

from __future__ import annotations

from matplotlib.figure import Figure
from matplotlib.ticker import MaxNLocator

MARKERS = {"start": "o", "walk": ".", "merge": "^", "project": "v", "extend": "s", "reset": "x"}


def walk_figure(result, walkers=None) -> Figure:
    """Each walker's format (top) and rank above its format's reference (bottom) against the phase.

    Args:
        result: a :class:`~discovery.search.meta.MetaResult`. walkers: the walker indices to draw
            (None: all). A walk's result is drawn at the end of its phase, a meta move just after it.
    """
    fmts = sorted(result.config.formats, key=lambda f: (f[0] * f[1] * f[2], f))  # small at the bottom
    chosen = range(len(result.paths)) if walkers is None else walkers
    fig = Figure(figsize=(8, 5.2))
    top, bottom = fig.subplots(2, 1, sharex=True, gridspec_kw={"height_ratios": [3, 2]})
    seen = set()
    for i in chosen:
        xs, ys, gaps = [], [], []
        for phase, fmt, rank, how in result.paths[i]:
            x = 0 if how == "start" else phase + (1.0 if how == "walk" else 1.25)
            ref = result.best_known.get(fmt) or result.best_ranks[fmt]
            xs.append(x)
            ys.append(fmts.index(fmt))
            gaps.append(rank - ref)
        xs.append(max(result.phases, xs[-1]))  # the last state lasts to the end
        ys.append(ys[-1])
        gaps.append(gaps[-1])
        line, = top.step(xs, ys, where="post", lw=1, alpha=0.8, label=f"walker {i}")
        bottom.step(xs, gaps, where="post", lw=1, alpha=0.8, color=line.get_color())
        for (phase, fmt, rank, how), x, y, g in zip(result.paths[i], xs, ys, gaps):
            if how == "walk":
                continue
            label = how if how not in seen else None
            seen.add(how)
            top.plot([x], [y], MARKERS[how], color="k", ms=5, label=label)
    top.set_yticks(range(len(fmts)), ["x".join(map(str, f)) for f in fmts], fontsize=8)
    top.set_ylabel("format")
    top.set_title(f"meta search over {len(fmts)} formats ({result.config.ring}, strategy "
                  f"{result.config.strategy}, seed {result.config.seed})")
    top.legend(fontsize=7, ncol=3, loc="upper left")
    bottom.axhline(0, color="k", lw=0.8, ls="--")
    bottom.yaxis.set_major_locator(MaxNLocator(integer=True))
    bottom.set_ylabel("rank - best known")
    bottom.set_xlabel("phase")
    fig.tight_layout()
    return fig
