"""The shipped figures checked on tasks and pairs drawn from a seed of your choosing, only through the public
API (`load_model → prepare → similarity → threshold`), each beside its published anchor: the Omniglot official
runs, MNIST one-shot transfer and 60-s Fashion-MNIST runs (docs/benchmarks.md, "Held-out check through the
public API").

    python -m benchmarks run heldout --seed N [--tasks 2000] [--pairs 10000] [--skip-fashion] [--out FILE.json]
"""
from __future__ import annotations

import json
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import torch

from benchmarks.blocks import Block, conditions_line, f4, pct, table, text_block, thousands
from benchmarks.results import conditions, parser, save
from siamese_core import load_dataset, load_model
from siamese_core.data.sampling import sample_pairs
from siamese_core.evaluation.oneshot_report import PAPER, mnist_transfer, official_runs
from siamese_core.evaluation.public_api import api_pair_accuracy, pictures

NAME = "heldout"
SUMMARY = "the shipped figures on tasks and pairs of a seed nobody tuned on, through the public API only"
ONESHOT_MODEL = Path(__file__).resolve().parents[1] / "assets" / "oneshot-omniglot.pt"
# What each figure is held against: the published anchor and the figure the project aims past.
ANCHORS = {
    "official_runs": {"anchor": "Koch 92.0 %, humans 95.5 %, BPL 96.7 %", "goal": 0.97},
    "mnist": {"anchor": "Koch 70.3 %", "goal": 0.75},
    "mnist_dark_on_white": {"anchor": "Koch 70.3 %", "goal": 0.75},
    "fashion": {"anchor": "CAB420 ≈ 0.94 after 10 epochs", "goal": 0.94},
}
FASHION_SEEDS = (0, 1, 2)


def train_fashion(seed: int, folder: Path, data_dir: str | None) -> tuple[Path, dict]:
    """The command a newcomer types, with only a seed and a place for the checkpoint added."""
    out = folder / f"fashion-seed{seed}.pt"
    cmd = [sys.executable, "-m", "siamese_core", "train", "--dataset", "fashion-mnist", "--seconds", "60",
           "--seed", str(seed), "--out", str(out), "--json"]
    if data_dir:
        cmd += ["--data-dir", data_dir]
    done = subprocess.run(cmd, check=True, capture_output=True, text=True)
    return out, json.loads(done.stdout.strip().splitlines()[-1])


def main(argv: list[str] | None = None) -> int:
    p = parser(NAME, __doc__, data_dir=True)
    p.add_argument("--seed", type=int, required=True, help="draws the MNIST tasks and the Fashion-MNIST pairs")
    p.add_argument("--tasks", type=int, default=2000, help="MNIST 10-way tasks")
    p.add_argument("--pairs", type=int, default=10000, help="Fashion-MNIST test pairs per model")
    p.add_argument("--model", default=str(ONESHOT_MODEL), help="the Omniglot-trained one-shot model")
    p.add_argument("--skip-fashion", action="store_true")
    a = p.parse_args(argv)
    torch.set_num_threads(1)  # the trainings run as their own processes; this one only scores
    before = conditions()
    model = load_model(a.model)
    figures: dict = {"seed": a.seed, "model": Path(a.model).name, "anchors": ANCHORS, "paper": PAPER,
                     "model_training": {k: model.metrics.get(k) for k in
                                        ("val_oneshot_accuracy", "steps", "train_seconds", "validation_seconds",
                                         "wall_seconds")},
                     "model_seed": (model.train_config or {}).get("seed")}

    t0 = time.perf_counter()
    figures["official_runs"] = official_runs(model, a.data_dir)
    for key, paper in (("mnist", False), ("mnist_dark_on_white", True)):
        figures[key] = mnist_transfer(model, a.data_dir, tasks=a.tasks, seed=a.seed, paper=paper)
    figures["oneshot_seconds"] = round(time.perf_counter() - t0, 1)

    if not a.skip_fashion:  # every model scores the same test pairs, drawn from --seed
        test = load_dataset("fashion-mnist", "test", a.data_dir)
        i, j, y = sample_pairs(test.labels, a.pairs, seed=a.seed)
        pics, runs = pictures(test.images), []
        left, right = [pics[k] for k in i.tolist()], [pics[k] for k in j.tolist()]
        with tempfile.TemporaryDirectory() as tmp:
            for seed in FASHION_SEEDS:
                path, t = train_fashion(seed, Path(tmp), a.data_dir)
                m = load_model(path)
                runs.append({"checkpoint": path.name, **api_pair_accuracy(m, left, right, y.numpy()),
                             "train_config": {k: (m.train_config or {}).get(k) for k in
                                              ("loss", "lr", "lr_schedule", "embedding_dim", "batch_size", "seed")},
                             "steps": t["steps"], "train_seconds": t["train_seconds"], "threads": t["threads"]})
        figures["fashion"] = {"runs": runs, "median_accuracy": statistics.median(r["accuracy"] for r in runs),
                              "spread": [min(r["accuracy"] for r in runs), max(r["accuracy"] for r in runs)]}
    save(a.out, NAME, argv, figures, before, show=heldout_text)
    return 0


