"""scikit-learn's bundled 8×8 digits: the dataset that needs no files at all."""
from __future__ import annotations

import importlib.metadata
import importlib.util
from pathlib import Path

import numpy as np
import torch

from .array_cache import arrays_dir, mapped, saved
from .base import ImageSet, file_digest

SPLITS = ("train", "test")


def check_exists(root: Path, split: str) -> bool:
    """Always there: the data ships inside scikit-learn."""
    return True


def load_digits(root: Path, split: str, download: bool = False) -> ImageSet:
    """1,797 digits (values 0..16, ink bright) with a fixed stratified 70/30 split."""
    stem = _arrays_stem(split)
    arrays = mapped(stem)
    if arrays is None:
        arrays = _split_and_save(split)
    return ImageSet("digits", split, arrays[0], arrays[1], [str(d) for d in range(10)],
                    meta={"source": "sklearn.datasets.load_digits"})


def _arrays_stem(split: str) -> Path | None:
    """Where a split is kept, named after scikit-learn's data file and version (its split is scikit-learn's):
    found without importing scikit-learn, which costs a training process a second and 150 MB (with scipy,
    pandas and pyarrow) for 8×8 digits. None where scikit-learn's data file is not where it keeps it."""
    spec = importlib.util.find_spec("sklearn")
    if spec is None or not spec.submodule_search_locations:
        return None
    try:
        digest = file_digest(Path(spec.submodule_search_locations[0]) / "datasets" / "data" / "digits.csv.gz")
        version = importlib.metadata.version("scikit-learn")
    except (OSError, importlib.metadata.PackageNotFoundError):
        return None
    return arrays_dir() / f"digits-{split}-{digest[:12]}-sklearn-{version}"


def _split_and_save(split: str) -> tuple[torch.Tensor, torch.Tensor]:
    """Both splits from scikit-learn (each kept for every later load, in any process); the one asked for."""
    from sklearn.datasets import load_digits as _sklearn_digits
    from sklearn.model_selection import train_test_split

    bunch = _sklearn_digits()
    images = bunch.images.astype(np.float32) / 16.0
    # Fixed seed + stratify: the same split on every machine, every class in both halves.
    x_train, x_test, y_train, y_test = train_test_split(
        images, bunch.target, test_size=0.3, stratify=bunch.target, random_state=0)
    splits = {"train": (x_train, y_train), "test": (x_test, y_test)}
    for name, (x, y) in splits.items():
        x, y = torch.from_numpy(x).unsqueeze(1), torch.from_numpy(y).long()
        splits[name] = saved(_arrays_stem(name), x, y) or (x, y)
    return splits[split]
