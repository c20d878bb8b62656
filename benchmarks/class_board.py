"""The class board's bounds: the memory a full board holds and the server's script run of its page.

    python -m benchmarks.class_board --out docs/results/class-board.json

Fills the server's board (lab_ui/class_board.py) with `--runs` shared runs shaped as the Losses page's runs
are (2,000 test pairs, a 1,000-point map; margins, losses and embedding sizes varied), measures the Python
memory the board holds (tracemalloc, the reports themselves dropped) beside its own estimate, then runs the
Class board page (AppTest, in this process) `--repeats` times after one warm-up run and times each script run."""
from __future__ import annotations

import gc
import statistics
import time
import tracemalloc
from pathlib import Path

import numpy as np

from benchmarks.blocks import Block, conditions_line, goal, table
from benchmarks.results import conditions, parser, save

NAME = "class-board"
SUMMARY = "the class board's memory with 200 runs and the server's script run of its page"
PAGE = Path(__file__).resolve().parents[1] / "app_pages" / "8_class_board.py"
LOSSES = ("contrastive", "triplet", "bce-concat")
RENDER_GOAL_S, BYTES_GOAL = 1.0, 2 * 2**20


def page_like_report(k: int):
    """A shared run as big as a Losses page run: 2,000 test pairs and a 1,000-point map, its settings varied."""
    from siamese_core.service.experiment import RunReport

    rng = np.random.default_rng(k)
    same = np.arange(2000) % 2 == 0
    scores = np.where(same, -0.4, -1.0) + 0.2 * rng.standard_normal(2000)
    config = {"dataset": "digits", "loss": LOSSES[k % 3], "margin": round(0.1 * (1 + k % 20), 2),
              "embedding_dim": (2, 4, 8, 16, 32, 64, 128)[k % 7], "miner": "semi-hard", "center_lambda": 0.01,
              "seconds": 20.0}
    return RunReport(
        name=f"run {k}", config=config, history=[], val_history=[], examples=[],
        metrics={"accuracy": 0.8 + 0.15 * rng.random(), "auc": 0.9 + 0.09 * rng.random(), "eer": 0.2 * rng.random(),
                 "threshold": -0.7, "train_seconds": 20.3, "embedding_dim": config["embedding_dim"]},
        test_scores=scores.astype(np.float32), test_same=same,
        projection=rng.standard_normal((1000, 2)).astype(np.float32),
        projection_labels=rng.integers(0, 10, 1000), projection_index=np.arange(1000),
        class_names=[str(c) for c in range(10)], score_is_probability=False)


def fill(board, runs: int) -> int:
    """Share `runs` runs under as many nicknames; the Python memory the board then holds, in bytes."""
    from siamese_core.service.class_board import ClassBoard

    ClassBoard().add(page_like_report(0), "warm-up", None)  # first calls' imports and caches are not the board's
    gc.collect()
    tracemalloc.start()
    start = tracemalloc.get_traced_memory()[0]
    for k in range(runs):
        board.add(page_like_report(k), board.claim_nickname(f"token-{k}", f"Student {k}"), f"key-{k}")
    gc.collect()
    held = tracemalloc.get_traced_memory()[0] - start
    tracemalloc.stop()
    return held


def render_seconds(repeats: int) -> list[float]:
    from streamlit.testing.v1 import AppTest

    at = AppTest.from_file(str(PAGE), default_timeout=120)
    times = []
    for k in range(repeats + 1):  # the first run imports the page's modules
        t0 = time.perf_counter()
        at.run()
        if at.exception:
            raise RuntimeError(f"the Class board page failed: {at.exception}")
        if k:
            times.append(time.perf_counter() - t0)
    return times


def main(argv: list[str] | None = None) -> int:
    p = parser(NAME, __doc__)
    p.add_argument("--runs", type=int, default=200, help="runs shared on the board (its capacity is its setting)")
    p.add_argument("--repeats", type=int, default=5, help="timed script runs of the page")
    a = p.parse_args(argv)
    from lab_ui.class_board import board  # the server's one board, as the page's script run finds it

    before = conditions()
    b = board()
    held = fill(b, a.runs)
    view = b.view()
    times = render_seconds(a.repeats)
    figures = {"runs": len(view.entries), "capacity": b.capacity, "held_bytes": held, "estimate_bytes": view.nbytes,
               "render_s": [round(t, 3) for t in times], "render_median_s": round(statistics.median(times), 3)}
    save(a.out, NAME, argv, figures, before, show=render)
    return 0


def render(result: dict) -> str:
    f = result["figures"]
    rows = [["Python memory the board holds (tracemalloc)", f"{f['held_bytes'] / 1024:.0f} KB",
             goal("≤ 2 MB", f["held_bytes"] <= BYTES_GOAL)],
            ["the board's own estimate (the page's caption)", f"{f['estimate_bytes'] / 1024:.0f} KB", ""],
            ["the page's script run on the server (median)", f"{f['render_median_s']:.2f} s",
             goal("< 1 s", f["render_median_s"] < RENDER_GOAL_S)]]
    return (f"A board of {f['runs']} runs (capacity {f['capacity']}), each shaped as a Losses page run.\n\n"
            + table(["figure", "measured", "goal"], rows)
            + f"\n\nAll {len(f['render_s'])} script runs: " + ", ".join(f"{t:.2f} s" for t in f["render_s"]) + ".\n\n"
            + conditions_line(result))


BLOCKS = {"class-board": Block(("docs/results/class-board.json",),
                               "python -m benchmarks.class_board --out docs/results/class-board.json",
                               render)}

if __name__ == "__main__":
    raise SystemExit(main())
