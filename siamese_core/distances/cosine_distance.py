"""Cosine distance: 1 − cos(x, y), in [0, 2]; only the angle matters, not the length."""
from __future__ import annotations

import torch
import torch.nn.functional as F

from .base_distance import BaseDistance


class CosineDistance(BaseDistance):
    """d(x, y) = 1 − x·y / (‖x‖ ‖y‖): 0 same direction, 1 orthogonal, 2 opposite.

    Inputs are always L2-normalised (that *is* the cosine), so `normalize_embeddings` changes
    nothing. pytorch-metric-learning's CosineSimilarity returns cos itself (a similarity); ours
    is 1 − that, so that every distance here means "bigger = farther".
    A zero vector has no direction; F.normalize leaves it at 0, so its distance to anything is 1.
    """

    name = "cosine"

    def __init__(self, normalize_embeddings: bool = True):
        super().__init__(normalize_embeddings=normalize_embeddings)

    def maybe_normalize(self, x: torch.Tensor) -> torch.Tensor:
        return F.normalize(x, p=2, dim=-1)

    def compute_pairwise(self, x: torch.Tensor, y: torch.Tensor) -> torch.Tensor:
        return self._from_cos(x @ y.T)

    def compute_paired(self, x: torch.Tensor, y: torch.Tensor) -> torch.Tensor:
        return self._from_cos((x * y).sum(-1))

    @staticmethod
    def _from_cos(cos: torch.Tensor) -> torch.Tensor:
        # Rounding can push cos a hair past ±1; clamp so d(x, x) prints as 0, never −1e-7.
        return (1.0 - cos).clamp(0.0, 2.0)

    def extra_repr(self) -> str:
        return ""
