"""Pair heads: turn two embeddings into one logit for p(same). Both are symmetric in (h1, h2)."""
from __future__ import annotations

import torch
from torch import nn


class WeightedL1Head(nn.Module):
    """Koch's distance layer: p = σ(Σ_j α_j |h1_j − h2_j| + b), α learned."""

    def __init__(self, embedding_dim: int):
        super().__init__()
        self.alpha = nn.Linear(embedding_dim, 1)

    def forward(self, h1: torch.Tensor, h2: torch.Tensor) -> torch.Tensor:
        return self.alpha((h1 - h2).abs()).squeeze(-1)  # logit; σ is applied by the loss / caller


class ConcatHead(nn.Module):
    """The course's BCE model: concatenate both embeddings → dense → ReLU → dense 1 (→ σ).

    Concatenation alone is order-dependent, so both orders are scored and averaged: the head is
    then symmetric by construction, which the twin architecture promises."""

    def __init__(self, embedding_dim: int, hidden: int = 64):
        super().__init__()
        self.mlp = nn.Sequential(nn.Linear(2 * embedding_dim, hidden), nn.ReLU(inplace=True),
                                 nn.Linear(hidden, 1))

    def forward(self, h1: torch.Tensor, h2: torch.Tensor) -> torch.Tensor:
        a = self.mlp(torch.cat([h1, h2], dim=-1))
        b = self.mlp(torch.cat([h2, h1], dim=-1))
        return ((a + b) / 2).squeeze(-1)


HEADS = {"l1": WeightedL1Head, "concat": ConcatHead}
