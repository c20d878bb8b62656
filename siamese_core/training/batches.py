"""Where each training step's images come from: P×K batches or Koch's fixed pair set, each image through
a fresh distortion when augmenting."""
from __future__ import annotations

from dataclasses import dataclass

import torch

from ..data import ImageSet
from ..data.augment import FaceAugment, KochAffine
from ..data.sampling import PairSetBatches, PKBatchSampler
from .config import TrainConfig

AUGMENTERS = {"koch": KochAffine, "faces": FaceAugment}
KOCH_DISTORTIONS = 8  # Koch et al.: each pair of the fixed set is also seen through 8 affine distortions


@dataclass
class Batch:
    """Either a P×K batch (`idx`) or pairs (`i`, `j`, `y`, and `distort`: which pairs to distort)."""
    idx: torch.Tensor | None = None
    i: torch.Tensor | None = None
    j: torch.Tensor | None = None
    y: torch.Tensor | None = None
    distort: torch.Tensor | None = None


def even(n: int) -> int:
    return max(2, n - n % 2)


class BatchSource:
    def __init__(self, cfg: TrainConfig, data: ImageSet, generator: torch.Generator):
        b = cfg.batches
        self.cfg, self.data, self.generator = cfg, data, generator
        self.augment = AUGMENTERS[cfg.data.augmentation]() if cfg.data.augment else None
        self.pair_set = (PairSetBatches(data.labels, even(b.pair_set), b.batch_size,
                                        KOCH_DISTORTIONS if cfg.data.augment else 0, cfg.run.seed)
                         if b.pair_set else None)

    @property
    def steps_per_epoch(self) -> int:
        if self.pair_set is not None:  # one pass over the fixed pairs and their distorted copies
            return len(self.pair_set)
        return self.cfg.budget.steps_per_epoch or max(1, len(self.data) // self.cfg.batches.batch_size)

    def sampler(self):
        """One epoch's batches (iterate again for the next epoch)."""
        if self.pair_set is not None:
            return self.pair_set
        b = self.cfg.batches
        p, k = self.classes_and_per_class()
        groups = self.data.alphabets if b.alphabet_batches else None
        return PKBatchSampler(self.data.labels, p, k, steps=self.steps_per_epoch, seed=self.cfg.run.seed,
                              groups=groups)

    def classes_and_per_class(self) -> tuple[int, int]:
        """P and K of the P×K batches."""
        b = self.cfg.batches
        p = max(2, min(self.data.num_classes, b.batch_size // b.samples_per_class))
        return p, max(b.samples_per_class, b.batch_size // p)  # few classes (10 digits): more per class

    @property
    def images_per_step(self) -> int:
        """Images through the twin per step (P×K can fall short of batch_size: 10 classes × 12 = 120 of 128)."""
        if self.pair_set is not None:  # B pairs, both images of each through the twin
            return 2 * self.cfg.batches.batch_size
        p, k = self.classes_and_per_class()
        return p * k

    def batch(self, drawn) -> Batch:
        if isinstance(drawn, tuple):  # a batch of Koch's fixed pair set
            return Batch(i=drawn[0], j=drawn[1], y=drawn[2], distort=drawn[3])
        return Batch(idx=drawn)

    def images(self, idx: torch.Tensor, distort: torch.Tensor | None = None) -> torch.Tensor:
        """Images `idx`, each through a fresh distortion when augmenting (only rows `distort`)."""
        x = self.data.rows(idx)
        if self.augment is not None and (distort is None or bool(distort.any())):
            rows = slice(None) if distort is None else distort
            x = x.clone()
            x[rows], _ = self.augment(x[rows], self.generator)
        return x
