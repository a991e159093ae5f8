"""Helpers shared by the experiment scripts: command line, output folder, config JSON, CSV,
device, and the mean ± sd summary over seeds.

The scripts import this module as ``_common``: run as ``python experiments/x.py`` the script's
folder is first on ``sys.path`` already (tests prepend it themselves), so no path hack is needed.
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import os
import platform
import statistics
import subprocess
import time
from pathlib import Path

import torch

from discovery._io import atomic_write_text, write_csv  # noqa: F401 (write_csv re-exported for the scripts)


def pick_device(name: str = "auto") -> torch.device:
    """'auto' picks CUDA when present, else CPU."""
    if name == "auto":
        return torch.device("cuda" if torch.cuda.is_available() else "cpu")
    return torch.device(name)


def write_config(out: Path, stem: str, config, extra: dict | None = None) -> Path:
    """Write the run's config (a dataclass) and environment as ``<stem>_config.json``."""
    out.mkdir(parents=True, exist_ok=True)
    data = {"config": dataclasses.asdict(config), "torch": torch.__version__,
            "python": platform.python_version(), "threads": torch.get_num_threads(),
            "started_utc": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
            "git_commit": _git_commit()}
    data.update(extra or {})
    path = out / f"{stem}_config.json"
    return atomic_write_text(path, json.dumps(data, indent=2, default=str) + "\n")


def experiment_parser(doc: str) -> argparse.ArgumentParser:
    """The options every experiment takes (--seeds/--seed, --quick, --out, --threads, --device,
    --no-progress); a script adds its own, parses, then calls :func:`start`. ``doc``'s first
    line describes the script."""
    ap = argparse.ArgumentParser(description=doc.splitlines()[0])
    ap.add_argument("--seeds", type=int, nargs="+", default=None,
                    help="seeds to run every configuration on (default 0 1 2; --quick: 0)")
    ap.add_argument("--seed", type=int, default=None, help="shorthand for one seed")
    ap.add_argument("--quick", action="store_true", help="tiny setting for CI")
    ap.add_argument("--out", type=Path, default=Path("runs/nn"),
                    help="output folder (default runs/nn; the committed tables are in results/nn)")
    ap.add_argument("--threads", type=int, default=None)
    ap.add_argument("--device", default="auto")
    ap.add_argument("--no-progress", action="store_true")
    ap.add_argument("--phase", nargs="+", default=None, metavar="KEY=VALUE",
                    help="override fields of the students' PhaseConfig (e.g. lr=0.004 lam=0.5); "
                         "for a schedule check on the validation split")
    ap.add_argument("--merge", type=Path, nargs="+", default=None, metavar="RUNS_CSV",
                    help="train nothing: rebuild the runs CSV, the summary and the figure in --out "
                         "from runs CSVs of processes that split the sweep (or of an interrupted one)")
    return ap


def phase_overrides(ap: argparse.ArgumentParser, items: list[str], base):
    """``base`` (a PhaseConfig) with the ``KEY=VALUE`` items of --phase applied; an unknown key
    or a value of the wrong type is a usage error naming the keys."""
    fields = {f.name: f for f in dataclasses.fields(base)}
    kw = {}
    for item in items:
        key, sep, value = item.partition("=")
        if not sep or key not in fields:
            ap.error(f"--phase {item!r}: expected KEY=VALUE with KEY one of {', '.join(fields)}")
        current = getattr(base, key)
        kind = int if isinstance(current, int) else float
        try:
            kw[key] = None if key == "grad_clip" and value.lower() == "none" else kind(value)
        except ValueError:
            ap.error(f"--phase {item!r}: {key} takes {'an integer' if kind is int else 'a number'}")
    return dataclasses.replace(base, **kw)


def merge_inputs(ap: argparse.ArgumentParser, args: argparse.Namespace, runs_name: str) -> list[Path] | None:
    """The runs CSVs given with --merge (None without it); a missing one is a usage error
    naming it and what to pass (``runs_name``, e.g. ``char_lstm_runs.csv``)."""
    if args.merge is None:
        return None
    missing = [str(p) for p in args.merge if not p.is_file()]
    if missing:
        ap.error(f"--merge: no such file {', '.join(missing)}; pass {runs_name} files")
    return list(args.merge)


def start(ap: argparse.ArgumentParser, args: argparse.Namespace, quick: dict) -> tuple[dict, torch.device]:
    """Apply the common options: torch threads; returns (config overrides, device). The
    overrides are ``quick`` under --quick (else empty) plus ``seeds`` when given."""
    if args.seed is not None and args.seeds is not None:
        ap.error("give --seed or --seeds, not both")
    set_threads(args.threads)
    over = dict(quick) if args.quick else {}
    seeds = args.seeds if args.seeds is not None else ([args.seed] if args.seed is not None else None)
    if seeds is not None:
        over["seeds"] = tuple(seeds)
    return over, pick_device(args.device)


def set_threads(n: int | None) -> None:
    if n:
        torch.set_num_threads(n)
    os.environ.setdefault("OMP_NUM_THREADS", str(torch.get_num_threads()))


def _git_commit() -> str | None:
    try:
        return subprocess.run(["git", "rev-parse", "HEAD"], capture_output=True, text=True,
                              cwd=Path(__file__).parent, timeout=10).stdout.strip() or None
    except (OSError, subprocess.SubprocessError):
        return None


def summarize(rows: list[dict], keys: tuple[str, ...], metrics: tuple[str, ...],
              first: tuple[str, ...] = ()) -> list[dict]:
    """One row per distinct ``keys`` value (in order of first appearance): ``n_seeds``,
    ``<m>_mean`` and ``<m>_sd`` (sample sd, ddof=1; empty with one seed) for each metric,
    and the first row's value of each column in ``first`` (e.g. op counts)."""
    groups: dict[tuple, list[dict]] = {}
    for r in rows:
        groups.setdefault(tuple(r[k] for k in keys), []).append(r)
    out = []
    for key, rs in groups.items():
        row = dict(zip(keys, key))
        row["n_seeds"] = len(rs)
        row["seeds"] = " ".join(str(r["seed"]) for r in rs)
        for m in metrics:
            vals = [float(r[m]) for r in rs]
            row[f"{m}_mean"] = round(statistics.fmean(vals), 4)
            row[f"{m}_sd"] = round(statistics.stdev(vals), 4) if len(vals) > 1 else ""
        for c in first:
            row[c] = rs[0][c]
        out.append(row)
    return out


def read_runs(paths, keys: tuple[str, ...]) -> list[dict]:
    """Rows of per-run CSVs (``*_runs.csv``) in order, numbers parsed; a row whose ``keys``
    values were already seen in an earlier row or file is dropped (e.g. a teacher trained again
    by a second process of a split sweep: the first one is kept)."""
    import csv

    rows, seen = [], set()
    for path in paths:
        with open(path, newline="") as f:
            for r in csv.DictReader(f):
                key = tuple(r[k] for k in keys)
                if key not in seen:
                    seen.add(key)
                    rows.append({k: _number(v) for k, v in r.items()})
    return rows


def _number(v: str):
    for cast in (int, float):
        try:
            return cast(v)
        except ValueError:
            pass
    return {"True": True, "False": False}.get(v, v)
