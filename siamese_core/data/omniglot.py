"""Omniglot (Lake et al. 2015): 1,623 handwritten characters × 20 drawers, and the official one-shot runs."""
from __future__ import annotations

import csv
import io
import os
import zipfile
from dataclasses import dataclass
from pathlib import Path
from typing import NamedTuple

import numpy as np
import torch
from PIL import Image

from .base import DatasetNotFoundError, ImageSet, as_float, md5_matches, resolve_data_dir

SPLITS = ("background", "evaluation")
SIZE = 105  # every drawing is 105×105
RUNS_URL = "https://github.com/brendenlake/omniglot/raw/master/python/one-shot-classification/all_runs.zip"
RUNS_MD5 = "e8996daecdf12afeeb4a53a179f06b19"


class _Arrays(NamedTuple):
    ink: np.ndarray  # N×1379 bytes: each 105×105 drawing's pixels, 8 to a byte (np.packbits), 1 = ink
    labels: np.ndarray
    drawers: np.ndarray
    class_names: list[str]
    alphabets: list[str]


_CACHE: dict[tuple[str, str], _Arrays] = {}


def _npz_file(root: Path, split: str) -> Path:
    return Path(root) / "omniglot" / "npz" / f"images_{split}.npz"


def _index_file(root: Path) -> Path:
    return Path(root) / "omniglot" / "omniglot_character_index.csv"


def _png_folder(root: Path, split: str) -> Path:
    return Path(root) / "omniglot-py" / f"images_{split}"  # torchvision's layout


def _has_npz(root: Path, split: str) -> bool:
    return _npz_file(root, split).is_file() and _index_file(root).is_file()


def check_exists(root: Path, split: str) -> bool:
    return _has_npz(root, split) or _png_folder(root, split).is_dir()


def _ink(png) -> np.ndarray:
    """A PNG (path or file object) as bool, True = ink. The 1-bit PNGs decode with True = white paper."""
    with Image.open(png) as im:
        return np.asarray(im.convert("L")) < 128


def _from_npz(root: Path, split: str) -> _Arrays:
    with open(_index_file(root), newline="") as f:
        rows = [r for r in csv.DictReader(f) if r["set"] == f"images_{split}"]
    # The npz keeps the original char_id order; sort like torchvision (alphabet, then character)
    # so both sources give the same labels.
    rows.sort(key=lambda r: (r["alphabet"], r["character"]))
    with np.load(_npz_file(root, split)) as z:
        paper = z["images"]  # (C, 20, 105, 105), True = white paper
    if len(rows) != len(paper):
        raise DatasetNotFoundError(f"{_index_file(root)} lists {len(rows)} {split} characters "
                                   f"but {_npz_file(root, split)} holds {len(paper)}.")
    ink = ~paper[[int(r["npz_index"]) for r in rows]]
    n_classes, n_drawers = ink.shape[:2]
    return _Arrays(_packed(ink.reshape(-1, *ink.shape[2:])),
                   np.repeat(np.arange(n_classes), n_drawers), np.tile(np.arange(n_drawers), n_classes),
                   [f"{r['alphabet']}/{r['character']}" for r in rows], [r["alphabet"] for r in rows])


def _from_pngs(folder: Path) -> _Arrays:
    """Read <alphabet>/<character>/<charid>_<drawer>.png directly, so a tree rebuilt without the zip works."""
    ink, labels, drawers, class_names, alphabets = [], [], [], [], []
    for alphabet in sorted(p.name for p in folder.iterdir() if p.is_dir()):
        for character in sorted(p.name for p in (folder / alphabet).iterdir() if p.is_dir()):
            for png in sorted((folder / alphabet / character).glob("*.png")):
                ink.append(_ink(png))
                labels.append(len(class_names))
                drawers.append(int(png.stem.rsplit("_", 1)[1]) - 1)  # 0108_07.png -> drawer 6
            class_names.append(f"{alphabet}/{character}")
            alphabets.append(alphabet)
    return _Arrays(_packed(np.stack(ink)), np.array(labels), np.array(drawers), class_names, alphabets)


