"""Flip-graph walks spread over a real Dask LocalCluster and over local processes (no mocks)."""

import socket
import time

import pytest

import discovery as d
from discovery.cli import main
from discovery.search.executor import DaskExecutor, LocalExecutor
from discovery.search.flips import flip_search

distributed = pytest.importorskip("distributed")


def test_walks_on_a_dask_cluster_reach_rank_23_and_write_verified_schemes(tmp_path):
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=False,
                                  dashboard_address=":0") as cluster, DaskExecutor(cluster) as ex:
        res = flip_search(3, 3, 3, target_rank=23, time_limit=120, seed=0, out=tmp_path, executor=ex)
    assert res.best_rank == 23 and res.stop == "target" and res.rejected == 0
    assert all(d.verify(s, "ZT").ok for s in res.schemes)
    files = list(tmp_path.glob("r23-*.json"))
    assert files and all(d.verify(d.load_scheme(f)).ok for f in files)


def test_walks_in_one_local_process_are_the_same_code_path():
    with LocalExecutor(1) as ex:
        res = flip_search(2, 2, 3, target_rank=11, time_limit=60, seed=1, executor=ex)
    assert res.best_rank == 11 and d.verify(res.best).ok


def test_flip_with_an_unreachable_scheduler_is_one_line_within_seconds(capsys):
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    t0 = time.monotonic()
    assert main(["flip", "2", "2", "2", "--scheduler", f"tcp://127.0.0.1:{port}", "--quiet"]) == 2
    assert time.monotonic() - t0 < 10
    assert "cannot reach a Dask scheduler" in capsys.readouterr().err
