"""Progress of a run on stderr, one helper for every command: a live bar (tqdm) when stderr is a
terminal; otherwise (a log file, CI, a pipe) one plain line every :data:`PLAIN_EVERY_S` seconds,
never carriage returns; nothing at all when disabled (``--quiet``)."""

from __future__ import annotations

import sys
import time

PLAIN_EVERY_S = 5.0  # seconds between two plain lines when stderr is not a terminal


def is_terminal(stream) -> bool:
    try:
        return bool(stream.isatty())
    except (AttributeError, ValueError):  # no isatty, or a closed stream
        return False


class Progress:
    """The progress of one run.

    Args:
        desc: what runs (``"<3,3,3> ZT best rank 25"``); :meth:`set` may change it.
        total: the end of the count (None: open-ended).
        unit: what is counted (``"s"``: seconds of a budget, shown without decimals).
        enabled: False shows nothing (every method is then a no-op).
        initial: the count to start from (a resumed run).
        stream: where to write (default: ``sys.stderr`` when the run starts).
        leave: keep the live bar on the terminal after :meth:`close`.
    """

    def __init__(self, desc: str, total: float | None = None, unit: str = "", enabled: bool = True,
                 initial: float = 0, stream=None, leave: bool = False):
        self.desc, self.total, self.unit = desc, total, unit
        self.n, self.postfix = initial, ""
        self.enabled = enabled
        self.stream = stream if stream is not None else sys.stderr
        self.t0 = self.last = time.monotonic()
        self.bar = None
        if enabled and is_terminal(self.stream):
            from tqdm import tqdm

            fmt = ("{desc} {bar:12} {n:.0f}/{total_fmt} s{postfix}" if unit == "s" and total else
                   "{desc} {n:.0f} s{postfix}" if unit == "s" else None)
            self.bar = tqdm(total=total, desc=desc, unit=unit or "it", initial=initial, leave=leave,
                            file=self.stream, dynamic_ncols=True, bar_format=fmt)

    # ---- what the run reports -------------------------------------------------------------------
    def set(self, n: float | None = None, desc: str | None = None, postfix: str | None = None) -> None:
        """Move to count ``n`` (absolute) and/or change the description or the postfix text."""
        if not self.enabled:
            return
        if n is not None:
            self.n = min(n, self.total) if self.total else n
        if desc is not None:
            self.desc = desc
        if postfix is not None:
            self.postfix = postfix
        if self.bar is not None:
            if desc is not None:
                self.bar.set_description_str(desc, refresh=False)
            if postfix is not None:
                self.bar.set_postfix_str(postfix, refresh=False)
            if n is not None:
                self.bar.n = self.n
            self.bar.refresh()
        else:
            self._maybe_line()

    def update(self, k: float = 1, postfix: str | None = None) -> None:
        """Count ``k`` more (and optionally change the postfix)."""
        if self.enabled:
            self.set(self.n + k, postfix=postfix)

    def write(self, line: str) -> None:
        """A line that stays (a finished cell, a note), written above a live bar."""
        if not self.enabled:
            return
        if self.bar is not None:
            self.bar.write(line, file=self.stream)
        else:
            print(line, file=self.stream, flush=True)

    def close(self) -> None:
        if self.bar is not None:
            self.bar.close()
            self.bar = None
        self.enabled = False

    def __enter__(self) -> "Progress":
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    # ---- plain lines --------------------------------------------------------------------------
    def line(self) -> str:
        """The plain line of the current state: ``desc: n/total unit, postfix [elapsed]``."""
        def num(x):
            return f"{x:.0f}" if self.unit == "s" or float(x).is_integer() else f"{x:.3g}"

        count = num(self.n) + (f"/{num(self.total)}" if self.total else "") + (f" {self.unit}" if self.unit else "")
        tail = f", {self.postfix.lstrip(', ')}" if self.postfix else ""
        return f"{self.desc}: {count}{tail} [{time.monotonic() - self.t0:.0f} s]"

    def _maybe_line(self) -> None:
        now = time.monotonic()
        if now - self.last >= PLAIN_EVERY_S:
            self.last = now
            print(self.line(), file=self.stream, flush=True)
