"""Command line: `python -m siamese_core {train,evaluate,datasets,download} …` — the same code the pages run."""
from __future__ import annotations

import argparse
import json
import shlex
import sys
import time
from dataclasses import fields

import torch

from .data import DATASETS, DatasetNotFoundError, dataset_status, load_dataset, resolve_data_dir
from .data.base import ENV_VAR
from .models.siamese import BACKBONES
from .training.presets import PRESETS
from .training.trainer import AUGMENTATIONS, LOSSES, LR_SCHEDULES, VAL_DATA, VAL_METRICS, Callback, TrainConfig, train

MINERS = ("all", "random", "semi-hard", "batch-hard", "hardest")  # names make_miner knows


def _add_data_args(p: argparse.ArgumentParser) -> None:
    p.add_argument("--data-dir", default=None,
                   help=f"dataset folder (default: ${ENV_VAR}, else ~/.cache/siamese-lab/data)")
    p.add_argument("--download", action="store_true",
                   help="allow downloading a missing dataset (needs internet); never done otherwise")
    p.add_argument("--json", action="store_true", help="print one JSON object instead of text")


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m siamese_core",
                                     description="Siamese Lab: train and evaluate Siamese networks on real data.")
    sub = parser.add_subparsers(dest="command", required=True)

    t = sub.add_parser("train", help="train a model and write a checkpoint",
                       formatter_class=argparse.ArgumentDefaultsHelpFormatter)
    d = TrainConfig()
    t.add_argument("--dataset", default=d.dataset, choices=sorted(DATASETS), help="training data (its train split)")
    t.add_argument("--loss", default=d.loss, choices=LOSSES, help="training objective")
    t.add_argument("--backbone", default=d.backbone, choices=BACKBONES, help="the twin network")
    t.add_argument("--embedding-dim", type=int, default=d.embedding_dim, help="length of the embedding")
    t.add_argument("--distance", default=d.distance, choices=("l2", "l1", "cosine"), help="embedding distance")
    t.add_argument("--margin", type=float, default=None,
                   help="margin (default: 1.0 contrastive, 0.2 triplet, 0.35 cosface)")
    t.add_argument("--scale", type=float, default=d.scale, help="cosface: s, the scale of the cosine logits")
    t.add_argument("--miner", default=d.miner, choices=MINERS, help="triplet selection (triplet loss)")
    t.add_argument("--center-lambda", type=float, default=d.center_lambda, help="λ of the center loss")
    t.add_argument("--image-size", type=int, nargs=2, metavar=("H", "W"), default=None,
                   help="resize the images (default: the dataset's own size)")
    t.add_argument("--width", type=float, default=d.width, help="Koch channel multiplier")
    t.add_argument("--dropout", type=float, default=d.dropout,
                   help="vgg: spatial dropout; face-cnn: dropout before the dense layer")
    t.add_argument("--flip-average", action="store_true",
                   help="evaluation: embed each picture and its mirror image and average the two")
    t.add_argument("--batch-norm", action="store_true", help="koch-small: batch norm after each conv")
    t.add_argument("--batch-size", type=int, default=d.batch_size, help="images per batch")
    t.add_argument("--samples-per-class", type=int, default=d.samples_per_class, help="K of the P×K batches")
    t.add_argument("--pair-source", default=d.pair_source, choices=("in-batch", "explicit"),
                   help="pairs formed inside each batch, or explicit pair lists (the course's way)")
    t.add_argument("--epochs", type=int, default=None, help="epochs (default 5 when --seconds is not given)")
    t.add_argument("--seconds", type=float, default=None, help="training-time budget in seconds")
    t.add_argument("--steps-per-epoch", type=int, default=None, help="default: one pass over the images")
    t.add_argument("--optimizer", default=d.optimizer, choices=("adam", "adamw", "sgd", "koch-sgd"),
                   help="optimizer (koch-sgd: per-layer learning rate, momentum and L2, Koch et al.)")
    t.add_argument("--lr", type=float, default=d.lr, help="learning rate")
    t.add_argument("--momentum", type=float, default=d.momentum, help="sgd momentum; koch-sgd: final μ")
    t.add_argument("--lr-schedule", default=d.lr_schedule, choices=LR_SCHEDULES,
                   help="cosine decays the learning rate to 0 over the epochs or time budget; warmup-cosine "
                        "first rises from lr/25 over 10 %% of them")
    t.add_argument("--weight-decay", type=float, default=d.weight_decay, help="L2 regularisation")
    t.add_argument("--layer-lrs", type=float, nargs="+", default=None, help="koch-sgd: η_j per layer")
    t.add_argument("--layer-momentum", type=float, nargs="+", default=None, help="koch-sgd: μ_j per layer")
    t.add_argument("--layer-l2", type=float, nargs="+", default=None, help="koch-sgd: λ_j per layer")
    t.add_argument("--momentum-epochs", type=int, default=d.momentum_epochs,
                   help="koch-sgd: epochs for the momentum to rise linearly from 0.5 to μ_j")
    t.add_argument("--lr-decay", type=float, default=d.lr_decay, help="learning rate lost per epoch (Koch: 0.01)")
    t.add_argument("--shots", type=int, default=d.shots, help="prototypical loss: support images per class")
    t.add_argument("--augment", action="store_true", help="distort the training batches (see --augmentation)")
    t.add_argument("--augmentation", default=d.augmentation, choices=AUGMENTATIONS,
                   help="koch: Koch's affine distortions; faces: mirror, small turn and zoom, brightness, contrast")
    t.add_argument("--pair-set", type=int, default=None,
                   help="Koch: train on a fixed set of this many pairs (30000, 90000, 150000)")
    t.add_argument("--distortions", type=int, default=d.distortions,
                   help="with --pair-set and --augment: distorted copies of each pair per epoch")
    t.add_argument("--rotations", action=argparse.BooleanOptionalAction, default=False,
                   help="Omniglot: each character turned by 90/180/270 degrees is a new training class")
    t.add_argument("--alphabet-batches", action=argparse.BooleanOptionalAction, default=False,
                   help="Omniglot: each batch's characters come from as few alphabets as hold them")
    t.add_argument("--test-shifts", type=int, default=d.test_shifts,
                   help="outside training, average each embedding over copies moved this many pixels (0: off)")
    t.add_argument("--members", type=int, default=d.members,
                   help="face-cnn: train this many twins (seeds seed, seed+1, …) and keep them as one ensemble")
    t.add_argument("--score-norm", action=argparse.BooleanOptionalAction, default=False,
                   help="S-norm: score each pair against the training pictures' embeddings (a cohort)")
    t.add_argument("--train-drawers", type=int, default=None, help="Omniglot: use drawers 1..n only (Koch: 12)")
    t.add_argument("--val-fraction", type=float, default=d.val_fraction,
                   help="share of the training split held out for validation")
    t.add_argument("--val-metric", default=d.val_metric, choices=VAL_METRICS,
                   help="model selection and early stopping: pair accuracy or N-way one-shot accuracy")
    t.add_argument("--val-data", default=d.val_data, choices=VAL_DATA,
                   help="validate on a held-out part of the training split, or on the 10 Omniglot evaluation "
                        "alphabets the official runs never use")
    t.add_argument("--val-n-way", type=int, default=d.val_n_way, help="one-shot validation: N")
    t.add_argument("--val-tasks", type=int, default=d.val_tasks, help="one-shot validation: tasks (Koch: 320)")
    t.add_argument("--preset", default=None, choices=sorted(PRESETS),
                   help="a named recipe (koch-30k/90k/150k: the paper's; oneshot-cpu, faces-cpu: the shipped "
                        "models); options given beside it override it")
    t.add_argument("--patience", type=int, default=None, help="early stopping after this many epochs without gain")
    t.add_argument("--seed", type=int, default=d.seed, help="random seed")
    t.add_argument("--device", default=d.device, help="auto, cpu, cuda or mps")
    t.add_argument("--threads", type=int, default=None,
                   help="CPU threads for torch (default: torch's own choice); 1 is fastest on a busy machine")
    t.add_argument("--out", required=True, help="checkpoint to write (.pt)")
    t.add_argument("--quiet", action="store_true", help="no progress lines")
    _add_data_args(t)

    e = sub.add_parser("evaluate", help="evaluate a checkpoint",
                       formatter_class=argparse.ArgumentDefaultsHelpFormatter)
    e.add_argument("checkpoint", help="a .pt file written by `train`")
    e.add_argument("--task", default="verification", choices=("verification", "oneshot", "retrieval"),
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
    _add_data_args(e)

    r = sub.add_parser("oneshot-report", help="every one-shot figure of Koch et al. for a checkpoint",
                       formatter_class=argparse.ArgumentDefaultsHelpFormatter)
    r.add_argument("checkpoint", help="a .pt file trained on Omniglot's background set")
    r.add_argument("--tasks", type=int, default=1000, help="random tasks per N and for MNIST")
    r.add_argument("--seed", type=int, default=0, help="seed of the tasks and pairs")
    r.add_argument("--out", default=None, help="also write the figures to this JSON file (the page reads it)")
    _add_data_args(r)

    s = sub.add_parser("datasets", help="which datasets are available offline")
    s.add_argument("--data-dir", default=None, help="dataset folder")
    s.add_argument("--json", action="store_true", help="print JSON")

    g = sub.add_parser("download", help="download a dataset into the data folder (needs internet)")
    g.add_argument("name", choices=sorted(DATASETS))
    g.add_argument("--data-dir", default=None, help="dataset folder")
    return parser


class _PrintProgress(Callback):
    def __init__(self, every: float = 5.0):
        self.every, self.last = every, 0.0

    def on_step(self, trainer, state):
        if state.elapsed - self.last >= self.every:
            self.last = state.elapsed
            eta = f", ETA {state.eta:.0f}s" if state.eta is not None else ""
            print(f"  step {state.step:5d}  epoch {state.epoch}  loss {state.loss:.4f}  "
                  f"{100 * state.progress:3.0f}%{eta}", file=sys.stderr, flush=True)

    def on_epoch_end(self, trainer, state):
        oneshot = state.val.get("val_oneshot_accuracy")
        extra = f", {trainer.config.val_n_way}-way one-shot {oneshot:.4f}" if oneshot is not None else ""
        print(f"  validation after {state.epoch} epoch(s), {state.step} steps, {state.elapsed:.1f}s: accuracy "
              f"{state.val['val_accuracy']:.4f}, AUC {state.val['val_auc']:.4f}{extra}", file=sys.stderr, flush=True)


def _explicit_train_options(argv: list[str]) -> set[str]:
    """The `train` options the user actually typed (so they can override a preset)."""
    parser = build_parser()
    sub = next(a for a in parser._actions if isinstance(a, argparse._SubParsersAction)).choices["train"]
    for action in sub._actions:
        action.default = argparse.SUPPRESS
    return set(vars(parser.parse_args(argv)))


def train_config_from_args(a: argparse.Namespace, argv: list[str]) -> TrainConfig:
    """TrainConfig from the options; with --preset, the recipe plus only the options typed beside it."""
    names = {f.name for f in fields(TrainConfig)}
    given = _explicit_train_options(argv) if a.preset else names
    values = dict(PRESETS[a.preset]) if a.preset else {}
    for name in names & given:
        if hasattr(a, name):
            values[name] = getattr(a, name)
    if values.get("image_size") is not None:
        values["image_size"] = tuple(values["image_size"])
    return TrainConfig(**values)


def cmd_train(a: argparse.Namespace) -> dict:
    from .models.checkpoint import save_checkpoint
    if a.threads is not None:
        if a.threads < 1:
            raise ValueError("--threads must be ≥ 1")
        torch.set_num_threads(a.threads)
    cfg = train_config_from_args(a, a.argv)
    callbacks = [] if (a.quiet or a.json) else [_PrintProgress()]
    cpu0 = time.process_time()
    result = train(cfg, data_dir=a.data_dir, download=a.download, callbacks=callbacks)
    st = result.state
    # CPU seconds of all threads, loading and validation included: on a shared machine this, not the
    # wall clock, says what the run costs (CPU seconds / cores ≈ wall time on an idle machine).
    metrics = {"train_seconds": round(st.elapsed, 2), "validation_seconds": round(st.val_seconds, 2),
               "cpu_seconds": round(time.process_time() - cpu0, 1), "threads": torch.get_num_threads(),
               "steps": st.step, "epochs": st.epoch,
               "stopped_because": result.stopped_because, **(result.best_val or {})}
    command = "python -m siamese_core " + " ".join(shlex.quote(x) for x in a.argv if x)
    save_checkpoint(a.out, result.model, cfg.as_dict(), metrics, command)
    return {"checkpoint": a.out, "device": str(result.model.device), **metrics}


def cmd_evaluate(a: argparse.Namespace) -> dict:
    from .evaluation import metrics as ev
    from .models.checkpoint import load_model
    from .data.splits import validation_split
    from .training.trainer import resolve_device
    model = load_model(a.checkpoint, device=resolve_device("auto"))
    tc = model.train_config or {}
    name = a.dataset or tc.get("dataset")
    if name is None:
        raise ValueError("the checkpoint does not name its dataset: pass --dataset")
    size = model.input_size
    out: dict = {"checkpoint": a.checkpoint, "dataset": name, "split": a.split, "task": a.task}
    t0 = time.perf_counter()
    if a.task == "verification":
        # The threshold comes from validation data: the same held-out part of the training split the
        # trainer used (seeded), never from the test pairs.
        train_set = load_dataset(name, "train", a.data_dir, a.download, image_size=size)
        _, val = validation_split(train_set, tc.get("val_fraction", 0.1), tc.get("seed", 0))
        test = load_dataset(name, a.split, a.data_dir, a.download, image_size=size)
        out.update(ev.verification(model, val, test, n_pairs=a.pairs, seed=a.seed).summary())
    elif a.task == "oneshot":
        data = load_dataset(name, a.split, a.data_dir, a.download)
        out.update(ev.oneshot(model, data, a.n_way, a.tasks, a.k_shot, a.seed, a.within_alphabet))
        if name == "omniglot" and a.n_way == 20 and a.k_shot == 1:
            from .data import load_official_runs
            runs = load_official_runs(a.data_dir, a.download)
            out["official_runs_accuracy"] = ev.oneshot_official_runs(*ev.model_scorer(model), runs)
            out["official_runs_pixel_1nn_accuracy"] = ev.oneshot_official_runs(*ev.pixel_scorer(), runs)
    else:
        data = load_dataset(name, a.split, a.data_dir, a.download, image_size=size)
        out.update(ev.retrieval(model, data, a.max_queries))
    out["seconds"] = round(time.perf_counter() - t0, 2)
    return out


def cmd_oneshot_report(a: argparse.Namespace) -> dict:
    from .models.checkpoint import load_model
    from .evaluation.oneshot_report import format_report, oneshot_report
    model = load_model(a.checkpoint)
    if (model.train_config or {}).get("dataset") not in (None, "omniglot"):
        raise ValueError("oneshot-report needs a model trained on Omniglot's background set")
    quiet = a.json
    report = oneshot_report(model, a.data_dir, tasks=a.tasks, seed=a.seed,
                            progress=None if quiet else lambda n: print(f"  {n}…", file=sys.stderr, flush=True))
    report["checkpoint"] = a.checkpoint
    report["command"] = "python -m siamese_core " + " ".join(shlex.quote(x) for x in a.argv if x)
    if a.out:
        with open(a.out, "w") as f:
            json.dump(report, f, indent=1)
    if not quiet:
        print(format_report(report))
    return report


def cmd_datasets(a: argparse.Namespace) -> dict:
    status = dataset_status(a.data_dir)
    return {"data_dir": str(resolve_data_dir(a.data_dir)), "available": status}


def cmd_download(a: argparse.Namespace) -> dict:
    spec = DATASETS[a.name]
    for split in spec.splits:
        load_dataset(a.name, split, a.data_dir, download=True)
    if a.name == "omniglot":  # the 20 official one-shot runs come as their own file
        from .data import load_official_runs
        load_official_runs(a.data_dir, download=True)
    return {"downloaded": a.name, "data_dir": str(resolve_data_dir(a.data_dir))}


def _print_human(result: dict) -> None:
    if "available" in result:
        print(f"data folder: {result['data_dir']}")
        for name, ok in result["available"].items():
            print(f"  {name:15s} {'available' if ok else 'missing'}  {DATASETS[name].title}")
        return
    width = max(len(k) for k in result)
    for k, v in result.items():
        print(f"{k:{width}s}  {v:.4f}" if isinstance(v, float) else f"{k:{width}s}  {v}")


def main(argv: list[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    args = build_parser().parse_args(argv)
    args.argv = argv
    handler = {"train": cmd_train, "evaluate": cmd_evaluate, "datasets": cmd_datasets,
               "download": cmd_download, "oneshot-report": cmd_oneshot_report}[args.command]
    try:
        result = handler(args)
    except (DatasetNotFoundError, FileNotFoundError, ValueError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130
    if getattr(args, "json", False):
        print(json.dumps(result, default=float))
    elif args.command != "oneshot-report":  # the report prints its own table
        _print_human(result)
    return 0
