"""Arithmetic circuits: a scheme's evaluation as a networkx DiGraph.

Node ids are the program's names (see :mod:`discovery.circuits.symbolic`): inputs ``a11``.. and
``b11``.., A/B-side sums ``s1``.., ``t1``.. (and ``u1``.., ``v1``.. for product factors that are
sums), products ``m1``.., C-side sums ``q1``.., outputs ``c11``... Node attributes:

* ``kind``: "input_a", "input_b", "add", "mul" or "output";
* ``side``: "A", "B" or "C"; ``layer``: 0 inputs, 1 A/B sums, 2 products, 3 C sums, 4 outputs;
* ``index``: position of an input in vec(A)/vec(B) (row-major) or of an output in vec(C^T).

Edges carry ``coeff`` (int or Fraction); into a ``mul`` node they also carry
``operand`` ("left" or "right"). An add/output node computes ``sum(coeff * pred)`` and costs
(in-degree - 1) additions; a mul node computes ``(coeff * left) * (coeff * right)``.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np

from discovery.circuits.symbolic import SimplifiedScheme, plain
from discovery.core.scheme import Scheme

if TYPE_CHECKING:
    import networkx as nx


@dataclass(frozen=True)
class CircuitCounts:
    """Operation counts read off a circuit graph.

    ``additions`` counts additions and subtractions; ``multiplications`` the (block) products;
    ``scalings`` edges with a coefficient other than ±1; ``depth`` the longest path counting a
    product as 1 and a k-term sum as ceil(log2 k) (a balanced tree of additions).
    """

    multiplications: int
    additions: int
    scalings: int
    depth: int


def build_circuit(scheme: Scheme | SimplifiedScheme) -> nx.DiGraph:
    """The circuit of a simplified scheme, or of a plain (unshared) evaluation of a scheme.

    A plain :class:`Scheme` is verified first (:func:`discovery.circuits.symbolic.plain`).
    """
    import networkx as nx  # on use: `import discovery` stays light
    ss = scheme if isinstance(scheme, SimplifiedScheme) else plain(scheme)
    n, m, p = ss.format
    names = ss.names()
    G = nx.DiGraph(format=f"{n}x{m}x{p}", rank=ss.multiplications)
    for side, kind, prog in (("a", "input_a", ss.a), ("b", "input_b", ss.b)):
        S = side.upper()
        for i in range(prog.n_inputs):
            G.add_node(names[side][i], kind=kind, side=S, layer=0, index=i)
        for k, terms in enumerate(prog.temps):
            _add_sum(G, names[side][prog.n_inputs + k], names[side], terms, S, 1)
    for t in range(ss.multiplications):
        mt = names["c"][t]
        G.add_node(mt, kind="mul", side="C", layer=2)
        for operand, side, prog, fac in (("left", "a", ss.a, "u"), ("right", "b", ss.b, "v")):
            terms = prog.outputs[t]
            if len(terms) == 1:
                src, c = names[side][terms[0][0]], terms[0][1]
            else:
                src, c = f"{fac}{t + 1}", 1
                _add_sum(G, src, names[side], terms, side.upper(), 1)
            G.add_edge(src, mt, coeff=c, operand=operand)
    for k, terms in enumerate(ss.c.temps):
        _add_sum(G, names["c"][ss.c.n_inputs + k], names["c"], terms, "C", 3)
    for c, terms in enumerate(ss.c.outputs):
        out = names["out"][c]
        G.add_node(out, kind="output", side="C", layer=4, index=c)
        for v, coef in terms:
            G.add_edge(names["c"][v], out, coeff=coef)
    return G


def _add_sum(G: nx.DiGraph, name: str, names: list[str], terms, side: str, layer: int) -> None:
    G.add_node(name, kind="add", side=side, layer=layer)
    for v, c in terms:
        G.add_edge(names[v], name, coeff=c)


def circuit_counts(G: nx.DiGraph) -> CircuitCounts:
    """Multiplications, additions, scalings and depth of a circuit (see :class:`CircuitCounts`)."""
    import networkx as nx  # on use: `import discovery` stays light
    mults = adds = 0
    depth: dict[str, int] = {}
    for node in nx.topological_sort(G):
        kind = G.nodes[node]["kind"]
        preds = list(G.predecessors(node))
        below = max((depth[q] for q in preds), default=0)
        if kind == "mul":
            mults += 1
            depth[node] = below + 1
        elif kind in ("add", "output"):
            adds += max(len(preds) - 1, 0)
            depth[node] = below + (math.ceil(math.log2(len(preds))) if len(preds) > 1 else 0)
        else:
            depth[node] = 0
    scalings = sum(1 for *_, c in G.edges(data="coeff") if abs(c) != 1)
    return CircuitCounts(mults, adds, scalings, max(depth.values(), default=0))


def evaluate_circuit(G: nx.DiGraph, A: Any, B: Any, matmul=None) -> Any:
    """Evaluate the circuit: C = A @ B for an (n, m) and an (m, p) array of numbers.

    With ``matmul`` (e.g. ``numpy.matmul``) the entries may be blocks: A is then a nested
    (n, m) list of equally shaped blocks, and products use ``matmul(left, right)``.
    Returns an (n, p) numpy array (or nested list of blocks when ``matmul`` is given).
    """
    import networkx as nx  # on use: `import discovery` stays light
    n, m, p = (int(x) for x in G.graph["format"].split("x"))
    mul = matmul or (lambda x, y: x * y)
    val: dict[str, Any] = {}
    for node in nx.topological_sort(G):
        d = G.nodes[node]
        if d["kind"] == "input_a":
            val[node] = A[d["index"] // m][d["index"] % m]
        elif d["kind"] == "input_b":
            val[node] = B[d["index"] // p][d["index"] % p]
        elif d["kind"] == "mul":
            ops = {e["operand"]: _scaled(e["coeff"], val[q]) for q, _, e in G.in_edges(node, data=True)}
            val[node] = mul(ops["left"], ops["right"])
        else:
            total = None
            for q, _, e in G.in_edges(node, data=True):
                c, x = e["coeff"], val[q]
                if total is None:
                    total = _scaled(c, x)
                else:
                    total = total + x if c == 1 else (total - x if c == -1 else total + c * x)
            val[node] = total
    outs = sorted((d["index"], node) for node, d in G.nodes(data=True) if d["kind"] == "output")
    C = [[None] * p for _ in range(n)]
    for c, node in outs:
        k, i = divmod(c, n)
        C[i][k] = val[node]
    return C if matmul else np.array(C)


def _scaled(c, x):
    return x if c == 1 else (-x if c == -1 else c * x)
