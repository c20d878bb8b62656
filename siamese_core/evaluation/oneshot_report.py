"""Every one-shot figure of Koch, Zemel & Salakhutdinov (2015) for one trained model, beside the
1-nearest-neighbour-on-pixels baseline measured on the same tasks and the paper's own numbers.

Omniglot protocol (no character is used twice):
  - training: the background set (30 alphabets) only;
  - model selection: the 10 evaluation alphabets the official runs never use (VALIDATION_ALPHABETS);
  - test: Lake et al.'s 20 official 20-way runs, plus random tasks and pairs drawn from the other 10
    evaluation alphabets (TEST_ALPHABETS), the very alphabets those runs come from.
MNIST: 10-way one-shot tasks from the 10,000 test digits, redrawn with Omniglot's pen first (see
data/strokes.py: binarised at 105×105, thinned, drawn again with strokes as wide as Omniglot's), the
model and the 1-NN baseline both on the redrawn digits; the raw digits are reported beside them.
MNIST is already bright ink on black like the loader's Omniglot images, and `embed` resizes to the
model's input size.
"""
from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import replace

import torch

from ..data import load_dataset, load_official_runs
from ..data.omniglot import TEST_ALPHABETS, VALIDATION_ALPHABETS, alphabet_subset
from ..data.sampling import sample_tasks
from ..data.strokes import omniglot_pen
from . import metrics as ev

# The published anchors (Koch et al. 2015, Tables 1–3; Lake et al. 2015 for humans and HBPL).
PAPER = {
    "official_runs_accuracy": 0.920,   # Koch's Siamese net, 20-way within-alphabet
    "official_runs_pixel_1nn": 0.217,  # 1-NN on pixels, as quoted by Koch
    "human": 0.955,
    "hbpl": 0.952,
    "verification_accuracy": 0.9342,   # 150k pairs with distortions
    "mnist_accuracy": 0.703,
    "mnist_pixel_1nn": 0.265,
}
N_WAYS = (2, 5, 10, 20, 30)


def _oneshot_pair(model, images: torch.Tensor, tasks, prepare=None) -> tuple[float, float]:
    """(model accuracy, pixel 1-NN accuracy) on the same tasks, both on `prepare(images)` if given."""
    if prepare is not None:
        # Only the images the tasks read are prepared, once for both scorers; the tasks then index them.
        needed = ev.task_images(tasks)
        images = prepare(images[needed])
        tasks = [replace(t, support=torch.searchsorted(needed, t.support),
                         query=int(torch.searchsorted(needed, torch.tensor(t.query)))) for t in tasks]
    return (ev.oneshot_accuracy(tasks, images, *ev.model_scorer(model)),
            ev.oneshot_accuracy(tasks, images, *ev.pixel_scorer()))


def omniglot_verification(model, data_dir=None, n_pairs: int = 10000, seed: int = 0) -> dict:
    """Koch's verification: balanced pairs of test-alphabet characters at the threshold that is best
    on as many pairs of the validation alphabets."""
    evaluation = load_dataset("omniglot", "evaluation", data_dir, image_size=model.input_size)
    r = ev.verification(model, alphabet_subset(evaluation, VALIDATION_ALPHABETS),
                        alphabet_subset(evaluation, TEST_ALPHABETS), n_pairs=n_pairs, seed=seed)
    return r.summary()


def accuracy_versus_n(model, data_dir=None, n_ways=N_WAYS, tasks: int = 1000, seed: int = 0) -> list[dict]:
    """Within-alphabet N-way one-shot on the test alphabets (only alphabets with ≥ N characters)."""
    test = alphabet_subset(load_dataset("omniglot", "evaluation", data_dir), TEST_ALPHABETS)
    rows = []
    for n in n_ways:
        t = sample_tasks(test.labels, n, tasks, 1, seed, test.alphabets, within_alphabet=True)
        acc, pix = _oneshot_pair(model, test.images, t)
        rows.append({"n_way": n, "tasks": tasks, "accuracy": acc, "pixel_1nn_accuracy": pix, "chance": 1 / n})
    return rows


