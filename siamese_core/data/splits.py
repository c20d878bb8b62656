"""The validation split, defined once: every trainer, page, report and evaluation holds out the same images."""
from __future__ import annotations

import torch

from .base import ImageSet
from .registry import DATASETS


def is_open_world(data: ImageSet) -> bool:
    """Does this dataset test on classes never trained on (so validation holds out classes)?"""
    spec = DATASETS.get(data.name)
    return bool(spec and spec.open_world)


def split_validation(data: ImageSet, fraction: float, by_class: bool, seed: int = 0
                     ) -> tuple[ImageSet, ImageSet]:
    """Hold out `fraction` of the images (stratified), or of the classes when `by_class`."""
    g = torch.Generator().manual_seed(seed)
    if by_class:
        perm = torch.randperm(data.num_classes, generator=g)
        n_val = max(2, round(fraction * data.num_classes))
        val_classes, train_classes = perm[:n_val].sort().values, perm[n_val:].sort().values
        return data.classes_subset(train_classes.tolist()), data.classes_subset(val_classes.tolist())
    val_idx = []
    for c in range(data.num_classes):
        idx = torch.nonzero(data.labels == c).squeeze(1)
        idx = idx[torch.randperm(len(idx), generator=g)]
        val_idx.append(idx[: max(1, round(fraction * len(idx)))] if len(idx) > 1 else idx[:0])
    val_idx = torch.cat(val_idx)
    mask = torch.ones(len(data), dtype=torch.bool)
    mask[val_idx] = False
    return data.subset(torch.nonzero(mask).squeeze(1)), data.subset(val_idx.sort().values)


def validation_split(data: ImageSet, val_fraction: float = 0.1, seed: int = 0) -> tuple[ImageSet, ImageSet]:
    """(train, validation) of a training split exactly as the trainer makes it for a config with
    these `val_fraction` and `seed`: held-out classes for open-world datasets, images otherwise."""
    return split_validation(data, val_fraction, is_open_world(data), seed)
