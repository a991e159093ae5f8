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
