"""The catalogue's table (one row per format), its figure (the gap to the best known ranks per format)
and the copy of both, with the best scheme of every format, into a results folder."""

from __future__ import annotations

import csv
import json
import math
from pathlib import Path

from discovery.core.scheme import Scheme
from discovery.ranks.best_known import best_known
from discovery.search.catalogue._config import CONFIG_NAME, FIGURE_NAME, TABLE_NAME

COLUMNS = ("format", "n", "m", "p", "rank", "ring", "how", "best_known_ZT", "best_known_Z", "best_known_Q",
           "lower_bound", "gap_ZT", "gap_Q", "reached", "record", "start_rank", "start_how", "walk_rank",
           "walk_s", "seconds", "file")
INTS = ("n", "m", "p", "rank", "best_known_ZT", "best_known_Z", "best_known_Q", "lower_bound", "gap_ZT", "gap_Q",
        "start_rank", "walk_rank")
FLOATS = ("walk_s", "seconds")
BOOLS = ("reached", "record")


def row_for(s: Scheme, how: str, start_rank: int, start_how: str, walk_rank, walk_s, seconds: float,
            file: str) -> dict:
    """One row of ``catalogue.csv`` for the best scheme ``s`` of a format.

    Columns: format (``NxMxP``, sorted), n, m, p; rank and ring (ZT, Z or Q: the smallest ring the
    scheme is exact over) of the best scheme; how it was made (standard, composed, meta: a
    projection, walk, earlier); best_known_ZT/Z/Q and lower_bound from the shipped table; gap_ZT
    and gap_Q (rank minus the best known over ZT, over Q); reached (rank <= best known over Q, the
    lowest of the table); record (rank below the best known of the scheme's own ring: a new
    best-known rank); start_rank and start_how (the best start); walk_rank (lowest rank the walk
    reached; empty: no walk, the start was proven optimal), walk_s (seconds walked), seconds (all
    time spent on the format); file (the scheme, relative to the catalogue folder).
    """
    from discovery.search.catalogue._starts import ring_of

    ring = ring_of(s)
    bk = best_known(s.format)
    n, m, p = sorted(s.format)
    return {
        "format": f"{n}x{m}x{p}", "n": n, "m": m, "p": p, "rank": s.rank, "ring": ring, "how": how,
        "best_known_ZT": bk and bk.ZT, "best_known_Z": bk and bk.Z, "best_known_Q": bk and bk.Q,
        "lower_bound": bk and bk.lower_bound, "gap_ZT": bk and s.rank - bk.ZT, "gap_Q": bk and s.rank - bk.Q,
        "reached": bool(bk) and s.rank <= bk.Q, "record": bool(bk) and s.rank < bk.rank(ring),
        "start_rank": start_rank, "start_how": start_how, "walk_rank": walk_rank,
        "walk_s": None if walk_s is None else round(walk_s, 2), "seconds": round(seconds, 2), "file": file,
    }


def read_rows(out) -> list[dict]:
    """The rows of ``out/catalogue.csv`` (typed again), or [] if there is none."""
    path = Path(out) / TABLE_NAME
    if not path.exists():
        return []
    from discovery.search.catalogue._config import CatalogueConfigError

    try:
        rows = list(csv.DictReader(path.read_text().splitlines()))
        return [_typed(r) for r in rows]
    except (OSError, KeyError, ValueError):
        raise CatalogueConfigError(f"{path} is damaged; remove it to run its formats again") from None


def _typed(r: dict) -> dict:
    out = {}
    for k in COLUMNS:
        x = r[k]
        if k in INTS:
            out[k] = int(x) if x != "" else None
        elif k in FLOATS:
            out[k] = float(x) if x != "" else None
        elif k in BOOLS:
            out[k] = x == "True"
        else:
            out[k] = x
    return out


def write_table(out, rows: list[dict]) -> Path:
    from discovery._io import write_csv

    return write_csv(Path(out) / TABLE_NAME, [{k: r[k] for k in COLUMNS} for r in rows])


