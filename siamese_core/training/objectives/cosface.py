"""CosFace: a classifier on angles whose class directions live in the loss, so the model stays a plain twin."""
from __future__ import annotations

from ...losses import CosFaceLoss
from .base import Objective, Output, stats_of

SCALE = 30.0  # s, the inverse temperature of the softmax over cosines (Wang et al. 2018)


class CosFace(Objective):
    help = "additive-margin softmax on cosines to learned class directions (Wang et al. 2018)"
    normalize = True
    uses_margin = True
    default_margin = 0.35

    def __init__(self, loss: CosFaceLoss):
        super().__init__()
        self.loss = loss

    @classmethod
    def check(cls, settings) -> None:
        margin = cls.default_margin if settings.margin is None else settings.margin
        if not 0 <= margin < 1:
            raise ValueError("cosface needs a margin in [0, 1)")

    @classmethod
    def build(cls, cfg, model, num_classes, generator):
        return cls(CosFaceLoss(num_classes, cfg.model.embedding_dim, scale=SCALE,
                               margin=cfg.resolved_margin))

    def forward(self, model, embeddings, labels) -> Output:
        return self.loss(embeddings, labels), stats_of(self.loss)
