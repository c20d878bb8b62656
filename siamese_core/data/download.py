"""Getting a dataset onto this machine: torchvision / scikit-learn downloads into the data folder."""
from __future__ import annotations

import os
from typing import Callable

from .omniglot import load_official_runs
from .registry import DATASETS, get_spec, load_dataset

Progress = Callable[[str, float], None]  # (what is happening, fraction done 0..1)


def download_dataset(name: str, data_dir: str | os.PathLike | None = None, progress: Progress | None = None) -> None:
    """Download every split of dataset `name` (needs internet); nothing is downloaded anywhere else."""
    spec = get_spec(name)
    for k, split in enumerate(spec.splits):
        if progress:
            progress(f"{spec.title}: {split}", k / len(spec.splits))
        load_dataset(name, split, data_dir, download=True)
    if name == "omniglot":  # the 20 official one-shot runs come as their own file
        load_official_runs(data_dir, download=True)
    if progress:
        progress(f"{spec.title}: done", 1.0)


def download_all(data_dir: str | os.PathLike | None = None, progress: Progress | None = None) -> None:
    for name in DATASETS:
        download_dataset(name, data_dir, progress)
