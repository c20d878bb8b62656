"""The one shape every dataset comes in, and the error a missing dataset raises."""
from __future__ import annotations

import hashlib
import os
from dataclasses import dataclass, field
from pathlib import Path

import torch

ENV_VAR = "SIAMESE_LAB_DATA"


def default_data_dir() -> Path:
    """Per-user cache: $XDG_CACHE_HOME/siamese-lab/data, else ~/.cache/siamese-lab/data."""
    cache = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return Path(cache) / "siamese-lab" / "data"


def resolve_data_dir(data_dir: str | os.PathLike | None = None) -> Path:
    """The one data-directory setting: explicit argument > $SIAMESE_LAB_DATA > per-user cache."""
    if data_dir:
        return Path(data_dir).expanduser()
    if os.environ.get(ENV_VAR):
        return Path(os.environ[ENV_VAR]).expanduser()
    return default_data_dir()


def file_digest(path: str | os.PathLike, algorithm: str = "md5") -> str:
    """The file's checksum (hex) by hashlib's `algorithm`, read in chunks."""
    with open(path, "rb") as f:
        return hashlib.file_digest(f, algorithm).hexdigest()


def md5_matches(path: str | os.PathLike, md5: str) -> bool:
    """Whether the file exists and has this md5 (torchvision's check_integrity, without importing torchvision:
    a second of every training process's start)."""
    try:
        return file_digest(path) == md5
    except OSError:
        return False


class DatasetNotFoundError(FileNotFoundError):
    """Raised with one sentence saying what is missing and how to get it."""


def as_float(images: torch.Tensor) -> torch.Tensor:
    """Images as float32 in [0, 1]: stored bytes (uint8, 0..255) divided by 255 into a new tensor, exactly as
    the loaders used to keep them; float images as they are."""
    return images.float().div_(255) if images.dtype == torch.uint8 else images


@dataclass
class ImageSet:
    """Images N×1×H×W (ink/foreground bright), int64 labels 0..C-1. A dataset stored as bytes (MNIST,
    Fashion-MNIST) keeps them as uint8, 0..255, a quarter of float32's memory, and a reader turns the rows it
    reads into float32 in [0, 1] with `rows` (or `as_float`); the others are float32 in [0, 1]."""

    name: str
    split: str
    images: torch.Tensor
    labels: torch.Tensor
    class_names: list[str]
    alphabets: list[str] | None = None  # per class; Omniglot only
    meta: dict = field(default_factory=dict)

    def __post_init__(self):
        if self.images.ndim != 4 or self.images.shape[1] != 1:
            raise ValueError(f"images must be N×1×H×W, got {tuple(self.images.shape)}")
        if len(self.images) != len(self.labels):
            raise ValueError("images and labels differ in length")
        if self.images.dtype not in (torch.uint8, torch.float32):
            raise ValueError(f"images must be uint8 or float32, got {self.images.dtype}")

    def __len__(self) -> int:
        return len(self.labels)

    @property
    def num_classes(self) -> int:
        return len(self.class_names)

    def rows(self, indices) -> torch.Tensor:
        """Images `indices` (an index, a slice or a tensor of them) as float32 in [0, 1]."""
        return as_float(self.images[indices])

    @property
    def image_size(self) -> tuple[int, int]:
        return tuple(self.images.shape[-2:])

    def _meta_rows(self, idx: torch.Tensor) -> dict:
        """meta with every per-image tensor (e.g. Omniglot's drawer ids) cut to the same rows."""
        n = len(self)
        return {k: (v[idx] if isinstance(v, torch.Tensor) and v.ndim and len(v) == n else v)
                for k, v in self.meta.items()}

    def subset(self, indices) -> ImageSet:
        """Rows `indices`, labels kept as they are (class_names unchanged)."""
        idx = torch.as_tensor(indices, dtype=torch.long)
        return ImageSet(self.name, self.split, self.images[idx], self.labels[idx],
                        self.class_names, self.alphabets, self._meta_rows(idx))

    def classes_subset(self, classes) -> ImageSet:
        """Only the given classes, relabelled 0..len(classes)-1 in the given order."""
        classes = [int(c) for c in classes]
        remap = torch.full((self.num_classes,), -1, dtype=torch.long)
        remap[torch.tensor(classes)] = torch.arange(len(classes))
        keep = torch.nonzero(remap[self.labels] >= 0).squeeze(1)
        return ImageSet(self.name, self.split, self.images[keep], remap[self.labels[keep]],
                        [self.class_names[c] for c in classes],
                        [self.alphabets[c] for c in classes] if self.alphabets else None,
                        self._meta_rows(keep))