def _packed(ink: np.ndarray) -> np.ndarray:
    """N×105×105 bool → N×1379 bytes, an eighth of the bools a process keeps for the split."""
    return np.packbits(ink.reshape(len(ink), -1), axis=1)


def _unpacked(rows: np.ndarray) -> torch.Tensor:
    """Packed drawings → N×1×105×105 bytes, 255 = ink (`ImageSet.rows` reads them as 1.0)."""
    ink = np.unpackbits(rows, axis=1, count=SIZE * SIZE).reshape(len(rows), 1, SIZE, SIZE)
    return torch.from_numpy(ink * np.uint8(255))


def _load_arrays(root: Path, split: str, download: bool) -> _Arrays:
    if _has_npz(root, split):
        return _from_npz(root, split)
    if not _png_folder(root, split).is_dir():
        if not download:
            raise DatasetNotFoundError(
                f"Omniglot ({split}) not found in {Path(root) / 'omniglot'} nor {_png_folder(root, split)}: "
                "run `python -m siamese_core download omniglot` with internet, or copy the Siamese Lab "
                "omniglot/ folder there, or set SIAMESE_LAB_DATA.")
        from torchvision.datasets import Omniglot  # a download alone needs torchvision

        Omniglot(str(root), background=split == "background", download=True)
    return _from_pngs(_png_folder(root, split))


def load_omniglot(root: Path, split: str, download: bool = False) -> ImageSet:
    """All 20 drawings of every character of one split; meta["drawer"] says who drew each image and
    meta["index"] its row in the split (kept by subsets, so `native_images` finds the original)."""
    key = (str(Path(root).resolve()), split)
    if key not in _CACHE:
        _CACHE[key] = _load_arrays(root, split, download)
    a = _CACHE[key]
    return ImageSet("omniglot", split, _unpacked(a.ink), torch.tensor(a.labels),
                    list(a.class_names), list(a.alphabets),
                    meta={"drawer": torch.tensor(a.drawers), "index": torch.arange(len(a.labels)), "source": key[0]})


def native_images(root: Path, split: str, indices, download: bool = False) -> torch.Tensor:
    """The 105×105 originals (ink = 1) of images `indices` of a split (see meta["index"], which
    subsets and resized copies keep), without building the whole split in floats."""
    key = (str(Path(root).resolve()), split)
    if key not in _CACHE:
        _CACHE[key] = _load_arrays(root, split, download)
    idx = np.asarray(indices, dtype=np.int64).reshape(-1)
    return as_float(_unpacked(_CACHE[key].ink[idx]))


# The official 20 runs (Lake et al.) draw on 10 of the 20 evaluation alphabets, two runs each. The other
# 10 never appear in them, so they can select models (Koch's validation) without touching the test runs.
# tests/data/test_omniglot_runs.py checks both lists against all_runs.zip image by image.
TEST_ALPHABETS = ("Atlantean", "Ge_ez", "Glagolitic", "Gurmukhi", "Kannada", "Malayalam", "Manipuri",
                  "Old_Church_Slavonic_(Cyrillic)", "Tengwar", "Tibetan")
VALIDATION_ALPHABETS = ("Angelic", "Atemayar_Qelisayer", "Aurek-Besh", "Avesta", "Keble", "Mongolian", "Oriya",
                        "Sylheti", "Syriac_(Serto)", "ULOG")


def alphabet_subset(data: ImageSet, alphabets) -> ImageSet:
    """Only the characters of the given alphabets (relabelled 0..C-1, alphabet order kept)."""
    if data.alphabets is None:
        raise ValueError(f"{data.name} has no alphabets")
    wanted = set(alphabets)
    missing = wanted - set(data.alphabets)
    if missing:
        raise ValueError(f"alphabets not in {data.name}/{data.split}: {', '.join(sorted(missing))}")
    return data.classes_subset([c for c, a in enumerate(data.alphabets) if a in wanted])


