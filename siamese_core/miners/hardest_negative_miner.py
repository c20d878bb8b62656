"""FaceNet's "hardest negatives": every positive pair, with the anchor's nearest negative."""
from __future__ import annotations

import torch

from .base_miner import BaseMiner, Triplets


class HardestNegativeMiner(BaseMiner):
    """For every valid (a, p) pair: n = argmin over a's negatives of d(a, n).

    Unlike batch-hard, all positives are kept; only the negative is the hardest. FaceNet warns
    that this choice early in training can collapse the model (every embedding to one point),
    which is what the teaching page demonstrates. Ties go to the lowest index.
    """

    def mine(self, mat: torch.Tensor, labels: torch.Tensor,
             pos: torch.Tensor, neg: torch.Tensor) -> Triplets:
        inf = torch.finfo(mat.dtype).max
        nearest = mat.masked_fill(~neg, inf).argmin(1)
        a, p = torch.where(pos & neg.any(1, keepdim=True))
        return a, p, nearest[a]
