"""Two face embedders behind one interface: crop a detected face, embed crops (N×D), score pairs.

* ClassModelEmbedder: the Siamese network this project trains on AT&T people s1–s30 (grey, AT&T-framed
  crops, score = −L2 distance of unit-length embeddings, threshold chosen on validation people).
* SFaceEmbedder: OpenCV Zoo's SFace (trained on a large face set; colour 112×112 crops aligned on five
  landmarks, 128-d, cosine similarity, its published threshold 0.363) — the reference."""
from __future__ import annotations

import threading
from abc import ABC, abstractmethod
from collections.abc import Sequence
from pathlib import Path

import cv2
import numpy as np
import torch
from PIL import Image

from ..vision.align import att_crop
from ..vision.detect import Face
from ..vision.zoo import SFACE, model_file

SFACE_COSINE_THRESHOLD = 0.363  # OpenCV Zoo's published cosine threshold for SFace (set on LFW)


class Embedder(ABC):
    name: str          # shown on the page
    short: str         # one word, for keys and tables
    score_name: str    # what `similarity` means, e.g. "cosine similarity"
    threshold: float   # "same person" when similarity ≥ threshold
    att_framed: bool = False  # trained on AT&T pictures: takes an AT&T picture as it is

    @abstractmethod
    def crop(self, rgb: np.ndarray, face: Face) -> np.ndarray:
        """The face cut out the way this embedder was trained on (an image array)."""

    @abstractmethod
    def embed(self, crops: Sequence[np.ndarray]) -> np.ndarray:
        """N crops → N×D float32 embeddings."""

    @abstractmethod
    def similarity(self, a: np.ndarray, b: np.ndarray) -> np.ndarray:
        """Row-wise scores of N pairs (a[i], b[i]) of embeddings, higher = more alike."""

    def same(self, score: float, threshold: float | None = None) -> bool:
        return bool(score >= (self.threshold if threshold is None else threshold))


def training_dataset(model) -> str:
    """The dataset a class model was trained on: "faces" (AT&T pictures as they are) or "faces-aligned"."""
    return (getattr(model, "train_config", None) or {}).get("dataset") or "faces"


class ClassModelEmbedder(Embedder):
    short = "class"
    att_framed = True

    def __init__(self, model, threshold: float | None = None, name: str = "Class model (our Siamese net)"):
        """threshold: None takes the checkpoint's own (chosen by the trainer on validation people)."""
        if threshold is None and model.threshold is None:
            raise ValueError("this checkpoint has no decision threshold: train it with validation data")
        if model.config.head is not None:
            raise ValueError("the class model must score by embedding distance (no pair head)")
        self.model = model.eval()
        # A model trained on re-aligned pictures re-aligns every face, AT&T samples included.
        self.att_framed = training_dataset(model) != "faces-aligned"
        self.name = name
        self.threshold = float(model.threshold if threshold is None else threshold)
        self.s_norm = bool(model.config.cohort_size)  # scores are S-normalised similarities, not −distances
        distance = f"−{model.config.distance.upper()} distance"
        self.score_name = f"S-norm of the {distance}" if self.s_norm else distance

    def crop(self, rgb: np.ndarray, face: Face) -> np.ndarray:
        return att_crop(rgb, face)  # 112×92 grey, AT&T framing

    @torch.no_grad()
    def embed(self, crops: Sequence[np.ndarray]) -> np.ndarray:
        if len(crops) == 0:
            return np.zeros((0, self.model.config.embedding_dim), np.float32)
        batch = self.model.prepare([Image.fromarray(c) for c in crops]).to(self.model.device)
        return self.model.embed(batch).cpu().numpy().astype(np.float32)

    @torch.no_grad()
    def similarity(self, a: np.ndarray, b: np.ndarray) -> np.ndarray:
        dev = self.model.device
        return self.model.score(torch.as_tensor(a, device=dev), torch.as_tensor(b, device=dev)).cpu().numpy()


class SFaceEmbedder(Embedder):
    short = "sface"
    name = "SFace (OpenCV Zoo reference)"
    score_name = "cosine similarity"

    def __init__(self, threshold: float = SFACE_COSINE_THRESHOLD, model_path: Path | None = None):
        self.threshold = float(threshold)
        self._net = cv2.FaceRecognizerSF.create(str(model_path or model_file(SFACE)), "")
        self._lock = threading.Lock()  # one OpenCV net, shared between server sessions

    def crop(self, rgb: np.ndarray, face: Face) -> np.ndarray:
        bgr = np.ascontiguousarray(rgb[:, :, ::-1])
        with self._lock:
            aligned = self._net.alignCrop(bgr, face.as_yunet_row())  # 112×112 on SFace's 5-point template
        return np.ascontiguousarray(aligned[:, :, ::-1])

    def embed(self, crops: Sequence[np.ndarray]) -> np.ndarray:
        out = np.zeros((len(crops), 128), np.float32)
        with self._lock:
            for k, c in enumerate(crops):
                out[k] = self._net.feature(np.ascontiguousarray(c[:, :, ::-1])).reshape(-1)
        return out

    def similarity(self, a: np.ndarray, b: np.ndarray) -> np.ndarray:
        a, b = np.atleast_2d(a).astype(np.float64), np.atleast_2d(b).astype(np.float64)
        num = (a * b).sum(1)
        return num / np.maximum(np.linalg.norm(a, axis=1) * np.linalg.norm(b, axis=1), 1e-12)
