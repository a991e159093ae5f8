"""Shared fixtures: where the public reference schemes live (../shared/data by default)."""

from __future__ import annotations

import os
import socket
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


def shared_data_dir() -> Path:
    return Path(os.environ.get("DISCOVERY_SHARED_DATA", ROOT.parent / "shared" / "data"))


@pytest.fixture(scope="session")
def shared_data() -> Path:
    d = shared_data_dir()
    if not d.is_dir():
        pytest.skip(f"reference schemes not found at {d}; set DISCOVERY_SHARED_DATA")
    return d


@pytest.fixture
def closed_port() -> int:
    """A local TCP port that nothing listens on (bound, then released)."""
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


@pytest.fixture
def interrupt_after(monkeypatch):
    """``interrupt_after(module, name, calls)``: ``module.name`` works ``calls`` times, then raises
    KeyboardInterrupt (Ctrl-C at a known point of a run)."""

    def patch(module, name: str, calls: int = 1) -> None:
        real, seen = getattr(module, name), []

        def interrupted(*args, **kw):
            seen.append(1)
            if len(seen) > calls:
                raise KeyboardInterrupt
            return real(*args, **kw)

        monkeypatch.setattr(module, name, interrupted)

    return patch
