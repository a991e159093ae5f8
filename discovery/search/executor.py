"""Where batches of work run: local processes, or a Dask distributed cluster.

A search is split into independent batches (restarts of the solver, walks of the flip graph);
each batch is one call of a plain module-level function that returns candidates. The client
submits batches, takes them back as they finish (:meth:`Executor.as_completed`), and verifies
and stores the candidates itself, so a worker that dies loses at most the batch it held.

* :class:`LocalExecutor`: ``workers`` processes on this machine (default: all cores); with one
  worker the batch runs in the calling process (no pool, no pickling).
* :class:`DaskExecutor`: a ``dask.distributed`` cluster given by its scheduler address
  (``tcp://HOST:PORT``, started with ``dask scheduler`` and ``dask worker ADDRESS``), a
  ``Client`` or a ``LocalCluster``. Dask itself reruns the task of a worker that died on
  another worker; a batch lost for good (``KilledWorker``) is reported as :class:`LostBatch`.

Both have the same methods: ``warm_up`` (start the workers, import the modules the caller names),
``submit``, ``stream`` (a growing ``as_completed``: add futures, take back the next one to
finish), ``result``, ``cancel``, ``close``, and the attribute ``workers`` (how many batches
run at once).
"""

from __future__ import annotations

import concurrent.futures as cf
from concurrent.futures.process import BrokenProcessPool
import multiprocessing
import os
import re
from typing import Any, Callable, Iterable

from discovery.errors import DiscoveryError

CONNECT_TIMEOUT_S = 5.0
_ADDRESS = re.compile(r"^(tcp|tls|ucx|inproc)://[^\s/]+$")


class ExecutorError(DiscoveryError):
    """An executor cannot be set up (bad worker count, scheduler unreachable)."""


class LostBatch(Exception):
    """A batch did not come back (its worker died or the task failed); ``cause`` says why."""

    def __init__(self, cause: BaseException):
        super().__init__(f"{type(cause).__name__}: {cause}")
        self.cause = cause


def check_address(address: str) -> str:
    """``address`` as ``tcp://HOST:PORT`` (``HOST:PORT`` gets ``tcp://``); one clear error if malformed."""
    text = str(address).strip()
    if "://" not in text:
        text = "tcp://" + text
    if not _ADDRESS.match(text) or (text.startswith(("tcp://", "tls://")) and not re.search(r":\d+$", text)):
        raise ExecutorError(f"scheduler address {address!r} is malformed; use tcp://HOST:PORT "
                            "(the address `dask scheduler` prints)")
    return text


def import_modules(modules, prime: Callable | None = None) -> int:
    """Import ``modules`` in this process (a worker), then call ``prime()`` if given (e.g. to
    compile kernels); returns the process id."""
    import importlib

    for name in modules:
        importlib.import_module(name)
    if prime is not None:
        prime()
    return os.getpid()


class _Done:
    """A finished future for the in-process executor (same surface as concurrent futures)."""

    def __init__(self, fn, args, kwargs):
        self._value = fn(*args, **kwargs)

    def result(self):
        return self._value


class LocalExecutor:
    """Batches on this machine: ``workers`` processes (spawned; default all cores).

    With ``workers == 1`` each batch runs in the calling process when it is submitted.
    """

    kind = "local"

    def __init__(self, workers: int | None = None):
        if workers is None:
            workers = os.cpu_count() or 1
        if isinstance(workers, bool) or not isinstance(workers, int) or workers < 1:
            raise ExecutorError(f"workers must be a positive integer, got {workers!r}")
        self.workers = workers
        self._pool: cf.ProcessPoolExecutor | None = None

    def _get_pool(self) -> cf.ProcessPoolExecutor:
        broken = self._pool is not None and getattr(self._pool, "_broken", False)
        if self._pool is None or broken:
            if broken:
                self._pool.shutdown(wait=False, cancel_futures=True)
            # spawn: torch and numba do not survive fork()ing a process that already uses threads
            self._pool = cf.ProcessPoolExecutor(self.workers, mp_context=multiprocessing.get_context("spawn"))
        return self._pool

    def warm_up(self, modules=(), prime: Callable | None = None) -> None:
        """Start the worker processes and import ``modules`` there (or here, with one worker);
        ``prime``: a module-level function each worker then calls once (compiling kernels).

        The caller names what its batches import (e.g. the solver's ``SOLVER_MODULES``): the
        executor knows nothing of its users."""
        if self.workers == 1:
            import_modules(modules, prime)
            return
        pool = self._get_pool()
        for f in [pool.submit(import_modules, modules, prime) for _ in range(self.workers)]:
            f.result()

    def submit(self, fn: Callable, *args, **kwargs):
        if self.workers == 1:
            return _Done(fn, args, kwargs)
        return self._get_pool().submit(fn, *args, **kwargs)

    def stream(self) -> "_LocalStream":
        return _LocalStream()

    def cancel(self, futures: Iterable) -> None:
        for f in futures:
            if not isinstance(f, _Done):
                f.cancel()

    def result(self, future) -> Any:
        """The batch's value; :class:`LostBatch` if its process died (an error in the batch
        itself is raised as it is: that is a bug to see, not a loss to retry)."""
        try:
            return future.result()
        except (BrokenProcessPool, cf.CancelledError) as exc:
            raise LostBatch(exc) from exc

    def close(self) -> None:
        if self._pool is not None:
            self._pool.shutdown(wait=True, cancel_futures=True)
            self._pool = None

    def describe(self) -> str:
        return f"local, {self.workers} process{'es' if self.workers > 1 else ''}"

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()


