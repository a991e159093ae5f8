"""Helpers shared by the experiment scripts: output folder, config JSON, CSV, device."""

from __future__ import annotations

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


def set_threads(n: int | None) -> None:
    if n:
        torch.set_num_threads(n)
    os.environ.setdefault("OMP_NUM_THREADS", str(torch.get_num_threads()))