def catalogue_figure(rows: list[dict], title: str = ""):
    """Rank minus the best known rank per format: over ZT (bars) and over Q (dots); a Figure.

    Args:
        rows: catalogue rows (:func:`row_for`), in the order drawn. title: a line above the plot.
    Bars: orange above the best known ZT rank, red below (a new record); a green square: at it.
    The label above a bar is the rank found. Formats without a best known rank are left out.
    """
    from matplotlib.figure import Figure
    from matplotlib.ticker import MaxNLocator

    rows = [r for r in rows if r["best_known_ZT"] is not None]
    fig = Figure(figsize=(min(16.0, max(6.0, 0.17 * len(rows) + 2)), 4.4), constrained_layout=True)
    ax = fig.add_subplot()
    x = list(range(len(rows)))
    gaps = [r["gap_ZT"] for r in rows]
    colors = ["tab:red" if g < 0 else "tab:green" if g == 0 else "tab:orange" for g in gaps]
    ax.bar(x, gaps, color=colors, width=0.7, label="rank − best known ZT")
    at = [i for i, g in zip(x, gaps) if g == 0]
    ax.scatter(at, [0] * len(at), marker="s", color="tab:green", s=22, zorder=2, label="at the best known ZT")
    ax.scatter(x, [r["gap_Q"] for r in rows], color="k", s=10, zorder=3, label="rank − best known Q")
    for i, r in zip(x, rows):
        ax.annotate(str(r["rank"]), (i, max(r["gap_ZT"], 0)), textcoords="offset points", xytext=(0, 2),
                    ha="center", fontsize=5 if len(rows) > 40 else 6, rotation=90)
    ax.axhline(0, color="k", lw=0.8)
    ax.set_xticks(x, [r["format"] for r in rows], rotation=90, fontsize=6 if len(rows) > 40 else 7)
    top = max([0, *gaps, *(r["gap_Q"] for r in rows)])
    ax.set_ylim(min([0, *gaps]) - 0.5, top + max(1.5, 0.15 * top))
    ax.set_xlim(-0.7, len(rows) - 0.3)
    ax.set_xlabel("format n×m×p")
    ax.set_ylabel("rank − best known")
    reached = sum(r["reached"] for r in rows)
    ax.set_title((title + "\n" if title else "") + f"{reached} of {len(rows)} formats at the best known rank "
                 "over any ring", fontsize=9)
    ax.legend(fontsize=7, loc="upper left")
    ax.grid(True, axis="y", alpha=0.3)
    ax.yaxis.set_major_locator(MaxNLocator(integer=True))
    return fig


def write_figure(out, rows: list[dict], title: str = "") -> Path:
    from discovery._io import save_figure

    return save_figure(catalogue_figure(rows, title), Path(out) / FIGURE_NAME)


def publish(out, results) -> list[Path]:
    """Copy a catalogue into a results folder: ``tables/catalogue.csv`` (the file column pointing
    into ``schemes/catalogue/``), ``tables/catalogue_config.json``, ``figures/catalogue.png`` and
    the best scheme of every format as ``schemes/catalogue/NxMxP-rRANK-RING.json`` (older files of
    a format there are replaced). Returns the paths written."""
    from discovery._io import atomic_write_text, save_figure, write_csv
    from discovery.core.verify import require_valid
    from discovery.formats import load_scheme, save_scheme

    out, results = Path(out), Path(results)
    rows = read_rows(out)
    if not rows:
        from discovery.search.catalogue._config import CatalogueConfigError

        raise CatalogueConfigError(f"{out} holds no catalogue rows; run the catalogue into it first")
    folder = results / "schemes" / "catalogue"
    for sub in (results / "tables", results / "figures", folder):
        sub.mkdir(parents=True, exist_ok=True)
    written, published = [], []
    for r in rows:
        s = load_scheme(out / r["file"])  # verified as it is read back below
        name = f"{r['format']}-r{r['rank']}-{r['ring']}.json"
        for old in folder.glob(f"{r['format']}-r*.json"):
            if old.name != name:
                old.unlink()
        written.append(save_scheme(require_valid(s, r["ring"]), folder / name))
        published.append({**r, "file": f"schemes/catalogue/{name}"})
    written.append(write_csv(results / "tables" / "catalogue.csv", [{k: r[k] for k in COLUMNS} for r in published]))
    config = json.loads((out / CONFIG_NAME).read_text())
    atomic_write_text(results / "tables" / "catalogue_config.json", json.dumps(config, indent=1) + "\n")
    written.append(results / "tables" / "catalogue_config.json")
    written.append(save_figure(catalogue_figure(rows, title_of(config)), results / "figures" / "catalogue.png"))
    return written


def title_of(config: dict) -> str:
    c = config.get("config", {})
    fmts = c.get("formats", [])
    return (f"catalogue: {len(fmts)} formats, {c.get('budget', math.nan):g} s of walking each, meta "
            f"{c.get('meta_time', 0):g} s, seed {c.get('seed')}")
