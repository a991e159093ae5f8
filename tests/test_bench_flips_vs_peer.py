"""benchmarks/flips_vs_peer.py: without a peer binary it exits 0; our settings are read and checked first."""

import pytest

from tests._bench_helpers import load_benchmark


def _bench():
    return load_benchmark("flips_vs_peer")


def test_without_a_peer_binary_it_says_so_and_exits_0(monkeypatch, capsys):
    monkeypatch.delenv("DISCOVERY_PEER_FLIP_GRAPH", raising=False)
    assert _bench().main(["--budget", "1"]) == 0
    assert "no peer binary" in capsys.readouterr().out


def test_options_apply_to_every_row_or_one_and_keep_their_types():
    opts = _bench().parse_options(["walkers=128", "4x4x4-Z2:plus_max=0", "4x4x4-Z2:select=flips", "split=0.5"])
    assert opts == {"": {"walkers": 128, "split": 0.5}, "4x4x4-Z2": {"plus_max": 0, "select": "flips"}}
    assert _bench().parse_options(["reduce3=false", "debug=True", "copy_best=none"]) == {
        "": {"reduce3": False, "debug": True, "copy_best": None}}


@pytest.mark.parametrize("option, words", [("plus_max", "KEY=VALUE"), ("4x4x4-Z2:bogus=1", "bogus"),
                                           ("4x4x4-Z2:plus_max=-3", "plus_max")])
def test_a_bad_option_stops_before_any_run(tmp_path, capsys, option, words):
    fake = tmp_path / "flip_graph"
    fake.write_text("#!/bin/sh\nexit 0\n")
    fake.chmod(0o755)
    with pytest.raises(SystemExit) as exc:
        _bench().main(["--peer", str(fake), "--option", option, "--out", str(tmp_path / "t.csv")])
    assert exc.value.code == 2
    assert words in capsys.readouterr().err
    assert not (tmp_path / "t.csv").exists()
