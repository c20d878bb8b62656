"""One training loop for every loss: BCE on pairs, contrastive, triplet, softmax, center loss, CosFace.

The trainer knows nothing about pages: it reports through callbacks (`on_step`, `on_epoch_end`),
stops on a time budget, an epoch count, early stopping or `stop()`, and keeps the best weights
by a validation metric.
"""
from __future__ import annotations

import copy
import math
import random
import threading
import time
from dataclasses import asdict, dataclass, field, fields, replace

import numpy as np
import torch
import torch.nn.functional as F

from ..data.augment import FaceAugment, KochAffine
from ..data import ImageSet
from ..data.splits import validation_split
from .koch_sgd import KochSchedule
from ..losses import CenterLoss, ContrastiveLoss, CosFaceLoss, PairBCELoss, PrototypicalLoss, TripletLoss
from ..miners import make_miner
from ..models import ModelConfig, SiameseNet
from ..data.sampling import PairSetBatches, PKBatchSampler, batch_pairs, sample_pairs, sample_tasks

LOSSES = ("contrastive", "triplet", "bce-l1", "bce-concat", "softmax", "center", "prototypical", "cosface")
AUGMENTATIONS = ("koch", "faces")
LR_SCHEDULES = ("constant", "cosine", "warmup-cosine")
VAL_METRICS = ("pairs", "oneshot")
VAL_DATA = ("split", "omniglot-validation")