def mnist_transfer(model, data_dir=None, n_way: int = 10, tasks: int = 1000, seed: int = 0,
                   pen: bool = True) -> dict:
    """10-way one-shot on MNIST test digits with the Omniglot-trained model, and 1-NN on pixels,
    both on the digits redrawn with Omniglot's pen (`pen`) or on the raw digits."""
    mnist = load_dataset("mnist", "test", data_dir)
    t = sample_tasks(mnist.labels, n_way, tasks, 1, seed)
    acc, pix = _oneshot_pair(model, mnist.images, t, omniglot_pen if pen else None)
    return {"n_way": n_way, "tasks": tasks, "seed": seed, "accuracy": acc, "pixel_1nn_accuracy": pix,
            "preprocessing": "omniglot pen" if pen else "none"}


def official_runs(model, data_dir=None) -> dict:
    runs = load_official_runs(data_dir)
    return {"accuracy": ev.oneshot_official_runs(*ev.model_scorer(model), runs),
            "pixel_1nn_accuracy": ev.oneshot_official_runs(*ev.pixel_scorer(), runs),
            "trials": sum(len(r.queries) for r in runs)}


def oneshot_report(model, data_dir=None, tasks: int = 1000, seed: int = 0,
                   progress: Callable[[str], None] | None = None) -> dict:
    """All figures in one dict (JSON-ready); `progress(name)` is called before each part."""
    parts = {"official_runs": lambda: official_runs(model, data_dir),
             "verification": lambda: omniglot_verification(model, data_dir, seed=seed),
             "accuracy_vs_n": lambda: accuracy_versus_n(model, data_dir, tasks=tasks, seed=seed),
             "mnist": lambda: mnist_transfer(model, data_dir, tasks=tasks, seed=seed),
             "mnist_raw": lambda: mnist_transfer(model, data_dir, tasks=tasks, seed=seed, pen=False)}
    out: dict = {"paper": dict(PAPER), "seed": seed}
    t0 = time.perf_counter()
    for name, part in parts.items():
        if progress:
            progress(name)
        out[name] = part()
    out["seconds"] = round(time.perf_counter() - t0, 1)
    return out


def format_report(r: dict) -> str:
    """The report as the aligned text table the command prints."""
    p, o, v, m = r["paper"], r["official_runs"], r["verification"], r["mnist"]

    def pct(x):
        return f"{100 * x:6.2f} %"

    def row(name, ours, pixels, paper):
        return f"{name:<48s} {ours:>10s} {pixels:>12s}   {paper}"

    lines = [row("figure", "this model", "1-NN pixels", "paper"),
             row(f"Omniglot 20-way one-shot, official runs ({o['trials']})", pct(o["accuracy"]),
                 pct(o["pixel_1nn_accuracy"]), f"{pct(p['official_runs_accuracy'])} Koch, "
                 f"{pct(p['human'])} humans, 1-NN {pct(p['official_runs_pixel_1nn'])}"),
             row(f"Omniglot verification ({v['pairs']} test pairs)", pct(v["accuracy"]), "–",
                 f"{pct(p['verification_accuracy'])} Koch (150k pairs, distortions)"),
             row(f"MNIST {m['n_way']}-way one-shot ({m['tasks']} tasks, seed {m['seed']})", pct(m["accuracy"]),
                 pct(m["pixel_1nn_accuracy"]), f"{pct(p['mnist_accuracy'])} Koch, 1-NN {pct(p['mnist_pixel_1nn'])}"),
             *([row("  the same tasks on the raw digits (no pen)", pct(r["mnist_raw"]["accuracy"]),
                    pct(r["mnist_raw"]["pixel_1nn_accuracy"]), "")] if "mnist_raw" in r else []),
             "Omniglot N-way one-shot within one test alphabet:"]
    for n in r["accuracy_vs_n"]:
        lines.append(row(f"  N = {n['n_way']:2d} ({n['tasks']} tasks, seed {r['seed']})", pct(n["accuracy"]),
                         pct(n["pixel_1nn_accuracy"]), f"chance {pct(n['chance'])}"))
    lines.append(f"verification: AUC {v['auc']:.4f}, EER {100 * v['eer']:.2f} %, threshold {v['threshold']:.4f} "
                 f"chosen on validation-alphabet pairs ({100 * v['val_accuracy']:.2f} % there); {r['seconds']} s")
    return "\n".join(lines)
