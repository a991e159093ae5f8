import pytest

from discovery import laderman, load_schemes, strassen, verify
from discovery.ranks.best_known import best_known_table
from discovery.ranks.bounds import RankTable, compare, permuted
from discovery.ranks.figures import rank_ratio_figure
from discovery.errors import DiscoveryError


def test_composed_ranks_and_built_schemes_verify():
    tab = RankTable([strassen(), laderman()], max_dim=4)
    assert tab.rank((2, 2, 2)) == 7 and tab.rank((4, 4, 4)) == 49 and tab.rank((3, 3, 3)) == 23
    assert tab.rank((2, 2, 3)) == 11  # Strassen ⊕ the standard <2,2,1>
    for fmt in [(2, 2, 3), (4, 2, 3), (3, 4, 4), (4, 4, 4), (1, 3, 2)]:
        s = tab.build(fmt)
        assert s.format == fmt and s.rank == tab.rank(fmt) and verify(s).ok


def test_permuted_and_errors():
    s = permuted(laderman(), (3, 3, 3))
    assert s.format == (3, 3, 3)
    with pytest.raises(DiscoveryError, match="not a permutation"):
        permuted(strassen(), (2, 2, 3))
    with pytest.raises(DiscoveryError, match="outside this table"):
        RankTable([strassen()], max_dim=3).build((2, 2, 5))


def test_against_best_known(shared_data):
    best = best_known_table(shared_data / "best_known_ranks.csv")
    alpha = [s for _, s in load_schemes(shared_data / "alphatensor" / "factorizations_r.npz")
             if max(s.format) <= 5]
    tables = {"textbook": RankTable([strassen(), laderman()], 5), "alphatensor": RankTable(alpha, 5)}
    rows = compare(tables, best, 5)
    for r in rows:  # composition never beats the best known bound
        assert r["alphatensor"] >= r["best_known_Q"] and r["textbook"] >= r["alphatensor"]
    assert any(r["alphatensor"] == r["best_known_Q"] for r in rows)
    fig = rank_ratio_figure(rows, "alphatensor", "best_known_Q")
    assert fig.axes and len(fig.axes[0].patches) == len(rows)