@dataclass
class TrainConfig:
    dataset: str = "digits"               # a name from siamese_core.data.DATASETS
    loss: str = "contrastive"             # one of LOSSES
    backbone: str = "vgg"                 # "vgg", "koch", "koch-small", "face-cnn"
    dropout: float = 0.1                  # vgg: spatial dropout; face-cnn: dropout before the dense layer
    flip_average: bool = False            # evaluation: average the embeddings of a picture and its mirror
    embedding_dim: int = 32
    distance: str = "l2"                  # "l2", "l1", "cosine" (contrastive, triplet, scoring)
    margin: float | None = None           # None: 1.0 for contrastive, 0.2 for triplet, 0.35 for cosface
    scale: float = 30.0                   # cosface: s, the inverse temperature of the softmax over cosines
    miner: str = "semi-hard"              # triplet selection: all, random, semi-hard, batch-hard, hardest
    center_lambda: float = 0.01           # λ of the center loss
    image_size: tuple[int, int] | None = None  # resize the data (None: the dataset's own size)
    width: float = 1.0                    # Koch channel multiplier
    batch_norm: bool = False              # koch-small: batch norm after each conv
    batch_size: int = 128
    samples_per_class: int = 4            # K of the P×K batches
    pair_source: str = "in-batch"         # "in-batch" (pairs inside P×K batches) or "explicit" (pair lists)
    epochs: int | None = None             # stop after this many epochs (None: no limit)
    seconds: float | None = None          # stop after this much training time (None: no limit)
    steps_per_epoch: int | None = None    # None: one pass over the training images
    optimizer: str = "adam"               # "adam", "adamw" (decoupled weight decay), "sgd" or "koch-sgd"
                                          # (per-layer η, μ, λ; see koch_sgd.py)
    lr: float = 1e-3
    lr_schedule: str = "constant"         # "constant", "cosine" (decays to 0 over the epochs / time budget)
                                          # or "warmup-cosine" (rises from lr/25 over the first 10 %, then cosine)
    momentum: float = 0.9                 # sgd; koch-sgd: the final μ_j when layer_momentum is None
    weight_decay: float = 0.0             # L2 regularisation
    layer_lrs: tuple[float, ...] | None = None       # koch-sgd: η_j per conv/dense layer
    layer_momentum: tuple[float, ...] | None = None  # koch-sgd: μ_j, reached linearly from 0.5
    layer_l2: tuple[float, ...] | None = None        # koch-sgd: λ_j
    momentum_epochs: int = 20             # koch-sgd: epochs for momentum to rise from 0.5 to μ_j
    lr_decay: float = 0.0                 # learning rate lost per epoch (Koch: 0.01)
    shots: int = 1                        # prototypical: support images per class inside a batch
    augment: bool = False                 # distort every training batch (see `augmentation`)
    augmentation: str = "koch"            # "koch" (Koch's affine distortions) or "faces" (FaceAugment)
    pair_set: int | None = None           # Koch: a fixed set of this many training pairs (30k/90k/150k)
    distortions: int = 8                  # pair_set with augment: distorted copies of each pair per epoch
    train_drawers: int | None = None      # Omniglot: train on drawers 0..n-1 only (Koch: 12 of 20)
    rotations: bool = False               # Omniglot: characters turned by 90/180/270° as new classes
    alphabet_batches: bool = False        # Omniglot: each P×K batch takes its characters from as few
                                          # alphabets as hold P of them (hard, like within-alphabet tests)
    test_shifts: int = 0                  # the model averages its embedding over 1-px moves when not
                                          # training (validation included); see ModelConfig.test_shifts
    members: int = 1                      # face-cnn: train this many twins (seeds seed, seed+1, …) on the same
                                          # people and keep them as one ensemble (models.TwinEnsemble)
    score_norm: bool = False              # S-norm: keep the training pictures' embeddings as a cohort and
                                          # score pairs against it (see SiameseNet.score); threshold after
    val_fraction: float = 0.1             # held out of the training split for the threshold and early stopping
    val_pairs: int = 2000                 # balanced validation pairs
    val_metric: str = "pairs"             # model selection: "pairs" (pair accuracy) or "oneshot" (N-way tasks)
    val_data: str = "split"               # "split" (held out of the training split) or "omniglot-validation"
                                          # (the 10 evaluation alphabets the official runs never use)
    val_n_way: int = 20                   # oneshot validation: N
    val_tasks: int = 320                  # oneshot validation: tasks (Koch: 320)
    val_within_alphabet: bool = True      # oneshot validation: all N characters from one alphabet
    patience: int | None = None           # early stopping: epochs without validation improvement
    seed: int = 0
    device: str = "auto"                  # "auto" (CUDA, then MPS, then CPU), "cpu", "cuda", "mps"

    def __post_init__(self):
        if self.loss not in LOSSES:
            raise ValueError(f"loss must be one of {LOSSES}, not {self.loss!r}")
        if self.lr_schedule not in LR_SCHEDULES:
            raise ValueError(f"lr_schedule must be one of {LR_SCHEDULES}, not {self.lr_schedule!r}")
        if self.augmentation not in AUGMENTATIONS:
            raise ValueError(f"augmentation must be one of {AUGMENTATIONS}, not {self.augmentation!r}")
        if self.loss == "cosface" and (self.scale <= 0 or not 0 <= self.resolved_margin < 1):
            raise ValueError("cosface needs scale > 0 and a margin in [0, 1)")
        if self.pair_source not in ("in-batch", "explicit"):
            raise ValueError("pair_source must be 'in-batch' or 'explicit'")
        if self.epochs is None and self.seconds is None:
            self.epochs = 5
        if (self.epochs is not None and self.epochs < 1) or (self.seconds is not None and self.seconds <= 0):
            raise ValueError("epochs must be ≥ 1 and seconds > 0")
        if self.batch_size < 4 or self.samples_per_class < 2:
            raise ValueError("batch_size must be ≥ 4 and samples_per_class ≥ 2")
        if self.margin is not None and self.margin <= 0 and self.loss != "cosface":
            raise ValueError("margin must be > 0")
        if not 0.0 < self.val_fraction < 0.9:
            raise ValueError("val_fraction must be in (0, 0.9)")
        if self.image_size is not None:
            self.image_size = tuple(int(v) for v in self.image_size)
        for name in ("layer_lrs", "layer_momentum", "layer_l2"):
            if getattr(self, name) is not None:
                setattr(self, name, tuple(float(v) for v in getattr(self, name)))
        if self.val_metric not in VAL_METRICS:
            raise ValueError(f"val_metric must be one of {VAL_METRICS}, not {self.val_metric!r}")
        if self.val_data not in VAL_DATA:
            raise ValueError(f"val_data must be one of {VAL_DATA}, not {self.val_data!r}")
        if self.val_data == "omniglot-validation" and self.dataset != "omniglot":
            raise ValueError("val_data='omniglot-validation' needs dataset='omniglot'")
        if self.pair_set is not None and (self.pair_set < 2 or self.loss not in ("contrastive", "bce-l1", "bce-concat")):
            raise ValueError("pair_set needs ≥ 2 pairs and a pair loss (contrastive, bce-l1, bce-concat)")
        if self.test_shifts < 0:
            raise ValueError("test_shifts must be ≥ 0")
        if self.score_norm and self.loss in ("bce-l1", "bce-concat"):
            raise ValueError("score_norm needs distance scores: a loss without a pair head")
        if self.members < 1 or (self.members > 1 and (self.backbone != "face-cnn" or self.loss in ("bce-l1", "bce-concat"))):
            raise ValueError("members must be ≥ 1; more than 1 needs the face-cnn backbone and a loss without a pair head")
        if self.val_n_way < 2 or self.val_tasks < 1 or self.shots < 1 or not 0 <= self.lr_decay < 1:
            raise ValueError("val_n_way must be ≥ 2, val_tasks ≥ 1, shots ≥ 1 and lr_decay in [0, 1)")

    @property
    def resolved_margin(self) -> float:
        if self.margin is not None:
            return self.margin
        return {"triplet": 0.2, "cosface": 0.35}.get(self.loss, 1.0)

    @classmethod
    def from_dict(cls, d: dict) -> "TrainConfig":
        names = {f.name for f in fields(cls)}
        return cls(**{k: v for k, v in d.items() if k in names})

    def as_dict(self) -> dict:
        return asdict(self)

    def flat(self) -> dict:
        """Every setting under its own name (what checkpoints and pages read)."""
        return asdict(self)

    def replace(self, **flat_overrides) -> "TrainConfig":
        """A copy with some settings (by their flat names) changed, checked again."""
        return TrainConfig.from_dict({**self.flat(), **flat_overrides})


