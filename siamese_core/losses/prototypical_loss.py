"""Prototypical loss (Snell, Swersky & Zemel 2017): every batch is a little N-way k-shot task."""
from __future__ import annotations

import torch
import torch.nn.functional as F

from ..distances import BaseDistance, LpDistance
from .base_loss import BaseLoss


class PrototypicalLoss(BaseLoss):
    """Inside a P×K batch, the first `shots` images of each class are its support: their mean is the
    class prototype c_k. Every other image is a query x, classified by a softmax over −d(x, c_k)²:

        L = −log exp(−d(x, c_y)²) / Σ_k exp(−d(x, c_k)²), averaged over the queries.

    With shots = 1 this trains exactly the decision one-shot learning makes at test time
    (C* = argmax_c similarity(x, x_c)) with P ways. Classes with ≤ `shots` images in the batch
    give no queries (their prototype still competes). `squared=False` uses −d instead of −d².

    stats: loss, accuracy (queries whose nearest prototype is right), ways (prototypes in the batch).
    """

    stat_names = ("loss", "accuracy", "ways")

    def __init__(self, shots: int = 1, distance: BaseDistance | None = None, squared: bool = True):
        super().__init__()
        if shots < 1:
            raise ValueError(f"PrototypicalLoss needs shots ≥ 1, got {shots}")
        self.shots, self.squared = shots, squared
        self.distance = LpDistance() if distance is None else distance

    def forward(self, embeddings: torch.Tensor, labels: torch.Tensor) -> torch.Tensor:
        self.check_embeddings_labels(embeddings, labels, "PrototypicalLoss")
        labels = labels.to(embeddings.device)
        classes, inverse = torch.unique(labels, return_inverse=True)
        # Rank of each image inside its class, in batch order: rank < shots → support.
        same = inverse[:, None] == inverse[None, :]
        rank = torch.tril(same, diagonal=-1).sum(1)
        support = rank < self.shots
        protos = torch.zeros(len(classes), embeddings.shape[1], dtype=embeddings.dtype, device=embeddings.device)
        protos = protos.index_add(0, inverse[support], embeddings[support])
        counts = torch.bincount(inverse[support], minlength=len(classes)).clamp_min(1)
        protos = protos / counts[:, None].to(embeddings.dtype)
        queries, targets = embeddings[~support], inverse[~support]
        if len(classes) < 2 or len(queries) == 0:
            loss = self.zero_loss(embeddings)
            self._record(loss=loss, ways=len(classes))
            return loss
        d = self.distance.pairwise(queries, protos)
        logits = -(d.pow(2) if self.squared else d)
        loss = F.cross_entropy(logits, targets)
        self._record(loss=loss, accuracy=(logits.argmax(1) == targets).float().mean(), ways=len(classes))
        return loss

    def extra_repr(self) -> str:
        return f"shots={self.shots}, squared={self.squared}"
