"""Circuit commands: ``simplify``, ``draw``, ``export``.

Every scheme is verified first; a wrong one is refused with its failing equations named
(:class:`~discovery.errors.VerificationError`, exit 1 through the dispatcher).
"""

from __future__ import annotations

import json
from pathlib import Path

from discovery.circuits.codegen import to_text
from discovery.circuits.cse import METHODS
from discovery.circuits.symbolic import SimplifiedScheme, plain, simplify_additions
from discovery.cli._common import check_out_file, emit_json, int_arg, pick_one, reduced_in_file, refuse, seconds_arg
from discovery.core.verify import require_valid
from discovery.errors import DiscoveryError
from discovery.formats import atomic_write_text, save_figure, save_scheme, to_reduced

DRAW_EXTENSIONS = (".png", ".svg", ".dot", ".graphml")
TARGETS = {"python": ".py", "latex": ".tex", "program": ".json", "reduced": ".json"}
KEY_HELP = "pick one scheme of a multi-scheme npz by its key, 3,3,3 or 3x3x3 (in a folder: a file name or a format)"
EXITS = "Exit 0 written, 1 the scheme is not exact (nothing written), 2 bad input."


def register(sub) -> None:
    p = sub.add_parser("simplify", help="share common subexpressions to reduce additions",
                       description="Print naive and reduced addition counts and the simplified program. "
                                   "By default also searches equivalent schemes (X A Y^-1, Y B Z^-1, "
                                   "X C Z^-1 and the format's symmetries) where that is cheap (2x2 sides). "
                                   + EXITS)
    p.add_argument("path", metavar="PATH", help="a scheme file (a reduced .json too) or a folder holding one")
    p.add_argument("--no-equivalents", action="store_true", help="only share subexpressions")
    p.add_argument("--key", help=KEY_HELP)
    p.add_argument("-o", "--out", metavar="FILE",
                   help="save the (possibly equivalent) scheme to this file (.json, .npz, .exp, ...)")
    p.add_argument("--json", action="store_true", help="print one JSON document with the counts on stdout")
    p.add_argument("--method", default="best", metavar="NAME",
                   help="CSE heuristic: " + ", ".join(METHODS) + " (default best)")
    p.add_argument("--tries", default="16", metavar="K", help="seeded runs per heuristic (default 16)")
    p.add_argument("--workers", default="1", metavar="K", help="processes for --method random (default 1)")
    p.add_argument("--time-limit", default=None, metavar="S", help="seconds for --method random")
    p.add_argument("--seed", default="0")
    p.set_defaults(func=cmd_simplify)

    p = sub.add_parser("draw", help="draw the arithmetic circuit (png, svg) or export its graph (dot, graphml)",
                       description=EXITS)
    p.add_argument("path", metavar="PATH", help="a scheme file or a folder holding one")
    p.add_argument("-o", "--out", required=True, metavar="FILE", help="FILE.png, .svg, .dot or .graphml")
    p.add_argument("--plain", action="store_true", help="the plain evaluation, without shared sums")
    p.add_argument("--equivalents", action="store_true", help="search equivalent schemes first")
    p.add_argument("--key", help=KEY_HELP)
    p.add_argument("--dpi", default="120", help="resolution of a PNG (default 120)")
    p.add_argument("--labels", default="auto", metavar="WHICH",
                   help="node names on a .png or .svg: auto (every name up to 120 nodes, above that the "
                        "inputs, products and outputs), all, io (inputs and outputs) or none (default auto)")
    p.set_defaults(func=cmd_draw)

    p = sub.add_parser("export", help="runnable code or equations from the simplified circuit",
                       description=EXITS)
    p.add_argument("path", metavar="PATH", help="a scheme file or a folder holding one")
    p.add_argument("--to", required=True, metavar="TARGET",
                   help="python, latex, program (JSON listing) or reduced (the collection's reduced JSON)")
    p.add_argument("-o", "--out", metavar="FILE", help="write to this file (default: stdout)")
    p.add_argument("--plain", action="store_true", help="the plain evaluation, without shared sums")
    p.add_argument("--equivalents", action="store_true", help="search equivalent schemes first")
    p.add_argument("--key", help=KEY_HELP)
    p.add_argument("--name", default="multiply", help="function name for --to python")
    p.set_defaults(func=cmd_export)


def _program(path: str, equivalents: bool, plain_only: bool = False, tries: int = 16,
             seed: int = 0, key: str | None = None, method: str = "best", workers: int = 1,
             time_limit: float | None = None) -> tuple[SimplifiedScheme, str]:
    """Load (the scheme under ``key``), verify and simplify; returns the best program and how."""
    s = require_valid(pick_one(path, key)[1])
    if plain_only:
        return plain(s), "plain evaluation"
    best = simplify_additions(s, tries=tries, seed=seed, method=method, workers=workers, time_limit=time_limit)
    how = f"shared subexpressions ({method})"
    red = reduced_in_file(path)
    if red is not None and red.reduced_additions < best.reduced_additions:
        best, how = red, "the file's own reduced program"
    if equivalents and max(s.format) <= 2:
        from discovery.circuits.optimize_additions import optimize_additions

        res = optimize_additions(s, seed=seed)
        if res.best.reduced_additions < best.reduced_additions:
            best, how = res.best, f"equivalent scheme ({res.transform})"
    return best, how


