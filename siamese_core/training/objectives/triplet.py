"""Triplet loss on the triplets a miner picks inside each P×K batch."""
from __future__ import annotations

from ...losses import TripletLoss
from ...miners import make_miner
from .base import Objective, Output, stats_of


class Triplet(Objective):
    help = "the positive closer than the negative by a margin, triplets chosen by --miner (FaceNet)"
    normalize = True
    uses_margin = True
    default_margin = 0.2

    def __init__(self, loss: TripletLoss):
        super().__init__()
        self.loss = loss

    @classmethod
    def build(cls, cfg, model, num_classes, generator):
        margin = cfg.resolved_margin
        miner = make_miner(cfg.objective.miner, margin=margin, seed=cfg.run.seed)
        return cls(TripletLoss(margin=margin, distance=model.distance, miner=miner))

    def forward(self, model, embeddings, labels) -> Output:
        return self.loss(embeddings, labels), stats_of(self.loss)
