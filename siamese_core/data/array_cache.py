"""Parsed splits kept once per machine as .npy files that every process maps read-only: the web server and its
training processes share one copy of the pages (copy-on-write: a caller that writes changes its own copy)."""
from __future__ import annotations

import os
import tempfile
from pathlib import Path

import numpy as np
import torch

from .base import default_data_dir

PARTS = ("images", "labels")


def arrays_dir() -> Path:
    """The per-user folder of parsed splits, beside the per-user data cache."""
    return default_data_dir().parent / "arrays"


def mapped(stem: Path | None) -> tuple[torch.Tensor, torch.Tensor] | None:
    """The split's arrays mapped from their files (copy-on-write), or None when they are not there yet."""
    if stem is None:
        return None
    try:
        return tuple(torch.from_numpy(np.load(f"{stem}.{part}.npy", mmap_mode="c")) for part in PARTS)
    except (OSError, ValueError):   # none yet, or a file cut short: parse the source
        return None


def saved(stem: Path | None, images: torch.Tensor, labels: torch.Tensor) -> tuple[torch.Tensor, ...] | None:
    """Write the parsed split's arrays (each file whole or not at all) and map them; None where the cache
    folder cannot be written (the parsed arrays serve then)."""
    if stem is None:
        return None
    tmp = None
    try:
        stem.parent.mkdir(parents=True, exist_ok=True)
        for part, array in zip(PARTS, (images, labels)):
            fd, tmp = tempfile.mkstemp(dir=stem.parent, suffix=".npy")
            with os.fdopen(fd, "wb") as f:
                np.save(f, array.numpy())
            os.replace(tmp, f"{stem}.{part}.npy")
    except OSError:
        if tmp and os.path.exists(tmp):
            os.unlink(tmp)
        return None
    return mapped(stem)
