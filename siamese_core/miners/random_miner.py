"""One random negative per positive pair: the cheap baseline between "all" and the hard miners."""
from __future__ import annotations

import torch

from .base_miner import BaseMiner, Triplets


class RandomTripletMiner(BaseMiner):
    """For every valid (a, p) pair, one negative drawn uniformly among a's negatives.

    seed: an int makes the sequence of draws reproducible (a private torch.Generator, advanced
    by each call); None uses torch's global generator (reproducible under torch.manual_seed).
    Draws happen on the CPU, so the same seed gives the same triplets on every device.
    """

    def __init__(self, seed: int | None = None):
        super().__init__()
        self.seed = seed
        self.generator = None if seed is None else torch.Generator().manual_seed(seed)

    def mine(self, mat: torch.Tensor, labels: torch.Tensor,
             pos: torch.Tensor, neg: torch.Tensor) -> Triplets:
        pos, neg = pos.cpu(), neg.cpu()
        pos = pos & neg.any(1, keepdim=True)  # anchors with no negative (one-class batch) drop out
        a, p = torch.where(pos)
        # A uniform random score per candidate, −1 on non-negatives: the argmax is a uniform draw.
        scores = torch.rand((len(a), len(labels)), generator=self.generator)
        scores = scores.masked_fill(~neg[a], -1.0)
        n = scores.argmax(1) if len(a) else torch.empty(0, dtype=torch.long)
        return a, p, n

    def extra_repr(self) -> str:
        return f"seed={self.seed}"
