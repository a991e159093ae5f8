"""The additions search's folder (config, state, elite pool, best program; all written atomically)
and its progress bar (:mod:`discovery.search.additions`)."""

from __future__ import annotations

import json
from pathlib import Path

from discovery._io import atomic_write_text
from discovery._progress import Progress
from discovery.circuits.symbolic import SimplifiedScheme
from discovery.errors import DiscoveryError
from discovery.formats import read_reduced, to_reduced


class Folder:
    """The search folder: config, state, elite pool and best program (all written atomically)."""

    def __init__(self, out: Path | None):
        self.out = None if out is None else Path(out)
        if self.out is not None:
            try:
                (self.out / "pool").mkdir(parents=True, exist_ok=True)
            except OSError as exc:
                raise DiscoveryError(f"{out}: cannot create the output folder ({exc.strerror})") from None

    def load(self, fmt, rank):
        """(state dict, elite schemes, best program) saved before, or empty ones."""
        if self.out is None or not (self.out / "state.json").exists():
            return {}, [], None
        from discovery.formats import load_scheme

        try:
            state = json.loads((self.out / "state.json").read_text())
            pool = [load_scheme(self.out / "pool" / f"{fp}.json") for fp in state.get("pool", [])]
            best = read_reduced(self.out / "best_reduced.json") if (self.out / "best_reduced.json").exists() else None
        except (OSError, ValueError, DiscoveryError) as exc:
            raise DiscoveryError(f"{self.out}: cannot resume from this folder ({exc}); choose another --out") from None
        for s in pool + ([best.scheme] if best else []):
            if s.format != tuple(fmt) or s.rank != rank:
                raise DiscoveryError(f"{self.out}: holds a <{','.join(map(str, s.format))}> rank-{s.rank} search, "
                                     f"not <{','.join(map(str, fmt))}> rank {rank}; choose another --out")
        return state, pool, best

    def save(self, config: dict, state: dict, pool: dict, best: SimplifiedScheme | None, new_best: bool) -> None:
        if self.out is None:
            return
        from discovery.formats import save_scheme

        for fp, (_, s) in pool.items():
            path = self.out / "pool" / f"{fp}.json"
            if not path.exists():
                save_scheme(s, path)
        for path in (self.out / "pool").glob("*.json"):
            if path.stem not in pool:  # left the elite
                path.unlink(missing_ok=True)
        if new_best and best is not None:
            atomic_write_text(self.out / "best_reduced.json", json.dumps(to_reduced(best)) + "\n")
        atomic_write_text(self.out / "config.json", json.dumps(config, indent=1) + "\n")
        atomic_write_text(self.out / "state.json", json.dumps(state, indent=1) + "\n")


def progress(enabled: bool, fmt, rank: int, budget: float) -> Progress:
    """The search's progress over its budget in seconds (nothing when ``enabled`` is False)."""
    return Progress(f"additions <{','.join(map(str, fmt))}> r{rank}", total=budget, unit="s", enabled=enabled)
