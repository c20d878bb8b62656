"""One-shot checkpoints side by side on the same validation tasks: 20-way within-alphabet tasks from the
10 evaluation alphabets the official runs never use, drawn once from `--seed`, so that figures of models
trained with different seeds or recipes (each of which validated on tasks of its own) can be compared.
Also every pair of the single twins given, joined as the recipe joins its members (their embeddings end
to end, each as it was trained: a squared distance is the mean of the two twins').

    python -m benchmarks run oneshot-validation A.pt B.pt … [--tasks 1000] [--seed 12345] [--out FILE.json]

No test figure is read: this is how a recipe is chosen without looking at the official runs.
"""
from __future__ import annotations

import itertools
import re
import statistics
from pathlib import Path

import torch

from benchmarks.blocks import Block, text_block
from benchmarks.results import conditions, parser, save
from siamese_core import load_dataset, load_model
from siamese_core.data.omniglot import VALIDATION_ALPHABETS, alphabet_subset
from siamese_core.data.sampling import sample_tasks
from siamese_core.evaluation.inputs import as_model_reads
from siamese_core.models.embed import embed

NAME = "oneshot-validation"
SUMMARY = "one-shot checkpoints side by side on the same 20-way validation tasks (no test figure read)"


def within_alphabet_accuracy(tasks, h: torch.Tensor) -> float:
    """Share of tasks whose query is nearest (squared L2 of the embeddings `h`) to its own support."""
    right = sum(int(((h[t.support] - h[t.query]) ** 2).sum(1).argmin()) == t.answer for t in tasks)
    return right / len(tasks)


def compare(paths: list[str], tasks: int, seed: int, data_dir: str | None = None) -> dict:
    models = [load_model(p).eval() for p in paths]
    # the validation alphabets' drawings at their own size, then as each model reads any input (a stroke
    # model redraws them at its size; the redraw costs milliseconds a drawing, so it is made once per form)
    val = alphabet_subset(load_dataset("omniglot", "evaluation", data_dir), VALIDATION_ALPHABETS)
    drawn = sample_tasks(val.labels, 20, tasks, 1, seed, val.alphabets, within_alphabet=True)
    read: dict[tuple, torch.Tensor] = {}
    h = {}
    for p, m in zip(paths, models):
        form = (m.config.strokes, tuple(m.input_size))
        if form not in read:
            read[form] = as_model_reads(m, val).images
        h[Path(p).name] = embed(m, read[form])
    singles = {name: within_alphabet_accuracy(drawn, e) for name, e in h.items()}
    one_twin = [Path(p).name for p, m in zip(paths, models) if m.config.members == 1]
    joined = {f"{a} + {b}": within_alphabet_accuracy(drawn, torch.cat([h[a], h[b]], 1) / 2 ** 0.5)
              for a, b in itertools.combinations(one_twin, 2)}
    return {"n_way": 20, "tasks": tasks, "seed": seed, "models": singles, "joined_pairs": joined,
            "members": {Path(p).name: m.config.members for p, m in zip(paths, models)},
            "input_sizes": {Path(p).name: list(m.input_size) for p, m in zip(paths, models)}}


def format_comparison(f: dict) -> str:
    lines = [f"{f['n_way']}-way within-alphabet validation tasks ({f['tasks']}, seed {f['seed']})"]
    sizes = f.get("input_sizes", {})
    sized = len({tuple(v) for v in sizes.values()}) > 1  # say each model's input size when they differ

    def about(name: str) -> str:
        parts = [f"{f['members'][name]} twins"] if f["members"][name] > 1 else []
        parts += ["×".join(map(str, sizes[name]))] if sized else []
        return f"  ({', '.join(parts)})" if parts else ""
    lines += [f"  {name:<40} {acc:.4f}{about(name)}" for name, acc in f["models"].items()]
    lines += [f"  {name:<40} {acc:.4f}  (joined here)" for name, acc in f["joined_pairs"].items()]
    lines += [f"  {'mean of ' + recipe + '-seed*.pt':<40} {statistics.mean(accs):.4f}  ({len(accs)} seeds, "
              f"{min(accs):.4f} to {max(accs):.4f})" for recipe, accs in seeds_of_each_recipe(f["models"]).items()]
    return "\n".join(lines)


def seeds_of_each_recipe(models: dict[str, float]) -> dict[str, list[float]]:
    """The figures of models named RECIPE-seedN.pt, by recipe, where a recipe has two seeds or more."""
    recipes: dict[str, list[float]] = {}
    for name, acc in models.items():
        if m := re.fullmatch(r"(.+)-seed\d+\.pt", name):
            recipes.setdefault(m[1], []).append(acc)
    return {recipe: accs for recipe, accs in recipes.items() if len(accs) > 1}


def main(argv: list[str] | None = None) -> int:
    p = parser(NAME, __doc__, data_dir=True)
    p.add_argument("models", nargs="+", help="one-shot checkpoints (each reads the drawings as it reads any input)")
    p.add_argument("--tasks", type=int, default=1000)
    p.add_argument("--seed", type=int, default=12345, help="draws the tasks")
    a = p.parse_args(argv)
    before = conditions()
    figures = compare(a.models, a.tasks, a.seed, a.data_dir)
    save(a.out, NAME, argv, figures, before, show=BLOCKS["one-shot-validation"].render)
    return 0


BLOCKS = {"one-shot-validation": Block(
    ("docs/results/oneshot-validation.json",),
    "python -m benchmarks.oneshot_validation MODELS.pt --out docs/results/oneshot-validation.json",
    lambda r: text_block(format_comparison(r["figures"])))}


if __name__ == "__main__":
    raise SystemExit(main())
