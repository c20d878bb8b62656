"""FaceNet's semi-hard triplets: negatives beyond the positive, but still inside the margin."""
from __future__ import annotations

import torch

from .base_miner import BaseMiner, Triplets


class SemiHardMiner(BaseMiner):
    """All triplets with d(a, p) < d(a, n) ≤ d(a, p) + margin (Schroff et al. 2015).

    They still violate the margin (loss > 0) but the negative is not *closer* than the positive,
    which FaceNet found avoids the collapse that the hardest negatives cause early in training.
    FaceNet draws one such negative per (a, p); like pytorch-metric-learning's
    TripletMarginMiner(type_of_triplets="semihard") we return all of them.
    Use the same margin as the TripletLoss.
    """

    def __init__(self, margin: float = 0.2):
        super().__init__()
        if margin <= 0:
            raise ValueError(f"SemiHardMiner needs margin > 0, got {margin}")
        self.margin = margin

    def mine(self, mat: torch.Tensor, labels: torch.Tensor,
             pos: torch.Tensor, neg: torch.Tensor) -> Triplets:
        a, p, n = torch.where(pos.unsqueeze(2) & neg.unsqueeze(1))
        gap = mat[a, n] - mat[a, p]  # how much farther the negative is
        keep = (gap > 0) & (gap <= self.margin)
        return a[keep], p[keep], n[keep]

    def extra_repr(self) -> str:
        return f"margin={self.margin}"
