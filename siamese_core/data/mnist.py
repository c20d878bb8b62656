"""MNIST and Fashion-MNIST, from torchvision's layout or straight from the four .gz files."""
from __future__ import annotations

import gzip
import struct
from pathlib import Path

import numpy as np
import torch
from torchvision.datasets import MNIST, FashionMNIST
from torchvision.datasets.utils import check_integrity

from .base import DatasetNotFoundError, ImageSet

SPLITS = ("train", "test")
_IMAGES_MAGIC, _LABELS_MAGIC = 2051, 2049
_NAMES = {MNIST: "mnist", FashionMNIST: "fashion-mnist"}  # registry names

# (raw folder, split) -> (uint8 N×28×28, int64 N). Parsing 60,000 images takes a second; do it once.
_CACHE: dict[tuple[str, str], tuple[torch.Tensor, torch.Tensor]] = {}


def _raw_folder(root: Path, cls: type[MNIST]) -> Path:
    return Path(root) / cls.__name__ / "raw"


def _split_files(cls: type[MNIST], split: str) -> list[tuple[str, str]]:
    """(gz name, md5) of the images file then the labels file of one split."""
    prefix = "train" if split == "train" else "t10k"
    return sorted((f, md5) for f, md5 in cls.resources if f.startswith(prefix))  # images < labels


def _has_uncompressed(raw: Path, cls: type[MNIST]) -> bool:
    # What torchvision's own MNIST._check_exists looks for: all four files, whatever the split.
    return all((raw / f.removesuffix(".gz")).is_file() for f, _ in cls.resources)


def _has_gz(raw: Path, files: list[tuple[str, str]]) -> bool:
    return all((raw / f).is_file() for f, _ in files)


def _check_exists(root: Path, split: str, cls: type[MNIST]) -> bool:
    raw, files = _raw_folder(root, cls), _split_files(cls, split)
    return _has_uncompressed(raw, cls) or _has_gz(raw, files)


def _read_idx_gz(path: Path, magic: int) -> np.ndarray:
    """Parse one gzipped IDX file in memory: big-endian int32 magic, int32 dims, then uint8 data."""
    with gzip.open(path, "rb") as f:
        data = f.read()
    ndim = 3 if magic == _IMAGES_MAGIC else 1
    got, *dims = struct.unpack(f">{1 + ndim}i", data[:4 * (1 + ndim)])
    body = np.frombuffer(data, dtype=np.uint8, offset=4 * (1 + ndim))
    if got != magic or body.size != int(np.prod(dims)):
        raise DatasetNotFoundError(f"{path} is not a valid IDX file (magic {got}, expected {magic}).")
    return body.reshape(dims).copy()  # frombuffer is read-only; torch wants a writable array


def _load_arrays(root: Path, split: str, cls: type[MNIST], download: bool) -> tuple[torch.Tensor, torch.Tensor]:
    raw, files = _raw_folder(root, cls), _split_files(cls, split)
    if _has_uncompressed(raw, cls):
        ds = cls(str(root), train=split == "train", download=False)
        return ds.data, ds.targets
    if _has_gz(raw, files):
        bad = [f for f, md5 in files if not check_integrity(str(raw / f), md5)]
        if not bad:
            (img_file, _), (lbl_file, _) = files
            images = torch.from_numpy(_read_idx_gz(raw / img_file, _IMAGES_MAGIC))
            labels = torch.from_numpy(_read_idx_gz(raw / lbl_file, _LABELS_MAGIC)).long()
            return images, labels
        if not download:  # with download=True torchvision replaces the bad file itself
            raise DatasetNotFoundError(
                f"{cls.__name__} file {raw / bad[0]} is corrupt (md5 mismatch): delete it and run "
                f"`python -m siamese_core download {_NAMES[cls]}` with internet, or copy an intact one there.")
    if download:
        ds = cls(str(root), train=split == "train", download=True)
        return ds.data, ds.targets
    raise DatasetNotFoundError(
        f"{cls.__name__} not found in {raw}: run `python -m siamese_core download {_NAMES[cls]}` with internet, "
        f"or copy the four {cls.__name__} .gz files there, or set SIAMESE_LAB_DATA.")


def _load(root: Path, split: str, cls: type[MNIST], download: bool) -> ImageSet:
    key = (str(_raw_folder(root, cls).resolve()), split)
    if key not in _CACHE:
        _CACHE[key] = _load_arrays(root, split, cls, download)
    images, labels = _CACHE[key]
    # Bytes, as the files hold them (a quarter of float32's memory); .clone() copies, so callers can never
    # corrupt the cached arrays.
    return ImageSet(_NAMES[cls], split, images.unsqueeze(1).clone(), labels.clone(),
                    list(cls.classes), meta={"source": key[0]})


def check_mnist(root: Path, split: str) -> bool:
    return _check_exists(root, split, MNIST)


def check_fashion_mnist(root: Path, split: str) -> bool:
    return _check_exists(root, split, FashionMNIST)


def load_mnist(root: Path, split: str, download: bool = False) -> ImageSet:
    return _load(root, split, MNIST, download)


def load_fashion_mnist(root: Path, split: str, download: bool = False) -> ImageSet:
    return _load(root, split, FashionMNIST, download)
