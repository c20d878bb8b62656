"""Training objectives: each loss as a uniform part the trainer calls without knowing its name."""
from .base import Objective, Output
from .registry import LOSSES, loss_class, loss_names, register_loss

__all__ = ["LOSSES", "Objective", "Output", "loss_class", "loss_names", "register_loss"]
