"""One progress helper for every command (discovery/_progress.py): a live bar only on a terminal,
plain lines every few seconds elsewhere (a log file, CI), nothing with --quiet."""

from __future__ import annotations

import io

import pytest

from discovery import _progress
from discovery._progress import Progress
from discovery.cli import main


class Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


@pytest.fixture
def every_call(monkeypatch):
    """A plain line at every update (instead of every 5 s), so a short run shows them."""
    monkeypatch.setattr(_progress, "PLAIN_EVERY_S", 0.0)


def test_on_a_terminal_a_live_bar(every_call):
    term = Terminal()
    with Progress("walk", total=10, unit="s", stream=term) as bar:
        for k in range(1, 4):
            bar.set(k, postfix=f"best {10 - k}")
        bar.write("a line that stays")
    text = term.getvalue()
    assert "\r" in text and "walk" in text and "a line that stays" in text


def test_elsewhere_plain_lines_without_carriage_returns(every_call):
    log = io.StringIO()
    with Progress("walk", total=10, unit="s", stream=log) as bar:
        for k in range(1, 4):
            bar.set(k + 0.4, postfix=f"best {10 - k}")
        bar.update(1)
    lines = log.getvalue().splitlines()
    assert "\r" not in log.getvalue() and len(lines) == 4
    assert lines[0].startswith("walk: 1/10 s, best 9 [") and lines[-1].startswith("walk: 4/10 s, best 7 [")


def test_elsewhere_at_most_one_line_every_few_seconds():
    log = io.StringIO()
    bar = Progress("cells", unit="cell", stream=log)
    for _ in range(1000):
        bar.update(1)
    bar.close()
    assert log.getvalue() == ""  # all within the first 5 s


def test_disabled_shows_nothing(every_call):
    log = Terminal()
    with Progress("x", total=3, enabled=False, stream=log) as bar:
        bar.update(1)
        bar.write("nothing")
    assert log.getvalue() == ""


COMMANDS = [
    ["discover", "2", "2", "2", "--rank", "7", "--restarts", "4", "--batch", "1", "--out", "{tmp}/d"],
    ["meta", "--formats", "2x2x2,2x2x3", "--phases", "3", "--phase-flips", "100", "--out", "{tmp}/m"],
    ["additions", "2", "2", "2", "--rank", "7", "--search", "1", "--workers", "1", "--out", "{tmp}/a"],
    ["sweep", "--formats", "2x2x2", "--strategy", "flips", "--budget", "5", "--workers", "1", "--out", "{tmp}/s"],
    ["flip", "3", "3", "3", "--target-rank", "22", "--time-limit", "2", "--walkers", "1", "--out", "{tmp}/f"],
]


@pytest.mark.parametrize("argv", COMMANDS, ids=lambda a: a[0])
def test_commands_write_plain_progress_into_a_log(argv, tmp_path, capsys, every_call):
    argv = [a.format(tmp=tmp_path) for a in argv]
    assert main(argv) in (0, 1)  # found or not: either way the log is plain
    err = capsys.readouterr().err
    assert "\r" not in err and "\x1b[" not in err, err[:300]
    assert any(x.endswith(" s]") for x in err.splitlines()), err
    assert main(argv[:-1] + [argv[-1] + "-quiet", "--quiet"]) in (0, 1)
    quiet = capsys.readouterr().err
    assert not any(x.endswith(" s]") for x in quiet.splitlines()), quiet
