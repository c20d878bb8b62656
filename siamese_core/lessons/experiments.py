"""The pages' default experiments and labelled presets, as configs: the pages build their runs from here
and `python -m benchmarks.lessons` runs exactly these, so a page's defaults and the measured table agree."""
from __future__ import annotations

from dataclasses import dataclass

from ..training import TrainConfig
from ..training.presets import preset_config, recipe_for_loss

MINERS = ("random", "semi-hard", "batch-hard", "hardest")
LAMBDAS = (0.0, 0.01, 0.1, 1.0)
SIZES = (2, 4, 8, 32, 128)
LOSSES = ("contrastive", "triplet", "bce-concat", "softmax")


@dataclass(frozen=True)
class MiningSetting:
    """What the mining page's "Compare the miners" trains: one triplet run per miner."""
    dataset: str = "mnist"
    seconds: float = 8.0
    margin: float = 0.2
    lr: float = 1e-3
    steps: int | None = None     # a step budget instead of seconds: the same run on a busy server


# The page's defaults, and the preset that shows FaceNet's warning: hardest negatives from the first step
# with a learning rate large enough that the first steps pull everything together. Measured collapses
# come at steps 18–29 (docs/lessons.md), so 60 steps leave room; steps, not seconds, so that a busy
# classroom server gets the same run.
MINING_DEFAULT = MiningSetting()
COLLAPSE_PRESET = MiningSetting(margin=0.5, lr=0.1, steps=60)
COLLAPSE_MINERS = ("semi-hard", "hardest")


def miner_configs(s: MiningSetting, miners=MINERS, seed: int = 0) -> list[TrainConfig]:
    budget = {"epochs": 1, "steps_per_epoch": s.steps} if s.steps else {"seconds": float(s.seconds)}
    return [TrainConfig(dataset=s.dataset, loss="triplet", miner=mi, margin=s.margin, lr=s.lr, seed=seed, **budget)
            for mi in miners]


CENTRE_DATASET, CENTRE_SECONDS = "mnist", 8.0


def centre_configs(lambdas=LAMBDAS, dataset: str = CENTRE_DATASET, seconds: float = CENTRE_SECONDS,
                   seed: int = 0) -> list[TrainConfig]:
    """One 2-D network per λ (λ = 0: the softmax classifier alone)."""
    return [TrainConfig(dataset=dataset, loss="center" if lam > 0 else "softmax", center_lambda=lam,
                        embedding_dim=2, seconds=float(seconds), seed=seed) for lam in lambdas]


SIZE_DATASET, SIZE_LOSS, SIZE_SECONDS = "fashion-mnist", "contrastive", 10.0


def size_configs(sizes=SIZES, dataset: str = SIZE_DATASET, loss: str = SIZE_LOSS, seconds: float = SIZE_SECONDS,
                 seed: int = 0) -> list[TrainConfig]:
    return [TrainConfig(dataset=dataset, loss=loss, embedding_dim=d, seconds=float(seconds), seed=seed)
            for d in sorted(sizes)]


LOSSES_DATASET, LOSSES_SECONDS, LOSSES_DIM = "fashion-mnist", 20.0, 32


def loss_configs(losses=LOSSES, dataset: str = LOSSES_DATASET, seconds: float = LOSSES_SECONDS,
                 seed: int = 0) -> list[TrainConfig]:
    """The losses page's Train button, once per loss, at its default margin, size and budget (and the
    dataset's recipe, as the page applies it)."""
    return [TrainConfig(**{**recipe_for_loss(dataset), "dataset": dataset, "loss": loss,
                           "embedding_dim": LOSSES_DIM, "seconds": float(seconds), "seed": seed})
            for loss in losses]


ONESHOT_SECONDS = 60.0


def oneshot_config(seconds: float = ONESHOT_SECONDS, seed: int = 0) -> TrainConfig:
    """The One-shot page's Train: the oneshot-fast recipe as one twin in a page's training process, without
    test-time shifts (each live frame, 400 one-shot trials, costs a fifth)."""
    return preset_config("oneshot-fast", members=1, member_processes=1, test_shifts=0, seconds=float(seconds),
                         seed=int(seed))
