"""Batch-hard (Hermans, Beyer & Leibe 2017): the hardest positive and negative of each anchor."""
from __future__ import annotations

import torch

from .base_miner import BaseMiner, Triplets


class BatchHardMiner(BaseMiner):
    """One triplet per anchor: its farthest positive and its nearest negative in the batch.

    Anchors without a positive or without a negative in the batch are skipped, hence P×K
    batches (K ≥ 2). Ties go to the lowest index. Matches pytorch-metric-learning's BatchHardMiner.
    """

    def mine(self, mat: torch.Tensor, labels: torch.Tensor,
             pos: torch.Tensor, neg: torch.Tensor) -> Triplets:
        inf = torch.finfo(mat.dtype).max
        p = mat.masked_fill(~pos, -inf).argmax(1)
        n = mat.masked_fill(~neg, inf).argmin(1)
        a = torch.where(pos.any(1) & neg.any(1))[0]
        return a, p[a], n[a]
