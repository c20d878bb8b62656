"""Optimisers by name. Each builder takes the model, the loss's own parameters (centres, class
directions) and the config's `optim` settings, and returns the optimiser and an optional per-epoch
hook (Koch's momentum ramp). Learning-rate shapes and decay are `schedules.LearningRate`'s job."""
from __future__ import annotations

from collections.abc import Callable, Iterable

import torch
from torch import nn

from .eager_optim import skip_compile_guards
from .koch_sgd import KochSchedule

EpochHook = Callable[[int], None]  # called with the number of epochs completed
Built = tuple[torch.optim.Optimizer, EpochHook | None]


def _params(model: nn.Module, extra: Iterable[nn.Parameter]) -> list[nn.Parameter]:
    return list(model.parameters()) + list(extra)


def adam(model, extra, o) -> Built:
    return torch.optim.Adam(_params(model, extra), lr=o.lr, weight_decay=o.weight_decay), None


def adamw(model, extra, o) -> Built:
    """Adam with decoupled weight decay (Loshchilov & Hutter 2019)."""
    return torch.optim.AdamW(_params(model, extra), lr=o.lr, weight_decay=o.weight_decay), None


def sgd(model, extra, o) -> Built:
    return torch.optim.SGD(_params(model, extra), lr=o.lr, momentum=o.momentum, weight_decay=o.weight_decay), None


def koch_sgd(model, extra, o) -> Built:
    """Koch et al.'s SGD: η_j, μ_j, λ_j per layer; momentum rises from 0.5 to μ_j over 20 epochs.
    Its 1 %-per-epoch decay is the config's lr_decay, applied by LearningRate like any other decay."""
    s = KochSchedule.build(model, o.layer_lrs, o.layer_momentum, o.layer_l2, o.lr, o.momentum, o.weight_decay,
                           extra_params=extra)
    return s.optimizer, s.epoch_end


OPTIMIZERS: dict[str, Callable[..., Built]] = {"adam": adam, "adamw": adamw, "sgd": sgd, "koch-sgd": koch_sgd}


def optimizer_names() -> tuple[str, ...]:
    return tuple(OPTIMIZERS)


def build_optimizer(optim_settings, model: nn.Module, extra: Iterable[nn.Parameter] = ()) -> Built:
    name = optim_settings.optimizer
    if name not in OPTIMIZERS:
        raise ValueError(f"optimizer must be one of {optimizer_names()}, not {name!r}")
    skip_compile_guards()
    return OPTIMIZERS[name](model, extra, optim_settings)
