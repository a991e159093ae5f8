"""Helpers shared by the experiment scripts: command line, output folder, config JSON, CSV, device.

The scripts import this module as ``_common``: run as ``python experiments/x.py`` the script's
folder is first on ``sys.path`` already (tests prepend it themselves), so no path hack is needed.
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import os
import platform
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
            "started_utc": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())}
    data.update(extra or {})
    path = out / f"{stem}_config.json"
    return atomic_write_text(path, json.dumps(data, indent=2, default=str) + "\n")


def experiment_parser(doc: str, out: str = "results/nn") -> argparse.ArgumentParser:
    """The options every experiment takes (--seed, --quick, --out, --threads, --device,
    --no-progress); a script adds its own before parsing. ``doc``'s first line describes it."""
    ap = argparse.ArgumentParser(description=doc.splitlines()[0])
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--quick", action="store_true", help="tiny setting for CI")
    ap.add_argument("--out", type=Path, default=Path(out))
    ap.add_argument("--threads", type=int, default=None)
    ap.add_argument("--device", default="auto")
    ap.add_argument("--no-progress", action="store_true")
    return ap


def start(args: argparse.Namespace, quick: dict) -> tuple[dict, torch.device]:
    """Apply the common options: torch threads, then (config overrides, device); the
    overrides are ``quick`` under --quick, else empty."""
    set_threads(args.threads)
    return (dict(quick) if args.quick else {}), pick_device(args.device)


def set_threads(n: int | None) -> None:
    if n:
        torch.set_num_threads(n)
    os.environ.setdefault("OMP_NUM_THREADS", str(torch.get_num_threads()))
