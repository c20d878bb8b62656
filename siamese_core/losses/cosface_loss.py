"""CosFace (Wang et al. 2018), a.k.a. additive-margin softmax: classify unit-length embeddings by
their cosine to learned unit-length class directions, with the true class's cosine lowered by m."""
from __future__ import annotations

import torch
import torch.nn.functional as F
from torch import nn

from .base_loss import BaseLoss


class CosFaceLoss(BaseLoss):
    """L = CE(s · (cos θ_j − m·[j = y])), cos θ_j = ⟨x/‖x‖, w_j/‖w_j‖⟩, learnable w (C × D).

    Why a classifier trains a *Siamese* embedding: with both sides normalised the only thing the loss
    can use is the angle, and the margin forces every face at least m closer (in cosine) to its own
    person's direction than to any other person's — a margin on angles, like the triplet loss, but
    against all C people at once instead of the few a batch happens to hold. The class directions
    are thrown away after training; unseen people are compared by embedding distance.
    Give the optimizer this module's parameters.

    stats: loss, accuracy (training batch, without the margin), mean_cos_true (mean cos θ_y).
    """

    stat_names = ("loss", "accuracy", "mean_cos_true")

    def __init__(self, num_classes: int, feat_dim: int, scale: float = 30.0, margin: float = 0.35):
        super().__init__()
        if num_classes < 2 or feat_dim < 1:
            raise ValueError(f"CosFaceLoss needs num_classes ≥ 2 and feat_dim ≥ 1, got {num_classes}, {feat_dim}")
        if scale <= 0 or not 0 <= margin < 1:
            raise ValueError(f"CosFaceLoss needs scale > 0 and margin in [0, 1), got {scale}, {margin}")
        self.num_classes, self.feat_dim, self.scale, self.margin = num_classes, feat_dim, scale, margin
        self.weight = nn.Parameter(torch.randn(num_classes, feat_dim) * 0.01)

    def forward(self, embeddings: torch.Tensor, labels: torch.Tensor) -> torch.Tensor:
        self.check_embeddings_labels(embeddings, labels, "CosFaceLoss")
        if embeddings.shape[1] != self.feat_dim:
            raise ValueError(f"CosFaceLoss: embeddings have {embeddings.shape[1]} dims, classes {self.feat_dim}")
        labels = labels.to(self.weight.device)
        if len(labels) and (bool(labels.min() < 0) or bool(labels.max() >= self.num_classes)):
            raise ValueError(f"CosFaceLoss: labels must lie in 0..{self.num_classes - 1}")
        if len(labels) == 0:
            loss = self.zero_loss(embeddings) + self.zero_loss(self.weight)
            self._record(loss=loss)
            return loss
        cos = F.normalize(embeddings, dim=1) @ F.normalize(self.weight, dim=1).t()
        logits = self.scale * (cos - self.margin * F.one_hot(labels, self.num_classes))
        loss = F.cross_entropy(logits, labels)
        self._record(loss=loss, accuracy=(cos.argmax(1) == labels).float().mean(),
                     mean_cos_true=cos.gather(1, labels[:, None]).mean())
        return loss

    def extra_repr(self) -> str:
        return f"num_classes={self.num_classes}, feat_dim={self.feat_dim}, scale={self.scale}, margin={self.margin}"