def resolve_device(device: str = "auto") -> torch.device:
    if device == "auto":
        if torch.cuda.is_available():
            return torch.device("cuda")
        if getattr(torch.backends, "mps", None) and torch.backends.mps.is_available():
            return torch.device("mps")
        return torch.device("cpu")
    return torch.device(device)


def seed_everything(seed: int) -> None:
    random.seed(seed)
    np.random.seed(seed % 2**32)
    torch.manual_seed(seed)


def model_config_for(cfg: TrainConfig, data: ImageSet) -> ModelConfig:
    """The network a training config implies for a dataset."""
    head = {"bce-l1": "l1", "bce-concat": "concat"}.get(cfg.loss)
    return ModelConfig(
        backbone=cfg.backbone, embedding_dim=cfg.embedding_dim, input_size=data.image_size,
        head=head, distance=cfg.distance, normalize=cfg.loss in ("contrastive", "triplet", "cosface"),
        num_classes=data.num_classes if cfg.loss in ("softmax", "center") else None,
        width=cfg.width, batch_norm=cfg.batch_norm, dropout=cfg.dropout, flip_average=cfg.flip_average,
        invert=data.name == "omniglot",  # Omniglot PNGs: dark ink on white
        test_shifts=cfg.test_shifts, members=cfg.members, cohort_size=len(data) if cfg.score_norm else 0)


@dataclass
class TrainState:
    step: int = 0
    epoch: int = 0                        # epochs completed
    elapsed: float = 0.0                  # seconds of training so far (validation not counted)
    val_seconds: float = 0.0              # seconds spent validating
    loss: float = float("nan")            # last batch
    stats: dict = field(default_factory=dict)  # the loss's per-batch statistics
    progress: float = 0.0                 # 0..1 of the epoch or time budget, whichever ends first
    eta: float | None = None              # seconds left, estimated
    val: dict | None = None               # latest validation metrics
    history: list[dict] = field(default_factory=list)      # one row per step
    val_history: list[dict] = field(default_factory=list)  # one row per validation


class Callback:
    """Override what you need; the page hangs its progress bar on on_step."""

    def on_train_start(self, trainer: "Trainer") -> None: ...
    def on_step(self, trainer: "Trainer", state: TrainState) -> None: ...
    def on_epoch_end(self, trainer: "Trainer", state: TrainState) -> None: ...
    def on_train_end(self, trainer: "Trainer", state: TrainState) -> None: ...


