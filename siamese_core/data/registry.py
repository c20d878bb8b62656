"""Every dataset the app knows, and the one function that loads any of them."""
from __future__ import annotations

import os
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path

import torch
import torch.nn.functional as F

from . import att_faces, digits, mnist, omniglot, sources
from .base import ImageSet, resolve_data_dir


@dataclass(frozen=True)
class DatasetSpec:
    name: str
    title: str
    splits: tuple[str, ...]
    default_split: str
    image_size: tuple[int, int]  # native (H, W)
    description: str
    how_to_get: str
    loader: Callable[[Path, str, bool], ImageSet]  # (root, split, download)
    check_exists: Callable[[Path, str], bool]      # (root, split): files present, nothing loaded
    split_aliases: Mapping[str, str] = field(default_factory=dict)
    # Open world: the test split holds classes never trained on (new people, new characters), so
    # validation holds out whole classes too, not images of the training classes.
    open_world: bool = False
    # Approximate bytes `download_dataset` fetches: 0 = nothing to fetch, None = there is no download.
    download_bytes: int | None = 0

    def resolve_split(self, split: str | None) -> str:
        split = self.split_aliases.get(split, split) if split else self.default_split
        if split not in self.splits:
            valid = ", ".join([*self.splits, *(f"{a} (= {s})" for a, s in self.split_aliases.items())])
            raise ValueError(f"Unknown split {split!r} for {self.name}; valid splits: {valid}.")
        return split


DATASETS: dict[str, DatasetSpec] = {spec.name: spec for spec in [
    DatasetSpec(
        "digits", "Digits (scikit-learn 8×8)", digits.SPLITS, "train", (8, 8),
        "1,797 tiny handwritten digits, 10 classes; a fixed stratified 70/30 train/test split.",
        "Nothing to get: it ships with scikit-learn.",
        digits.load_digits, digits.check_exists, download_bytes=0),
    DatasetSpec(
        "mnist", "MNIST", mnist.SPLITS, "train", (28, 28),
        "70,000 handwritten digits (60,000 train / 10,000 test), 10 classes.",
        "Run `python -m siamese_core download mnist` with internet, or copy the four MNIST .gz files "
        "into <data dir>/MNIST/raw.",
        mnist.load_mnist, mnist.check_mnist, download_bytes=sources.download_bytes("mnist")),
    DatasetSpec(
        "fashion-mnist", "Fashion-MNIST", mnist.SPLITS, "train", (28, 28),
        "70,000 Zalando clothing photos (60,000 train / 10,000 test), 10 classes.",
        "Run `python -m siamese_core download fashion-mnist` with internet, or copy the four Fashion-MNIST "
        ".gz files into <data dir>/FashionMNIST/raw.",
        mnist.load_fashion_mnist, mnist.check_fashion_mnist, download_bytes=sources.download_bytes("fashion-mnist")),
    DatasetSpec(
        "omniglot", "Omniglot", omniglot.SPLITS, "background", (105, 105),
        "1,623 handwritten characters from 50 alphabets, 20 drawers each: 964 background characters "
        "(30 alphabets) to learn on, 659 evaluation characters (20 other alphabets) to test one-shot.",
        "Run `python -m siamese_core download omniglot` with internet, or copy the Siamese Lab omniglot/ "
        "folder (npz arrays + character index) into the data dir.",
        omniglot.load_omniglot, omniglot.check_exists, {"train": "background", "test": "evaluation"},
        open_world=True, download_bytes=sources.download_bytes("omniglot")),
    DatasetSpec(
        "faces", "AT&T / ORL faces", att_faces.SPLITS, "train", (112, 92),
        "400 photos of 40 people (10 each); train = people s1–s30, test = the 10 unseen people s31–s40.",
        "There is no download: place the folders s1 … s40 into <data dir>/att_faces, or use `olivetti`.",
        att_faces.load_att_faces, att_faces.check_att_faces, open_world=True, download_bytes=None),
    DatasetSpec(
        "faces-aligned", "AT&T / ORL faces, re-aligned", att_faces.SPLITS, "train", (112, 92),
        "The AT&T pictures re-framed from YuNet's eye landmarks, as every uploaded photo is (eyes level, "
        "at their average AT&T place); same people and same train/test split.",
        "There is no download: place the folders s1 … s40 into <data dir>/att_faces.",
        att_faces.load_att_faces_aligned, att_faces.check_att_faces, open_world=True, download_bytes=None),
    DatasetSpec(
        "olivetti", "Olivetti faces (scikit-learn 64×64)", att_faces.SPLITS, "train", (64, 64),
        "The AT&T faces downsampled to 64×64 by scikit-learn; same people and same train/test split.",
        "Run `python -m siamese_core download olivetti` with internet, or copy scikit-learn's "
        "olivetti_py3.pkz into <data dir>/scikit_learn_data.",
        att_faces.load_olivetti, att_faces.check_olivetti, open_world=True,
        download_bytes=sources.download_bytes("olivetti")),
]}


def get_spec(name: str) -> DatasetSpec:
    if name not in DATASETS:
        raise ValueError(f"Unknown dataset {name!r}; valid names: {', '.join(DATASETS)}.")
    return DATASETS[name]


def resize_images(images, size: tuple[int, int]):
    """N×1×H×W → N×1×h×w exactly as the loader resizes datasets (so drawings match the data)."""
    # Antialias so shrinking (e.g. 105 → 28) averages strokes instead of dropping them.
    return F.interpolate(images, size=size, mode="bilinear", antialias=True, align_corners=False).clamp_(0, 1)


def _resize(ds: ImageSet, size: tuple[int, int], chunk: int = 2048) -> ImageSet:
    # A chunk at a time: the whole split in floats at its native size would be 4× its bytes (Omniglot's
    # evaluation split: 0.55 GB) for a moment.
    images = torch.cat([resize_images(ds.rows(slice(s, s + chunk)), size) for s in range(0, max(1, len(ds)), chunk)])
    return ImageSet(ds.name, ds.split, images, ds.labels, ds.class_names, ds.alphabets,
                    {**ds.meta, "native_size": ds.image_size})


def load_dataset(name: str, split: str | None = None, data_dir: str | os.PathLike | None = None,
                 download: bool = False, image_size: tuple[int, int] | None = None) -> ImageSet:
    """Load one split of a registered dataset, optionally resized to `image_size` = (H, W)."""
    spec = get_spec(name)
    split = spec.resolve_split(split)
    if image_size is not None:
        if len(image_size) != 2 or min(image_size) < 1:
            raise ValueError(f"image_size must be (H, W) with positive sizes, got {image_size!r}.")
        image_size = (int(image_size[0]), int(image_size[1]))
    ds = spec.loader(resolve_data_dir(data_dir), split, download)
    if image_size is not None and image_size != ds.image_size:
        ds = _resize(ds, image_size)
    return ds


def dataset_status(data_dir: str | os.PathLike | None = None) -> dict[str, bool]:
    """Per dataset: are the files for all its splits there (so it loads without a download)?"""
    root = resolve_data_dir(data_dir)
    return {name: all(spec.check_exists(root, s) for s in spec.splits) for name, spec in DATASETS.items()}
