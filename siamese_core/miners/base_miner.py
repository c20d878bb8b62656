"""What every miner shares: input checks, the no-grad distance matrix, the label masks, stats."""
from __future__ import annotations

import math

import torch
from torch import nn

from ..distances import BaseDistance, LpDistance

Triplets = tuple[torch.Tensor, torch.Tensor, torch.Tensor]


def label_masks(labels: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
    """(N, N) boolean masks: pos[i, j] = same label and i ≠ j; neg[i, j] = different label."""
    same = labels.unsqueeze(0) == labels.unsqueeze(1)
    eye = torch.eye(len(labels), dtype=torch.bool, device=labels.device)
    return same & ~eye, ~same


class BaseMiner(nn.Module):
    """A miner picks (anchor, positive, negative) index triplets from a labelled batch.

    Call as `miner(embeddings, labels, distance) -> (a, p, n)`, three LongTensors of equal length
    with a ≠ p, labels[a] == labels[p], labels[n] != labels[a]. Mining is a *selection*, not part
    of the loss, so it runs under no_grad on detached embeddings; the loss recomputes distances
    with gradients for the triplets chosen here.

    After every call `self.stats` holds floats for charts:
      num_triplets           how many triplets were returned
      num_possible_triplets  how many valid triplets the batch holds (what "all" would return)
      mean_pos_distance      mean d(a, p) over the returned triplets (nan if none)
      mean_neg_distance      mean d(a, n) over the returned triplets (nan if none)
    """

    stat_names: tuple[str, ...] = ("num_triplets", "num_possible_triplets",
                                   "mean_pos_distance", "mean_neg_distance")

    def __init__(self):
        super().__init__()
        self.stats: dict[str, float] = {k: math.nan for k in self.stat_names}

    def forward(self, embeddings: torch.Tensor, labels: torch.Tensor,
                distance: BaseDistance | None = None) -> Triplets:
        self._check_inputs(embeddings, labels)
        distance = LpDistance() if distance is None else distance
        with torch.no_grad():
            emb = embeddings.detach()
            mat = distance.pairwise(emb, emb)
            pos, neg = label_masks(labels)
            a, p, n = self.mine(mat, labels, pos, neg)
            a, p, n = (t.to(device=labels.device, dtype=torch.long) for t in (a, p, n))
            self._record(mat, pos, neg, a, p, n)
        return a, p, n

    def mine(self, mat: torch.Tensor, labels: torch.Tensor,
             pos: torch.Tensor, neg: torch.Tensor) -> Triplets:
        """mat: (N, N) distances; pos/neg: the masks from `label_masks`. Returns (a, p, n)."""
        raise NotImplementedError

    def _record(self, mat, pos, neg, a, p, n) -> None:
        possible = (pos.sum(1) * neg.sum(1)).sum()
        found = len(a) > 0
        self.stats = {
            "num_triplets": float(len(a)),
            "num_possible_triplets": float(possible),
            "mean_pos_distance": float(mat[a, p].mean()) if found else math.nan,
            "mean_neg_distance": float(mat[a, n].mean()) if found else math.nan,
        }

    @staticmethod
    def _check_inputs(embeddings: torch.Tensor, labels: torch.Tensor) -> None:
        if embeddings.ndim != 2:
            raise ValueError(f"embeddings must be 2-D (batch, embedding_dim), got shape {tuple(embeddings.shape)}")
        if labels.ndim != 1 or len(labels) != len(embeddings):
            raise ValueError(f"labels must be 1-D with one label per embedding: got labels "
                             f"{tuple(labels.shape)} for embeddings {tuple(embeddings.shape)}")
        if labels.device != embeddings.device:
            raise ValueError(f"labels are on {labels.device} but embeddings on {embeddings.device}")
