"""Contrastive loss on every pair of a batch, or on explicit pair lists."""
from __future__ import annotations

from ...losses import ContrastiveLoss
from .base import Objective, Output, stats_of


class Contrastive(Objective):
    help = "pull same pairs together, push different ones past the margin (Hadsell et al. 2006)"
    normalize = True
    uses_margin = True
    default_margin = 1.0
    pairs = True

    def __init__(self, loss: ContrastiveLoss):
        super().__init__()
        self.loss = loss

    @classmethod
    def build(cls, cfg, model, num_classes, generator):
        return cls(ContrastiveLoss(margin=cfg.resolved_margin, distance=model.distance))

    def forward(self, model, embeddings, labels) -> Output:
        return self.loss(embeddings, labels), stats_of(self.loss)

    def pair_loss(self, model, h1, h2, y) -> Output:
        return self.loss.pair_loss(h1, h2, y), stats_of(self.loss)
