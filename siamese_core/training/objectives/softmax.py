"""Softmax cross-entropy over the training classes, and center loss on top of it (Wen et al. 2016)."""
from __future__ import annotations

import torch.nn.functional as F

from ...losses import CenterLoss
from .base import Objective, Output, stats_of


class Softmax(Objective):
    help = "a plain classifier over the training classes; its embedding is compared by distance"
    classifier = True

    @classmethod
    def build(cls, cfg, model, num_classes, generator):
        return cls()

    def cross_entropy(self, model, embeddings, labels):
        logits = model.classifier(embeddings)
        return F.cross_entropy(logits, labels), (logits.argmax(1) == labels).float().mean()

    def forward(self, model, embeddings, labels) -> Output:
        ce, accuracy = self.cross_entropy(model, embeddings, labels)
        return ce, {"loss": float(ce.detach()), "accuracy": float(accuracy)}


class Center(Softmax):
    help = "softmax plus λ·½‖x − c_y‖², pulling each embedding to a learned centre of its class"

    def __init__(self, loss: CenterLoss):
        super().__init__()
        self.loss = loss

    @classmethod
    def build(cls, cfg, model, num_classes, generator):
        return cls(CenterLoss(num_classes, cfg.model.embedding_dim, lam=cfg.objective.center_lambda))

    def forward(self, model, embeddings, labels) -> Output:
        ce, _ = self.cross_entropy(model, embeddings, labels)
        # The stats' "loss" is the centre term; the trainer's history records the total.
        return ce + self.loss(embeddings, labels), stats_of(self.loss)
