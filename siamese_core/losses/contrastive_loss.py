"""Contrastive loss (Hadsell, Chopra & LeCun 2006): pull same pairs together, push others past a margin."""
from __future__ import annotations

import torch
import torch.nn.functional as F

from ..distances import BaseDistance, LpDistance
from .base_loss import BaseLoss, masked_mean


class ContrastiveLoss(BaseLoss):
    """Per pair, with y = 1 for SAME class and d the distance between the two embeddings:

        squared=True  (Hadsell et al.):  L = y·d² + (1 − y)·max(margin − d, 0)²
        squared=False (the course):      L = y·d  + (1 − y)·max(margin − d, 0)

    A same pair costs nothing only at d = 0; a different pair costs nothing once d ≥ margin,
    so negatives already far enough away stop pulling on the network.

    Two entry points:
      forward(embeddings, labels): every pair i < j of the batch; returns
          mean(loss over positive pairs) + mean(loss over negative pairs),
          each mean over its own pairs (a kind missing from the batch adds 0). Averaging the two
          kinds separately keeps the many negatives of a batch from drowning the few positives.
          With squared=False and LpDistance this equals pytorch-metric-learning's
          ContrastiveLoss(pos_margin=0, neg_margin=margin, reducer=MeanReducer()).
      pair_loss(e1, e2, y, reduction): explicit pairs (e1[i], e2[i]), a plain mean over pairs.

    stats: loss, mean_pos_distance, mean_neg_distance, active_neg_fraction (negative pairs
    still inside the margin, i.e. with a non-zero loss), num_pos_pairs, num_neg_pairs.
    """

    stat_names = ("loss", "mean_pos_distance", "mean_neg_distance", "active_neg_fraction",
                  "num_pos_pairs", "num_neg_pairs")

    def __init__(self, margin: float = 1.0, distance: BaseDistance | None = None, squared: bool = True):
        super().__init__()
        if margin <= 0:
            raise ValueError(f"ContrastiveLoss needs margin > 0, got {margin}")
        self.margin = margin
        self.distance = LpDistance() if distance is None else distance
        self.squared = squared

    def per_pair(self, d: torch.Tensor, same: torch.Tensor) -> torch.Tensor:
        """The loss of each pair from its distance d and y (bool or 0/1)."""
        hinge = F.relu(self.margin - d)
        pos_term, neg_term = (d.pow(2), hinge.pow(2)) if self.squared else (d, hinge)
        y = same.to(d.dtype)
        return y * pos_term + (1 - y) * neg_term

    def forward(self, embeddings: torch.Tensor, labels: torch.Tensor) -> torch.Tensor:
        self.check_embeddings_labels(embeddings, labels, "ContrastiveLoss")
        n = len(embeddings)
        i, j = torch.triu_indices(n, n, offset=1, device=embeddings.device)
        d = self.distance.pairwise(embeddings)[i, j]
        labels = labels.to(embeddings.device)
        same = labels[i] == labels[j]
        losses = self.per_pair(d, same)
        loss = self.zero_loss(embeddings)
        if bool(same.any()):
            loss = loss + losses[same].mean()
        if bool((~same).any()):
            loss = loss + losses[~same].mean()
        self._record_pairs(loss, d, same)
        return loss

    def pair_loss(self, e1: torch.Tensor, e2: torch.Tensor, y: torch.Tensor,
                  reduction: str = "mean") -> torch.Tensor:
        """Loss of explicit pairs (e1[i], e2[i]) with y[i] = 1 same / 0 different.

        reduction: "mean" (over all pairs, positive and negative together), "sum" or "none" (N,).
        """
        if reduction not in ("mean", "sum", "none"):
            raise ValueError(f"reduction must be 'mean', 'sum' or 'none', got {reduction!r}")
        d = self.distance.paired(e1, e2)
        y = torch.as_tensor(y, device=d.device).reshape(-1)
        if y.shape != d.shape:
            raise ValueError(f"ContrastiveLoss.pair_loss: need one y per pair, got y {tuple(y.shape)} "
                             f"for {tuple(d.shape)} pairs")
        if not bool(((y == 0) | (y == 1)).all()):
            raise ValueError("ContrastiveLoss.pair_loss: y must be 1 (same class) or 0 (different)")
        same = y == 1
        losses = self.per_pair(d, same)
        out = losses if reduction == "none" else losses.sum() if reduction == "sum" else (
            losses.mean() if len(losses) else self.zero_loss(d))
        self._record_pairs(losses.mean() if len(losses) else 0.0, d, same)
        return out

    def _record_pairs(self, loss, d: torch.Tensor, same: torch.Tensor) -> None:
        d = d.detach()
        neg = ~same
        self._record(loss=loss,
                     mean_pos_distance=masked_mean(d, same),
                     mean_neg_distance=masked_mean(d, neg),
                     active_neg_fraction=masked_mean((d < self.margin).float(), neg),
                     num_pos_pairs=same.sum(), num_neg_pairs=neg.sum())

    def extra_repr(self) -> str:
        return f"margin={self.margin}, squared={self.squared}"
