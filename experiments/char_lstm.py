"""Strassenified character-level LSTM language model on real English text.

Text: the Python documentation topics shipped with CPython (``pydoc_data.topics``, ~465k
characters of English prose and code examples; no download). A dense teacher
(embedding → LSTM → linear) is trained first; its LSTM is then strassenified (both the
input-to-hidden and hidden-to-hidden products of all gates, SVD-initialised from the teacher)
with r/n_out in ``ratios`` (n_out = hidden units) and trained in the three StrassenNets phases
with distillation from the teacher. Reports validation and test bits per character.

    python experiments/char_lstm.py --seed 0            # full (< 1 h on 2 cores)
    python experiments/char_lstm.py --seed 0 --quick    # tiny, for CI
"""

from __future__ import annotations

import copy
import math
import time
from dataclasses import dataclass
from pathlib import Path

import torch
import torch.nn.functional as F
from torch import nn

from _common import experiment_parser, start, write_config, write_csv

from discovery.nn import PhaseConfig, StrassenSpec, count_ops, fit, strassenify, train_phases
from discovery.nn._plot import plot_tradeoff


@dataclass(frozen=True)
class Config:
    """Experiment settings (every field is written to the config JSON)."""

    seed: int = 0
    max_chars: int | None = None   # None: the whole text
    embed: int = 32
    hidden: int = 128
    seq_len: int = 64
    batch_size: int = 32
    steps_per_epoch: int = 100
    teacher_epochs: int = 20
    teacher_lr: float = 3e-3
    phases: PhaseConfig = PhaseConfig(epochs_full=5, epochs_ternary=8, epochs_frozen=3,
                                      lr=2e-3, lr_frozen=1e-3, lam=0.5, temperature=2.0)
    ratios: tuple[float, ...] = (4.0, 2.0, 1.0, 0.5)
    distill: bool = True
    eval_len: int = 256
    cse_budget_s: float = 1.0     # time budget of greedy subexpression sharing per matrix


QUICK = dict(cse_budget_s=0.05, max_chars=20_000, hidden=32, embed=16, seq_len=32, batch_size=16,
             steps_per_epoch=5, teacher_epochs=2,
             phases=PhaseConfig(epochs_full=1, epochs_ternary=1, epochs_frozen=1),
             ratios=(1.0,), eval_len=64)


def load_text(max_chars: int | None) -> str:
    """Concatenated CPython documentation topics (stdlib ``pydoc_data.topics``)."""
    from pydoc_data.topics import topics

    text = "\n\n".join(topics[k] for k in sorted(topics))
    return text[:max_chars] if max_chars else text


class CharLM(nn.Module):
    """(N, T) char ids -> (N, T, V) logits: embedding, one LSTM layer, linear decoder."""

    def __init__(self, vocab: int, embed: int, hidden: int):
        super().__init__()
        self.embed = nn.Embedding(vocab, embed)
        self.lstm = nn.LSTM(embed, hidden, batch_first=True)
        self.decoder = nn.Linear(hidden, vocab)

    def forward(self, x):
        return self.decoder(self.lstm(self.embed(x))[0])


def bits_per_char(model, data: torch.Tensor, seq_len: int) -> float:
    """Mean next-character cross-entropy in bits over non-overlapping windows (no carry)."""
    model.eval()
    n = (len(data) - 1) // seq_len
    x = data[: n * seq_len].view(n, seq_len)
    y = data[1: n * seq_len + 1].view(n, seq_len)
    tot = 0.0
    with torch.no_grad():
        for i in range(0, n, 64):
            logits = model(x[i:i + 64])
            tot += F.cross_entropy(logits.reshape(-1, logits.shape[-1]), y[i:i + 64].reshape(-1),
                                   reduction="sum").item()
    return tot / (n * seq_len) / math.log(2)


