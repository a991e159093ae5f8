"""Layered drawings of arithmetic circuits (matplotlib).

Columns left to right: inputs (a_ij above b_jk), A/B sums (one column per nesting depth),
products, C sums, outputs c_ik. Within a column nodes are ordered by the mean height of their
operands (fewer crossings). Kinds: inputs and outputs are squares (A blue, B green, C red),
sums white circles with "+", products yellow circles with "×"; edges with coefficient +1 are grey,
with a negative coefficient red and dashed (a subtraction, or a negated factor of a product), other
coefficients than ±1 are written on the edge. Node names are the program's (the ones ``discovery
simplify`` prints and ``export`` writes): s/t shared A/B sums, u_t/v_t the factors of m_t that are
sums used only there, m_t products, q shared C sums. The legend says all of this.
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


LABELS = ("auto", "all", "io", "none")
_AUTO_ALL = 120  # "auto" names every node up to this many nodes, else inputs, products and outputs


def _labelled(G: nx.DiGraph, labels) -> set:
    """The nodes whose names are written, for ``labels`` in :data:`LABELS` (True/False/None are
    "all"/"none"/"auto")."""
    mode = {True: "all", False: "none", None: "auto"}.get(labels, labels)
    if mode not in LABELS:
        raise ValueError(f"labels must be one of {', '.join(LABELS)}, got {labels!r}")
    io = {v for v, d in G.nodes(data=True) if d["kind"] in ("input_a", "input_b", "output")}
    if mode == "none":
        return set()
    if mode == "io":
        return io
    if mode == "all" or G.number_of_nodes() <= _AUTO_ALL:
        return set(G.nodes)
    return io | {v for v, d in G.nodes(data=True) if d["kind"] == "mul"}


def draw_circuit(obj: Any, title: str | None = None, labels: str | bool | None = "auto") -> Figure:
    """A layered figure of a circuit (or of the circuit of a scheme / simplified scheme).

    Args:
        obj: a circuit graph, :class:`~discovery.circuits.symbolic.SimplifiedScheme` or verified Scheme.
        title: figure title; default names the format and the counts.
        labels: which node names to write: "auto" (default: every name up to 120 nodes, above that
            the inputs, products and outputs), "all", "io" (inputs and outputs) or "none". Fonts
            follow the space a node has, so names stay readable at every size.
    """
    G = obj if isinstance(obj, nx.DiGraph) else build_circuit(obj)
    named = _labelled(G, labels)
    pos = layered_positions(G)
    ncols = int(max(x for x, _ in pos.values())) + 1
    per_col = [sum(1 for x, _ in pos.values() if x == c) for c in range(ncols)]
    tallest = max(per_col)
    big = G.number_of_nodes() > _AUTO_ALL
    height = max(4.0, 0.42 * tallest)
    fig = Figure(figsize=(max(6.0, 1.6 * ncols), height + 0.9))
    ax = fig.add_axes((0.02, 0.9 / (height + 0.9), 0.96, height / (height + 0.9) - 0.06))
    gap_pt = 72 * height / tallest  # vertical room of one node in the fullest column
    font = max(4.0, min(7.0, 0.45 * gap_pt))
    marker = min(260.0, (0.55 * gap_pt) ** 2)
    coeffs = set()
    for a, b, e in G.edges(data=True):
        (x0, y0), (x1, y1) = pos[a], pos[b]
        neg = e["coeff"] < 0
        ax.plot([x0, x1], [y0, y1], color=_NEG if neg else _POS, ls="--" if neg else "-",
                lw=0.5 if big else 0.9, alpha=0.6 if big else 0.85, zorder=1)
        if abs(e["coeff"]) != 1:
            coeffs.add(e["coeff"])
            ax.text((x0 + x1) / 2, (y0 + y1) / 2, str(e["coeff"]), fontsize=font, color="#34495e", zorder=3,
                    ha="center", va="center", bbox=dict(facecolor="white", edgecolor="none", pad=0.4))
    for kind, st in _STYLE.items():
        nodes = [v for v, d in G.nodes(data=True) if d["kind"] == kind]
        size = marker * (1.6 if st["marker"] == "s" else 1.0)
        if nodes:
            ax.scatter([pos[v][0] for v in nodes], [pos[v][1] for v in nodes], s=size, marker=st["marker"],
                       c=st["color"], edgecolors="#2c3e50", linewidths=0.7, zorder=2)
    dy = 0.5 / tallest
    for v, d in G.nodes(data=True):
        x, y = pos[v]
        sym = {"add": "+", "mul": "×"}.get(d["kind"], "")
        if sym and marker >= 60:
            ax.text(x, y, sym, ha="center", va="center", fontsize=font, zorder=3)
        if v not in named:
            continue
        if not sym and not big:  # a roomy square holds its own name
            ax.text(x, y, v, ha="center", va="center", fontsize=font, zorder=3)
        elif d["kind"] == "input_a" or d["kind"] == "input_b":
            ax.text(x - 0.12, y, v, ha="right", va="center", fontsize=font, zorder=3)
        elif d["kind"] == "output":
            ax.text(x + 0.12, y, v, ha="left", va="center", fontsize=font, zorder=3)
        else:
            ax.text(x + 0.1, y + 0.45 * dy, v, ha="left", va="bottom", fontsize=font, zorder=3)
    cnt = circuit_counts(G)
    n, m, p = G.graph["format"].split("x")
    ax.set_title(title or f"<{n},{m},{p}>: {cnt.multiplications} multiplications, "
                          f"{cnt.additions} additions, depth {cnt.depth}", fontsize=10)
    ax.legend(handles=_legend(coeffs), loc="upper center", bbox_to_anchor=(0.5, 0.0), ncol=5, fontsize=7,
              frameon=False, title=_NAMES, title_fontsize=7)
    ax.set_xlim(-0.7, ncols - 0.3)
    ax.set_ylim(-0.5 / tallest, 1 + 0.5 / tallest)
    ax.axis("off")
    return fig


_POS, _NEG = "#7f8c8d", "#c0392b"
_NAMES = ("names as `discovery simplify` prints them: s, t shared A, B sums; u_t, v_t the factors of m_t "
          "that are sums used only there; m_t products; q shared C sums")


def _legend(coeffs) -> list:
    """Handles for every node kind and every edge style the figure uses."""
    from matplotlib.lines import Line2D

    def node(kind, text):
        st = _STYLE[kind]
        return Line2D([], [], ls="", marker=st["marker"], markersize=7, markerfacecolor=st["color"],
                      markeredgecolor="#2c3e50", label=text)

    nodes = [node("input_a", "input a_ij (of A)"), node("input_b", "input b_jk (of B)"),
             node("add", "+ sum"), node("mul", "× product m_t"), node("output", "output c_ik (of C)")]
    edges = [Line2D([], [], color=_POS, lw=1.2, label="edge: coefficient +1 (added)"),
             Line2D([], [], color=_NEG, lw=1.2, ls="--", label="edge: coefficient −1 (subtracted; into × a negated factor)")]
    if coeffs:
        shown = ", ".join(str(c) for c in sorted(coeffs)[:4]) + (" ..." if len(coeffs) > 4 else "")
        edges.append(Line2D([], [], color=_POS, lw=1.2, label=f"edge: other coefficient ({shown}), written on it"))
    edges += [Line2D([], [], ls="", label=" ")] * (len(nodes) - len(edges))
    # the legend fills column by column: nodes in its first row, edge styles in its second
    return [h for pair in zip(nodes, edges) for h in pair]
