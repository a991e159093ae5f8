"""Throughput and memory of Strassen layers against their dense counterparts.

For each case the dense layer and the Strassen layer (r = output width unless stated) run in
the same process on the same inputs:

* forward: eval mode, ``torch.no_grad()``, Strassen layer FROZEN (ternary matrices are the
  stored parameters, nothing is re-quantized per call);
* forward+backward: train mode, Strassen layer in TERNARY mode (phase 2: ternarize + STE
  every call), dense layer as usual;
* memory: on CUDA, ``torch.cuda.max_memory_allocated`` during forward+backward; on CPU the
  bytes of tensors autograd saves for backward plus the output (activation memory), since
  CPU allocations are not tracked per call.

Times are the minimum over --reps runs (robust to other processes on a shared machine).
Prints a table with ratios Strassen/dense and writes ``results/nn/bench_layers.csv``.

    python benchmarks/layers.py [--threads 2] [--device auto] [--quick]
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

import torch
from torch import nn

from discovery._io import write_csv
from discovery.nn import QuantMode, StrassenConv2d, StrassenLinear, StrassenLSTM


def _cases(quick: bool):
    s = 4 if quick else 1
    yield ("Linear 1024->1024, batch 256, r=c_out", nn.Linear(1024 // s, 1024 // s),
           StrassenLinear(1024 // s, 1024 // s, r_ratio=1.0), (256, 1024 // s))
    for p in (1, 2):
        yield (f"Conv2d 32->64 3x3 on 32x32, batch 32, r=c_out, p={p}",
               nn.Conv2d(32, 64, 3, padding=1),
               StrassenConv2d(32, 64, 3, padding=1, r_ratio=1.0, p=p), (32 // s, 32, 32, 32))
    yield ("LSTM 128->256, T=50, batch 32, r=n_out", nn.LSTM(128, 256 // s, batch_first=True),
           StrassenLSTM(128, 256 // s, r_ih_ratio=1.0, r_hh_ratio=1.0), (32, 50 // s, 128))


def _time(fn, device, reps: int) -> float:
    fn()  # warm-up
    out = []
    for _ in range(reps):
        if device.type == "cuda":
            torch.cuda.synchronize()
        t = time.perf_counter()
        fn()
        if device.type == "cuda":
            torch.cuda.synchronize()
        out.append(time.perf_counter() - t)
    return min(out)  # the least-disturbed run: the machine may be shared


def _first(y):
    return y[0] if isinstance(y, tuple) else y


def _memory(layer, x, device) -> int:
    if device.type == "cuda":
        torch.cuda.synchronize()
        torch.cuda.reset_peak_memory_stats(device)
        base = torch.cuda.memory_allocated(device)
        _first(layer(x)).sum().backward()
        torch.cuda.synchronize()
        return torch.cuda.max_memory_allocated(device) - base
    seen: dict[int, int] = {}

    def pack(t):
        seen[t.untyped_storage().data_ptr()] = t.untyped_storage().nbytes()
        return t

    with torch.autograd.graph.saved_tensors_hooks(pack, lambda t: t):
        y = _first(layer(x))
    return sum(seen.values()) + y.numel() * y.element_size()


def run(device: torch.device, reps: int, quick: bool) -> list[dict]:
    rows = []
    for name, dense, spn, shape in _cases(quick):
        dense, spn = dense.to(device), spn.to(device)
        x = torch.randn(*shape, device=device)
        res = {}
        for tag, layer in (("dense", dense), ("strassen", spn)):
            if tag == "strassen":
                layer.set_mode(QuantMode.FROZEN)
            layer.eval()

            def fwd(layer=layer, x=x):
                with torch.no_grad():
                    layer(x)
            res[f"{tag}_fwd_ms"] = 1e3 * _time(fwd, device, reps)
            if tag == "strassen":
                layer.set_mode(QuantMode.TERNARY)
            layer.train()
            xg = x.clone().requires_grad_(True)

            def fwd_bwd(layer=layer, xg=xg):
                _first(layer(xg)).sum().backward()
            res[f"{tag}_fwdbwd_ms"] = 1e3 * _time(fwd_bwd, device, reps)
            res[f"{tag}_mem_MB"] = _memory(layer, xg, device) / 2**20
        row = dict(case=name, device=str(device), threads=torch.get_num_threads(),
                   **{k: round(v, 3) for k, v in res.items()})
        row["fwd_ratio"] = round(res["strassen_fwd_ms"] / res["dense_fwd_ms"], 2)
        row["fwdbwd_ratio"] = round(res["strassen_fwdbwd_ms"] / res["dense_fwdbwd_ms"], 2)
        row["mem_ratio"] = round(res["strassen_mem_MB"] / max(res["dense_mem_MB"], 1e-9), 2)
        rows.append(row)
    return rows


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--device", default="auto", help="auto (CUDA if present), cpu or cuda")
    ap.add_argument("--reps", type=int, default=10)
    ap.add_argument("--quick", action="store_true")
    ap.add_argument("--out", type=Path, default=Path("results/nn/bench_layers.csv"))
    a = ap.parse_args(argv)
    torch.set_num_threads(a.threads)
    torch.manual_seed(0)
    devices = [torch.device("cpu")]
    if a.device == "auto" and torch.cuda.is_available() or a.device == "cuda":
        devices.append(torch.device("cuda"))
    if a.device == "cuda":
        devices = devices[1:]
    rows = [r for d in devices for r in run(d, a.reps, a.quick)]
    hdr = ("case", "device", "dense_fwd_ms", "strassen_fwd_ms", "fwd_ratio", "dense_fwdbwd_ms",
           "strassen_fwdbwd_ms", "fwdbwd_ratio", "dense_mem_MB", "strassen_mem_MB", "mem_ratio")
    print(" | ".join(hdr))
    for r in rows:
        print(" | ".join(str(r[h]) for h in hdr))
    write_csv(a.out, rows)
    print(f"-> {a.out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
