"""Koch et al.'s optimiser: plain SGD with one learning rate, momentum and L2 weight per layer.

Per layer j: learning rate η_j decayed by 1 % every epoch (η_j ← 0.99 η_j: the config's lr_decay,
applied by schedules.LearningRate); momentum starting at 0.5 and rising linearly each epoch until it
reaches μ_j (this schedule); L2 regularisation λ_j (the weight decay λ_j·w added to the gradient).
The paper picked η_j, μ_j, λ_j by Bayesian optimisation in the ranges
η ∈ [1e-4, 1e-1], μ ∈ [0, 1], λ ∈ [0, 0.1] and did not publish the values it found.
"""
from __future__ import annotations

from dataclasses import dataclass

import torch
from torch import nn


def layers_with_weights(model: nn.Module) -> list[nn.Module]:
    """Conv and dense layers in forward order (Koch: conv1..conv4, the 4096 dense layer, the α layer)."""
    return [m for m in model.modules() if isinstance(m, (nn.Conv2d, nn.Linear))]


def _per_layer(values: tuple[float, ...] | None, default: float, n: int, what: str) -> list[float]:
    if values is None:
        return [default] * n
    values = [float(v) for v in values]
    if len(values) == 1:
        return values * n
    if len(values) != n:
        raise ValueError(f"{what} needs one value per layer ({n}) or a single value, got {len(values)}")
    return values


@dataclass
class KochSchedule:
    """Builds the SGD optimiser and moves each layer's momentum at the end of every epoch."""

    optimizer: torch.optim.SGD
    final_momentum: list[float]
    momentum_start: float = 0.5
    momentum_epochs: int = 20      # epochs to reach μ_j from 0.5 (Koch)

    @classmethod
    def build(cls, model: nn.Module, lrs, momenta, l2s, lr: float, momentum: float, weight_decay: float,
              momentum_start: float = 0.5, extra_params=()) -> KochSchedule:
        layers = layers_with_weights(model)
        n = len(layers)
        lrs, mus, l2s = (_per_layer(lrs, lr, n, "layer_lrs"), _per_layer(momenta, momentum, n, "layer_momentum"),
                         _per_layer(l2s, weight_decay, n, "layer_l2"))
        groups = [{"params": list(m.parameters()), "lr": a, "weight_decay": b, "momentum": momentum_start}
                  for m, a, b in zip(layers, lrs, l2s)]
        seen = {id(p) for g in groups for p in g["params"]}
        rest = [p for p in list(model.parameters()) + list(extra_params) if id(p) not in seen]
        if rest:  # anything else (e.g. a loss with parameters) learns like the last layer
            groups.append({"params": rest, "lr": lrs[-1], "weight_decay": l2s[-1], "momentum": momentum_start})
            mus = mus + [mus[-1]]
        opt = torch.optim.SGD(groups, lr=lrs[0], momentum=momentum_start)
        return cls(opt, mus, momentum_start)

    def epoch_end(self, epoch: int) -> None:
        """After `epoch` completed epochs: momentum one step closer to μ_j."""
        t = min(1.0, epoch / self.momentum_epochs)
        for g, mu in zip(self.optimizer.param_groups, self.final_momentum):
            g["momentum"] = self.momentum_start + (mu - self.momentum_start) * t
