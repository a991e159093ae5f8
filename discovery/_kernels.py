"""The package's numba kernels: their groups, whether numba's disk cache holds them, and one line on
stderr when a group really compiles (a cache miss: the first run, or after the source changed).

Nothing here imports numba at module level; the groups name their modules as strings, so this
helper sits at the bottom of the layers and knows no other module of the package.
"""

from __future__ import annotations

import contextlib
import importlib
import sys
from dataclasses import dataclass, field


@dataclass(frozen=True)
class KernelGroup:
    """One group of compiled kernels.

    Attributes:
        name: what the notice calls it (``"flip"`` in "compiling flip kernels ...").
        modules: the modules holding its ``numba.njit`` kernels.
        seconds: about how long compiling the group takes with an empty cache (measured with
            ``discovery warmup`` and an empty ``NUMBA_CACHE_DIR`` on 2 cores, load 1.2: flip 11.8 s,
            CSE 11.5 s, lift 11.0 s; the symmetric walk's kernels add 32 s to flip, load 4; the
            full group's walk (``_sym_full``) compiled in 55 s on its own, load 3; the
            flip walk's hash index and inlined moves take the group from 61 s to 88 s of CPU
            time, measured back to back at load 2-4; the closure search takes CSE to 13.3 s, load 0.2).
    """

    name: str
    modules: tuple[str, ...]
    seconds: int


GROUPS: tuple[KernelGroup, ...] = (
    KernelGroup("flip", ("discovery.search.flips._index", "discovery.search.flips._moves",
                         "discovery.search.flips._kernels", "discovery.search.flips._sym_kernels",
                         "discovery.search.flips._sym_full"), 90),
    KernelGroup("CSE", ("discovery.circuits._cse_kernels", "discovery.circuits._closure_kernels"), 14),
    KernelGroup("lift", ("discovery.search.lift._choose", "discovery.search.lift._echelon",
                         "discovery.search.lift._gfp", "discovery.search.lift._system"), 11),
)


def group_of(module: str) -> KernelGroup | None:
    """The group whose kernels live in ``module``, or None."""
    for g in GROUPS:
        if module in g.modules:
            return g
    return None


def notice(group: KernelGroup) -> str:
    return f"compiling {group.name} kernels (first run only, ~{group.seconds} s)"


@dataclass
class CompileLog:
    """Real compilations seen while :func:`watch_compiles` was active, by group name (kernels of
    no group under ``None``)."""

    counts: dict = field(default_factory=dict)
    announced: set = field(default_factory=set)


_ANNOUNCING: list[CompileLog] = []  # the logs of the announcing watches now active, innermost last


@contextlib.contextmanager
def watch_compiles(announce: bool = False, stream=None):
    """Count numba's real compilations (not loads from its disk cache) while active.

    With ``announce``, the first compilation of each group writes :func:`notice` as one line to
    ``stream`` (default stderr; through ``tqdm.write`` so a live bar stays intact). Yields a
    :class:`CompileLog`.
    """
    from numba.core import event

    log = CompileLog()

    class _Listener(event.Listener):
        def on_start(self, ev):
            disp = ev.data.get("dispatcher") if isinstance(ev.data, dict) else None
            group = group_of(getattr(getattr(disp, "py_func", None), "__module__", ""))
            key = group.name if group else None
            log.counts[key] = log.counts.get(key, 0) + 1
            if announce and group is not None:
                _say(log, group, stream)

        def on_end(self, ev):
            pass

    if announce:
        _ANNOUNCING.append(log)
    try:
        with event.install_listener("numba:compile", _Listener()):
            yield log
    finally:
        if announce:
            _ANNOUNCING.remove(log)


def _say(log: CompileLog, group: KernelGroup, stream=None) -> None:
    if group.name not in log.announced:
        log.announced.add(group.name)
        from tqdm import tqdm

        tqdm.write(notice(group), file=stream or sys.stderr)


def announce_if_cold(name: str, stream=None) -> bool:
    """Inside an announcing :func:`watch_compiles`: say (once) that the group ``name`` is about to
    compile when numba's disk cache lacks one of its kernels. For work that compiles in other
    processes of this machine (they share the cache), which the watch's listener cannot see.
    Returns whether it said so."""
    group = next((g for g in GROUPS if g.name == name), None)
    if not _ANNOUNCING or group is None or group.name in _ANNOUNCING[-1].announced:
        return False
    status = [in_disk_cache(disp) for m in group.modules for _, disp in dispatchers(m)]
    if all(st is not False for st in status):  # cached (or not cacheable: then nothing to promise)
        return False
    _say(_ANNOUNCING[-1], group, stream)
    return True


def dispatchers(module: str) -> list[tuple[str, object]]:
    """The kernels of ``module`` that numba compiles on their own: (name, dispatcher) pairs.

    Kernels declared ``inline="always"`` are compiled into their callers and never cached apart,
    so they are left out.
    """
    from numba.core.registry import CPUDispatcher

    mod = importlib.import_module(module)
    out = []
    for name, obj in sorted(vars(mod).items()):
        if isinstance(obj, CPUDispatcher) and obj.py_func.__module__ == module \
                and obj.targetoptions.get("inline", "never") != "always":
            out.append((name, obj))
    return out


def in_disk_cache(disp) -> bool | None:
    """True if numba's disk cache holds a fresh entry of ``disp`` for this machine (the source
    file unchanged, the same numba version, CPU and bytecode); False if not; None if numba does
    not cache this kernel (``cache=False``, or no writable cache folder)."""
    cache = getattr(disp, "_cache", None)
    index = getattr(cache, "_cache_file", None)
    if index is None:
        return None
    try:
        overloads = index._load_index()  # {} when missing, stale or from another numba version
        tail = cache._index_key(None, disp.targetctx.codegen())[1:]
    except Exception:  # numba's internals moved: say nothing rather than something wrong
        return None
    return any(key[1:] == tail for key in overloads)


def cache_folder(disp) -> str | None:
    """The folder numba caches ``disp`` in (None if it does not cache it)."""
    return getattr(getattr(disp, "_cache", None), "_cache_path", None)
