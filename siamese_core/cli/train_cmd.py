"""`python -m siamese_core train …`: every TrainConfig setting as an option, training through `training.train`."""
from __future__ import annotations

import argparse
import os
import time

import torch

from ..models.checkpoint import save_checkpoint
from ..training import TrainConfig, train
from ..training.batches import BatchSource
from ..training.progress_lines import PrintProgress
from .common import add_data_args, command_line
from .options import add_config_options, config_from_args


def add_train_parser(sub) -> None:
    t = sub.add_parser("train", help="train a model and write a checkpoint",
                       description="Train a model on a dataset's train split and write a checkpoint.")
    add_config_options(t)
    t.add_argument("--threads", type=int, default=None,
                   help="CPU threads for torch (default: torch's own choice); 1 is fastest on a busy machine")
    t.add_argument("--out", required=True, help="checkpoint to write (.pt)")
    t.add_argument("--quiet", action="store_true", help="no progress lines")
    add_data_args(t)


def images_per_step(cfg: TrainConfig, train_set) -> int:
    """Images through the twin per training step (throughput = steps × this / train_seconds)."""
    return BatchSource(cfg, train_set, torch.Generator()).images_per_step


def _cpu_seconds() -> float:
    """CPU seconds of this process and of its children that have ended (members trained in processes)."""
    t = os.times()
    return t.user + t.system + t.children_user + t.children_system


def cmd_train(a: argparse.Namespace) -> dict:
    if a.threads is not None:
        if a.threads < 1:
            raise ValueError("--threads must be ≥ 1")
        torch.set_num_threads(a.threads)
    cfg = config_from_args(a)
    callbacks = [] if (a.quiet or a.json) else [PrintProgress()]
    cpu0, wall0 = _cpu_seconds(), time.perf_counter()
    result = train(cfg, callbacks=callbacks, data_dir=a.data_dir, download=a.download)
    st = result.state
    # CPU seconds of all threads and member processes, loading and validation included: on a shared
    # machine this, not the wall clock, says what the run costs (CPU seconds / cores ≈ wall time on an
    # idle machine). wall_seconds: the whole command, data preparation and every member included.
    metrics = {"train_seconds": round(st.elapsed, 2), "validation_seconds": round(st.val_seconds, 2),
               "cpu_seconds": round(_cpu_seconds() - cpu0, 1), "wall_seconds": round(time.perf_counter() - wall0, 1),
               "threads": torch.get_num_threads(),
               "steps": st.step, "epochs": st.epoch,
               "stopped_because": result.stopped_because, **(result.best_val or {})}
    save_checkpoint(a.out, result.model, cfg.flat(), metrics, command_line(a.argv))
    return {"checkpoint": a.out, "device": str(result.model.device), **metrics,
            "images_per_step": images_per_step(cfg, result.train_set)}
