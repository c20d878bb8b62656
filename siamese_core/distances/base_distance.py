"""What every distance shares: input checks, optional L2 normalisation, pairwise vs paired."""
from __future__ import annotations

import torch
import torch.nn.functional as F
from torch import nn


class BaseDistance(nn.Module):
    """A distance between embeddings: bigger = farther, for every subclass (no similarities here).

    Two ways to ask:
      - `pairwise(x, y)`: every row of x against every row of y → (N, M) matrix;
      - `paired(x, y)`:  row i of x against row i of y → (N,) vector ((D,) inputs → a scalar).
    Calling the module (`distance(x, y=None)`) is `pairwise`; y=None means y = x.

    normalize_embeddings: L2-normalise both inputs first (then L2 distance lies in [0, 2]).
    """

    name: str = "base"

    def __init__(self, normalize_embeddings: bool = False):
        super().__init__()
        self.normalize_embeddings = normalize_embeddings

    # --- the two entry points ----------------------------------------------------------------
    def forward(self, x: torch.Tensor, y: torch.Tensor | None = None) -> torch.Tensor:
        return self.pairwise(x, x if y is None else y)

    def pairwise(self, x: torch.Tensor, y: torch.Tensor | None = None) -> torch.Tensor:
        """(N, D) × (M, D) → (N, M), entry [i, j] = d(x_i, y_j)."""
        y = x if y is None else y
        self._check_matrix(x, "x")
        self._check_matrix(y, "y")
        if x.shape[1] != y.shape[1]:
            raise ValueError(f"{type(self).__name__}.pairwise: x and y need the same embedding size, "
                             f"got x {tuple(x.shape)} and y {tuple(y.shape)}")
        return self.compute_pairwise(self.maybe_normalize(x), self.maybe_normalize(y))

    def paired(self, x: torch.Tensor, y: torch.Tensor) -> torch.Tensor:
        """(N, D) and (N, D) → (N,), entry i = d(x_i, y_i). Two (D,) vectors → a 0-dim tensor."""
        if x.ndim == 1 and y.ndim == 1:
            return self.paired(x.unsqueeze(0), y.unsqueeze(0)).squeeze(0)
        self._check_matrix(x, "x")
        self._check_matrix(y, "y")
        if x.shape != y.shape:
            raise ValueError(f"{type(self).__name__}.paired compares row i with row i, so x and y need "
                             f"the same shape, got x {tuple(x.shape)} and y {tuple(y.shape)}")
        return self.compute_paired(self.maybe_normalize(x), self.maybe_normalize(y))

    # --- what subclasses write -----------------------------------------------------------------
    def compute_pairwise(self, x: torch.Tensor, y: torch.Tensor) -> torch.Tensor:
        raise NotImplementedError

    def compute_paired(self, x: torch.Tensor, y: torch.Tensor) -> torch.Tensor:
        raise NotImplementedError

    # --- shared helpers ------------------------------------------------------------------------
    def maybe_normalize(self, x: torch.Tensor) -> torch.Tensor:
        # Always the L2 norm (pytorch-metric-learning normalises with the distance's own p).
        return F.normalize(x, p=2, dim=-1) if self.normalize_embeddings else x

    def _check_matrix(self, t: torch.Tensor, what: str) -> None:
        if not isinstance(t, torch.Tensor):
            raise TypeError(f"{type(self).__name__}: {what} must be a torch.Tensor, got {type(t).__name__}")
        if t.ndim != 2:
            raise ValueError(f"{type(self).__name__}: {what} must be 2-D (batch, embedding_dim), "
                             f"got shape {tuple(t.shape)}")
        if not t.is_floating_point():
            raise TypeError(f"{type(self).__name__}: {what} must be a floating-point tensor, got {t.dtype}")

    def extra_repr(self) -> str:
        return f"normalize_embeddings={self.normalize_embeddings}"
