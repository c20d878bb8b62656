"""Fashion-MNIST pair verification within a 60-second training budget, against the course's way.

Each run trains the same VGG-style twin for the same training time (validation excluded from the budget);
validation accuracy is measured every `--val-every` steps, and the final model
is tested on 2,000 balanced test pairs at the threshold chosen on validation pairs.

- in-batch pairs: each P×K batch of images goes through the twin once and every pair inside it counts;
- explicit pair lists (the course's way): each pair's two images go through the twin separately (two
  forward passes per pair), as the course's Keras notebook does;
- triplet loss with semi-hard negatives mined inside the same P×K batches.

    python -m benchmarks.fashion_speed [--seconds 60] [--target 0.92] [--threads N] [--json] [--out FILE.json]
"""
from __future__ import annotations

import argparse
import json
import os
import platform

import torch

from benchmarks.results import command_line, conditions, write_result
from siamese_core.evaluation.metrics import verification
from siamese_core.service.experiment import load_splits
from siamese_core.training import TrainConfig

# name → overrides of TrainConfig; the first two differ only in how pairs are formed.
RUNS = {
    "contrastive, in-batch pairs": dict(loss="contrastive", pair_source="in-batch", lr=3e-3, lr_schedule="cosine"),
    "contrastive, explicit pair lists (course)": dict(loss="contrastive", pair_source="explicit", lr=3e-3,
                                                      lr_schedule="cosine"),
    "triplet, in-batch semi-hard": dict(loss="triplet", pair_source="in-batch", lr=3e-3, lr_schedule="cosine"),
}
OURS, COURSE = "contrastive, in-batch pairs", "contrastive, explicit pair lists (course)"


def time_to(val_history: list[dict], target: float) -> float | None:
    """Training seconds at the first validation that reached `target`, or None."""
    return next((v["time"] for v in val_history if v["val_accuracy"] >= target), None)


def run(name: str, overrides: dict, seconds: float, val_every: int, data_dir: str | None, target: float) -> dict:
    cfg = TrainConfig(dataset="fashion-mnist", seconds=seconds, steps_per_epoch=val_every, seed=0, **overrides)
    train, test = load_splits(cfg, data_dir)
    result = train(cfg, data=train)
    val = result.val_set
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
    p.add_argument("--threads", type=int, default=None, help="torch threads (default: torch's choice)")
    p.add_argument("--data-dir", default=None)
    p.add_argument("--json", action="store_true")
    p.add_argument("--out", default=None, help="also write the figures and the conditions to this JSON file")
    a = p.parse_args(argv)
    if a.threads:
        torch.set_num_threads(a.threads)
    before = conditions()
    print(f"# {platform.processor() or platform.machine()}, {os.cpu_count()} CPUs, torch {torch.__version__}, "
          f"{torch.get_num_threads()} threads", flush=True)
    rows = [run(name, overrides, a.seconds, a.val_every, a.data_dir, a.target) for name, overrides in RUNS.items()]
    key = f"seconds_to_val_{a.target}"
    by_name = {r["run"]: r for r in rows}
    ours, course = by_name[OURS][key], by_name[COURSE][key]
    best = max(rows, key=lambda r: r["test_accuracy"])
    summary = {"runs": rows, "target": a.target, "seconds": a.seconds,
               "speedup_to_target": round(course / ours, 2) if ours and course else None,
               "best": best["run"], "best_test_accuracy": best["test_accuracy"]}
    if a.out:
        write_result(a.out, command_line("benchmarks.fashion_speed", argv), summary, before)
    if a.json:
        print(json.dumps(summary))
        return 0
    for r in rows:
        reached = f"{r[key]:.1f} s" if r[key] is not None else f"not within {a.seconds:.0f} s"
        print(f"{r['run']:42s} steps {r['steps']:5d}  test accuracy {r['test_accuracy']:.4f}  "
              f"AUC {r['test_auc']:.4f}  validation {a.target} at {reached}")
    if summary["speedup_to_target"] is not None:
        print(f"time to validation accuracy {a.target}: course / in-batch = {summary['speedup_to_target']:.2f}×")
    else:
        print(f"time-to-{a.target} ratio unavailable: a run did not reach it within {a.seconds:.0f} s")
    print(f"best after {a.seconds:.0f} s of training: {best['run']}, test accuracy {best['test_accuracy']:.4f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
