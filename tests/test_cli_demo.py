from discovery.cli import main


def test_demo_prints_a_verified_algorithm(tmp_path, capsys):
    assert main(["demo", "--seed", "0", "--out", str(tmp_path)]) == 0
    out = capsys.readouterr().out
    assert "rank 7: exact over ZT" in out and "m7 = " in out and "sympy expansion agrees with A @ B: True" in out
    assert list(tmp_path.rglob("*.json"))
