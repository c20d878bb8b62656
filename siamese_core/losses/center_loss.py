"""Center loss (Wen, Zhang, Li & Qiao 2016): pull each feature to a learned centre of its class."""
from __future__ import annotations

import torch
from torch import nn

from .base_loss import BaseLoss


class CenterLoss(BaseLoss):
    """L = lam · ½ · mean_i ‖x_i − c_{y_i}‖², with learnable centres c (an nn.Parameter, C × D).

    Added by the caller to softmax cross-entropy: CE separates the classes, this term makes each
    class compact. Note the *mean* over the batch: the paper writes a sum over the mini-batch;
    the mean keeps lam's meaning independent of the batch size.
    The centres are learned by the optimizer together with the network (the paper updates them
    with its own rate α; plain gradient descent on this loss moves each centre toward the mean
    of its batch features at a rate set by lr · lam), so give the optimizer this module's parameters.

    stats: loss, mean_center_distance (mean ‖x_i − c_{y_i}‖, not squared).
    """

    stat_names = ("loss", "mean_center_distance")

    def __init__(self, num_classes: int, feat_dim: int, lam: float = 0.01):
        super().__init__()
        if num_classes < 1 or feat_dim < 1:
            raise ValueError(f"CenterLoss needs num_classes ≥ 1 and feat_dim ≥ 1, got {num_classes}, {feat_dim}")
        if lam < 0:
            raise ValueError(f"CenterLoss needs lam ≥ 0, got {lam}")
        self.num_classes, self.feat_dim, self.lam = num_classes, feat_dim, lam
        self.centers = nn.Parameter(torch.randn(num_classes, feat_dim))

    def forward(self, features: torch.Tensor, labels: torch.Tensor) -> torch.Tensor:
        self.check_embeddings_labels(features, labels, "CenterLoss")
        if features.shape[1] != self.feat_dim:
            raise ValueError(f"CenterLoss: features have {features.shape[1]} dims, centres {self.feat_dim}")
        labels = labels.to(self.centers.device)
        if len(labels) and (bool(labels.min() < 0) or bool(labels.max() >= self.num_classes)):
            raise ValueError(f"CenterLoss: labels must lie in 0..{self.num_classes - 1}")
        if len(labels) == 0:
            loss = self.zero_loss(features) + self.zero_loss(self.centers)
            self._record(loss=loss)
            return loss
        sq = (features - self.centers[labels]).pow(2).sum(1)
        loss = self.lam * 0.5 * sq.mean()
        self._record(loss=loss, mean_center_distance=sq.detach().sqrt().mean())
        return loss

    def extra_repr(self) -> str:
        return f"num_classes={self.num_classes}, feat_dim={self.feat_dim}, lam={self.lam}"
