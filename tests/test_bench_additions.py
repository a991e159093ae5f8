"""benchmarks/additions.py: the committed table's kept rows agree with their reduced files."""

import re

from tests._bench_helpers import load_benchmark


def _bench():
    return load_benchmark("additions")


def test_committed_rows_are_numbers_and_name_their_files():
    rows = _bench().committed_rows()
    assert "3x3x3" in rows and "5x5x5" in rows
    for fmt, row in rows.items():
        assert isinstance(row["additions"], int) and isinstance(row["rank"], int), fmt
        assert row["gap"] == row["additions"] - row["published"], fmt
        n, m, p, r, cr = map(int, re.search(r"(\d+)x(\d+)x(\d+)_m(\d+)_cr(\d+)_", row["file"]).groups())
        assert (f"{n}x{m}x{p}", r, cr) == (fmt, row["rank"], row["additions"])


def test_committed_rows_skip_rows_without_a_file(tmp_path):
    table = tmp_path / "additions.csv"
    table.write_text("format,rank,published,additions,gap,file\n"
                     "4x4x5,61,233,,,\n"
                     "9x9x9,1,1,1,0,results/schemes/additions/missing_reduced.json\n")
    assert _bench().committed_rows(table) == {}
