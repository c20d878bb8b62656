"""Binary cross-entropy on pairs: the network outputs p(same) for two images (Koch et al. 2015)."""
from __future__ import annotations

import torch
import torch.nn.functional as F

from .base_loss import BaseLoss


def bce(p: float | torch.Tensor, y: float | torch.Tensor) -> float | torch.Tensor:
    """L = −[y·log p + (1 − y)·log(1 − p)] on probabilities, for the teaching pages.

    bce(0.99, 1) ≈ 0.01005 (confident and right: cheap); bce(0.001, 1) ≈ 6.9078 (confident and
    wrong: expensive). Two numbers in → a float; a tensor in → a tensor, element-wise.
    p is clipped to [eps, 1 − eps] (eps of its dtype) so p = 0 or 1 gives a large finite loss,
    not inf. For training use PairBCELoss, which works on logits.
    """
    as_float = not isinstance(p, torch.Tensor) and not isinstance(y, torch.Tensor)
    dtype = p.dtype if isinstance(p, torch.Tensor) and p.is_floating_point() else torch.float64
    p_t = torch.as_tensor(p, dtype=dtype)
    y_t = torch.as_tensor(y, dtype=dtype, device=p_t.device)
    if bool(((p_t < 0) | (p_t > 1)).any()) or bool(((y_t < 0) | (y_t > 1)).any()):
        raise ValueError("bce: p and y must lie in [0, 1] (p is a probability, y = 1 same / 0 different)")
    eps = torch.finfo(dtype).eps
    p_t = p_t.clamp(eps, 1 - eps)
    out = -(y_t * torch.log(p_t) + (1 - y_t) * torch.log1p(-p_t))
    return float(out) if as_float else out


class PairBCELoss(BaseLoss):
    """`forward(logits, y)`: mean BCE of σ(logit) against y (1 same, 0 different).

    Works on logits through binary_cross_entropy_with_logits, which computes log σ(z) without
    forming σ(z): no log(0) when the network is very sure. Logits and y of shape (N,) or (N, 1).
    stats: loss, accuracy (σ(logit) > 0.5, i.e. logit > 0, against y), mean_probability.
    """

    stat_names = ("loss", "accuracy", "mean_probability")

    def forward(self, logits: torch.Tensor, y: torch.Tensor) -> torch.Tensor:
        logits = _as_vector(logits, "logits")
        y = _as_vector(torch.as_tensor(y, device=logits.device), "y").to(logits.dtype)
        if logits.shape != y.shape:
            raise ValueError(f"PairBCELoss: need one y per logit, got {tuple(y.shape)} for {tuple(logits.shape)}")
        loss = F.binary_cross_entropy_with_logits(logits, y)
        with torch.no_grad():
            self._record(loss=loss, accuracy=((logits > 0) == (y > 0.5)).float().mean(),
                         mean_probability=torch.sigmoid(logits).mean())
        return loss


def _as_vector(t: torch.Tensor, what: str) -> torch.Tensor:
    if t.ndim == 2 and t.shape[1] == 1:
        return t.squeeze(1)
    if t.ndim != 1:
        raise ValueError(f"PairBCELoss: {what} must have shape (N,) or (N, 1), got {tuple(t.shape)}")
    return t
