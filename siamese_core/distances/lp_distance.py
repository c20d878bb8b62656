"""Minkowski distances: p=2 Euclidean ("l2"), p=1 Manhattan ("l1")."""
from __future__ import annotations

import torch

from .base_distance import BaseDistance

# Rows of x per chunk are chosen so one chunk's (rows, M, D) difference tensor stays this small:
# scoring 1 000 queries against a 10 000-image gallery must not allocate gigabytes at once.
_MAX_CHUNK_ELEMENTS = 2**24


class LpDistance(BaseDistance):
    """d(x, y) = (Σ_j |x_j − y_j|^p)^(1/p) for p = 1 or 2.

    Computed from explicit differences (not the ‖x‖² + ‖y‖² − 2x·y expansion), so d(x, x) is
    exactly 0 and small distances keep their precision.

    eps: for p=2, sqrt is taken of max(Σ(x−y)², eps) and the result set to 0 below eps. The
    derivative of sqrt at 0 is infinite; when two embeddings coincide (collapse, or the diagonal
    of a pairwise matrix) the backward pass would otherwise produce 0 · ∞ = NaN.
    """

    def __init__(self, p: int = 2, normalize_embeddings: bool = False, eps: float = 1e-12):
        super().__init__(normalize_embeddings=normalize_embeddings)
        if p not in (1, 2):
            raise ValueError(f"LpDistance supports p=1 (Manhattan) and p=2 (Euclidean), got p={p!r}")
        self.p = p
        self.eps = eps
        self.name = "l2" if p == 2 else "l1"

    def compute_pairwise(self, x: torch.Tensor, y: torch.Tensor) -> torch.Tensor:
        n, m, d = x.shape[0], y.shape[0], x.shape[1]
        rows = max(1, _MAX_CHUNK_ELEMENTS // max(1, m * d))
        if n <= rows:
            return self._from_diff(x.unsqueeze(1) - y.unsqueeze(0))
        return torch.cat([self._from_diff(x[s:s + rows].unsqueeze(1) - y.unsqueeze(0))
                          for s in range(0, n, rows)])

    def compute_paired(self, x: torch.Tensor, y: torch.Tensor) -> torch.Tensor:
        return self._from_diff(x - y)

    def _from_diff(self, diff: torch.Tensor) -> torch.Tensor:
        if self.p == 1:
            return diff.abs().sum(-1)  # |·| has subgradient 0 at 0: no special care needed
        sq = diff.pow(2).sum(-1)
        # Clamp *before* sqrt so its backward never sees 0, then report an exact 0 for coincident points.
        root = sq.clamp_min(self.eps).sqrt()
        return torch.where(sq > self.eps, root, torch.zeros_like(root))

    def extra_repr(self) -> str:
        return f"p={self.p}, " + super().extra_repr()