def run(cfg: Config, out: Path, device, progress: bool = True) -> list[dict]:
    torch.manual_seed(cfg.seed)
    text = load_text(cfg.max_chars)
    chars = sorted(set(text))
    ids = torch.tensor([chars.index(c) for c in text], dtype=torch.long)
    n = len(ids)
    train, val, test = ids[: int(0.9 * n)], ids[int(0.9 * n): int(0.95 * n)], ids[int(0.95 * n):]
    train, val, test = train.to(device), val.to(device), test.to(device)
    gen = torch.Generator().manual_seed(cfg.seed)

    def batches():
        for _ in range(cfg.steps_per_epoch):
            s = torch.randint(0, len(train) - cfg.seq_len - 1, (cfg.batch_size,), generator=gen)
            s = s.to(device)
            off = s[:, None] + torch.arange(cfg.seq_len + 1, device=device)
            w = train[off]
            yield w[:, :-1], w[:, 1:]

    def forward(m, b):
        logits = m(b[0])
        return logits.reshape(-1, logits.shape[-1]), b[1].reshape(-1)

    teacher = CharLM(len(chars), cfg.embed, cfg.hidden).to(device)
    t0 = time.perf_counter()
    fit(teacher, batches, forward, cfg.teacher_epochs, cfg.teacher_lr, grad_clip=5.0,
        desc="teacher", progress=progress)
    example = test[None, : cfg.seq_len]
    tc = count_ops(teacher, example, cfg.cse_budget_s)
    t_lstm = next(lc for lc in tc.layers if lc.name == "lstm")
    per_step = lambda v: v // cfg.seq_len  # noqa: E731
    rows = [dict(model="teacher", r_ratio="-", r=0,
                 val_bpc=bits_per_char(teacher, val, cfg.eval_len),
                 test_bpc=bits_per_char(teacher, test, cfg.eval_len),
                 lstm_mults_per_char=per_step(t_lstm.mults), lstm_adds_per_char=per_step(t_lstm.adds),
                 lstm_adds_cse_per_char=per_step(t_lstm.adds), mults_per_char=per_step(tc.total("mults")),
                 lstm_mult_reduction_pct=0.0, lstm_bits=t_lstm.bits,
                 params=tc.total("params"), train_s=round(time.perf_counter() - t0, 1))]
    print(f"text {n} chars, vocab {len(chars)}; teacher val bpc {rows[0]['val_bpc']:.4f}", flush=True)
    for ratio in cfg.ratios:
        torch.manual_seed(cfg.seed)
        spec = lambda name, m, ratio=ratio: (  # noqa: E731
            StrassenSpec(r_ratio=ratio) if isinstance(m, nn.LSTM) else None)
        student = strassenify(teacher, spec, seed=cfg.seed)
        t0 = time.perf_counter()
        train_phases(student, batches, forward, cfg.phases,
                     teacher=teacher if cfg.distill else None, progress=progress)
        c = count_ops(student, example, cfg.cse_budget_s)
        s_lstm = next(lc for lc in c.layers if lc.name == "lstm")
        row = dict(model="strassen", r_ratio=ratio, r=student.lstm.r_hh,
                   val_bpc=bits_per_char(student, val, cfg.eval_len),
                   test_bpc=bits_per_char(student, test, cfg.eval_len),
                   lstm_mults_per_char=per_step(s_lstm.mults),
                   lstm_adds_per_char=per_step(s_lstm.adds),
                   lstm_adds_cse_per_char=per_step(s_lstm.adds_cse if s_lstm.adds_cse is not None
                                                   else s_lstm.adds),
                   mults_per_char=per_step(c.total("mults")),
                   lstm_mult_reduction_pct=round(100 * (1 - s_lstm.mults / t_lstm.mults), 3),
                   lstm_bits=s_lstm.bits, params=c.total("params"),
                   train_s=round(time.perf_counter() - t0, 1))
        row["val_bpc_rel_pct"] = round(100 * (row["val_bpc"] / rows[0]["val_bpc"] - 1), 3)
        rows.append(row)
        print({k: row[k] for k in ("r_ratio", "val_bpc", "val_bpc_rel_pct",
                                   "lstm_mult_reduction_pct", "train_s")}, flush=True)
        rows[0].setdefault("val_bpc_rel_pct", 0.0)
        write_csv(out / "char_lstm.csv", rows)
    # Fairness baseline: the students train for extra steps after the teacher; give a copy of
    # the dense teacher the same extra steps (run last so the students' batches are unchanged).
    extra = cfg.phases.epochs_full + cfg.phases.epochs_ternary + cfg.phases.epochs_frozen
    longer = copy.deepcopy(teacher)
    t0 = time.perf_counter()
    fit(longer, batches, forward, extra, cfg.phases.lr, grad_clip=5.0, desc="teacher+",
        progress=progress)
    row = dict(rows[0], model="teacher_extra_steps",
               val_bpc=bits_per_char(longer, val, cfg.eval_len),
               test_bpc=bits_per_char(longer, test, cfg.eval_len),
               train_s=round(time.perf_counter() - t0, 1))
    row["val_bpc_rel_pct"] = round(100 * (row["val_bpc"] / rows[0]["val_bpc"] - 1), 3)
    rows[0].setdefault("val_bpc_rel_pct", 0.0)
    rows.append(row)
    for r in rows:
        r["val_bpc_rel_equal_steps_pct"] = round(100 * (r["val_bpc"] / row["val_bpc"] - 1), 3)
    print(f"dense teacher + {extra * cfg.steps_per_epoch} extra steps: val bpc {row['val_bpc']:.4f}")
    write_csv(out / "char_lstm.csv", rows)
    return rows


def plot(rows: list[dict]):
    teacher = next(r for r in rows if r["model"] == "teacher")
    st = [dict(r, variant="strassenified LSTM (KD)", label=f"r/n={r['r_ratio']}")
          for r in rows if r["model"] == "strassen"]
    for r in rows:
        if r["model"] == "teacher_extra_steps":  # dense, same total training steps
            st.append(dict(r, variant="dense, +student's steps", label="dense"))
    return plot_tradeoff(st, "val_bpc", "variant", teacher,
                         ops=("lstm_mults_per_char", "lstm_adds_cse_per_char"), label="label",
                         metric_label="validation bits per character",
                         title="Strassenified char-LSTM on CPython docs text")


def main(argv=None) -> int:
    ap = experiment_parser(__doc__)
    ap.add_argument("--ratios", type=float, nargs="*", default=None,
                    help="override the r/n_out values (e.g. to split a sweep over processes)")
    a = ap.parse_args(argv)
    over, device = start(a, QUICK)
    if a.ratios is not None:
        over["ratios"] = tuple(a.ratios)
    cfg = Config(seed=a.seed, **over)
    write_config(a.out, "char_lstm", cfg, {"quick": a.quick, "device": str(device),
                                           "text": "pydoc_data.topics (CPython stdlib)"})
    t0 = time.perf_counter()
    rows = run(cfg, a.out, device, progress=not a.no_progress)
    plot(rows).savefig(a.out / "char_lstm.png", dpi=110)
    print(f"done in {time.perf_counter() - t0:.0f} s -> {a.out}/char_lstm.csv/.png")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
