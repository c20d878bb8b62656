"""MNIST and Fashion-MNIST, from torchvision's layout (the four files, gzipped or not) without importing
torchvision, which a download alone needs."""
from __future__ import annotations

import gzip
import struct
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import torch

from .array_cache import arrays_dir, mapped, saved
from .base import DatasetNotFoundError, ImageSet, file_digest, md5_matches

SPLITS = ("train", "test")
_IMAGES_MAGIC, _LABELS_MAGIC = 2051, 2049


@dataclass(frozen=True)
class IdxDataset:
    """What torchvision's dataset class named `folder` says of its files (`resources`: gz name and md5), its
    `classes` and its `mirrors`; tests/data checks that they still agree."""
    name: str                              # the registry's name
    folder: str                            # torchvision's class name, also the folder under the data dir
    resources: tuple[tuple[str, str], ...]
    classes: tuple[str, ...]
    mirrors: tuple[str, ...]


_FILES = ("train-images-idx3-ubyte.gz", "train-labels-idx1-ubyte.gz", "t10k-images-idx3-ubyte.gz",
          "t10k-labels-idx1-ubyte.gz")
MNIST = IdxDataset("mnist", "MNIST", tuple(zip(_FILES, (
    "f68b3c2dcbeaaa9fbdd348bbdeb94873", "d53e105ee54ea40749a09fcbcd1e9432", "9fb629c4189551a2d022fa330f9573f3",
    "ec29112dd5afa0611ce80d1b7f02629c"))),
    ("0 - zero", "1 - one", "2 - two", "3 - three", "4 - four", "5 - five", "6 - six", "7 - seven", "8 - eight",
     "9 - nine"), ("https://ossci-datasets.s3.amazonaws.com/mnist/", "http://yann.lecun.com/exdb/mnist/"))
FashionMNIST = IdxDataset("fashion-mnist", "FashionMNIST", tuple(zip(_FILES, (
    "8d4fb7e6c68d591d4c3dfef9ec88bf0d", "25c81989df183df01b3e8a0aad5dffbe", "bef4ecab320f06d8554ea6380940ec79",
    "bb300cfdad3c16e7a12a480ee83cd310"))),
    ("T-shirt/top", "Trouser", "Pullover", "Dress", "Coat", "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot"),
    ("http://fashion-mnist.s3-website.eu-central-1.amazonaws.com/",))

def _raw_folder(root: Path, cls: IdxDataset) -> Path:
    return Path(root) / cls.folder / "raw"


def _split_files(cls: IdxDataset, split: str) -> list[tuple[str, str]]:
    """(gz name, md5) of the images file then the labels file of one split."""
    prefix = "train" if split == "train" else "t10k"
    return sorted((f, md5) for f, md5 in cls.resources if f.startswith(prefix))  # images < labels


def _has_uncompressed(raw: Path, cls: IdxDataset) -> bool:
    # What torchvision's own MNIST._check_exists looks for: all four files, whatever the split.
    return all((raw / f.removesuffix(".gz")).is_file() for f, _ in cls.resources)


def _has_gz(raw: Path, files: list[tuple[str, str]]) -> bool:
    return all((raw / f).is_file() for f, _ in files)


def _check_exists(root: Path, split: str, cls: IdxDataset) -> bool:
    raw, files = _raw_folder(root, cls), _split_files(cls, split)
    return _has_uncompressed(raw, cls) or _has_gz(raw, files)


def _read_idx(path: Path, magic: int) -> np.ndarray:
    """Parse one IDX file (gzipped when its name ends in .gz) in memory: big-endian int32 magic, int32 dims,
    then uint8 data."""
    with (gzip.open(path, "rb") if path.suffix == ".gz" else open(path, "rb")) as f:
        data = f.read()
    ndim = 3 if magic == _IMAGES_MAGIC else 1
    got, *dims = struct.unpack(f">{1 + ndim}i", data[:4 * (1 + ndim)])
    body = np.frombuffer(data, dtype=np.uint8, offset=4 * (1 + ndim))
    if got != magic or body.size != int(np.prod(dims)):
        raise DatasetNotFoundError(f"{path} is not a valid IDX file (magic {got}, expected {magic}).")
    return body.reshape(dims).copy()  # frombuffer is read-only; torch wants a writable array


