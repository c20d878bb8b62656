"""scikit-learn's bundled 8×8 digits: the dataset that needs no files at all."""
from __future__ import annotations

from pathlib import Path

import numpy as np
import torch

from .base import ImageSet

SPLITS = ("train", "test")


def check_exists(root: Path, split: str) -> bool:
    """Always there: the data ships inside scikit-learn."""
    return True


def load_digits(root: Path, split: str, download: bool = False) -> ImageSet:
    """1,797 digits (values 0..16, ink bright) with a fixed stratified 70/30 split."""
    from sklearn.datasets import load_digits as _sklearn_digits  # here: a second to import, for 8×8 digits
    from sklearn.model_selection import train_test_split

    bunch = _sklearn_digits()
    images = bunch.images.astype(np.float32) / 16.0
    # Fixed seed + stratify: the same split on every machine, every class in both halves.
    x_train, x_test, y_train, y_test = train_test_split(
        images, bunch.target, test_size=0.3, stratify=bunch.target, random_state=0)
    x, y = (x_train, y_train) if split == "train" else (x_test, y_test)
    return ImageSet("digits", split, torch.from_numpy(x).unsqueeze(1), torch.from_numpy(y).long(),
                    [str(d) for d in range(10)], meta={"source": "sklearn.datasets.load_digits"})