def format_heldout(f: dict) -> str:
    lines = [f"held-out check, seed {f['seed']}, model {f['model']}, only through the public API",
             f"{'figure':<58s} {'measured':>9s}  {'goal':>8s}  anchor"]
    o = f["official_runs"]
    label = f"Omniglot 20-way, the official runs ({o['trials']} trials)"
    lines.append(f"{label:<58s} {pct(o['accuracy']):>8}  {pct(ANCHORS['official_runs']['goal']):>8}  "
                 f"{ANCHORS['official_runs']['anchor']}")
    for key, what in (("mnist", "as stored"), ("mnist_dark_on_white", "dark on white")):
        m = f[key]
        label = f"MNIST 10-way one-shot, {what} ({m['tasks']} tasks)"
        lines.append(f"{label:<58s} {pct(m['accuracy']):>8}  {pct(ANCHORS[key]['goal']):>8}  {ANCHORS[key]['anchor']}")
    if "fashion" in f:
        fa = f["fashion"]
        each = ", ".join(f"{r['accuracy']:.4f}" for r in fa["runs"])
        label = f"Fashion-MNIST pairs, 60-s default runs: median of {each}"
        lines.append(f"{label:<58s} {fa['median_accuracy']:9.4f}  {ANCHORS['fashion']['goal']:8.2f}  "
                     f"{ANCHORS['fashion']['anchor']}")
    return "\n".join(lines)


def heldout_text(r: dict) -> str:
    return text_block(format_heldout(r["figures"])) + "\n\n" + conditions_line(r)


def oneshot_seeds(*results: dict) -> str:
    """The one-shot recipe's three training seeds side by side, from their held-out checks."""
    rows = []
    for r in sorted(results, key=lambda r: r["figures"]["model_seed"]):
        f = r["figures"]
        wall, shipped = f["model_training"].get("wall_seconds"), f["model"] == "oneshot-omniglot.pt"
        rows.append([str(f["model_seed"]), f4(f["model_training"]["val_oneshot_accuracy"]),
                     thousands(f["model_training"]["steps"]), f"{wall / 60:.1f} min" if wall else "–",
                     pct(f["official_runs"]["accuracy"]), pct(f["mnist"]["accuracy"]),
                     pct(f["mnist_dark_on_white"]["accuracy"]), "shipped" if shipped else ""])
    official = sorted(r["figures"]["official_runs"]["accuracy"] for r in results)
    return table(["seed", "validation 20-way", "steps", "wall time", "official runs", "MNIST as stored",
                  "MNIST dark on white", ""], rows) + \
        f"\n\nOfficial runs: median {pct(official[len(official) // 2])}, from {pct(official[0])} to " \
        f"{pct(official[-1])}. MNIST: {results[0]['figures']['mnist']['tasks']} tasks drawn from seed " \
        f"{results[0]['figures']['seed']}, the same for every model."


SEED_RUN = ("python -m benchmarks.heldout --seed 7919 --skip-fashion --model seedN.pt "
            "--out docs/results/heldout-oneshot-seedN.json")
HELDOUT = "python -m benchmarks.heldout --seed 7919 --out docs/results/heldout.json"
BLOCKS = {
    "heldout": Block(("docs/results/heldout.json",), HELDOUT, heldout_text),
    "one-shot-seeds-before": Block(tuple(f"docs/results/heldout-oneshot-seed{s}.json" for s in (0, 1, 2)), SEED_RUN,
                                   oneshot_seeds),
    "one-shot-seeds": Block(("docs/results/heldout.json", "docs/results/heldout-oneshot-seed10.json",
                             "docs/results/heldout-oneshot-seed20.json"), f"{HELDOUT}; {SEED_RUN}", oneshot_seeds),
}


if __name__ == "__main__":
    raise SystemExit(main())
