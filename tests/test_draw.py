import matplotlib

matplotlib.use("Agg")

import io  # noqa: E402

import matplotlib.pyplot as plt  # noqa: E402
from matplotlib.figure import Figure  # noqa: E402

from discovery.circuits.circuit import build_circuit  # noqa: E402
from discovery.circuits.draw import draw_circuit, layered_positions  # noqa: E402
from discovery.circuits.symbolic import simplify_additions  # noqa: E402
from discovery.formats import read_reduced  # noqa: E402
from tests._circuit_fixtures import data_file, winograd  # noqa: E402


def test_layers_follow_the_circuit():
    G = build_circuit(simplify_additions(winograd()))
    pos = layered_positions(G)
    for a, b in G.edges:
        assert pos[a][0] < pos[b][0]  # every edge goes right
    xs = {d["kind"]: pos[v][0] for v, d in G.nodes(data=True)}
    assert xs["input_a"] == 0 and xs["mul"] < xs["output"]
    assert len({pos[v][0] for v, d in G.nodes(data=True) if d["kind"] == "mul"}) == 1


def test_draw_small_and_3x3():
    for obj in (simplify_additions(winograd()), read_reduced(data_file("3x3x3_m23_cr58_cn119_ZT_reduced.json"))):
        fig = draw_circuit(obj)
        assert isinstance(fig, Figure)
        assert "multiplications" in fig.axes[0].get_title()
        buf = io.BytesIO()
        fig.savefig(buf, format="png", dpi=50)
        assert buf.getvalue()[:4] == b"\x89PNG"
        plt.close(fig)


def _texts(fig) -> set[str]:
    return {t.get_text() for t in fig.axes[0].texts}


def _legend(fig) -> list[str]:
    leg = fig.axes[0].get_legend()
    return [t.get_text() for t in leg.get_texts()] + [leg.get_title().get_text()]


def test_big_circuits_keep_their_input_output_and_product_names():
    from discovery import kron

    ss = simplify_additions(kron(winograd(), winograd()))  # <4,4,4> rank 49: hundreds of nodes
    G = build_circuit(ss)
    assert G.number_of_nodes() > 120
    auto = _texts(draw_circuit(ss))
    io = {v for v, d in G.nodes(data=True) if d["kind"] in ("input_a", "input_b", "output")}
    muls = {v for v, d in G.nodes(data=True) if d["kind"] == "mul"}
    assert {"a11", "b44", "c11", "c44", "m49"} <= auto and io | muls <= auto
    assert not {v for v in G.nodes if v[0] in "stuvq"} & auto
    every = _texts(draw_circuit(ss, labels="all"))
    assert set(G.nodes) <= every
    assert _texts(draw_circuit(ss, labels="io")) & set(G.nodes) == io
    assert not _texts(draw_circuit(ss, labels="none")) & set(G.nodes)
    plt.close("all")


def test_the_legend_explains_every_node_and_edge_style():
    words = " | ".join(_legend(draw_circuit(simplify_additions(winograd()))))
    for what in ("input a_ij", "input b_jk", "+ sum", "× product m_t", "output c_ik",
                 "coefficient +1 (added)", "coefficient −1 (subtracted", "u_t, v_t the factors of m_t"):
        assert what in words, words
    assert "other coefficient" not in words  # Winograd has none
    z = read_reduced(data_file("3x3x3_m23_cr58_cn119_ZT_reduced.json")).scheme
    G = build_circuit(simplify_additions(z))
    assert "other coefficient" not in " ".join(_legend(draw_circuit(G)))
    G2 = G.copy()
    a, b = next(iter(G2.edges))
    G2.edges[a, b]["coeff"] = 2
    words = " ".join(_legend(draw_circuit(G2)))
    assert "other coefficient (2), written on it" in words and "2" in _texts(draw_circuit(G2))
    plt.close("all")
