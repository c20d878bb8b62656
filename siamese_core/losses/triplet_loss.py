"""Triplet loss (Schroff, Kalenichenko & Philbin 2015): the positive closer than the negative, by a margin."""
from __future__ import annotations

import math

import torch
import torch.nn.functional as F

from ..distances import BaseDistance, LpDistance
from ..miners import AllTripletsMiner, BaseMiner
from .base_loss import BaseLoss

Triplets = tuple[torch.Tensor, torch.Tensor, torch.Tensor]


class TripletLoss(BaseLoss):
    """L = max(d(a, p) − d(a, n) + margin, 0), averaged over the triplets the miner returns
    (zeros included: this is pytorch-metric-learning's TripletMarginLoss with MeanReducer,
    not its default AvgNonZeroReducer). No triplets → 0 (still differentiable).

    The miner decides *which* triplets count; pass `triplets=(a, p, n)` to skip it.
    The indices used last are kept in `last_triplets` for pages that draw them.

    stats: loss, num_triplets, active_fraction (mined triplets with loss > 0),
    mean_pos_distance, mean_neg_distance (over mined triplets), and embedding_spread, the mean
    distance over all pairs of the batch: it drops to ~0 when the network collapses every
    input onto one point, where every triplet's loss is exactly the margin.
    """

    stat_names = ("loss", "num_triplets", "active_fraction", "mean_pos_distance",
                  "mean_neg_distance", "embedding_spread")

    def __init__(self, margin: float = 0.2, distance: BaseDistance | None = None,
                 miner: BaseMiner | None = None):
        super().__init__()
        if margin < 0:
            raise ValueError(f"TripletLoss needs margin ≥ 0, got {margin}")
        self.margin = margin
        self.distance = LpDistance() if distance is None else distance
        self.miner = AllTripletsMiner() if miner is None else miner
        self.last_triplets: Triplets | None = None

    def forward(self, embeddings: torch.Tensor, labels: torch.Tensor,
                triplets: Triplets | None = None) -> torch.Tensor:
        self.check_embeddings_labels(embeddings, labels, "TripletLoss")
        labels = labels.to(embeddings.device)
        if triplets is None:
            triplets = self.miner(embeddings, labels, self.distance)
        a, p, n = (torch.as_tensor(t, dtype=torch.long, device=embeddings.device).reshape(-1)
                   for t in triplets)
        if not len(a) == len(p) == len(n):
            raise ValueError(f"TripletLoss: a, p, n must have equal lengths, got {len(a)}, {len(p)}, {len(n)}")
        self.last_triplets = (a, p, n)
        mat = self.distance.pairwise(embeddings)
        d_ap, d_an = mat[a, p], mat[a, n]
        losses = F.relu(d_ap - d_an + self.margin)
        loss = losses.mean() if len(a) else self.zero_loss(embeddings)
        self._record_triplets(loss, mat.detach(), d_ap.detach(), d_an.detach(), losses.detach())
        return loss

    def _record_triplets(self, loss, mat, d_ap, d_an, losses) -> None:
        k = len(losses)
        i, j = torch.triu_indices(len(mat), len(mat), offset=1, device=mat.device)
        self._record(loss=loss, num_triplets=k,
                     active_fraction=(losses > 0).float().mean() if k else math.nan,
                     mean_pos_distance=d_ap.mean() if k else math.nan,
                     mean_neg_distance=d_an.mean() if k else math.nan,
                     embedding_spread=mat[i, j].mean() if len(i) else math.nan)

    def extra_repr(self) -> str:
        return f"margin={self.margin}"
