"""``discovery demo``: learn a 2×2 algorithm with 7 multiplications and print it, verified."""

from __future__ import annotations

import tempfile


def register(sub) -> None:
    p = sub.add_parser("demo", help="find a 2x2 algorithm with 7 multiplications and print it")
    p.add_argument("--seed", default="0", help="random seed (default 0)")
    p.add_argument("-o", "--out", metavar="DIR", help="folder for the found schemes (default: a temporary folder)")
    p.set_defaults(func=cmd_demo)


def cmd_demo(args) -> int:
    from discovery.cli._common import check_out_dir, int_arg
    from discovery.cli._core import print_scheme
    from discovery.core.known import strassen, winograd
    from discovery.core.transforms import fingerprint
    from discovery.core.verify import verify_sympy
    from discovery.search.solver import discover

    seed = int_arg("--seed", args.seed, 0)
    if args.out:
        check_out_dir(args.out)
    with tempfile.TemporaryDirectory(prefix="discovery-demo-") as tmp:
        out = args.out or tmp
        print(f"Fitting ternary sum-product networks with r = 7 to the 2x2 matrix product (seed {seed}) ...")
        res = discover(2, 2, 2, 7, restarts=16, time_limit=120, seed=seed, out=out, max_found=1)
        if not res.schemes:
            print(f"no exact scheme in {res.restarts} restarts (best residual {res.best_residual:.3g}); "
                  "try another --seed")
            return 1
        s = res.schemes[0]
        print(f"{res.successes} of {res.restarts} restarts ended in an exact scheme; "
              f"first after {res.time_to_first_s:.2f} s.\n")
        print_scheme(s, "learned <2,2,2>, 7 multiplications")
        print(f"# sympy expansion agrees with A @ B: {verify_sympy(s).ok}")
        same = {name: fingerprint(s, symmetries=True) == fingerprint(k(), symmetries=True)
                for name, k in (("Strassen", strassen), ("Winograd", winograd))}
        found = [k for k, v in same.items() if v]
        print("# identical to " + found[0] if found else
              "# a 7-multiplication algorithm equivalent to Strassen's (all are, de Groote 1978), "
              "though not identical to it or to Winograd's up to term order and signs")
        if args.out:
            print(f"# saved under {res.out}")
    return 0
