"""Side by side with a compiled C++ ternary flip-graph tool: ranks reached at equal time and threads.

The project never builds or ships that tool. Give the path of a built ``flip_graph`` binary in
``DISCOVERY_PEER_FLIP_GRAPH`` (or ``--peer``); without it this script says so and exits 0.
For each row (format, ring) both run in turn from the standard algorithm on the same number of
threads for the same wall-clock budget: the peer with ``--count`` runners and
``--flip-iterations`` (its output folder is polled once a second for the ranks it saved), then
ours (:func:`discovery.flip_search`). Printed and written per row: the rank each reached, the
time each needed to reach the common rank (the worse of the two), and their ratio.

    DISCOVERY_PEER_FLIP_GRAPH=/path/to/flip_graph python benchmarks/flips_vs_peer.py --budget 120 \
        --out results/benchmarks/flips_vs_peer.csv

``--option [ROW:]KEY=VALUE`` (repeatable) passes a :class:`~discovery.search.flips.FlipConfig` field to
our side, for every row or only for ``ROW`` (e.g. ``4x4x4-Z2:plus_max=0``); the CSV's ``options_ours``
column says which settings each row ran with.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from discovery._io import atomic_write_text, write_csv
from discovery.search.flips import FlipConfig, flip_search

ROWS = [((4, 4, 4), "ZT"), ((3, 4, 5), "ZT"), ((4, 4, 5), "ZT"), ((5, 5, 5), "ZT"), ((4, 4, 4), "Z2")]
RANK = re.compile(r"_m(\d+)")


def run_peer(binary: str, fmt, ring: str, budget: float, threads: int, count: int, iterations: int,
             seed: int) -> list[tuple[float, int]]:
    """(seconds, rank) each time the peer's saved best rank dropped."""
    with tempfile.TemporaryDirectory() as tmp:
        cmd = [binary, "-n1", str(fmt[0]), "-n2", str(fmt[1]), "-n3", str(fmt[2]), "--ring", ring,
               "--count", str(count), "--threads", str(threads), "--flip-iterations", str(iterations),
               "--seed", str(seed), "--output-path", tmp]
        t0 = time.perf_counter()
        proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        history: list[tuple[float, int]] = []
        try:
            while time.perf_counter() - t0 < budget and proc.poll() is None:
                time.sleep(0.25)
                ranks = [int(m.group(1)) for q in Path(tmp).rglob("*") if (m := RANK.search(q.name))]
                if ranks and (not history or min(ranks) < history[-1][1]):
                    history.append((time.perf_counter() - t0, min(ranks)))
        finally:
            proc.kill()
            proc.wait()
        return history


def parse_options(specs: list[str]) -> dict[str, dict]:
    """``[ROW:]KEY=VALUE`` strings -> {row or "": {key: value}} (values read as true/false/none, int,
    float or text: ``reduce3=false`` must not reach FlipConfig as the truthy string "false")."""
    words = {"true": True, "false": False, "none": None}
    out: dict[str, dict] = {}
    for spec in specs:
        row, _, kv = spec.rpartition(":")
        key, eq, value = kv.partition("=")
        if not eq or not key:
            raise ValueError(f"--option {spec!r}: write it as KEY=VALUE or ROW:KEY=VALUE (e.g. 4x4x4-Z2:walkers=128)")
        if value.lower() in words:
            value = words[value.lower()]
        else:
            for cast in (int, float):
                try:
                    value = cast(value)
                    break
                except ValueError:
                    pass
        out.setdefault(row, {})[key] = value
    return out


