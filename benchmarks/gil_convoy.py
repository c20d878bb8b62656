"""Why a server's training threads train slowly while the pages are busy: training steps in a fixed time
alone, beside one busy Python *thread* of the same process (as the pages' scripts run beside the server's
training threads), and beside one busy *process* (as beside a training that runs in a process of its own,
e.g. on a cluster worker), side by side in one run.

Every torch operation lets go of Python's lock and must win it back; a busy thread of the same process
holds that lock, a busy process does not.

    python -m benchmarks run gil-convoy [--seconds 3] [--repeats 3] [--out FILE.json]
"""
from __future__ import annotations

import multiprocessing as mp
import statistics
import threading

import torch

from benchmarks.blocks import Block, conditions_line, table
from benchmarks.results import conditions, parser, save
from siamese_core.data import load_dataset
from siamese_core.training import TrainConfig
from siamese_core.training.trainer import Trainer

NAME = "gil-convoy"
SUMMARY = "training steps alone, beside a busy thread of the same process and beside a busy process"


def busy(stop) -> None:
    """Keep a core busy with Python code until `stop` is set."""
    x = 0
    while not stop.is_set():
        for i in range(1000):
            x += i * i


def steps(data, seconds: float, beside: str) -> int:
    """Training steps (digits, contrastive, D = 8, one torch thread) in `seconds` of wall-clock time,
    with nothing, a busy thread or a busy process beside it."""
    if beside == "thread":
        stop = threading.Event()
        other = threading.Thread(target=busy, args=(stop,), daemon=True)
    elif beside == "process":
        stop = mp.get_context("spawn").Event()
        other = mp.get_context("spawn").Process(target=busy, args=(stop,), daemon=True)
    if beside != "nothing":
        other.start()
    try:
        cfg = TrainConfig(dataset="digits", loss="contrastive", embedding_dim=8, seconds=seconds, val_pairs=50)
        return Trainer(cfg, data).fit().state.step
    finally:
        if beside != "nothing":
            stop.set()
            other.join()


def main(argv: list[str] | None = None) -> dict:
    p = parser(NAME, __doc__, data_dir=True)
    p.add_argument("--seconds", type=float, default=3.0)
    p.add_argument("--repeats", type=int, default=3)
    args = p.parse_args(argv)
    torch.set_num_threads(1)
    before = conditions()
    data = load_dataset("digits", "train", data_dir=args.data_dir)
    runs = {b: [] for b in ("nothing", "thread", "process")}
    for _ in range(args.repeats):  # interleaved: a change in the machine's load touches all three alike
        for beside in runs:
            runs[beside].append(steps(data, args.seconds, beside))
    med = {b: statistics.median(v) for b, v in runs.items()}
    result = {"seconds": args.seconds, "repeats": args.repeats, "steps": runs, "median_steps": med,
              "kept_beside_thread": round(med["thread"] / med["nothing"], 3),
              "kept_beside_process": round(med["process"] / med["nothing"], 3)}
    save(args.out, NAME, argv, result, before, show=block_text)
    return result


def block_text(r: dict) -> str:
    f = r["figures"]
    med = f["median_steps"]
    rows = [[f"beside a busy {what}" if what != "nothing" else "alone", f"{med[what]:.0f}",
             f"{100 * med[what] / med['nothing']:.0f} %"] for what in ("nothing", "thread", "process")]
    first = f"Training steps in {f['seconds']:g} s (digits, one torch thread; medians of {f['repeats']})."
    return "\n".join([first, "",
                      table(["the training thread", "steps", "of alone"], rows), "", conditions_line(r)])


BLOCKS = {"gil-convoy": Block(("docs/results/gil-convoy.json",), "python -m benchmarks.gil_convoy --out "
                                "docs/results/gil-convoy.json", block_text)}


if __name__ == "__main__":
    main()
