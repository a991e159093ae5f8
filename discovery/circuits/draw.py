"""Layered drawings of arithmetic circuits (matplotlib).

Columns left to right: inputs (a_ij above b_jk), A/B sums (one column per nesting depth),
products, C sums, outputs c_ik. Within a column nodes are ordered by the mean height of their
operands (fewer crossings). Kinds: inputs and outputs are squares (A blue, B green, C red),
sums white circles with "+", products yellow circles with "×"; edges with a negative
coefficient are red and dashed, other coefficients than ±1 are written on the edge.
The functions return a figure; they do no file I/O and never call ``plt.show()``.
"""

from __future__ import annotations

from typing import Any

import networkx as nx
from matplotlib.figure import Figure

from discovery.circuits.circuit import build_circuit, circuit_counts

_STYLE = {
    "input_a": dict(marker="s", color="#9ec5fe"),
    "input_b": dict(marker="s", color="#a3cfbb"),
    "add": dict(marker="o", color="#ffffff"),
    "mul": dict(marker="o", color="#ffe69c"),
    "output": dict(marker="s", color="#f1aeb5"),
}


def layered_positions(G: nx.DiGraph) -> dict[str, tuple[float, float]]:
    """(x, y) per node: x is the column described in the module docstring, y in [0, 1]."""
    col: dict[str, int] = {}
    order = list(nx.topological_sort(G))
    for v in order:
        kind = G.nodes[v]["kind"]
        preds = list(G.predecessors(v))
        if kind in ("input_a", "input_b"):
            col[v] = 0
        elif kind == "add" and G.nodes[v]["side"] in ("A", "B"):
            col[v] = 1 + max(col[q] for q in preds)
    mul_col = 1 + max(col.values())
    for v in order:
        kind = G.nodes[v]["kind"]
        if kind == "mul":
            col[v] = mul_col
        elif kind == "add" and G.nodes[v]["side"] == "C":
            col[v] = 1 + max(col[q] for q in G.predecessors(v))
    out_col = 1 + max(col.values())
    for v in order:
        if G.nodes[v]["kind"] == "output":
            col[v] = out_col
    n = int(G.graph["format"].split("x")[0])
    y: dict[str, float] = {}
    for c in range(out_col + 1):
        members = [v for v in G.nodes if col[v] == c]
        if c == 0:
            members.sort(key=lambda v: (G.nodes[v]["kind"], G.nodes[v]["index"]))
        elif c == out_col:  # row-major c11, c12, ... (the index is k*n + i)
            members.sort(key=lambda v: (G.nodes[v]["index"] % n, G.nodes[v]["index"] // n))
        else:  # A sums above B sums; then by the mean height of the operands
            members.sort(key=lambda v: (-1 if G.nodes[v]["side"] == "A" and c < mul_col else 0,
                                        -sum(y[q] for q in G.predecessors(v)) / max(1, G.in_degree(v))))
        k = len(members)
        for idx, v in enumerate(members):
            y[v] = 1.0 - (idx + 0.5) / k
    return {v: (float(col[v]), y[v]) for v in G.nodes}


def draw_circuit(obj: Any, title: str | None = None, labels: bool | None = None) -> Figure:
    """A layered figure of a circuit (or of the circuit of a scheme / simplified scheme).

    Args:
        obj: a circuit graph, :class:`~discovery.circuits.symbolic.SimplifiedScheme` or verified Scheme.
        title: figure title; default names the format and the counts.
        labels: write node names; default only for circuits with at most 120 nodes.
    """
    G = obj if isinstance(obj, nx.DiGraph) else build_circuit(obj)
    pos = layered_positions(G)
    ncols = int(max(x for x, _ in pos.values())) + 1
    tallest = max(sum(1 for x, _ in pos.values() if x == c) for c in range(ncols))
    big = G.number_of_nodes() > 120
    labels = (not big) if labels is None else labels
    fig = Figure(figsize=(max(6.0, 1.6 * ncols), max(4.0, 0.42 * tallest)))
    ax = fig.add_subplot()
    for a, b, e in G.edges(data=True):
        (x0, y0), (x1, y1) = pos[a], pos[b]
        neg = e["coeff"] < 0
        ax.plot([x0, x1], [y0, y1], color="#c0392b" if neg else "#7f8c8d", ls="--" if neg else "-",
                lw=0.5 if big else 0.9, alpha=0.6 if big else 0.85, zorder=1)
        if abs(e["coeff"]) != 1 and labels:
            ax.text((x0 + x1) / 2, (y0 + y1) / 2, str(e["coeff"]), fontsize=6, color="#34495e")
    for kind, st in _STYLE.items():
        nodes = [v for v, d in G.nodes(data=True) if d["kind"] == kind]
        size = (60 if big else 260) * (1.6 if st["marker"] == "s" else 1.0)
        if nodes:
            ax.scatter([pos[v][0] for v in nodes], [pos[v][1] for v in nodes], s=size, marker=st["marker"],
                       c=st["color"], edgecolors="#2c3e50", linewidths=0.7, zorder=2, label=kind)
    if labels:
        for v, d in G.nodes(data=True):
            sym = {"add": "+", "mul": "×"}.get(d["kind"], "")
            x, y = pos[v]
            if sym:
                ax.text(x, y, sym, ha="center", va="center", fontsize=7, zorder=3)
                ax.text(x + 0.13, y + 0.2 / max(tallest, 1), v, ha="left", va="bottom", fontsize=6, zorder=3)
            else:
                ax.text(x, y, v, ha="center", va="center", fontsize=6, zorder=3)
    cnt = circuit_counts(G)
    n, m, p = G.graph["format"].split("x")
    ax.set_title(title or f"<{n},{m},{p}>: {cnt.multiplications} multiplications, "
                          f"{cnt.additions} additions, depth {cnt.depth}", fontsize=10)
    ax.legend(loc="upper center", bbox_to_anchor=(0.5, -0.01), ncol=5, fontsize=7, frameon=False,
              markerscale=0.6)
    ax.set_xlim(-0.5, ncols - 0.5)
    ax.set_ylim(-0.03, 1.03)
    ax.axis("off")
    fig.tight_layout()
    return fig
