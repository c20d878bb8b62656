"""Faces of 40 people, 10 photos each: AT&T/ORL as PGM files, or Olivetti (the same set at 64×64) via scikit-learn."""
from __future__ import annotations

from pathlib import Path

import numpy as np
import torch
from PIL import Image

from .base import DatasetNotFoundError, ImageSet

SPLITS = ("train", "test", "all")
PEOPLE, PHOTOS = 40, 10
# The course protocol: learn on 30 people, test on 10 never seen in training.
_PEOPLE_OF_SPLIT = {"train": range(0, 30), "test": range(30, 40), "all": range(0, 40)}
_OLIVETTI_CACHE = "olivetti_py3.pkz"  # the file name scikit-learn caches the download under (Python 3)


def _by_person(name: str, split: str, images: np.ndarray, people: np.ndarray, source: str) -> ImageSet:
    """Keep the people of `split` (0-based ids), relabelled 0..k-1, named s<id+1> as in the AT&T folders."""
    keep = _PEOPLE_OF_SPLIT[split]
    mask = np.isin(people, keep)
    return ImageSet(name, split, torch.from_numpy(images[mask]).unsqueeze(1).float(),
                    torch.from_numpy(people[mask] - keep.start).long(),
                    [f"s{p + 1}" for p in keep], meta={"source": source})


def _att_files(root: Path) -> list[Path]:
    # Numeric order s1, s2, …, s40 and 1.pgm … 10.pgm, not the string order s1, s10, s11, …
    return [Path(root) / "att_faces" / f"s{p}" / f"{i}.pgm" for p in range(1, PEOPLE + 1) for i in range(1, PHOTOS + 1)]


def check_att_faces(root: Path, split: str) -> bool:
    return all(f.is_file() for f in _att_files(root))


def load_att_faces(root: Path, split: str, download: bool = False) -> ImageSet:
    """AT&T/ORL faces, 112 high × 92 wide, 8-bit grey scaled to [0, 1]."""
    if not check_att_faces(root, split):
        raise DatasetNotFoundError(
            f"AT&T faces not found in {Path(root) / 'att_faces'}: there is no download for them, so place the "
            "folders s1 … s40 (1.pgm … 10.pgm each) there, or use the `olivetti` dataset instead.")
    images = np.stack([np.asarray(Image.open(f).convert("L")) for f in _att_files(root)]).astype(np.float32) / 255
    people = np.repeat(np.arange(PEOPLE), PHOTOS)
    return _by_person("faces", split, images, people, str(Path(root) / "att_faces"))


def load_att_faces_aligned(root: Path, split: str, download: bool = False) -> ImageSet:
    """The AT&T/ORL pictures re-framed the way every upload is: YuNet finds the eyes, a rotation and a
    scale put them level at their average AT&T place (siamese_core.vision.align). A face picture then
    differs from another less by how close the person sat or how the head tilted, more by who it is."""
    from ..vision.align import (
        att_crop,  # OpenCV's face models only when this dataset is asked for
        dataset_face,
    )
    from ..vision.detect import FaceDetector
    pictures = load_att_faces(root, "all")
    detector = FaceDetector()
    rgbs = (dataset_rgb(pictures, k) for k in range(len(pictures)))
    images = np.stack([att_crop(rgb, dataset_face(detector, rgb)[0]) for rgb in rgbs])
    people = np.repeat(np.arange(PEOPLE), PHOTOS)
    return _by_person("faces-aligned", split, images.astype(np.float32) / 255, people,
                      str(Path(root) / "att_faces"))


def check_olivetti(root: Path, split: str) -> bool:
    return (Path(root) / "scikit_learn_data" / _OLIVETTI_CACHE).is_file()


def load_olivetti(root: Path, split: str, download: bool = False) -> ImageSet:
    """Olivetti faces, 64×64 in [0, 1]; subject k is AT&T's s<k+1>."""
    home = Path(root) / "scikit_learn_data"
    missing = DatasetNotFoundError(
        f"Olivetti faces not found in {home}: run `python -m siamese_core download olivetti` with internet, "
        "or copy scikit-learn's olivetti_py3.pkz there, or set SIAMESE_LAB_DATA.")
    if not download and not check_olivetti(root, split):
        raise missing  # before scikit-learn, which would create the empty folder
    from sklearn.datasets import fetch_olivetti_faces  # here: a second to import, for the faces alone

    try:
        bunch = fetch_olivetti_faces(data_home=str(home), download_if_missing=download)
    except OSError as err:
        raise missing from err
    return _by_person("olivetti", split, bunch.images.astype(np.float32), bunch.target, str(home))


def olivetti_cache_from_mat(mat: Path, root: Path) -> Path:
    """Turn the downloaded olivettifaces.mat into scikit-learn's cache under <root>/scikit_learn_data,
    exactly as fetch_olivetti_faces does after its own download (transposed uint8 faces, joblib level 6)."""
    import joblib
    from scipy.io import loadmat
    out = Path(root) / "scikit_learn_data" / _OLIVETTI_CACHE
    out.parent.mkdir(parents=True, exist_ok=True)
    joblib.dump(loadmat(str(mat))["faces"].T.copy(), out, compress=6)
    return out


def dataset_rgb(data: ImageSet, index: int) -> np.ndarray:
    """One dataset picture (1×H×W in [0, 1]) as H×W×3 uint8 RGB, as if it were a photo."""
    grey = (data.images[index, 0].numpy() * 255).round().clip(0, 255).astype(np.uint8)
    return np.repeat(grey[:, :, None], 3, axis=2)
