"""The groups of a training config. Every field carries a one-line help (the command line is generated
from it) and, where the value is a name, the registry its choices come from."""
from __future__ import annotations

from dataclasses import dataclass, field, fields

from ..data.registry import DATASETS
from ..distances import DISTANCE_NAMES
from ..miners import MINER_NAMES
from ..models.backbones import ENSEMBLE_JOINS
from ..models.siamese import BACKBONES
from .budget_clock import BUDGET_CLOCKS
from .objectives import loss_class, loss_names
from .optimizers import optimizer_names
from .precision import PRECISIONS
from .schedules import schedule_names

AUGMENTATIONS = ("koch", "faces")
VAL_METRICS = ("pairs", "oneshot")
VAL_DATA = ("split", "omniglot-validation")



def setting(default, help: str, choices=None, **meta):
    """A field with its --help line; `choices`: a tuple or a function returning the registry's names."""
    return field(default=default, metadata={"help": help, "choices": choices, **meta})


def choices_of(f) -> tuple | None:
    c = f.metadata.get("choices")
    return tuple(c()) if callable(c) else c


class Settings:
    """Checks every named choice against its registry, then the group's own rules (`check`)."""

    def __post_init__(self):
        for f in fields(self):
            allowed, value = choices_of(f), getattr(self, f.name)
            if allowed is not None and value not in allowed:
                raise ValueError(f"{f.name} must be one of {allowed}, not {value!r}")
        self.check()

    def check(self) -> None: ...


@dataclass
class DataSettings(Settings):
    dataset: str = setting("digits", "training data (its train split)", lambda: sorted(DATASETS))
    image_size: tuple[int, int] | None = setting(None, "resize the images to H W (default: the dataset's own size)",
                                                 metavar=("H", "W"))
    train_drawers: int | None = setting(None, "Omniglot: train on drawers 0..n-1 only (Koch: 12 of 20)")
    rotations: bool = setting(False, "Omniglot: each character turned by 90/180/270° is a new training class")
    augment: bool = setting(False, "distort every training batch (see --augmentation)")
    augmentation: str = setting("koch", "koch: Koch's affine distortions; faces: mirror, small turn and zoom, "
                                "brightness, contrast", AUGMENTATIONS)

    def check(self):
        if self.image_size is not None:
            self.image_size = tuple(int(v) for v in self.image_size)


@dataclass
class BatchSettings(Settings):
    batch_size: int = setting(128, "images per batch")
    samples_per_class: int = setting(4, "K of the P×K batches")
    alphabet_batches: bool = setting(False, "Omniglot: each batch's characters come from as few alphabets as "
                                     "hold them (hard, like within-alphabet tests)")
    pair_set: int | None = setting(None, "Koch: train on a fixed set of this many pairs (30000, 90000, 150000); "
                                   "with --augment each is also seen through 8 distortions per epoch")

    def check(self):
        if self.batch_size < 4 or self.samples_per_class < 2:
            raise ValueError("batch_size must be ≥ 4 and samples_per_class ≥ 2")


@dataclass
class ModelSettings(Settings):
    backbone: str = setting("vgg", "the twin network", BACKBONES)
    embedding_dim: int = setting(32, "length of the embedding")
    distance: str = setting("l2", "embedding distance (contrastive, triplet, scoring)", DISTANCE_NAMES)
    width: float = setting(1.0, "Koch channel multiplier")
    batch_norm: bool = setting(False, "koch-small: batch norm after each conv")
    dropout: float = setting(0.1, "vgg: spatial dropout; face-cnn: dropout before the dense layer")
    flip_average: bool = setting(False, "evaluation: embed each picture and its mirror image and average the two")
    test_shifts: int = setting(0, "outside training, average each embedding over copies moved this many "
                               "pixels (0: off)")
    strokes: bool = setting(False, "drawings: train on, and later read, every image redrawn with Omniglot's pen, "
                            "upright and centred (the model's prepare does the same to any input)")

    def check(self):
        if self.test_shifts < 0:
            raise ValueError("test_shifts must be ≥ 0")


@dataclass
class ObjectiveSettings(Settings):
    loss: str = setting("contrastive", "training objective", loss_names)
    margin: float | None = setting(None, "margin (default: the loss's own — 1.0 contrastive, 0.2 triplet, "
                                   "0.35 cosface)")
    miner: str = setting("semi-hard", "triplet selection (triplet loss)", MINER_NAMES)
    center_lambda: float = setting(0.01, "λ of the center loss")

    def check(self):
        loss_class(self.loss).check(self)

    @property
    def resolved_margin(self) -> float:
        return self.margin if self.margin is not None else loss_class(self.loss).default_margin