def with_rotated_classes(data: ImageSet) -> ImageSet:
    """Every class also turned by 90°, 180° and 270°, each turn a class of its own (Vinyals et al. 2016,
    Snell et al. 2017): four times the characters to tell apart, so a long training overfits later."""
    return _with_new_classes(data, {f"rot{90 * k}": lambda x, k=k: torch.rot90(x, k, dims=(2, 3)) for k in (1, 2, 3)})


def _with_new_classes(data: ImageSet, transforms: dict) -> ImageSet:
    """`data` followed by one copy per transform (name → images → images), each copy's classes new ones
    named "<class>@<name>", with the same alphabets and per-image meta (drawers) as the originals."""
    images, labels, names = [data.images], [data.labels], list(data.class_names)
    for k, (suffix, transform) in enumerate(transforms.items(), start=1):
        images.append(transform(data.images))
        labels.append(data.labels + k * data.num_classes)
        names += [f"{n}@{suffix}" for n in data.class_names]
    copies = len(images)
    meta = {key: (torch.cat([v] * copies) if isinstance(v, torch.Tensor) and v.ndim and len(v) == len(data) else v)
            for key, v in data.meta.items()}
    return ImageSet(data.name, data.split, torch.cat(images), torch.cat(labels), names,
                    data.alphabets * copies if data.alphabets else None, meta)


@dataclass
class OneShotRun:
    """One official 20-way one-shot run: match each query to the one support image of its character."""

    run: int                  # 1..20
    support: torch.Tensor     # 20×1×105×105, class01..class20
    queries: torch.Tensor     # 20×1×105×105, item01..item20
    answers: torch.Tensor     # LongTensor 20: index into support of each query's character
    support_names: list[str]  # zip entry names, e.g. "run01/training/class01.png"
    query_names: list[str]    # e.g. "run01/test/item01.png"


def _parse_run(z: zipfile.ZipFile, run: str) -> OneShotRun:
    names = z.namelist()
    support_names = sorted(n for n in names if n.startswith(f"{run}/training/") and n.endswith(".png"))
    query_names = sorted(n for n in names if n.startswith(f"{run}/test/") and n.endswith(".png"))
    # class_labels.txt: "<query> <its correct support>" per line.
    truth = dict(line.split() for line in z.read(f"{run}/class_labels.txt").decode().splitlines() if line.strip())
    answers = [support_names.index(truth[q]) for q in query_names]

    def stack(entries: list[str]) -> torch.Tensor:
        return torch.from_numpy(np.stack([_ink(io.BytesIO(z.read(n))) for n in entries])).unsqueeze(1).float()

    return OneShotRun(int(run.removeprefix("run")), stack(support_names), stack(query_names),
                      torch.tensor(answers), support_names, query_names)


def load_official_runs(data_dir: str | os.PathLike | None = None, download: bool = False) -> list[OneShotRun]:
    """The 20 official runs from <data_dir>/omniglot/official/all_runs.zip, read in memory (nothing extracted)."""
    folder = resolve_data_dir(data_dir) / "omniglot" / "official"
    path = folder / "all_runs.zip"
    if not path.is_file():
        if not download:
            raise DatasetNotFoundError(
                f"Omniglot all_runs.zip not found in {folder}: run `python -m siamese_core download omniglot` "
                "with internet, or copy all_runs.zip from brendenlake/omniglot there, or set SIAMESE_LAB_DATA.")
        from torchvision.datasets.utils import download_url

        download_url(RUNS_URL, str(folder), md5=RUNS_MD5)
    if not md5_matches(path, RUNS_MD5):
        raise DatasetNotFoundError(f"{path} is corrupt (md5 mismatch): delete it and copy or download it again.")
    with zipfile.ZipFile(path) as z:
        runs = sorted(n.split("/")[0] for n in z.namelist() if n.endswith("/class_labels.txt"))
        return [_parse_run(z, run) for run in runs]
