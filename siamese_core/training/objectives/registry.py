"""Every training loss by name. A new loss: one file in this folder and one line below
(or `register_loss` from outside the package, as a test does)."""
from __future__ import annotations

from .base import Objective
from .contrastive import Contrastive
from .cosface import CosFace
from .pair_bce import PairBCEConcat, PairBCEL1
from .prototypical import Prototypical
from .softmax import Center, Softmax
from .triplet import Triplet

LOSSES: dict[str, type[Objective]] = {
    "contrastive": Contrastive,
    "triplet": Triplet,
    "bce-l1": PairBCEL1,
    "bce-concat": PairBCEConcat,
    "softmax": Softmax,
    "center": Center,
    "prototypical": Prototypical,
    "cosface": CosFace,
}


def loss_names() -> tuple[str, ...]:
    return tuple(LOSSES)


def loss_class(name: str) -> type[Objective]:
    if name not in LOSSES:
        raise ValueError(f"loss must be one of {loss_names()}, not {name!r}")
    return LOSSES[name]


def register_loss(name: str, objective: type[Objective]) -> None:
    """Make `objective` trainable as `loss=name` (config, command line, pages)."""
    if not (isinstance(objective, type) and issubclass(objective, Objective)):
        raise TypeError("a loss is registered as a subclass of training.objectives.Objective")
    LOSSES[name] = objective