@dataclass
class OptimSettings(Settings):
    optimizer: str = setting("adam", "optimizer (koch-sgd: per-layer learning rate, momentum and L2, Koch et al.)",
                             optimizer_names)
    lr: float = setting(1e-3, "learning rate")
    lr_schedule: str = setting("constant", "shape over the run: cosine decays to 0 over the epochs or time "
                               "budget; warmup-cosine first rises from lr/25 over 10 % of it; composes "
                               "with --lr-decay", schedule_names)
    lr_decay: float = setting(0.0, "learning rate lost per epoch (Koch: 0.01), multiplied into the schedule")
    momentum: float = setting(0.9, "sgd momentum; koch-sgd: the final μ_j when --layer-momentum is not given")
    weight_decay: float = setting(0.0, "L2 regularisation")
    layer_lrs: tuple[float, ...] | None = setting(None, "koch-sgd: η_j per conv/dense layer")
    layer_momentum: tuple[float, ...] | None = setting(None, "koch-sgd: μ_j per layer, reached linearly from 0.5 "
                                                       "over 20 epochs")
    layer_l2: tuple[float, ...] | None = setting(None, "koch-sgd: λ_j per layer")

    def check(self):
        for name in ("layer_lrs", "layer_momentum", "layer_l2"):
            if getattr(self, name) is not None:
                setattr(self, name, tuple(float(v) for v in getattr(self, name)))
        if not 0 <= self.lr_decay < 1:
            raise ValueError("lr_decay must be in [0, 1)")


@dataclass
class BudgetSettings(Settings):
    epochs: int | None = setting(None, "stop after this many epochs (default 5 when --seconds is not given)")
    seconds: float | None = setting(None, "stop after this much training time (validation not counted)")
    steps_per_epoch: int | None = setting(None, "steps per epoch (default: one pass over the training images)")
    patience: int | None = setting(None, "early stopping after this many epochs without a better validation")
    clock: str = setting("wall", "what --seconds counts: wall-clock time, or the training thread's CPU time (with "
                         "one torch thread, a run on a busy machine then trains as much as on an idle one)",
                         BUDGET_CLOCKS)

    def check(self):
        if self.epochs is None and self.seconds is None:
            self.epochs = 5
        if (self.epochs is not None and self.epochs < 1) or (self.seconds is not None and self.seconds <= 0):
            raise ValueError("epochs must be ≥ 1 and seconds > 0")


@dataclass
class ValidationSettings(Settings):
    val_fraction: float = setting(0.1, "share of the training split held out for the threshold and early stopping")
    val_pairs: int = setting(2000, "balanced validation pairs")
    val_metric: str = setting("pairs", "model selection and early stopping: pair accuracy or N-way one-shot "
                              "accuracy", VAL_METRICS)
    val_data: str = setting("split", "validate on a held-out part of the training split, or on the 10 Omniglot "
                            "evaluation alphabets the official runs never use", VAL_DATA)
    val_n_way: int = setting(20, "one-shot validation: N (all N characters from one alphabet when the set has "
                             "alphabets)")
    val_tasks: int = setting(320, "one-shot validation: tasks (Koch: 320)")

    def check(self):
        if not 0.0 < self.val_fraction < 0.9:
            raise ValueError("val_fraction must be in (0, 0.9)")
        if self.val_n_way < 2 or self.val_tasks < 1:
            raise ValueError("val_n_way must be ≥ 2 and val_tasks ≥ 1")


@dataclass
class RunSettings(Settings):
    members: int = setting(1, "train this many twins (seeds seed, seed+1, …) and keep them as one network (see "
                           "--member-join)")
    member_join: str = setting("mean", "with --members: average the members' embeddings, or set them end to end (a "
                               "squared distance is then the mean of the members'); each is made unit-length "
                               "only when the loss trains unit-length embeddings", ENSEMBLE_JOINS)
    member_processes: int = setting(1, "with --members: train this many members at a time, each in a process of "
                                    "its own; they share the --threads (at least one each)")
    score_norm: bool = setting(False, "S-norm: score each pair against the training pictures' embeddings (a cohort)")
    seed: int = setting(0, "random seed")
    device: str = setting("auto", "auto (CUDA, then MPS, then CPU), cpu, cuda or mps")
    precision: str = setting("auto", "forward pass and loss: auto (bf16 autocast on CUDA, float32 elsewhere), "
                             "fp32 everywhere, or bf16 (CUDA only)", PRECISIONS)


GROUPS: dict[str, type[Settings]] = {
    "data": DataSettings, "batches": BatchSettings, "model": ModelSettings, "objective": ObjectiveSettings,
    "optim": OptimSettings, "budget": BudgetSettings, "validation": ValidationSettings, "run": RunSettings,
}
