"""`evaluate` and `oneshot-report`: measure a checkpoint on test data."""
from __future__ import annotations

import argparse
import json
import sys
import time

from ..data.splits import validation_split
from ..evaluation.inputs import load_for
from ..models.checkpoint import load_model
from ..training import resolve_device
from .common import add_data_args, command_line

TASKS = ("verification", "oneshot", "retrieval")


def add_evaluate_parsers(sub) -> None:
    e = sub.add_parser("evaluate", help="evaluate a checkpoint", formatter_class=argparse.ArgumentDefaultsHelpFormatter)
    e.add_argument("checkpoint", help="a .pt file written by `train`")
    e.add_argument("--task", default="verification", choices=TASKS,
                   help="verification: balanced test pairs at the validation threshold; oneshot: N-way "
                        "tasks (Omniglot: also the 20 official runs); retrieval: precision@1 and MAP@R")
    e.add_argument("--dataset", default=None, help="default: the dataset the model was trained on")
    e.add_argument("--split", default="test", help="the split evaluated")
    e.add_argument("--pairs", type=int, default=2000, help="verification pairs (half same, half different)")
    e.add_argument("--n-way", type=int, default=20, help="N of the one-shot tasks")
    e.add_argument("--k-shot", type=int, default=1, help="support images per class")
    e.add_argument("--tasks", type=int, default=1000, help="random one-shot tasks")
    e.add_argument("--within-alphabet", action="store_true", help="one-shot tasks inside one alphabet")
    e.add_argument("--max-queries", type=int, default=None, help="retrieval: at most this many queries")
    e.add_argument("--seed", type=int, default=0, help="seed of the pairs / tasks")
    e.add_argument("--out", default=None, help="also write the JSON result to this file")
    add_data_args(e)

    r = sub.add_parser("oneshot-report", help="every one-shot figure of Koch et al. for a checkpoint",
                       formatter_class=argparse.ArgumentDefaultsHelpFormatter)
    r.add_argument("checkpoint", help="a .pt file trained on Omniglot's background set")
    r.add_argument("--tasks", type=int, default=1000, help="random tasks per N and for MNIST")
    r.add_argument("--seed", type=int, default=0, help="seed of the tasks and pairs")
    r.add_argument("--out", default=None, help="also write the figures to this JSON file (the page reads it)")
    add_data_args(r)


def cmd_evaluate(a: argparse.Namespace) -> dict:
    model = load_model(a.checkpoint, device=resolve_device("auto"))
    name = a.dataset or (model.train_config or {}).get("dataset")
    if name is None:
        raise ValueError("the checkpoint does not name its dataset: pass --dataset")
    out: dict = {"checkpoint": a.checkpoint, "dataset": name, "split": a.split, "task": a.task}
    t0 = time.perf_counter()
    out.update({"verification": _verification, "oneshot": _oneshot, "retrieval": _retrieval}[a.task](a, model, name))
    out["seconds"] = round(time.perf_counter() - t0, 2)
    if a.out:
        _write_json(a.out, out)
    return out


def _verification(a, model, name: str) -> dict:
    from ..evaluation.metrics import verification
    # The threshold comes from validation data: the same held-out part of the training split the
    # trainer used (seeded), never from the test pairs.
    tc = model.train_config or {}
    train_set = load_for(model, name, "train", a.data_dir, a.download)
    _, val = validation_split(train_set, tc.get("val_fraction", 0.1), tc.get("seed", 0))
    test = load_for(model, name, a.split, a.data_dir, a.download)
    return verification(model, val, test, n_pairs=a.pairs, seed=a.seed).summary()


def _oneshot(a, model, name: str) -> dict:
    from ..evaluation import metrics as ev
    data = load_for(model, name, a.split, a.data_dir, a.download)
    out = ev.oneshot(model, data, a.n_way, a.tasks, a.k_shot, a.seed, a.within_alphabet)
    if name == "omniglot" and a.n_way == 20 and a.k_shot == 1:
        from ..evaluation.oneshot_report import official_runs
        runs = official_runs(model, a.data_dir)
        out["official_runs_accuracy"] = runs["accuracy"]
        out["official_runs_pixel_1nn_accuracy"] = runs["pixel_1nn_accuracy"]
    return out


def _retrieval(a, model, name: str) -> dict:
    from ..evaluation.metrics import retrieval
    data = load_for(model, name, a.split, a.data_dir, a.download)
    return retrieval(model, data, a.max_queries)


def cmd_oneshot_report(a: argparse.Namespace) -> dict:
    from ..evaluation.oneshot_report import format_report, oneshot_report
    model = load_model(a.checkpoint)
    if (model.train_config or {}).get("dataset") not in (None, "omniglot"):
        raise ValueError("oneshot-report needs a model trained on Omniglot's background set")
    quiet = a.json
    report = oneshot_report(model, a.data_dir, tasks=a.tasks, seed=a.seed,
                            progress=None if quiet else lambda n: print(f"  {n}…", file=sys.stderr, flush=True))
    report["checkpoint"] = a.checkpoint
    report["command"] = command_line(a.argv)
    if a.out:
        _write_json(a.out, report)
    if not quiet:
        print(format_report(report))
    return report


def _write_json(path: str, result: dict) -> None:
    with open(path, "w") as f:
        json.dump(result, f, indent=1, default=float)
