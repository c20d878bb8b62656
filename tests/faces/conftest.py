"""Fixtures for the face tests: real AT&T pictures (and photos made from them), the real models."""
from __future__ import annotations

import io
import os
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from siamese_core.data import resolve_data_dir

ASSETS = Path(__file__).resolve().parents[2] / "assets"
CHECKPOINT = ASSETS / "faces_siamese.pt"


@pytest.fixture(scope="session")
def att_root(data_dir) -> Path:
    root = resolve_data_dir(data_dir) / "att_faces"
    if not (root / "s40" / "10.pgm").is_file():
        pytest.skip(f"AT&T faces not in {root}")
    return root


@pytest.fixture(scope="session")
def att(att_root):
    """att(person, photo) → the real 92×112 grey PIL picture s<person>/<photo>.pgm."""
    def _att(person: int, photo: int) -> Image.Image:
        return Image.open(att_root / f"s{person}" / f"{photo}.pgm").convert("L")
    return _att


@pytest.fixture(scope="session")
def detector():
    from siamese_core.faces import FaceDetector
    return FaceDetector()


@pytest.fixture(scope="session")
def sface():
    from siamese_core.faces import SFaceEmbedder
    return SFaceEmbedder()


@pytest.fixture(scope="session")
def class_model(load):
    """The shipped class model with the threshold the page uses (validation people, as `evaluate`)."""
    from siamese_core import load_model
    from siamese_core.faces import ClassModelEmbedder
    from siamese_core.faces.embedders import training_dataset
    from siamese_core.faces.verify import validation_threshold
    model = load_model(CHECKPOINT)
    train = load(training_dataset(model), "train", image_size=model.input_size)
    return ClassModelEmbedder(model, validation_threshold(model, train))


@pytest.fixture(scope="session")
def astronaut() -> np.ndarray:
    """scikit-image's astronaut (Eileen Collins, NASA, public domain): a real colour photo with one face."""
    data = pytest.importorskip("skimage.data")
    return data.astronaut()


def to_bytes(img: Image.Image, fmt: str, **kw) -> bytes:
    buf = io.BytesIO()
    img.save(buf, format=fmt, **kw)
    return buf.getvalue()


def phone_photo(att_img: Image.Image, scale: int = 4) -> Image.Image:
    """An AT&T picture made into a bigger 'photo': upscaled, on a wider canvas (a face with context)."""
    big = att_img.convert("RGB").resize((att_img.width * scale, att_img.height * scale), Image.BICUBIC)
    canvas = Image.new("RGB", (big.width * 2, int(big.height * 1.5)), (120, 130, 140))
    canvas.paste(big, (big.width // 2, big.height // 4))
    return canvas
