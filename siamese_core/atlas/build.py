"""Building the atlas: train every cell of the grid for a fixed number of steps with one seed, as a page's run
trains (`experiment.run_experiment`) but with its live frames taken every FRAME_EVERY steps rather than by a
share of the clock, and store its report (`store`): the same command gives the same atlas whatever the
machine's load, as nothing in a cell depends on the clock but its timings."""
from __future__ import annotations

import json
import os
import time
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor, as_completed
from multiprocessing import get_context
from pathlib import Path

import torch

from ..data import ImageSet
from ..service.experiment import load_splits, run_experiment
from ..service.live_frames import FrameRecorder, probe_set
from ..training import TrainConfig
from .grid import DIMS, FRAME_EVERY, INDEX, MARGINS, STEPS, cell_file, cell_label
from .store import load_cell, save_cell


class StepFrames(FrameRecorder):
    """A FrameRecorder that takes a frame every `every` steps (deterministic), not by time share."""

    def __init__(self, probe, every: int = FRAME_EVERY):
        super().__init__(probe, max_frames=10_000)
        self.every = every

    def on_step(self, trainer, state) -> None:
        if state.step % self.every == 0:
            self._record(trainer, state.step, state.elapsed, state.loss)


def grid_cells(only: str | None = None, margins: dict = MARGINS,
               dims: tuple = DIMS) -> list[tuple[str, float | None, int]]:
    """(loss, margin, dim) of every cell, in build order; `only` keeps one loss."""
    if only is not None and only not in margins:
        raise ValueError(f"--only must be one of the atlas's losses: {', '.join(margins)}")
    return [(loss, m, d) for loss, ms in margins.items() if only in (None, loss)
            for m in (ms or (None,)) for d in dims]


def cell_config(dataset: str, loss: str, margin: float | None, dim: int, steps: int, seed: int = 0) -> TrainConfig:
    """One epoch of exactly `steps` steps, validated once at its end (as a 20-s page run is)."""
    return TrainConfig.from_dict({"dataset": dataset, "loss": loss, "margin": margin, "embedding_dim": dim,
                                  "distance": "l2", "seed": seed, "epochs": 1, "steps_per_epoch": steps})


_SPLITS: dict[str, tuple[ImageSet, ImageSet]] = {}   # per worker process: each dataset loaded once


def train_cell(cell: tuple, dataset: str, steps: int, out: str, data_dir: str | None = None,
               resume: bool = False) -> dict:
    """Train one cell, write its .npz into `out`; its row for index.json. With `resume`, a cell already
    stored with the same config is kept as it is (an interrupted build goes on where it stopped)."""
    torch.set_num_threads(1)  # one thread per job: on a busy CPU more threads only fight each other
    loss, margin, dim = cell
    cfg = cell_config(dataset, loss, margin, dim, steps)
    if resume and (Path(out) / cell_file(*cell)).is_file():
        stored = load_cell(Path(out) / cell_file(*cell))
        if stored.config == json.loads(json.dumps(cfg.flat(), default=float)):
            return _row(cell, stored, (Path(out) / cell_file(*cell)).stat().st_size)
    if dataset not in _SPLITS:
        _SPLITS[dataset] = load_splits(cfg, data_dir)
    report = run_experiment(cfg, cell_label(*cell), data_dir, splits=_SPLITS[dataset],
                            recorder=StepFrames(probe_set(_SPLITS[dataset][1])))
    return _row(cell, report, save_cell(Path(out) / cell_file(*cell), report))


def _row(cell: tuple, report, size: int) -> dict:
    loss, margin, dim = cell
    m = report.metrics
    return {"loss": loss, "margin": margin, "dim": dim, "file": cell_file(*cell), "bytes": size,
            "frames": len(report.frames),
            **{k: round(float(m[k]), 4) for k in ("accuracy", "auc", "eer", "train_seconds")}}


def _settings(dataset: str, steps: int) -> dict:
    return {"dataset": dataset, "steps": steps, "seed": 0, "distance": "l2", "frame_every": FRAME_EVERY,
            "batch_size": 128, "threads_per_job": 1}


def build(out: str | Path, dataset: str = "fashion-mnist", steps: int = STEPS, jobs: int = 1, only: str | None = None,
          resume: bool = False, margins: dict = MARGINS, dims: tuple = DIMS,
          command: str = "python -m siamese_core atlas build", data_dir: str | None = None,
          progress: Callable[[str], None] = lambda line: None) -> dict:
    """Train the grid (or `only` one loss) into `out` and write its index.json; returns the index.
    Cells of other losses already in `out` with the same settings are kept (so `--only` adds to an atlas).
    `margins` and `dims` change the grid (a test's tiny atlas); the pages' atlas uses the defaults."""
    if steps < 1 or jobs < 1:
        raise ValueError("--steps and --jobs must be ≥ 1")
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    cells, settings = grid_cells(only, margins, dims), _settings(dataset, steps)
    load_splits(cell_config(dataset, *cells[0], steps), data_dir)  # a missing dataset fails here, in one sentence
    old = _old_index(out, settings)
    kept = [c for c in old.get("cells", []) if (c["loss"], c["margin"], c["dim"]) not in set(cells)]
    rows, t0 = [], time.perf_counter()

    def done(row: dict) -> None:
        rows.append({**row, "command": command})
        progress(f"[{len(rows)}/{len(cells)}] {cell_label(row['loss'], row['margin'], row['dim'])}: accuracy "
                 f"{row['accuracy']:.3f}, AUC {row['auc']:.3f}, {row['train_seconds']:.1f} s training, "
                 f"{row['frames']} frames, {row['bytes'] / 1024:.0f} KB ({time.perf_counter() - t0:.0f} s so far)")

    if jobs == 1:
        for cell in cells:
            done(train_cell(cell, dataset, steps, str(out), data_dir, resume))
    else:
        # "spawn": fresh workers, no copy of this process's torch thread pools
        with ProcessPoolExecutor(jobs, mp_context=get_context("spawn")) as pool:
            futures = [pool.submit(train_cell, cell, dataset, steps, str(out), data_dir, resume) for cell in cells]
            for f in as_completed(futures):
                done(f.result())
    order = {c: k for k, c in enumerate(grid_cells(None, margins, dims))}
    all_rows = sorted(kept + rows, key=lambda r: order.get((r["loss"], r["margin"], r["dim"]), len(order)))
    index = {"format": 1, "command": command, "settings": settings,
             "grid": {loss: {"margins": list(m), "dims": list(dims)} for loss, m in margins.items()},
             "cells": all_rows, "total_bytes": sum(r["bytes"] for r in all_rows),
             "build_seconds": round(time.perf_counter() - t0, 1), "cpu_count": os.cpu_count()}
    (out / INDEX).write_text(json.dumps(index, indent=1))
    return index


def _old_index(out: Path, settings: dict) -> dict:
    """The index already in `out` if it was built with the same settings, else nothing."""
    try:
        old = json.loads((out / INDEX).read_text())
    except (OSError, ValueError):
        return {}
    return old if old.get("settings") == settings else {}
