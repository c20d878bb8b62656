"""Every one-shot figure of Koch, Zemel & Salakhutdinov (2015) for one trained model, beside the
1-nearest-neighbour-on-pixels baseline measured on the same tasks and the paper's own numbers.

Omniglot protocol (no character is used twice):
  - training: the background set (30 alphabets) only;
  - model selection: the 10 evaluation alphabets the official runs never use (VALIDATION_ALPHABETS);
  - test: Lake et al.'s 20 official 20-way runs, plus random tasks and pairs drawn from the other 10
    evaluation alphabets (TEST_ALPHABETS), the very alphabets those runs come from.
MNIST: 10-way one-shot tasks from the 10,000 test digits, as stored (white on black) and turned to dark
ink on white.

Every input reaches the model the way any user's picture does: the official runs and MNIST go through
the public API itself (8-bit pictures → `model.prepare` → `model.similarity`, `api_oneshot`), the other
parts through the same preparation (`model.prepare_tensor`, evaluation/inputs.py). Whatever the model
does to its inputs (a polarity check, a redraw with Omniglot's pen, test-time shifts) is the model's own,
so a user of the API and this report cannot disagree. The pixel baseline reads the same prepared inputs.
"""
from __future__ import annotations

import time
from collections.abc import Callable

import torch

from ..data import load_dataset, load_official_runs
from ..data.omniglot import TEST_ALPHABETS, VALIDATION_ALPHABETS, alphabet_subset
from ..data.sampling import Task, sample_tasks
from . import metrics as ev
from .inputs import load_for
from .public_api import api_oneshot, pictures

# The published anchors (Koch et al. 2015, Tables 1–3; Lake et al. 2015 for humans and BPL).
PAPER = {
    "official_runs_accuracy": 0.920,   # Koch's Siamese net, 20-way within-alphabet
    "official_runs_pixel_1nn": 0.217,  # 1-NN on pixels, as quoted by Koch
    "human": 0.955,
    "hbpl": 0.952,
    "bpl": 0.967,                      # Lake et al. 2015: Bayesian program learning, 3.3 % error
    "verification_accuracy": 0.9342,   # 150k pairs with distortions
    "mnist_accuracy": 0.703,
    "mnist_pixel_1nn": 0.265,
}
N_WAYS = (2, 5, 10, 20, 30)


def _evaluation_set(model, data_dir) -> Callable[[], object]:
    """The evaluation split as the model reads it, prepared once on first use (a stroke model redraws
    13,180 drawings: about ten seconds on one thread)."""
    kept: list = []

    def get():
        if not kept:
            kept.append(load_for(model, "omniglot", "evaluation", data_dir))
        return kept[0]
    return get


def omniglot_verification(model, data_dir=None, n_pairs: int = 10000, seed: int = 0, evaluation=None) -> dict:
    """Koch's verification: balanced pairs of test-alphabet characters at the threshold that is best
    on as many pairs of the validation alphabets."""
    evaluation = evaluation or load_for(model, "omniglot", "evaluation", data_dir)
    r = ev.verification(model, alphabet_subset(evaluation, VALIDATION_ALPHABETS),
                        alphabet_subset(evaluation, TEST_ALPHABETS), n_pairs=n_pairs, seed=seed)
    return r.summary()


def accuracy_versus_n(model, data_dir=None, n_ways=N_WAYS, tasks: int = 1000, seed: int = 0,
                      evaluation=None) -> list[dict]:
    """Within-alphabet N-way one-shot on the test alphabets (only alphabets with ≥ N characters)."""
    test = (alphabet_subset(evaluation, TEST_ALPHABETS) if evaluation is not None
            else load_for(model, "omniglot", "evaluation", data_dir, alphabets=TEST_ALPHABETS))
    rows = []
    for n in n_ways:
        t = sample_tasks(test.labels, n, tasks, 1, seed, test.alphabets, within_alphabet=True)
        acc = ev.oneshot_accuracy(t, test.images, *ev.model_scorer(model))
        pix = ev.oneshot_accuracy(t, test.images, *ev.pixel_scorer())
        rows.append({"n_way": n, "tasks": tasks, "accuracy": acc, "pixel_1nn_accuracy": pix, "chance": 1 / n})
    return rows


def mnist_transfer(model, data_dir=None, n_way: int = 10, tasks: int = 1000, seed: int = 0,
                   paper: bool = False, split: str = "test") -> dict:
    """10-way one-shot on MNIST digits with the Omniglot-trained model, through the public API: the digits
    as MNIST stores them (light on black), or with `paper` as dark ink on white."""
    mnist = load_dataset("mnist", split, data_dir)
    t = sample_tasks(mnist.labels, n_way, tasks, 1, seed)
    used = ev.task_images(t)
    pics = dict(zip(used.tolist(), pictures(mnist.images[used], paper)))
    acc, pix = api_oneshot(model, pics, t)
    return {"n_way": n_way, "tasks": tasks, "seed": seed, "split": split, "accuracy": acc,
            "pixel_1nn_accuracy": pix, "digits": "dark on white" if paper else "as stored (light on black)"}


def official_runs(model, data_dir=None) -> dict:
    """Lake et al.'s 20 runs through the public API, each image as its PNG file draws it (dark on white)."""
    right = pixel_right = trials = 0
    for run in load_official_runs(data_dir):
        pics = pictures(torch.cat([run.support, run.queries]), paper=True)
        n = len(run.support)
        tasks = [Task(torch.arange(n), torch.arange(n), n + q, int(a)) for q, a in enumerate(run.answers)]
        acc, pix = api_oneshot(model, pics, tasks)
        right, pixel_right, trials = right + acc * len(tasks), pixel_right + pix * len(tasks), trials + len(tasks)
    return {"accuracy": round(right) / trials, "pixel_1nn_accuracy": round(pixel_right) / trials, "trials": trials}


def oneshot_report(model, data_dir=None, tasks: int = 1000, seed: int = 0,
                   progress: Callable[[str], None] | None = None) -> dict:
    """All figures in one dict (JSON-ready); `progress(name)` is called before each part."""
    evaluation = _evaluation_set(model, data_dir)
    parts = {"official_runs": lambda: official_runs(model, data_dir),
             "verification": lambda: omniglot_verification(model, data_dir, seed=seed, evaluation=evaluation()),
             "accuracy_vs_n": lambda: accuracy_versus_n(model, data_dir, tasks=tasks, seed=seed,
                                                        evaluation=evaluation()),
             "mnist": lambda: mnist_transfer(model, data_dir, tasks=tasks, seed=seed),
             "mnist_dark_on_white": lambda: mnist_transfer(model, data_dir, tasks=tasks, seed=seed, paper=True)}
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
             *([row("  the same tasks, dark ink on white", pct(r["mnist_dark_on_white"]["accuracy"]),
                    pct(r["mnist_dark_on_white"]["pixel_1nn_accuracy"]), "")] if "mnist_dark_on_white" in r else []),
             "Omniglot N-way one-shot within one test alphabet:"]
    for n in r["accuracy_vs_n"]:
        lines.append(row(f"  N = {n['n_way']:2d} ({n['tasks']} tasks, seed {r['seed']})", pct(n["accuracy"]),
                         pct(n["pixel_1nn_accuracy"]), f"chance {pct(n['chance'])}"))
    lines.append(f"verification: AUC {v['auc']:.4f}, EER {100 * v['eer']:.2f} %, threshold {v['threshold']:.4f} "
                 f"chosen on validation-alphabet pairs ({100 * v['val_accuracy']:.2f} % there); {r['seconds']} s")
    return "\n".join(lines)
