"""Training speed with 1 versus more torch threads, in one process — on a quiet machine and, with
`--busy N`, while N other processes keep the CPU busy (as 30 students' runs and page reruns do).

    python -m benchmarks.threads [--steps 40] [--busy 2] [--json] [--out FILE.json]
"""
from __future__ import annotations

import argparse
import json
import multiprocessing as mp
import os
import statistics

import torch

from benchmarks.results import command_line, conditions, write_result
from siamese_core.data import load_dataset
from siamese_core.training import TrainConfig, train


def _spin(stop) -> None:
    x = 0
    while not stop.is_set():
        x += 1


def ms_per_step(threads: int, steps: int, data) -> float:
    torch.set_num_threads(threads)
    cfg = TrainConfig(dataset="fashion-mnist", epochs=1, steps_per_epoch=steps, seed=0)
    state = train(cfg, data=data).state
    return 1000 * state.elapsed / state.step  # training steps only: validation is not counted


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog="python -m benchmarks.threads", description=__doc__.split("\n\n")[0])
    p.add_argument("--steps", type=int, default=40)
    p.add_argument("--repeats", type=int, default=3)
    p.add_argument("--busy", type=int, default=0, help="other CPU-bound processes running meanwhile")
    p.add_argument("--data-dir", default=None)
    p.add_argument("--json", action="store_true")
    p.add_argument("--out", default=None, help="also write the figures and the conditions to this JSON file")
    a = p.parse_args(argv)
    before = conditions()  # before the busy processes start
    data = load_dataset("fashion-mnist", "train", data_dir=a.data_dir)
    stop = mp.Event()
    hogs = [mp.Process(target=_spin, args=(stop,), daemon=True) for _ in range(a.busy)]
    for h in hogs:
        h.start()
    try:
        counts = sorted({1, os.cpu_count() or 1})
        rows = {n: statistics.median(ms_per_step(n, a.steps, data) for _ in range(a.repeats)) for n in counts}
    finally:
        stop.set()
        for h in hogs:
            h.join()
    best = min(rows, key=rows.get)
    out = {"cpus": os.cpu_count(), "busy_processes": a.busy, "ms_per_step": rows, "fastest_threads": best,
           "ratio_many_over_one": round(rows[max(counts)] / rows[1], 2)}
    if a.out:
        write_result(a.out, command_line("benchmarks.threads", argv), out, before)
    if a.json:
        print(json.dumps(out))
        return 0
    print(f"{os.cpu_count()} CPUs, {a.busy} busy processes, batch 128 on Fashion-MNIST, median of {a.repeats}")
    for n, ms in rows.items():
        print(f"  {n} torch thread(s): {ms:7.1f} ms per training step")
    print(f"  {max(counts)} threads / 1 thread time ratio: {out['ratio_many_over_one']:.2f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
