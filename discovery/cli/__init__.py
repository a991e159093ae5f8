"""Command-line interface: ``discovery <command> ...``.

Each command lives in its own module ``discovery/cli/_<name>.py`` defining
``register(subparsers)``; that function adds one sub-parser whose ``func`` default is
called with the parsed arguments and returns the exit code. Exit codes: 0 success,
1 a negative answer (wrong scheme, nothing found), 2 bad input.
"""

from __future__ import annotations

import argparse
import importlib
import sys

from discovery.errors import DiscoveryError

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
]


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="discovery",
        description="Fast matrix multiplication algorithms: find, verify, simplify, export.",
    )
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    for name in COMMAND_MODULES:
        importlib.import_module(f"discovery.cli.{name}").register(sub)
    return parser


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if not getattr(args, "func", None):
        parser.print_help()
        return 2
    try:
        return int(args.func(args))
    except DiscoveryError as exc:
        # Bad input: one clear line, never a traceback.
        print(f"discovery {args.command}: error: {exc}", file=sys.stderr)
        return 2
    except BrokenPipeError:
        # Output piped into e.g. `head`: stop quietly.
        sys.stderr.close()
        return 0
    except KeyboardInterrupt:
        print(f"discovery {args.command}: interrupted", file=sys.stderr)
        return 130


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
