"""What a run needs before its first step: the device, the seeds, and the network the config implies."""
from __future__ import annotations

import random

import numpy as np
import torch

from ..data import ImageSet
from ..models import ModelConfig
from .config import TrainConfig
from .objectives import loss_class


def resolve_device(device: str = "auto") -> torch.device:
    if device == "auto":
        if torch.cuda.is_available():
            return torch.device("cuda")
        if getattr(torch.backends, "mps", None) and torch.backends.mps.is_available():
            return torch.device("mps")
        return torch.device("cpu")
    return torch.device(device)


PHOTOS = ("faces", "faces-aligned", "olivetti")  # pictures whose grey levels are never turned over


def seed_everything(seed: int) -> None:
    random.seed(seed)
    np.random.seed(seed % 2**32)
    torch.manual_seed(seed)


def model_config_for(cfg: TrainConfig, data: ImageSet) -> ModelConfig:
    """The network a training config implies for a dataset; the objective says what it must carry."""
    needs, m = loss_class(cfg.objective.loss), cfg.model
    return ModelConfig(
        backbone=m.backbone, embedding_dim=m.embedding_dim, input_size=data.image_size,
        head=needs.head, distance=m.distance, normalize=needs.normalize,
        num_classes=data.num_classes if needs.classifier else None,
        width=m.width, batch_norm=m.batch_norm, dropout=m.dropout, flip_average=m.flip_average,
        # Drawings and clothes are learnt bright on dark: prepare() turns any input that way (from its border).
        polarity="keep" if data.name in PHOTOS else "auto", strokes=m.strokes,
        test_shifts=m.test_shifts, members=cfg.run.members, member_join=cfg.run.member_join,
        cohort_size=len(data) if cfg.run.score_norm else 0)
