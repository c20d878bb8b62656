"""Binary cross-entropy on pairs through the model's pair head (Koch's weighted L1, or the course's concat)."""
from __future__ import annotations

from ...data.sampling import batch_pairs
from ...losses import PairBCELoss
from .base import Objective, Output, stats_of


class PairBCE(Objective):
    """In a P×K batch: every same-class pair and as many random different pairs, scored by the head."""

    pairs = True

    def __init__(self, generator):
        super().__init__()
        self.loss = PairBCELoss()
        self.generator = generator  # the trainer's: which different pairs a batch gets is seeded

    @classmethod
    def build(cls, cfg, model, num_classes, generator):
        return cls(generator)

    def forward(self, model, embeddings, labels) -> Output:
        i, j, y = batch_pairs(labels.cpu(), self.generator)
        return self.pair_loss(model, embeddings[i], embeddings[j], y.to(embeddings.device))

    def pair_loss(self, model, h1, h2, y) -> Output:
        return self.loss(model.pair_logits(h1, h2), y), stats_of(self.loss)


class PairBCEL1(PairBCE):
    help = "BCE on p(same) = σ(Σ α_j |h1_j − h2_j|), Koch's weighted-L1 head"
    head = "l1"


class PairBCEConcat(PairBCE):
    help = "BCE on p(same) from dense layers over the two concatenated embeddings (the course)"
    head = "concat"
