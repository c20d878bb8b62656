"""Every valid triplet: no selection at all, the baseline the other miners are compared with."""
from __future__ import annotations

import torch

from .base_miner import BaseMiner, Triplets


class AllTripletsMiner(BaseMiner):
    """All (a, p, n) with a ≠ p, same label for a and p, a different one for n.

    A batch of P classes × K images holds P·K·(K−1)·(P−1)·K triplets, most of them already
    satisfied ("easy"), which is why averaging over all of them makes the loss shrink fast
    while learning stalls. Order: sorted by (a, p, n).
    """

    def mine(self, mat: torch.Tensor, labels: torch.Tensor,
             pos: torch.Tensor, neg: torch.Tensor) -> Triplets:
        return torch.where(pos.unsqueeze(2) & neg.unsqueeze(1))
