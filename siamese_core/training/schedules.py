"""Learning-rate schedules by name, and how they combine with the per-epoch decay.

Within a run the learning rate follows a shape over the training fraction t ∈ [0, 1] ("constant",
"cosine", "warmup-cosine"); across epochs it loses `lr_decay` per epoch (Koch: 1 %). The two multiply:

    lr_g(step) = base_lr_g · (1 − lr_decay)^epochs_done · shape(t)

so a cosine run with lr_decay keeps both (before, the cosine overwrote the decay every step).
Koch's other per-epoch part, the momentum ramp, lives with its optimiser (`koch_sgd.py`).
"""
from __future__ import annotations

import math
from collections.abc import Callable

import torch


def constant(t: float) -> float:
    return 1.0


def cosine(t: float) -> float:
    """From 1 down to 0 over the run."""
    return 0.5 * (1 + math.cos(math.pi * min(1.0, t)))


def warmup_cosine(t: float, warmup: float = 0.1, start: float = 1 / 25) -> float:
    """From `start` up to 1 over the first `warmup` (cosine-shaped), then a cosine down to 0 — the
    one-cycle shape (Smith 2018). The warm-up spares the freshly initialised batch norms and class
    directions a full-size first step."""
    if t < warmup:
        return start + (1 - start) * 0.5 * (1 - math.cos(math.pi * t / warmup))
    return 0.5 * (1 + math.cos(math.pi * min(1.0, (t - warmup) / (1 - warmup))))


LR_SCHEDULES: dict[str, Callable[[float], float]] = {
    "constant": constant,
    "cosine": cosine,
    "warmup-cosine": warmup_cosine,
}


def schedule_names() -> tuple[str, ...]:
    return tuple(LR_SCHEDULES)


class LearningRate:
    """Sets every parameter group's learning rate before each step: base · decay^epochs · shape(t)."""

    def __init__(self, optimizer: torch.optim.Optimizer, schedule: str = "constant", lr_decay: float = 0.0):
        if schedule not in LR_SCHEDULES:
            raise ValueError(f"lr_schedule must be one of {schedule_names()}, not {schedule!r}")
        self.optimizer, self.shape, self.lr_decay = optimizer, LR_SCHEDULES[schedule], lr_decay
        self.base = [g["lr"] for g in optimizer.param_groups]
        self.decay, self.t = 1.0, 0.0

    def factor(self) -> float:
        return self.decay * self.shape(self.t)

    def before_step(self, progress: float) -> None:
        """`progress`: the fraction of the run done before this step."""
        self.t = progress
        self._apply()

    def epoch_end(self, epochs_done: int) -> None:
        self.decay = (1.0 - self.lr_decay) ** epochs_done
        self._apply()

    def _apply(self) -> None:
        f = self.factor()
        for g, lr in zip(self.optimizer.param_groups, self.base):
            g["lr"] = lr * f
