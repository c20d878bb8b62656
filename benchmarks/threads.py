"""Training speed and a t-SNE's time (`tsne_2d`, which takes torch's thread count) with 1 versus more torch
threads, in one process — on a quiet machine and, with `--busy N`, while N other processes keep the CPU busy
(as 30 students' runs and page reruns do).

    python -m benchmarks run threads [--steps 40] [--busy 2] [--out FILE.json]
"""
from __future__ import annotations

import multiprocessing as mp
import os
import statistics
import time

from benchmarks.blocks import Block, conditions_line, table
from benchmarks.results import conditions, parser, save, torch_threads
from siamese_core.data import load_dataset
from siamese_core.training import TrainConfig, train

NAME = "threads"
SUMMARY = "a training step's and a t-SNE's time with one torch thread against all of them, quiet or busy"
TSNE_POINTS = 500  # as many as a page's map shows (the probe set)


def busy(stop) -> None:
    """Keep a core busy with Python code until `stop` is set."""
    x = 0
    while not stop.is_set():
        for i in range(1000):
            x += i * i


def ms_per_step(threads: int, steps: int, data) -> float:
    cfg = TrainConfig(dataset="fashion-mnist", epochs=1, steps_per_epoch=steps, seed=0)
    with torch_threads(threads):
        state = train(cfg, data=data).state
    return 1000 * state.elapsed / state.step  # training steps only: validation is not counted


def tsne_seconds(threads: int, pixels) -> float:
    from siamese_core.viz.projection import tsne_2d
    with torch_threads(threads):
        t0 = time.perf_counter()
        tsne_2d(pixels)
        return time.perf_counter() - t0


def main(argv: list[str] | None = None) -> int:
    p = parser(NAME, __doc__, data_dir=True)
    p.add_argument("--steps", type=int, default=40)
    p.add_argument("--repeats", type=int, default=3)
    p.add_argument("--busy", type=int, default=0, help="other CPU-bound processes running meanwhile")
    a = p.parse_args(argv)
    before = conditions()  # before the busy processes start
    data = load_dataset("fashion-mnist", "train", data_dir=a.data_dir)
    stop = mp.Event()
    hogs = [mp.Process(target=busy, args=(stop,), daemon=True) for _ in range(a.busy)]
    for h in hogs:
        h.start()
    try:
        counts = sorted({1, os.cpu_count() or 1})
        rows = {n: statistics.median(ms_per_step(n, a.steps, data) for _ in range(a.repeats)) for n in counts}
        pixels = data.rows(slice(TSNE_POINTS)).flatten(1).numpy()
        tsne = {n: round(statistics.median(tsne_seconds(n, pixels) for _ in range(a.repeats)), 2) for n in counts}
    finally:
        stop.set()
        for h in hogs:
            h.join()
    best = min(rows, key=rows.get)
    out = {"cpus": os.cpu_count(), "busy_processes": a.busy, "ms_per_step": rows, "fastest_threads": best,
           "ratio_many_over_one": round(rows[max(counts)] / rows[1], 2), "tsne_points": TSNE_POINTS,
           "tsne_s": tsne, "tsne_ratio_many_over_one": round(tsne[max(counts)] / tsne[1], 2)}
    save(a.out, NAME, argv, out, before, show=block_text)
    return 0


def block_text(r: dict) -> str:
    f = r["figures"]
    rows = [[f"{n} torch thread(s)", f"{ms:.1f} ms", f"{f['tsne_s'][n]:.2f} s"] for n, ms in f["ms_per_step"].items()]
    return "\n".join([f"{f['cpus']} CPUs, {f['busy_processes']} busy processes beside it.", "",
                      table(["threads", "per training step", f"t-SNE of {f['tsne_points']} points"], rows), "",
                      f"Many threads / one thread: **{f['ratio_many_over_one']:.2f}×** the time of a step, "
                      f"**{f['tsne_ratio_many_over_one']:.2f}×** the time of a t-SNE.", "", conditions_line(r)])


BLOCKS = {name: Block((f"docs/results/{name}.json",), f"python -m benchmarks.threads {options} --out "
                                                        f"docs/results/{name}.json", block_text)
          for name, options in (("threads", "--repeats 2 --steps 30"),
                                ("threads-busy", "--repeats 1 --steps 30 --busy 2"))}


if __name__ == "__main__":
    raise SystemExit(main())
