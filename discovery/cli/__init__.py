"""Command-line interface: ``discovery <command> ...``, a thin layer over the public API.

The contract, stated once and kept by every command (``tests/test_cli_contract.py`` checks it):

* **Exit codes**: 0 success; 1 a negative result (a wrong scheme, nothing found, a target not
  reached); 2 bad input: one line on stderr that names the problem and the fix, never a usage dump
  or a traceback; 130 Ctrl-C, after saving what was found.
* **Several inputs**: every input is read and checked, the summary names each verdict, and the exit
  code is the worst one (2 over 1 over 0).
* **Inputs**: every command that reads schemes takes files or folders (a folder: every scheme file
  under it; run records such as ``best.json`` are skipped, not read as schemes).
* ``--json``: stdout is exactly one JSON document; human text goes to stderr.
* ``-o/--out``: where the command writes. A FILE for commands that write one scheme or one text
  (``simplify``, ``draw``, ``export``, ``known``, ``lift``), a DIR for searches that write many
  (``discover``, ``demo``, ``flip``, ``sweep``, ``additions``, ``meta``, ``catalogue``); each ``--help`` says which.
* An option the chosen mode does not use is refused, not ignored.
* **Progress** goes to stderr through one helper (:mod:`discovery._progress`): a live bar when stderr
  is a terminal, otherwise one plain line every few seconds; nothing with ``--quiet``.
* **First run**: a command whose numba kernels really compile (numba's disk cache is cold) first
  says so in one line, "compiling lift kernels (first run only, ~11 s)"; ``discovery warmup``
  compiles them all ahead.

Each command lives in its own module ``discovery/cli/_<name>.py`` defining
``register(subparsers)``; that function adds sub-parsers whose ``func`` default is called with
the parsed arguments and returns the exit code. The modules import only public names (the
package ``__init__`` files and modules without a leading underscore).
"""

from __future__ import annotations

import argparse
import contextlib
import importlib
import sys

from discovery.cli._common import INTERRUPTED, emit_json, json_mode, json_pending
from discovery.errors import DiscoveryError, VerificationError

# Module names under discovery.cli, one per command (or group of commands).
COMMAND_MODULES = [
    "_core",
    "_discover",
    "_demo",
    "_circuits",
    "_additions",
    "_flips",
    "_lift",
    "_sweep",
    "_meta",
    "_warmup",
    "_catalogue",
]

# Commands whose work may compile numba kernels: while they run, a group that really compiles
# (numba's disk cache is cold) says so in one line first (discovery/_kernels.py).
COMPILING = {"flip", "meta", "catalogue", "sweep", "additions", "lift", "simplify", "draw", "export", "warmup"}


class UsageError(Exception):
    """What argparse would have printed with a usage dump: one line instead."""


class _Parser(argparse.ArgumentParser):
    """argparse with one-line errors (its usage dump and ``SystemExit(2)`` replaced)."""

    def error(self, message: str):
        raise UsageError(f"{self.prog}: error: {message}; see `{self.prog} --help`")


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(
        prog="discovery",
        description="Fast matrix multiplication algorithms: find, verify, simplify, export.",
    )
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)
    for name in COMMAND_MODULES:
        importlib.import_module(f"discovery.cli.{name}").register(sub)
    for p in sub.choices.values():
        p.set_defaults(_parser=p)  # what an option's default is: refusing options a mode ignores
    return parser


def _one_line(exc: BaseException) -> str:
    lines = str(exc).strip().splitlines()
    return lines[0] if lines else type(exc).__name__


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    try:
        args = parser.parse_args(argv)
    except UsageError as exc:
        print(exc, file=sys.stderr)
        return 2
    if not getattr(args, "func", None):
        print("discovery: error: give a command; `discovery --help` lists them", file=sys.stderr)
        return 2
    with json_mode(getattr(args, "json", False)):
        try:
            with _compile_notice(args):
                return int(args.func(args))
        except VerificationError as exc:
            # A scheme that is not exact where one was needed: a negative result, one line.
            return _failed(args, 1, f"not exact: {_one_line(exc)}")
        except DiscoveryError as exc:
            # Bad input: one clear line, never a traceback.
            return _failed(args, 2, f"error: {_one_line(exc)}")
        except BrokenPipeError:
            # Output piped into e.g. `head`: stop quietly.
            sys.stderr.close()
            return 0
        except KeyboardInterrupt:
            return _failed(args, INTERRUPTED, "interrupted")


def _compile_notice(args):
    """One stderr line when a group of kernels compiles (not with --quiet; ``warmup`` says it itself)."""
    if args.command not in COMPILING or args.command == "warmup" or getattr(args, "quiet", False):
        return contextlib.nullcontext()
    from discovery.search.warmup import watch_compiles

    return watch_compiles(announce=True)


def _failed(args, code: int, message: str) -> int:
    """One line on stderr; with --json, stdout still gets its one document (the exit and the line)."""
    print(f"discovery {args.command}: {message}", file=sys.stderr)
    if json_pending():
        emit_json({"command": args.command, "exit": code, "error": message})
    return code


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