def cmd_simplify(args) -> int:
    if args.method not in METHODS:
        raise DiscoveryError(f"unknown --method {args.method!r}; use one of {', '.join(METHODS)}")
    if args.method != "random":
        refuse(args, f"with --method {args.method}", ["workers", "time_limit"], "they are for --method random")
    if args.out:
        check_out_file(args.out)
    ss, how = _program(args.path, not args.no_equivalents, tries=int_arg("--tries", args.tries, 1),
                       seed=int_arg("--seed", args.seed, 0), key=args.key, method=args.method,
                       workers=int_arg("--workers", args.workers, 1),
                       time_limit=seconds_arg("--time-limit", args.time_limit))
    n, m, p = ss.format
    print(f"<{n},{m},{p}> rank {ss.multiplications}: {ss.naive_additions} additions plainly, "
          f"{ss.reduced_additions} with {how} (A {ss.a.additions}, B {ss.b.additions}, C {ss.c.additions})")
    print(f"intermediates: {', '.join(ss.intermediates()) or '(none)'} (shared sums; u_t, v_t below: "
          "the factors of m_t that are sums used only there)")
    for line in to_text(ss):  # the statements and names of `export` and `draw`
        print(f"  {line}")
    if args.out:
        save_scheme(ss.scheme, args.out)
        print(f"saved the scheme ({'equivalent, ' if 'equivalent' in how else ''}verified) to {args.out}")
    if args.json:
        emit_json({"format": [n, m, p], "multiplications": ss.multiplications,
                   "naive_additions": ss.naive_additions, "reduced_additions": ss.reduced_additions,
                   "additions_by_side": [ss.a.additions, ss.b.additions, ss.c.additions],
                   "intermediates": ss.intermediates(), "method": how, "out": args.out})
    return 0


def cmd_draw(args) -> int:
    check_out_file(args.out, extensions=DRAW_EXTENSIONS)
    ext = Path(args.out).suffix.lower()
    if ext != ".png":
        refuse(args, f"for a {ext} file", ["dpi"], "it is the resolution of a PNG")
    if ext in (".dot", ".graphml"):
        refuse(args, f"for a {ext} file", ["labels"], "a graph file names every node")
    from discovery.circuits.draw import LABELS

    if args.labels not in LABELS:
        raise DiscoveryError(f"unknown --labels {args.labels!r}; use one of {', '.join(LABELS)}")
    dpi = int_arg("--dpi", args.dpi, 1)
    _plain_or_equivalents(args)
    from discovery.circuits.circuit import build_circuit
    from discovery.formats import to_dot, to_graphml

    ss, how = _program(args.path, args.equivalents, args.plain, key=args.key)
    G = build_circuit(ss)
    if ext == ".dot":
        atomic_write_text(args.out, to_dot(G, Path(args.path).stem))
    elif ext == ".graphml":
        atomic_write_text(args.out, to_graphml(G))
    else:
        import matplotlib

        matplotlib.use("Agg")
        from discovery.circuits.draw import draw_circuit

        fig = draw_circuit(G, labels=args.labels)
        save_figure(fig, args.out, dpi=dpi, bbox_inches="tight")
    print(f"wrote {args.out} ({ss.multiplications} multiplications, {ss.reduced_additions} additions, {how})")
    return 0


def _plain_or_equivalents(args) -> None:
    if args.plain and args.equivalents:
        raise DiscoveryError("--plain draws the scheme as given, --equivalents searches other schemes: give one")


def cmd_export(args) -> int:
    if args.to not in TARGETS:
        raise DiscoveryError(f"unknown export target {args.to!r}; use one of {', '.join(TARGETS)}")
    if args.to != "python":
        refuse(args, f"with --to {args.to}", ["name"], "it names the function of --to python")
    _plain_or_equivalents(args)
    if args.out:
        check_out_file(args.out, extensions=())
    from discovery.circuits.codegen import program_json, to_latex, to_python

    ss, how = _program(args.path, args.equivalents, args.plain, key=args.key)
    if args.to == "python":
        if not args.name.isidentifier():
            raise DiscoveryError(f"--name {args.name!r} is not a Python identifier")
        text = to_python(ss, args.name)
    elif args.to == "latex":
        text = to_latex(ss)
    elif args.to == "program":
        text = program_json(ss) + "\n"
    else:
        text = json.dumps(to_reduced(ss)) + "\n"
    if args.out:
        atomic_write_text(args.out, text)
        print(f"wrote {args.out} ({ss.multiplications} multiplications, {ss.reduced_additions} additions, {how})")
    else:
        print(text, end="")
    return 0