@dataclass
class TrainResult:
    model: SiameseNet
    config: TrainConfig
    state: TrainState
    stopped_because: str                  # "epochs", "time budget", "early stopping", "cancelled"
    best_val: dict | None


class Trainer:
    def __init__(self, config: TrainConfig, train_set: ImageSet, val_set: ImageSet | None = None,
                 callbacks: list[Callback] | tuple = (), cancel_event: threading.Event | None = None):
        self.config = config
        self.callbacks = list(callbacks)
        self.cancel_event = cancel_event or threading.Event()
        self.stop_reason: str | None = None
        seed_everything(config.seed)
        if val_set is None:
            train_set, val_set = validation_split(train_set, config.val_fraction, config.seed)
        self.train_set, self.val_set = train_set, val_set
        self.device = resolve_device(config.device)
        self.model = SiameseNet(model_config_for(config, train_set)).to(self.device)
        self.loss_fn = self._build_loss().to(self.device)
        self.schedule: KochSchedule | None = None
        self.optimizer = self._build_optimizer()
        self.augment = ({"koch": KochAffine, "faces": FaceAugment}[config.augmentation]()
                        if config.augment else None)
        self.generator = torch.Generator().manual_seed(config.seed)
        self.pair_batches = (PairSetBatches(train_set.labels, _even(config.pair_set), config.batch_size,
                                            config.distortions if config.augment else 0, config.seed)
                             if config.pair_set else None)
        self.val_pairs = sample_pairs(val_set.labels, _even(min(config.val_pairs, 4 * len(val_set))),
                                      seed=config.seed + 1)
        self.val_tasks = None
        if config.val_metric == "oneshot":  # Koch: early stopping on 20-way one-shot validation tasks
            within = config.val_within_alphabet and val_set.alphabets is not None
            self.val_tasks = sample_tasks(val_set.labels, config.val_n_way, config.val_tasks, 1, config.seed + 2,
                                          val_set.alphabets, within)

    # --- construction ------------------------------------------------------------------------
    def _build_loss(self) -> torch.nn.Module:
        c = self.config
        if c.loss == "contrastive":
            return ContrastiveLoss(margin=c.resolved_margin, distance=self.model.distance)
        if c.loss == "triplet":
            return TripletLoss(margin=c.resolved_margin, distance=self.model.distance,
                               miner=make_miner(c.miner, margin=c.resolved_margin, seed=c.seed))
        if c.loss in ("bce-l1", "bce-concat"):
            return PairBCELoss()
        if c.loss == "center":
            return CenterLoss(self.train_set.num_classes, c.embedding_dim, lam=c.center_lambda)
        if c.loss == "prototypical":
            return PrototypicalLoss(shots=c.shots, distance=self.model.distance)
        if c.loss == "cosface":  # the class directions live in the loss: the model stays a plain twin
            return CosFaceLoss(self.train_set.num_classes, c.embedding_dim, scale=c.scale, margin=c.resolved_margin)
        return torch.nn.Identity()  # softmax: cross-entropy only

    def _build_optimizer(self) -> torch.optim.Optimizer:
        c = self.config
        params = list(self.model.parameters()) + list(self.loss_fn.parameters())
        if c.optimizer == "sgd":
            return torch.optim.SGD(params, lr=c.lr, momentum=c.momentum, weight_decay=c.weight_decay)
        if c.optimizer == "adam":
            return torch.optim.Adam(params, lr=c.lr, weight_decay=c.weight_decay)
        if c.optimizer == "adamw":
            return torch.optim.AdamW(params, lr=c.lr, weight_decay=c.weight_decay)
        if c.optimizer == "koch-sgd":
            self.schedule = KochSchedule.build(self.model, c.layer_lrs, c.layer_momentum, c.layer_l2, c.lr,
                                               c.momentum, c.weight_decay, momentum_epochs=c.momentum_epochs,
                                               lr_decay=c.lr_decay, extra_params=self.loss_fn.parameters())
            return self.schedule.optimizer
        raise ValueError("optimizer must be 'adam', 'adamw', 'sgd' or 'koch-sgd'")

    # --- control -------------------------------------------------------------------------------
    def stop(self, reason: str = "cancelled") -> None:
        """Ask the loop to stop after the current step (safe from another thread)."""
        self.stop_reason = reason
        self.cancel_event.set()

    @property
    def steps_per_epoch(self) -> int:
        if self.pair_batches is not None:  # one pass over the fixed pairs and their distorted copies
            return len(self.pair_batches)
        return self.config.steps_per_epoch or max(1, len(self.train_set) // self.config.batch_size)

    # --- one step ------------------------------------------------------------------------------
    def _batch(self, idx: torch.Tensor, distort: torch.Tensor | None = None) -> torch.Tensor:
        """Images `idx`, each through a fresh affine distortion when augmenting (only rows `distort`)."""
        x = self.train_set.images[idx]
        if self.augment is not None and (distort is None or bool(distort.any())):
            rows = slice(None) if distort is None else distort
            x = x.clone()
            x[rows], _ = self.augment(x[rows], self.generator)
        return x.to(self.device, non_blocking=True)

    def _pair_set_loss(self, i, j, y, distort) -> torch.Tensor:
        m = self.model
        h1, h2 = m.embed(self._batch(i, distort)), m.embed(self._batch(j, distort))
        y = y.to(self.device)
        if self.config.loss == "contrastive":
            return self.loss_fn.pair_loss(h1, h2, y)
        return self.loss_fn(m.pair_logits(h1, h2), y)

    def _step_loss(self, idx) -> torch.Tensor:
        c, m = self.config, self.model
        if isinstance(idx, tuple):  # a batch of Koch's fixed pair set
            return self._pair_set_loss(*idx)
        labels = self.train_set.labels[idx].to(self.device)
        if c.pair_source == "explicit" and c.loss in ("contrastive", "bce-l1", "bce-concat"):
            # The course's way: a list of B pairs, each image through the twin separately.
            i, j, y = sample_pairs(self.train_set.labels, _even(c.batch_size // 2), self.generator)
            h1, h2 = m.embed(self._batch(i)), m.embed(self._batch(j))
            y = y.to(self.device)
            if c.loss == "contrastive":
                return self.loss_fn.pair_loss(h1, h2, y)
            return self.loss_fn(m.pair_logits(h1, h2), y)
        h = m.embed(self._batch(idx))
        if c.loss in ("contrastive", "triplet", "prototypical", "cosface"):
            return self.loss_fn(h, labels)
        if c.loss in ("bce-l1", "bce-concat"):
            i, j, y = batch_pairs(labels.cpu(), self.generator)
            return self.loss_fn(m.pair_logits(h[i], h[j]), y.to(self.device))
        ce = F.cross_entropy(m.classifier(h), labels)
        if c.loss == "center":
            return ce + self.loss_fn(h, labels)
        return ce

    # --- validation ----------------------------------------------------------------------------
    @torch.no_grad()
    def validate(self) -> dict:
        from ..evaluation.metrics import best_threshold, embed, model_scorer, oneshot_accuracy, pair_scores, roc_auc
        i, j, y = self.val_pairs
        needed = [i, j] + ([torch.cat([t.support, torch.tensor([t.query])]) for t in self.val_tasks]
                           if self.val_tasks else [])
        used = torch.unique(torch.cat(needed))  # embed only the images the pairs and tasks use
        h = torch.zeros(len(self.val_set), self.model.config.embedding_dim)
        h[used] = embed(self.model, self.val_set.images[used], device=self.device)
        scores = pair_scores(self.model, h, i, j)
        thr, acc = best_threshold(scores, y)
        out = {"val_accuracy": acc, "val_auc": roc_auc(scores, y), "threshold": thr}
        if self.val_tasks:
            score = model_scorer(self.model)[1]
            out["val_oneshot_accuracy"] = oneshot_accuracy(self.val_tasks, h, lambda x: x, score)
        return out

    @property
    def selection_metric(self) -> str:
        """The validation figure that picks the best epoch and drives early stopping."""
        return "val_oneshot_accuracy" if self.config.val_metric == "oneshot" else "val_accuracy"

    # --- the loop ------------------------------------------------------------------------------
    def fit(self) -> TrainResult:
        c = self.config
        k = c.samples_per_class
        p = max(2, min(self.train_set.num_classes, c.batch_size // k))
        k = max(k, c.batch_size // p)  # few classes (10 for MNIST): more per class, so a batch is batch_size
        groups = self.train_set.alphabets if c.alphabet_batches else None
        sampler = self.pair_batches or PKBatchSampler(self.train_set.labels, p, k, steps=self.steps_per_epoch,
                                                      seed=c.seed, groups=groups)
        state = TrainState()
        best, best_state, bad_epochs = None, None, 0
        stopped = None
        for cb in self.callbacks:
            cb.on_train_start(self)
        start = time.perf_counter()
        base_lrs = [g["lr"] for g in self.optimizer.param_groups]
        while stopped is None:
            self.model.train()
            for idx in sampler:
                if c.lr_schedule != "constant":  # set before each step, from the progress so far
                    factor = _lr_factor(c.lr_schedule, state.progress)
                    for g, lr in zip(self.optimizer.param_groups, base_lrs):
                        g["lr"] = lr * factor
                loss = self._step_loss(idx)
                self.optimizer.zero_grad(set_to_none=True)
                loss.backward()
                self.optimizer.step()
                state.step += 1
                state.elapsed = time.perf_counter() - start - state.val_seconds
                state.loss = float(loss.detach())
                state.stats = dict(getattr(self.loss_fn, "stats", {}) or {})
                state.progress, state.eta = self._progress(state)
                # The loss object's own "loss" stat may be one term (center loss): the total wins.
                state.history.append({**state.stats, "step": state.step, "epoch": state.epoch,
                                      "time": state.elapsed, "loss": state.loss})
                for cb in self.callbacks:
                    cb.on_step(self, state)
                if self.cancel_event.is_set():
                    stopped = self.stop_reason or "cancelled"
                    break
                if c.seconds is not None and state.elapsed >= c.seconds:
                    stopped = "time budget"
                    break
            else:
                state.epoch += 1
                self._epoch_schedule(state.epoch)
                if c.epochs is not None and state.epoch >= c.epochs:
                    stopped = "epochs"
            if stopped == "cancelled":
                break
            v0 = time.perf_counter()
            state.val = self.validate()
            state.val_seconds += time.perf_counter() - v0
            state.val_history.append({"epoch": state.epoch, "step": state.step, "time": state.elapsed, **state.val})
            key = self.selection_metric
            if best is None or state.val[key] > best[key]:
                best, bad_epochs = dict(state.val), 0
                best_state = copy.deepcopy(self.model.state_dict())
            else:
                bad_epochs += 1
                if stopped is None and c.patience is not None and bad_epochs >= c.patience:
                    stopped = "early stopping"
            for cb in self.callbacks:
                cb.on_epoch_end(self, state)
        if best_state is not None:
            self.model.load_state_dict(best_state)
            self.model.threshold = best["threshold"]
        if c.score_norm and stopped != "cancelled":
            best = self.normalise_scores()
        self.model.eval()
        for cb in self.callbacks:
            cb.on_train_end(self, state)
        return TrainResult(self.model, c, state, stopped, best)

    def normalise_scores(self) -> dict:
        """S-norm from now on: the training pictures become the cohort, and the threshold is chosen
        again on the validation pairs, now that scores are normalised."""
        self.model.set_cohort(self.train_set.images)
        val = self.validate()
        self.model.threshold = val["threshold"]
        return val

    def _epoch_schedule(self, epoch: int) -> None:
        """Koch's momentum ramp and learning-rate decay (koch-sgd), or the plain decay otherwise."""
        if self.schedule is not None:
            self.schedule.epoch_end(epoch)
        elif self.config.lr_decay:
            for g in self.optimizer.param_groups:
                g["lr"] *= 1.0 - self.config.lr_decay

    def _progress(self, state: TrainState) -> tuple[float, float | None]:
        c, fractions = self.config, []
        if c.epochs is not None:
            fractions.append(state.step / (c.epochs * self.steps_per_epoch))
        if c.seconds is not None:
            fractions.append(state.elapsed / c.seconds)
        frac = min(1.0, max(fractions))
        eta = state.elapsed * (1 - frac) / frac if frac > 0 else None
        return frac, eta


def _lr_factor(schedule: str, t: float) -> float:
    """Learning-rate factor at training fraction t: "cosine" decays from 1 to 0, "warmup-cosine" warms up first."""
    return 0.5 * (1 + math.cos(math.pi * t)) if schedule == "cosine" else _warmup_cosine(t)


def _warmup_cosine(t: float, warmup: float = 0.1, start: float = 1 / 25) -> float:
    """Learning-rate factor at training fraction t: from `start` up to 1 over the first `warmup`
    (cosine-shaped), then a cosine down to 0 — the one-cycle shape (Smith 2018). The warm-up spares
    the freshly initialised batch norms and class directions a full-size first step."""
    if t < warmup:
        return start + (1 - start) * 0.5 * (1 - math.cos(math.pi * t / warmup))
    return 0.5 * (1 + math.cos(math.pi * min(1.0, (t - warmup) / (1 - warmup))))


def _even(n: int) -> int:
    return max(2, n - n % 2)


def train(config: TrainConfig, data_dir: str | None = None, download: bool = False,
          callbacks: list[Callback] | tuple = (), cancel_event: threading.Event | None = None) -> TrainResult:
    """Load the training split of `config.dataset` and fit."""
    from ..data import load_dataset
    from ..data.omniglot import VALIDATION_ALPHABETS, alphabet_subset, with_rotated_classes
    data = load_dataset(config.dataset, "train", data_dir=data_dir, download=download,
                        image_size=config.image_size)
    if config.train_drawers is not None:
        if "drawer" not in data.meta:
            raise ValueError("train_drawers needs a dataset that records its drawers (Omniglot)")
        data = data.subset(torch.nonzero(data.meta["drawer"] < config.train_drawers).squeeze(1))
    if config.rotations:
        data = with_rotated_classes(data)
    val = None
    if config.val_data == "omniglot-validation":
        evaluation = load_dataset("omniglot", "evaluation", data_dir=data_dir, download=download,
                                  image_size=config.image_size)
        val = alphabet_subset(evaluation, VALIDATION_ALPHABETS)
    if config.members > 1:
        return fit_ensemble(config, data, callbacks, cancel_event, val)
    return Trainer(config, data, val, callbacks=callbacks, cancel_event=cancel_event).fit()


def fit_ensemble(config: TrainConfig, data: ImageSet, callbacks: list[Callback] | tuple = (),
                 cancel_event: threading.Event | None = None, val_set: ImageSet | None = None) -> TrainResult:
    """Train config.members twins one after another on the same people with seeds seed, seed+1, …
    (each keeps its own best epoch), join them into one network and choose its threshold on the
    validation data (held out of `data` by config.seed unless `val_set` is given), as for one twin."""
    train_set = data
    if val_set is None:
        train_set, val_set = validation_split(data, config.val_fraction, config.seed)
    results, total = [], TrainState()
    for k in range(config.members):
        member = replace(config, members=1, seed=config.seed + k, score_norm=False)
        r = Trainer(member, train_set, val_set, callbacks=callbacks, cancel_event=cancel_event).fit()
        if r.stopped_because == "cancelled":
            return r
        results.append(r)
        for name in ("step", "epoch", "elapsed", "val_seconds"):
            setattr(total, name, getattr(total, name) + getattr(r.state, name))
        total.val_history += [{**v, "member": k} for v in r.state.val_history]
    joined = Trainer(config, train_set, val_set)  # the ensemble network, validated on the same pairs
    for twin, r in zip(joined.model.twin.members, results):
        twin.load_state_dict(r.model.twin.state_dict())
    if config.score_norm:
        best = joined.normalise_scores()
    else:
        best = joined.validate()
        joined.model.threshold = best["threshold"]
    joined.model.eval()
    total.val = best
    return TrainResult(joined.model, config, total, results[-1].stopped_because, best)
