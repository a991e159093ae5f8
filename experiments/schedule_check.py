"""The students' learning-rate check on the validation split: one table and one figure.

Each experiment's students were trained with the phase learning rates (lr, lr_frozen) scaled by
0.5, 1, 2 (and 4) on seeds 0-2 (``--phase lr=... lr_frozen=...`` of the experiment scripts);
this script reads the summary CSVs those runs wrote, keeps the checked configuration's row
(digits: p=2, r/c_out=1, distillation; char-LSTM: shared layout, r/n_out=1), and chooses per
experiment on the mean validation score (accuracy up, bits per character down). The rule: the
best scale replaces the incumbent (×1, issue 4's rates) only when it is better by more than the
validation noise: one validation image for accuracy (100/500 = 0.2 points), the larger of the two
seed sds for bits per character. Test scores are copied for the record and chosen on by nothing.

    python experiments/schedule_check.py digits:0.5=DIR/digits_cnn.csv digits:1=... \\
        lstm:0.5=DIR/char_lstm.csv ... --out results/nn/schedule_check
"""

from __future__ import annotations

import argparse
import csv
import sys
from pathlib import Path

from discovery._io import save_figure, write_csv

# experiment -> (row filter, validation column, higher is better, label)
CHECKED = {
    "digits": (lambda r: r["model"] == "strassen" and r["p"] == "2" and r["r_ratio"] == "1.0"
               and r["distill"] == "True", "val_acc", True, "digits CNN, p=2, r/c_out=1, KD: val accuracy %"),
    "lstm": (lambda r: r["model"] == "strassen" and r["layout"] == "shared" and r["r_ratio"] == "1.0",
             "val_bpc", False, "char-LSTM, shared r/n_out=1: val bits/char"),
}


VAL_IMAGES = 500  # digits validation split (experiments/digits_cnn.py Config.n_val)


def _variant(text: str) -> tuple[str, float, Path]:
    head, sep, path = text.partition("=")
    exp, sep2, scale = head.partition(":")
    if not sep or not sep2 or exp not in CHECKED:
        raise argparse.ArgumentTypeError(f"{text!r}: expected EXPERIMENT:SCALE=SUMMARY_CSV with "
                                         f"EXPERIMENT one of {', '.join(CHECKED)}")
    try:
        return exp, float(scale), Path(path)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r}: SCALE must be a number") from None


def table(variants) -> list[dict]:
    rows = []
    for exp, scale, path in variants:
        keep, col, _, _ = CHECKED[exp]
        with open(path, newline="") as f:
            hits = [r for r in csv.DictReader(f) if keep(r)]
        if len(hits) != 1:
            raise SystemExit(f"schedule_check: error: {path} has {len(hits)} rows of the checked "
                             f"{exp} configuration (expected 1)")
        r = hits[0]
        test = "test_acc" if col == "val_acc" else "test_bpc"
        rows.append(dict(experiment=exp, lr_scale=scale, seeds=r["seeds"],
                         val_mean=float(r[f"{col}_mean"]), val_sd=float(r[f"{col}_sd"]),
                         test_mean=float(r[f"{test}_mean"]), test_sd=float(r[f"{test}_sd"]),
                         metric=col, source=str(path)))
    for exp, (_, _, higher, _) in CHECKED.items():
        mine = [r for r in rows if r["experiment"] == exp]
        if not mine:
            continue
        best = (max if higher else min)(mine, key=lambda r: r["val_mean"])
        incumbent = next((r for r in mine if r["lr_scale"] == 1.0), best)
        noise = 100 / VAL_IMAGES if exp == "digits" else max(best["val_sd"], incumbent["val_sd"])
        gain = (best["val_mean"] - incumbent["val_mean"]) * (1 if higher else -1)
        chosen = best if gain > noise else incumbent
        for r in mine:
            r["gain_over_x1"] = round((r["val_mean"] - incumbent["val_mean"]) * (1 if higher else -1), 4)
            r["noise"] = round(noise, 4)
            r["chosen_on_val"] = r is chosen
    rows.sort(key=lambda r: (r["experiment"], r["lr_scale"]))
    return rows


def figure(rows: list[dict]):
    from matplotlib.figure import Figure

    exps = [e for e in CHECKED if any(r["experiment"] == e for r in rows)]
    fig = Figure(figsize=(5 * len(exps), 3.6))
    axes = fig.subplots(1, len(exps), squeeze=False)[0]
    for ax, exp in zip(axes, exps):
        mine = [r for r in rows if r["experiment"] == exp]
        xs = [r["lr_scale"] for r in mine]
        ax.errorbar(xs, [r["val_mean"] for r in mine], yerr=[r["val_sd"] for r in mine], fmt="o-",
                    capsize=3, label="validation (mean ± sd over seeds)")
        for r in mine:
            if r["chosen_on_val"]:
                ax.plot([r["lr_scale"]], [r["val_mean"]], "r*", ms=14, label="chosen on validation")
        ax.set_xscale("log", base=2)
        ax.set_xticks(xs, [f"×{x:g}" for x in xs])
        ax.set_xlabel("students' learning rate, relative to issue 4's")
        ax.set_title(CHECKED[exp][3], fontsize=9)
        ax.legend(fontsize=8)
    fig.tight_layout()
    return fig


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("variants", nargs="+", type=_variant, metavar="EXPERIMENT:SCALE=SUMMARY_CSV")
    ap.add_argument("--out", type=Path, default=Path("runs") / "nn" / "schedule_check")
    a = ap.parse_args(argv)
    missing = [str(p) for _, _, p in a.variants if not p.is_file()]
    if missing:
        ap.error(f"no such file {', '.join(missing)}")
    rows = table(a.variants)
    a.out.mkdir(parents=True, exist_ok=True)  # an explicit output folder
    write_csv(a.out / "schedule_check.csv", rows)
    save_figure(figure(rows), a.out / "schedule_check.png")
    for r in rows:
        mark = "  <- chosen on validation" if r["chosen_on_val"] else ""
        print(f"{r['experiment']:6s} lr x{r['lr_scale']:<4g} {r['metric']} {r['val_mean']:.3f} ± "
              f"{r['val_sd']:.3f} (seeds {r['seeds']}){mark}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
