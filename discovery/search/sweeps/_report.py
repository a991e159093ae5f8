"""A sweep folder against the best known ranks: a table, a figure, and the gap in words."""

from __future__ import annotations

import json
import math
from pathlib import Path

from discovery.ranks.best_known import best_known
from discovery.search.sweeps._config import CONFIG_NAME, SweepConfigError
from discovery.search.sweeps._run import best_of, read_cells

Format = tuple[int, int, int]


def comparison_rows(out) -> list[dict]:
    """One row per swept format: what the sweep found beside the best known ranks.

    Columns: n, m, p (as swept), found_rank (lowest rank verified here; None if nothing),
    fewest_additions, strategy, time_to_found_s (seconds of the format's cells up to the first
    scheme of found_rank: earlier cells' whole time plus the finding cell's time to first),
    cells, best_known_ZT, best_known_Z, best_known_Q, lower_bound, gap_ZT (found_rank −
    best_known_ZT).
    """
    out = Path(out)
    try:
        config = json.loads((out / CONFIG_NAME).read_text())
        formats = [tuple(f) for f in config["formats"]]
    except (OSError, ValueError, KeyError, TypeError):
        raise SweepConfigError(f"{out} holds no readable {CONFIG_NAME}; give a folder written by "
                               "`discovery sweep`") from None
    cells = list(read_cells(out).values())
    best = best_of(cells)
    rows = []
    for f in formats:
        mine = [c for c in cells if c.format == f]
        b = best.get(f)
        t = None
        if b is not None:
            t = 0.0
            for c in mine:  # cells ran from high rank to low
                if c.rank == b["cell_rank"]:
                    t += c.time_to_first_s or 0.0
                    break
                t += c.elapsed_s
        bk = best_known(f)
        found = None if b is None else b["rank"]
        rows.append({
            "n": f[0], "m": f[1], "p": f[2], "found_rank": found,
            "fewest_additions": None if b is None else b["additions"],
            "strategy": config.get("strategy") if b is None else b["strategy"],
            "time_to_found_s": None if t is None else round(t, 3), "cells": len(mine),
            "best_known_ZT": bk and bk.ZT, "best_known_Z": bk and bk.Z, "best_known_Q": bk and bk.Q,
            "lower_bound": bk and bk.lower_bound,
            "gap_ZT": None if found is None or bk is None else found - bk.ZT,
        })
    return rows


def gap_lines(rows: list[dict]) -> list[str]:
    """Where each format stands, one plain sentence each."""
    lines = []
    for r in rows:
        name = f"<{r['n']},{r['m']},{r['p']}>"
        bk, found = r["best_known_ZT"], r["found_rank"]
        lb = f"; proven lower bound {r['lower_bound']}" if r["lower_bound"] else ""
        if found is None:
            ref = f" (best known {bk} over ZT)" if bk else ""
            lines.append(f"{name}: nothing found in {r['cells']} cell(s){ref}{lb}")
        elif bk is None:
            lines.append(f"{name}: rank {found} found; no best known rank in the table")
        elif found == bk:
            lines.append(f"{name}: rank {found} found, equal to the best known over ZT{lb}")
        elif found > bk:
            lines.append(f"{name}: rank {found} found, {found - bk} above the best known {bk} over ZT{lb}")
        else:
            lines.append(f"{name}: rank {found} found, {bk - found} BELOW the best known {bk} over ZT: "
                         "check it with `discovery verify`")
    return lines


def comparison_figure(rows: list[dict]):
    """Format vs rank: found here, best known over ZT, Z and Q, proven lower bounds; a Figure."""
    from matplotlib.figure import Figure

    fig = Figure(figsize=(max(6.0, 0.55 * len(rows) + 2), 4.2), constrained_layout=True)
    ax = fig.add_subplot()
    x = list(range(len(rows)))

    def series(key):
        pts = [(i, r[key]) for i, r in zip(x, rows) if r.get(key) is not None]
        return [i for i, _ in pts], [v for _, v in pts]

    for key, label, style in [
        ("best_known_Q", "best known, Q", dict(marker="+", color="tab:gray", s=90)),
        ("best_known_Z", "best known, Z", dict(marker="x", color="tab:blue", s=50)),
        ("best_known_ZT", "best known, ZT", dict(marker="_", color="k", s=260, linewidths=2)),
        ("lower_bound", "proven lower bound", dict(marker="v", color="tab:red", s=50)),
        ("found_rank", "found here", dict(marker="o", facecolors="none", edgecolors="tab:green", s=90,
                                          linewidths=2)),
    ]:
        xs, ys = series(key)
        if xs:
            ax.scatter(xs, ys, label=label, zorder=3, **style)
    for i, r in zip(x, rows):
        if r["gap_ZT"] is not None and r["gap_ZT"] != 0:
            ax.annotate(f"{r['gap_ZT']:+d}", (i, r["found_rank"]), textcoords="offset points",
                        xytext=(8, 4), fontsize=8, color="tab:green")
        if r["found_rank"] is None:
            ax.annotate("none", (i, r["best_known_ZT"] or 1), textcoords="offset points",
                        xytext=(-10, 10), fontsize=7, color="tab:orange")
    ax.set_xticks(x, [f"{r['n']}x{r['m']}x{r['p']}" for r in rows], rotation=45, fontsize=8)
    from matplotlib.ticker import FixedLocator, NullFormatter, NullLocator, ScalarFormatter

    ax.set_yscale("log")
    ticks = sorted({v for r in rows for k in ("found_rank", "best_known_ZT", "lower_bound")
                    if (v := r.get(k)) is not None})
    if len(ticks) > 12:  # keep the labels apart
        ticks = ticks[::math.ceil(len(ticks) / 12)]
    ax.yaxis.set_major_locator(FixedLocator(ticks))
    ax.yaxis.set_major_formatter(ScalarFormatter())
    ax.yaxis.set_minor_locator(NullLocator())
    ax.yaxis.set_minor_formatter(NullFormatter())
    ax.set_xlim(-0.7, len(rows) - 0.3)
    ax.set_xlabel("format <n,m,p>")
    ax.set_ylabel("rank (multiplications, log scale)")
    ax.set_title("found here vs best known (green label: found − best known ZT)", fontsize=10)
    ax.legend(fontsize=7, loc="upper left")
    ax.grid(True, axis="y", alpha=0.3, which="both")
    return fig


def write_report(out) -> tuple[list[dict], Path, Path]:
    """Write ``comparison.csv`` and ``comparison.png`` into the sweep folder; return (rows, csv, png)."""
    from discovery._io import save_figure, write_csv

    out = Path(out)
    rows = comparison_rows(out)
    csv_path = write_csv(out / "comparison.csv", rows)
    png_path = save_figure(comparison_figure(rows), out / "comparison.png")
    return rows, csv_path, png_path
