"""What every loss shares: input checks, a graph-connected zero, and the `stats` dict."""
from __future__ import annotations

import math

import torch
from torch import nn


class BaseLoss(nn.Module):
    """A loss module that also records, on every forward, floats a teacher wants to chart.

    `self.stats` maps each name in `stat_names` to a float; it exists (all nan) before the first
    call so a chart can be laid out in advance, and a value is nan when undefined for that batch
    (e.g. the mean positive distance of a batch without positive pairs).
    """

    stat_names: tuple[str, ...] = ("loss",)

    def __init__(self):
        super().__init__()
        self.stats: dict[str, float] = {k: math.nan for k in self.stat_names}

    def _record(self, **values: float | torch.Tensor) -> None:
        self.stats = {k: _to_float(values.get(k, math.nan)) for k in self.stat_names}

    @staticmethod
    def zero_loss(like: torch.Tensor) -> torch.Tensor:
        """0, still attached to the graph: `loss.backward()` works (zero grads) on a batch with
        nothing to learn from (no pairs, no triplets) instead of raising."""
        return like.sum() * 0.0

    @staticmethod
    def check_embeddings_labels(embeddings: torch.Tensor, labels: torch.Tensor, who: str) -> None:
        if not isinstance(embeddings, torch.Tensor) or embeddings.ndim != 2:
            shape = tuple(embeddings.shape) if isinstance(embeddings, torch.Tensor) else type(embeddings).__name__
            raise ValueError(f"{who}: embeddings must be a 2-D tensor (batch, embedding_dim), got {shape}")
        if not isinstance(labels, torch.Tensor) or labels.ndim != 1 or len(labels) != len(embeddings):
            shape = tuple(labels.shape) if isinstance(labels, torch.Tensor) else type(labels).__name__
            raise ValueError(f"{who}: labels must be a 1-D tensor with one label per embedding, got "
                             f"{shape} for embeddings {tuple(embeddings.shape)}")


def _to_float(v: float | torch.Tensor) -> float:
    return float(v.detach()) if isinstance(v, torch.Tensor) else float(v)


def masked_mean(values: torch.Tensor, mask: torch.Tensor) -> torch.Tensor | float:
    """Mean of values[mask]; nan (a float) when the mask is empty."""
    return values[mask].mean() if bool(mask.any()) else math.nan
