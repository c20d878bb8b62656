"""Metric-learning losses. y = 1 means SAME class everywhere."""
from __future__ import annotations

from .base_loss import BaseLoss
from .center_loss import CenterLoss
from .contrastive_loss import ContrastiveLoss
from .cosface_loss import CosFaceLoss
from .pair_bce_loss import PairBCELoss, bce
from .prototypical_loss import PrototypicalLoss
from .triplet_loss import TripletLoss

__all__ = ["BaseLoss", "CenterLoss", "ContrastiveLoss", "CosFaceLoss", "PairBCELoss", "PrototypicalLoss",
           "TripletLoss", "bce"]