def time_to(history, rank: int) -> float | None:
    return next((t for t, r in history if r <= rank), None)


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--peer", default=os.environ.get("DISCOVERY_PEER_FLIP_GRAPH"),
                    help="path of a built flip_graph binary (default: $DISCOVERY_PEER_FLIP_GRAPH)")
    ap.add_argument("--budget", type=float, default=120.0, help="seconds per run (default 120)")
    ap.add_argument("--threads", type=int, default=os.cpu_count() or 1)
    ap.add_argument("--walkers", type=int, default=0, help="our walkers (default: the engine's default)")
    ap.add_argument("--count", type=int, default=128, help="the peer's runners (default 128)")
    ap.add_argument("--flip-iterations", type=int, default=100_000)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--rows", default=None, help="e.g. 4x4x4-ZT,4x4x4-Z2 (default: the five of issue 17)")
    ap.add_argument("--option", action="append", default=[], metavar="[ROW:]KEY=VALUE",
                    help="a FlipConfig field for our side, every row or one (e.g. 4x4x4-Z2:plus_max=0); repeatable")
    ap.add_argument("--out", default=str(Path("runs") / "benchmarks" / "flips_vs_peer.csv"))
    a = ap.parse_args(argv)
    try:
        options = parse_options(a.option)
    except ValueError as exc:
        ap.error(str(exc))
    if not a.peer:
        print("no peer binary given (set DISCOVERY_PEER_FLIP_GRAPH or --peer): nothing to compare; exit 0")
        return 0
    if not (Path(a.peer).is_file() and os.access(a.peer, os.X_OK)):
        ap.error(f"--peer {a.peer}: not an executable file")
    if a.budget <= 0 or a.threads < 1:
        ap.error("--budget and --threads must be positive")
    rows_spec = ROWS
    if a.rows:
        try:
            rows_spec = [(tuple(int(x) for x in f.split("-")[0].split("x")), f.split("-")[1]) for f in a.rows.split(",")]
        except (ValueError, IndexError):
            ap.error("write --rows like 4x4x4-ZT,4x4x4-Z2")
    out = Path(a.out)
    out.parent.mkdir(parents=True, exist_ok=True)
    plan = []
    for fmt, ring in rows_spec:
        name = "x".join(map(str, fmt)) + "-" + ring
        opts = {"walkers": a.walkers, **options.get("", {}), **options.get(name, {})}
        try:  # every row's settings are checked before any run
            FlipConfig(*fmt, ring=ring, **opts)
        except (TypeError, ValueError) as exc:
            ap.error(f"--option for {name}: {exc}")
        plan.append((fmt, ring, opts))
    rows = []
    for fmt, ring, opts in plan:
        peer = run_peer(a.peer, fmt, ring, a.budget, a.threads, a.count, a.flip_iterations, a.seed)
        ours = flip_search(*fmt, ring=ring, time_limit=a.budget, seed=a.seed, **opts)
        mine = list(ours.history)
        peer_rank = peer[-1][1] if peer else None
        common = max(ours.best_rank, peer_rank) if peer_rank is not None else ours.best_rank
        t_ours, t_peer = time_to(mine, common), time_to(peer, common)
        rows.append({"format": "x".join(map(str, fmt)), "ring": ring, "budget_s": a.budget, "threads": a.threads,
                     "rank_ours": ours.best_rank, "rank_peer": peer_rank, "common_rank": common,
                     "time_ours_s": round(t_ours, 2) if t_ours is not None else None,
                     "time_peer_s": round(t_peer, 2) if t_peer is not None else None,
                     "ratio_peer_over_ours": round(t_peer / t_ours, 2) if t_ours and t_peer else None,
                     "walkers_ours": ours.config.n_walkers, "flips_per_s_ours": round(ours.flips_per_s),
                     "options_ours": " ".join(f"{k}={v}" for k, v in opts.items() if k != "walkers") or "defaults",
                     "peer_count": a.count, "peer_flip_iterations": a.flip_iterations, "seed": a.seed,
                     "load_1min": round(os.getloadavg()[0], 2)})
        print(", ".join(f"{k}={v}" for k, v in rows[-1].items()), flush=True)
        write_csv(out, rows)
    atomic_write_text(out.with_name(out.stem + "_config.json"), json.dumps(
        {"command": " ".join(sys.argv), "peer": "a C++ ternary flip-graph binary (path not recorded)",
         "budget_s": a.budget, "threads": a.threads, "count": a.count, "flip_iterations": a.flip_iterations,
         "seed": a.seed, "options_ours": a.option}, indent=1) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
