"""Executors: local processes and a real Dask LocalCluster (no mocks), including dead workers."""

from __future__ import annotations

import os
import signal
import threading
import time

import pytest

import discovery as d
from discovery.core.transforms import fingerprint
from discovery.search.executor import DaskExecutor, ExecutorError, LocalExecutor, check_address, make_executor
from discovery.search.solver import discover

distributed = pytest.importorskip("distributed")
import dask  # noqa: E402  (after the skip: dask comes with distributed)


@pytest.fixture(scope="module")
def cluster():
    """Two single-threaded worker processes: tasks really run elsewhere and can be killed."""
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True,
                                  dashboard_address=":0") as c:
        yield c


@pytest.mark.parametrize("bad", ["nonsense", "tcp://", "tcp://host", "http://x:1 y"])
def test_malformed_scheduler_address_is_refused(bad):
    with pytest.raises(ExecutorError, match="malformed"):
        check_address(bad)


def test_unreachable_scheduler_fails_with_one_clear_error_within_the_connect_timeout(closed_port, monkeypatch):
    from discovery.search import executor as ex

    asked = []

    class Spy(distributed.Client):
        def __init__(self, *args, **kw):
            asked.append(kw.get("timeout"))
            super().__init__(*args, **kw)

    monkeypatch.setattr(distributed, "Client", Spy)
    with pytest.raises(ExecutorError, match="cannot reach a Dask scheduler at .* within 5 s"):
        make_executor(f"tcp://127.0.0.1:{closed_port}")
    assert asked == [ex.CONNECT_TIMEOUT_S] == [5.0]  # the bound the client is given, not a stopwatch


@pytest.mark.slow
def test_unreachable_scheduler_gives_up_within_seconds_of_wall_time(closed_port):
    t0 = time.monotonic()
    with pytest.raises(ExecutorError, match="cannot reach a Dask scheduler"):
        make_executor(f"tcp://127.0.0.1:{closed_port}")
    assert time.monotonic() - t0 < 30  # generous: the client's timeout is 5 s


def test_bad_worker_counts_are_refused():
    with pytest.raises(ExecutorError):
        LocalExecutor(0)
    with pytest.raises(ExecutorError, match="--workers is for the local executor"):
        make_executor("tcp://127.0.0.1:1", workers=2)


def _fps(result):
    return sorted(fingerprint(s) for s in result.schemes)


def test_executors_find_exactly_what_the_sequential_loop_finds(tmp_path, cluster):
    # restarts are identified by (seed, index), so batching and placement cannot change results
    ref = discover(2, 2, 3, 11, restarts=16, seed=3, out=str(tmp_path / "seq"))
    assert ref.distinct > 0
    with LocalExecutor(1) as ex:
        inline = discover(2, 2, 3, 11, restarts=16, seed=3, out=str(tmp_path / "inline"), executor=ex)
    with DaskExecutor(cluster) as ex:
        assert ex.workers == 2
        dask = discover(2, 2, 3, 11, restarts=16, seed=3, out=str(tmp_path / "dask"), executor=ex)
    for res in (inline, dask):
        assert (res.restarts, res.successes, res.lost_batches) == (16, ref.successes, 0)
        assert _fps(res) == _fps(ref)
    for path in (tmp_path / "dask").glob("r11-*.json"):
        assert d.verify(d.load_scheme(path)).ok


def test_local_process_pool_resumes_where_a_run_stopped(tmp_path):
    with LocalExecutor(2) as ex:
        first = discover(2, 2, 2, 7, restarts=8, seed=0, out=str(tmp_path), executor=ex)
        again = discover(2, 2, 2, 7, restarts=8, seed=0, out=str(tmp_path), executor=ex)
    ref = discover(2, 2, 2, 7, restarts=16, seed=0, out=str(tmp_path / "ref"))
    assert first.restarts == again.restarts == 8
    # the second run did restarts 8..15: together they are the sequential run of 16
    assert sorted(set(_fps(first)) | set(_fps(again))) == _fps(ref)


def _worker_pids(client) -> dict:
    return client.run(os.getpid)


def _kill_a_busy_worker(client, stop: threading.Event) -> int | None:
    """SIGKILL the process of a worker while it holds a task; its pid, or None if none came."""
    pids = _worker_pids(client)
    while not stop.is_set():
        busy = [w for w, tasks in client.processing().items() if tasks]
        if busy and busy[0] in pids:
            os.kill(pids[busy[0]], signal.SIGKILL)
            return pids[busy[0]]
        time.sleep(0.05)
    return None


def test_a_worker_killed_mid_sweep_loses_only_its_batch(tmp_path, cluster):
    client = distributed.Client(cluster, set_as_default=False)
    try:
        stop = threading.Event()
        killed = []
        killer = threading.Thread(target=lambda: killed.append(_kill_a_busy_worker(client, stop)))
        killer.start()
        try:
            res = d.sweep("2x3x3", ranks="15", budget=6, out=str(tmp_path / "s"), scheduler=client)
        finally:
            stop.set()
            killer.join()
        assert killed and killed[0] is not None
        client.wait_for_workers(2, timeout=30)  # the nanny restarted it
        assert killed[0] not in _worker_pids(client).values()
    finally:
        client.close()
    (cell,) = res.cells
    assert (cell.n, cell.m, cell.p, cell.rank) == (2, 3, 3, 15) and cell.restarts > 0
    # whatever came back was verified and stored; Dask re-ran the killed worker's task
    files = sorted((tmp_path / "s" / "2x3x3").glob("r[0-9]*-*.json"))
    assert cell.lost_batches == 0 and len(files) == cell.new
    for path in files:
        s = d.load_scheme(path)
        assert s.rank <= 15 and d.verify(s).ok


def test_a_batch_lost_for_good_is_reported_and_its_restarts_run_again(tmp_path, cluster):
    # with no retries allowed, the scheduler gives up on the killed worker's task (KilledWorker)
    cluster.scheduler.allowed_failures = 0
    try:
        with distributed.Client(cluster, set_as_default=False) as client:
            client.wait_for_workers(2, timeout=30)
            stop = threading.Event()
            killed = []
            killer = threading.Thread(target=lambda: killed.append(_kill_a_busy_worker(client, stop)))
            killer.start()
            try:
                with DaskExecutor(client) as ex:
                    res = discover(2, 3, 3, 15, restarts=16, batch=4, seed=1, out=str(tmp_path), executor=ex)
            finally:
                stop.set()
                killer.join()
    finally:
        cluster.scheduler.allowed_failures = dask.config.get("distributed.scheduler.allowed-failures")
    assert killed[0] is not None
    assert res.lost_batches >= 1
    assert res.restarts == 16  # the lost restarts were handed out again
    state = d.search.solver._store.ResultStore(res.config).state
    assert state["done"] == [[0, 16]] and state["restarts"] == 16


def test_flip_walks_run_as_tasks_on_the_cluster(tmp_path, cluster):
    pytest.importorskip("discovery.search.flips", reason="the flip-graph engine is not installed")
    with distributed.Client(cluster, set_as_default=False) as client:
        client.wait_for_workers(2, timeout=30)
        res = d.sweep("2x3x3", ranks="15", strategy="flips", budget=20, out=str(tmp_path / "f"), scheduler=client)
    (cell,) = res.cells
    # one single-walker flip_search task per worker thread and slice, verified again here
    assert cell.reached and cell.walks >= 2 and cell.walks % 2 == 0 and cell.lost_batches == 0
    for path in sorted((tmp_path / "f" / "2x3x3").glob("r[0-9]*-*.json")):
        s = d.load_scheme(path)
        assert d.verify(s).ok and s.rank >= 15