class DaskExecutor:
    """Batches on a Dask distributed cluster.

    Args:
        target: a scheduler address (``tcp://HOST:PORT``), a ``distributed.Client`` or a cluster
            object such as ``LocalCluster`` (the executor then owns a client it opens on it).
        timeout: seconds to wait for the scheduler before giving up with :class:`ExecutorError`.
    """

    kind = "dask"

    def __init__(self, target, timeout: float = CONNECT_TIMEOUT_S):
        try:
            import distributed
        except ImportError:  # pragma: no cover - dask[distributed] is a dependency
            raise ExecutorError("--scheduler needs dask.distributed: pip install 'dask[distributed]'") from None
        self._distributed = distributed
        self._own = True
        if isinstance(target, distributed.Client):
            self.client, self._own = target, False
        elif isinstance(target, str):
            address = check_address(target)
            try:
                self.client = distributed.Client(address, timeout=timeout, set_as_default=False)
            except Exception as exc:  # OSError, TimeoutError, or garbage from a non-Dask server
                raise ExecutorError(
                    f"cannot reach a Dask scheduler at {address} within {timeout:g} s ({type(exc).__name__}); "
                    "start one with `dask scheduler` and workers with `dask worker ADDRESS`, "
                    "or check the address") from None
        else:
            self.client = distributed.Client(target, timeout=timeout, set_as_default=False)
        self.address = self.client.scheduler.address

    @property
    def workers(self) -> int:
        """Worker threads in the cluster now (at least 1): how many batches run at once."""
        info = self.client.scheduler_info(n_workers=-1) if _takes_n_workers(self.client) else self.client.scheduler_info()
        return max(1, sum(w.get("nthreads", 1) for w in info.get("workers", {}).values()))

    def warm_up(self, modules=(), prime: Callable | None = None) -> None:
        """Import ``modules`` on every worker now and call ``prime`` there (workers that join
        later do it on first use)."""
        self.client.run(import_modules, modules, prime)

    def submit(self, fn: Callable, *args, **kwargs):
        # pure=False: two batches with the same arguments are still two tasks
        return self.client.submit(fn, *args, pure=False, **kwargs)

    def stream(self) -> "_DaskStream":
        return _DaskStream(self._distributed.as_completed(loop=self.client.loop))

    def cancel(self, futures: Iterable) -> None:
        futures = list(futures)
        if futures:
            self.client.cancel(futures)

    def result(self, future) -> Any:
        """The batch's value; :class:`LostBatch` if Dask gave up on it (its worker died more
        often than ``distributed.scheduler.allowed-failures``, or the connection broke)."""
        from distributed.comm.core import CommClosedError
        from distributed.scheduler import KilledWorker

        try:
            return future.result()
        except (KilledWorker, CommClosedError, cf.CancelledError) as exc:
            raise LostBatch(exc) from exc

    def close(self) -> None:
        if self._own:
            self.client.close()

    def describe(self) -> str:
        return f"dask at {self.address}, {self.workers} worker thread(s)"

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()


class _LocalStream:
    """Futures in flight on a :class:`LocalExecutor`; ``next()`` blocks until one is done."""

    def __init__(self):
        self._futures: list = []

    def add(self, future) -> None:
        self._futures.append(future)

    def __len__(self) -> int:
        return len(self._futures)

    def next(self):
        ready = [f for f in self._futures if isinstance(f, _Done)]
        if not ready:
            done, _ = cf.wait(self._futures, return_when=cf.FIRST_COMPLETED)
            ready = [f for f in self._futures if f in done]
        self._futures.remove(ready[0])
        return ready[0]


class _DaskStream:
    """Futures in flight on a Dask cluster, taken back with ``distributed.as_completed``."""

    def __init__(self, ac):
        self._ac = ac
        self._n = 0

    def add(self, future) -> None:
        self._ac.add(future)
        self._n += 1

    def __len__(self) -> int:
        return self._n

    def next(self):
        future = next(self._ac)
        self._n -= 1
        return future


def _takes_n_workers(client) -> bool:
    import inspect

    return "n_workers" in inspect.signature(client.scheduler_info).parameters


def make_executor(scheduler=None, workers: int | None = None):
    """A :class:`DaskExecutor` when ``scheduler`` is given, else a :class:`LocalExecutor`.

    Raises :class:`ExecutorError` (a DiscoveryError) within ~5 s when the scheduler cannot be
    reached, before any work starts.
    """
    if scheduler is None:
        return LocalExecutor(workers)
    if workers is not None:
        raise ExecutorError("--workers is for the local executor; a Dask cluster has the workers "
                            "you started (`dask worker ADDRESS --nthreads K`)")
    return DaskExecutor(scheduler)
