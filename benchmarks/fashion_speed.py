"""Fashion-MNIST pair verification within a 60-second training budget, against the course's way.

Both runs train the same VGG-style twin with contrastive loss for the same training time (validation
excluded from the budget); validation accuracy is measured every `--val-every` steps, and the final model
is tested on 2,000 balanced test pairs at the threshold chosen on validation pairs.

- ours: in-batch pairs — each P×K batch of images goes through the twin once and every pair inside it counts;
- course: explicit pair lists — each pair's two images go through the twin separately (two forward passes
  per pair), as the course's Keras notebook does.

    python -m benchmarks.fashion_speed [--seconds 60] [--target 0.92] [--json]
"""
from __future__ import annotations

import argparse
import json
import os
import platform

import torch

from siamese_core.evaluation import verification
from siamese_core.experiment import load_splits, validation_split
from siamese_core.training import Trainer, TrainConfig

OURS = dict(loss="contrastive", pair_source="in-batch", lr=3e-3, lr_schedule="cosine", batch_size=128)
COURSE = dict(loss="contrastive", pair_source="explicit", lr=1e-3, batch_size=128)


def time_to(val_history: list[dict], target: float) -> float | None:
    """Training seconds at the first validation that reached `target`, or None."""
    return next((v["time"] for v in val_history if v["val_accuracy"] >= target), None)


def run(name: str, overrides: dict, seconds: float, val_every: int, data_dir: str | None, target: float) -> dict:
    cfg = TrainConfig(dataset="fashion-mnist", seconds=seconds, steps_per_epoch=val_every, seed=0, **overrides)
    train, test = load_splits(cfg, data_dir)
    fit, val = validation_split(cfg, train)
    result = Trainer(cfg, fit, val).fit()
    v = verification(result.model, val, test, n_pairs=2000, seed=0)
    return {"run": name, "train_seconds": round(result.state.elapsed, 1), "steps": result.state.step,
            "images_seen": result.state.step * cfg.batch_size, "test_accuracy": round(v.accuracy, 4),
            "test_auc": round(v.auc, 4), "best_val_accuracy": round(result.best_val["val_accuracy"], 4),
            f"seconds_to_val_{target}": time_to(result.state.val_history, target),
            "config": overrides}


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog="python -m benchmarks.fashion_speed", description=__doc__.split("\n\n")[0])
    p.add_argument("--seconds", type=float, default=60.0, help="training budget of each run")
    p.add_argument("--target", type=float, default=0.92, help="validation accuracy whose arrival is timed")
    p.add_argument("--val-every", type=int, default=40, help="steps between validations")
    p.add_argument("--data-dir", default=None)
    p.add_argument("--json", action="store_true")
    a = p.parse_args(argv)
    print(f"# {platform.processor() or platform.machine()}, {os.cpu_count()} CPUs, torch {torch.__version__}, "
          f"{torch.get_num_threads()} threads", flush=True)
    rows = [run("ours (in-batch pairs)", OURS, a.seconds, a.val_every, a.data_dir, a.target),
            run("course (explicit pair lists)", COURSE, a.seconds, a.val_every, a.data_dir, a.target)]
    key = f"seconds_to_val_{a.target}"
    ours, course = rows[0][key], rows[1][key]
    summary = {"runs": rows, "target": a.target,
               "speedup_to_target": round(course / ours, 2) if ours and course else None,
               "ours_reaches_0.94_test_accuracy": rows[0]["test_accuracy"] >= 0.94}
    if a.json:
        print(json.dumps(summary))
        return 0
    for r in rows:
        reached = f"{r[key]:.1f} s" if r[key] is not None else f"not within {a.seconds:.0f} s"
        print(f"{r['run']:30s} steps {r['steps']:5d}  images {r['images_seen']:7d}  "
              f"test accuracy {r['test_accuracy']:.4f}  AUC {r['test_auc']:.4f}  val {a.target} at {reached}")
    if summary["speedup_to_target"] is not None:
        print(f"time to validation accuracy {a.target}: course / ours = {summary['speedup_to_target']:.2f}×")
    else:
        print(f"time-to-{a.target} ratio unavailable: a run did not reach it within {a.seconds:.0f} s")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
