"""Prototypical loss: every P×K batch is a P-way few-shot task (Snell et al. 2017)."""
from __future__ import annotations

from ...losses import PrototypicalLoss
from .base import Objective, Output, stats_of


class Prototypical(Objective):
    help = "each batch a P-way task: queries classified by distance to their class prototypes"

    def __init__(self, loss: PrototypicalLoss):
        super().__init__()
        self.loss = loss

    @classmethod
    def build(cls, cfg, model, num_classes, generator):
        return cls(PrototypicalLoss(distance=model.distance))  # one shot, as the test tasks

    def forward(self, model, embeddings, labels) -> Output:
        return self.loss(embeddings, labels), stats_of(self.loss)
