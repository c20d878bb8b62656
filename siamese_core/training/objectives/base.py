"""What every training objective shares: the batch in, (loss, statistics) out, and what it needs of the model.

An objective wraps one loss of `siamese_core.losses` for the trainer. Its class attributes say what the
network must carry (a pair head, a classifier over the training classes, unit-length embeddings) and
the margin it uses when the config leaves it unset, so `model_config_for` and config validation ask
the objective instead of keeping lists of loss names. Adding a loss = one file here + one registry line.
"""
from __future__ import annotations

import torch
from torch import nn

Output = tuple[torch.Tensor, dict]  # (the loss to minimise, floats a teacher wants to chart)


class Objective(nn.Module):
    """Subclasses set the class attributes and write `build` and `forward` (and `pair_loss` for pair losses)."""

    help: str = ""                    # one line for --help
    head: str | None = None           # the pair head the model needs ("l1", "concat"); None: distance scores
    classifier: bool = False          # a linear classifier over the training classes on the embedding
    normalize: bool = False           # unit-length embeddings (a margin of 1 then fits any size)
    uses_margin: bool = False         # the loss has a margin (the pages show it, and its default)
    default_margin: float = 1.0       # used when the config's margin is None
    pairs: bool = False               # can train on Koch's fixed pair sets

    @classmethod
    def check(cls, settings) -> None:
        """Refuse objective settings (margin, scale, …) this loss cannot use, in one sentence."""
        if settings.margin is not None and settings.margin <= 0:
            raise ValueError("margin must be > 0")

    @classmethod
    def build(cls, cfg, model: nn.Module, num_classes: int, generator: torch.Generator) -> Objective:
        """The objective for a TrainConfig `cfg`, a built model and the training classes."""
        raise NotImplementedError

    def forward(self, model: nn.Module, embeddings: torch.Tensor, labels: torch.Tensor) -> Output:
        """The loss of one batch of embeddings (B×D) with their class labels (B,)."""
        raise NotImplementedError

    def pair_loss(self, model: nn.Module, h1: torch.Tensor, h2: torch.Tensor, y: torch.Tensor) -> Output:
        """The loss of explicit pairs (h1[i], h2[i]) with y = 1 same / 0 different."""
        raise ValueError(f"{type(self).__name__} does not train on explicit pairs")


def stats_of(loss_module) -> dict:
    """A copy of a `BaseLoss`'s statistics of its last call."""
    return dict(getattr(loss_module, "stats", {}) or {})
