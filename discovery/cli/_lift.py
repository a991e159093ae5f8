"""``discovery lift``: Hensel lifting of a scheme valid modulo 2 or 3 to an exact scheme."""

from __future__ import annotations

import sys
from pathlib import Path

from discovery.cli._common import check_out_dir, check_out_file, emit_json, int_arg, pick_one, seconds_arg

DEFAULT_DIR = Path("runs") / "lift"


def register(sub) -> None:
    p = sub.add_parser(
        "lift", help="lift a scheme valid modulo 2 or 3 to an exact scheme over Z or Q (Hensel)",
        description="Hensel lifting modulo p^2, p^3, ... (p = 2 or 3) with rational reconstruction, "
                    "then exact verification. A later step that cannot be continued is searched "
                    "past (other corrections, backtracking); an inconsistent first step proves that "
                    "no lift exists. A scheme that is already exact is written unchanged. Exit 0 if "
                    "an exact scheme was written, 1 if none was found (the message says whether "
                    "that is a proof), 2 on bad input.")
    p.add_argument("path", metavar="PATH", help="a scheme file or a folder holding one")
    p.add_argument("--key", help="pick one scheme of a multi-scheme npz by its key, 4,4,4 or 4x4x4")
    p.add_argument("--ring", default=None, help="Z2 or Z3: the ring the scheme is valid over "
                   "(default: the ring the file declares, else Z2 if valid modulo 2, else Z3)")
    p.add_argument("-o", "--out", default=None, metavar="FILE",
                   help="write the exact scheme to this file (.json, .npz or .exp; default "
                        "runs/lift/NxMxP-rRANK-RING-FINGERPRINT.json under the current folder)")
    p.add_argument("--attempts", default="4", metavar="K",
                   help="independent lifts at most (the first deterministic, the others randomised); "
                        "the smallest exact scheme is kept, a ternary one ends the search (default 4)")
    p.add_argument("--retries", default="64", metavar="K",
                   help="steps one attempt may redo with another correction (default 64)")
    p.add_argument("--max-steps", default=None, metavar="K", help="Hensel steps at most")
    p.add_argument("--symmetry", default="auto",
                   help="auto: a scheme invariant modulo 2 under the cyclic symmetry of <n,n,n> is "
                        "lifted with unknowns for its orbit representatives, so it stays invariant "
                        "(default); none: always the plain lift")
    p.add_argument("--seed", default="0", help="seed of the randomised corrections (default 0)")
    p.add_argument("--time-limit", default=None, metavar="S", help="seconds (default: none)")
    p.add_argument("--json", action="store_true",
                   help="print one JSON summary on stdout (the human lines go to stderr)")
    p.set_defaults(func=cmd_lift)


def cmd_lift(args) -> int:
    from discovery.core.transforms import fingerprint
    from discovery.formats import save_scheme
    from discovery.search.lift import LiftConfig, lift

    config = LiftConfig(
        ring=args.ring, max_steps=int_arg("--max-steps", args.max_steps, 1),
        retries=int_arg("--retries", args.retries, 0), attempts=int_arg("--attempts", args.attempts, 1),
        seed=int_arg("--seed", args.seed, 0), symmetry=args.symmetry, time_limit=seconds_arg("--time-limit", args.time_limit))
    out = check_out_file(args.out) if args.out else None
    if out is None:
        check_out_dir(DEFAULT_DIR, "the default folder", fix="give --out FILE")
    label, s = pick_one(args.path, args.key)
    res = lift(s, config)
    say = sys.stderr if args.json else sys.stdout
    print(f"{label}: {s.name}: {res.message}", file=say)
    written = None
    if res.ok:
        if out is None:
            DEFAULT_DIR.mkdir(parents=True, exist_ok=True)
            n, m, p = s.format
            out = DEFAULT_DIR / f"{n}x{m}x{p}-r{s.rank}-{res.ring}-{fingerprint(res.scheme)}.json"
        written = save_scheme(res.scheme, out)
        print(f"written to {written}", file=say)
    if args.json:
        emit_json({"path": label, **res.to_json(), "format": list(s.format), "rank": s.rank,
                   "out": str(written) if written else None})
    return 0 if res.ok else 1
