"""Cheap changes that might raise a training step's share of the CPU, each timed beside the step as it is,
in alternating rounds of one process (the machine's load falls on all alike). None changes what a step
computes beyond float rounding: the same batches, the same maths.

- `contiguous`: the weights in the default layout instead of the channels-last one `fast_layout` gives;
- `fused-adam`: Adam's update as one fused kernel per step (`torch.optim.Adam(fused=True)`);
- `affine-per-image`: the step as it was before Koch's distortions were built for the whole batch at once
  (one small inverse matrix per image in a Python loop): the baseline of that change, kept to show its ratio.
  The course's VGG twin trains without distortions, so there it changes nothing.

torch.compile was tried too (inductor with the system's C++ compiler): tens of seconds of compiling before
the first step, which a 60-s page run cannot win back, and no steady gain on the one-shot network; it is not
timed here.
"""
from __future__ import annotations

import torch
import torch.nn.functional as F

from siamese_core.data.augment import KochAffine


def _contiguous(trainer) -> None:
    trainer.model.to(memory_format=torch.contiguous_format)


def _fused_adam(trainer) -> None:
    from siamese_core.training.schedules import LearningRate
    o = trainer.config.optim
    params = [p for g in trainer.optimizer.param_groups for p in g["params"]]
    trainer.optimizer = torch.optim.Adam(params, lr=o.lr, weight_decay=o.weight_decay, fused=True)
    trainer.lr = LearningRate(trainer.optimizer, o.lr_schedule, o.lr_decay)


class _PerImageAffine(KochAffine):
    def apply(self, images: torch.Tensor, params) -> torch.Tensor:
        n, _, h, w = images.shape
        theta = torch.zeros(n, 2, 3)
        for i, p in enumerate(params):
            inv = torch.linalg.inv(self.matrix(p))
            theta[i, :, :2] = inv
            theta[i, :, 2] = -inv @ torch.tensor([2 * p.t_x / w, 2 * p.t_y / h])
        grid = F.affine_grid(theta.to(images), list(images.shape), align_corners=False)
        return F.grid_sample(images, grid, mode="bilinear", padding_mode="zeros", align_corners=False)


def _affine_per_image(trainer) -> None:
    if isinstance(trainer.batches.augment, KochAffine):
        trainer.batches.augment = _PerImageAffine()


CANDIDATES = {"as-is": lambda trainer: None, "contiguous": _contiguous, "fused-adam": _fused_adam,
              "affine-per-image": _affine_per_image}


def compare(name: str, seconds: float, rounds: int = 3, data_dir: str | None = None) -> dict:
    """Median ms per trainer step of each candidate on network `name` (benchmarks.machine_ratio.NETWORKS),
    and each one's time over the step as it is."""
    from benchmarks.machine_ratio import StepTimer, median_ms_interleaved, trainer_for
    timers = {}
    for label, change in CANDIDATES.items():
        trainer = trainer_for(name, data_dir)
        change(trainer)
        timers[label] = StepTimer(trainer)
        for _ in range(3):
            timers[label].step()
    ms = median_ms_interleaved(timers, seconds, rounds, 2)
    return {"ms_per_step": ms, "over_as_is": {k: round(v / ms["as-is"], 3) for k, v in ms.items()}}
