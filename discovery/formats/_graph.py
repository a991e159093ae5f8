"""Circuit graphs (:func:`discovery.circuits.circuit.build_circuit`) as text: Graphviz DOT and GraphML.

DOT is for drawing (``dot -Tsvg``); GraphML round-trips the graph with its node attributes and
exact edge coefficients (written as strings ``"1"``, ``"-1"``, ``"1/2"``).
"""

from __future__ import annotations

import io
from fractions import Fraction
from typing import TYPE_CHECKING

from discovery.core.coefficients import int_or_fraction

if TYPE_CHECKING:
    import networkx as nx


def to_dot(G: nx.DiGraph, name: str = "circuit") -> str:
    """Graphviz DOT text: inputs/outputs as boxes, sums as circles (+), products as (×).

    Inputs, products and outputs are ranked level; negative coefficients are red, others labelled.
    """
    shape = {"input_a": "box", "input_b": "box", "add": "circle", "mul": "doublecircle", "output": "box"}
    color = {"input_a": "#cfe2ff", "input_b": "#d1e7dd", "add": "#ffffff", "mul": "#fff3cd", "output": "#f8d7da"}
    out = io.StringIO()
    out.write(f'digraph "{name}" {{\n  rankdir=LR;\n  node [style=filled, fontname="Helvetica"];\n')
    for layer in (0, 2, 4):  # sums may feed sums, so only these layers are forced level
        members = [v for v, d in G.nodes(data=True) if d["layer"] == layer]
        out.write("  { rank=same; " + " ".join(f'"{v}";' for v in members) + " }\n")
    for v, d in G.nodes(data=True):
        label = {"add": f"{v}\\n+", "mul": f"{v}\\n×"}.get(d["kind"], v)
        out.write(f'  "{v}" [label="{label}", shape={shape[d["kind"]]}, fillcolor="{color[d["kind"]]}"];\n')
    for a, b, e in G.edges(data=True):
        c = e["coeff"]
        attrs = ['color="#c0392b"'] if c < 0 else []
        if abs(c) != 1:
            attrs.append(f'label="{c}"')
        elif c < 0:
            attrs.append('label="−"')
        out.write(f'  "{a}" -> "{b}"' + (f' [{", ".join(attrs)}]' if attrs else "") + ";\n")
    out.write("}\n")
    return out.getvalue()


def to_graphml(G: nx.DiGraph) -> str:
    """GraphML text (networkx); coefficients are written as strings ("1", "-1", "1/2")."""
    import networkx as nx  # on use: `import discovery` stays light
    H = G.copy()
    for _, _, e in H.edges(data=True):
        e["coeff"] = str(Fraction(e["coeff"]))
    return "\n".join(nx.generate_graphml(H))


def from_graphml(text: str) -> nx.DiGraph:
    """Read :func:`to_graphml` output back (coefficients as ints or Fractions)."""
    import networkx as nx  # on use: `import discovery` stays light
    G = nx.read_graphml(io.BytesIO(text.encode()))
    for _, _, e in G.edges(data=True):
        e["coeff"] = int_or_fraction(e["coeff"])
    return G