def _read_pair(raw: Path, names: list[str]) -> tuple[torch.Tensor, torch.Tensor]:
    """(uint8 N×28×28 images, int64 labels) from the images file and the labels file named."""
    images = torch.from_numpy(_read_idx(raw / names[0], _IMAGES_MAGIC))
    return images, torch.from_numpy(_read_idx(raw / names[1], _LABELS_MAGIC)).long()


def _load_arrays(root: Path, split: str, cls: IdxDataset, download: bool) -> tuple[torch.Tensor, torch.Tensor]:
    raw, files = _raw_folder(root, cls), _split_files(cls, split)
    if _has_uncompressed(raw, cls):  # as torchvision leaves them after its download (unchecked, as it does)
        return _read_pair(raw, [f.removesuffix(".gz") for f, _ in files])
    if _has_gz(raw, files):
        bad = [f for f, md5 in files if not md5_matches(raw / f, md5)]
        if not bad:
            return _read_pair(raw, [f for f, _ in files])
        if not download:  # with download=True torchvision replaces the bad file itself
            raise DatasetNotFoundError(
                f"{cls.folder} file {raw / bad[0]} is corrupt (md5 mismatch): delete it and run "
                f"`python -m siamese_core download {cls.name}` with internet, or copy an intact one there.")
    if download:
        import torchvision.datasets

        ds = getattr(torchvision.datasets, cls.folder)(str(root), train=split == "train", download=True)
        return ds.data, ds.targets
    raise DatasetNotFoundError(
        f"{cls.folder} not found in {raw}: run `python -m siamese_core download {cls.name}` with internet, "
        f"or copy the four {cls.folder} .gz files there, or set SIAMESE_LAB_DATA.")


def _load(root: Path, split: str, cls: IdxDataset, download: bool) -> ImageSet:
    raw = _raw_folder(root, cls)
    arrays = mapped(_arrays_stem(raw, cls, split))
    if arrays is None:
        images, labels = _load_arrays(root, split, cls, download)
        arrays = saved(_arrays_stem(raw, cls, split), images, labels) or (images, labels)
    # Bytes, as the files hold them: a quarter of float32's memory.
    return ImageSet(cls.name, split, arrays[0].unsqueeze(1), arrays[1], list(cls.classes),
                    meta={"source": str(raw.resolve())})


def _arrays_stem(raw: Path, cls: IdxDataset, split: str) -> Path | None:
    """Where a split's arrays are kept, named after its source files' md5 (every copy of the same files shares
    them); None while the files are not there or a gzipped one is not the one torchvision knows (the parse
    says which)."""
    names = [f for f, _ in _split_files(cls, split)]
    plain = _has_uncompressed(raw, cls)
    files = [raw / f.removesuffix(".gz") for f in names] if plain else [raw / f for f in names]
    try:
        digests = [file_digest(f) for f in files]
    except OSError:
        return None
    if not plain and digests != [md5 for _, md5 in _split_files(cls, split)]:
        return None
    return arrays_dir() / f"{cls.folder}-{split}-{digests[0][:12]}-{digests[1][:12]}"


def check_mnist(root: Path, split: str) -> bool:
    return _check_exists(root, split, MNIST)


def check_fashion_mnist(root: Path, split: str) -> bool:
    return _check_exists(root, split, FashionMNIST)


def load_mnist(root: Path, split: str, download: bool = False) -> ImageSet:
    return _load(root, split, MNIST, download)


def load_fashion_mnist(root: Path, split: str, download: bool = False) -> ImageSet:
    return _load(root, split, FashionMNIST, download)
