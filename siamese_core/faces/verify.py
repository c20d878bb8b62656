"""Verification: one pair → similarity, threshold, verdict; and the reference picture a verdict is read
against — scores of balanced held-out pairs of people never trained on (AT&T s31–s40)."""
from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

import numpy as np

from ..data import ImageSet
from ..data.att_faces import dataset_rgb
from ..data.sampling import sample_pairs
from ..data.splits import validation_split
from ..evaluation.metrics import accuracy_at, best_threshold, embed, equal_error_rate, pair_scores, roc_auc
from ..vision.align import dataset_face
from ..vision.detect import FaceDetector
from .embedders import Embedder
from .photos import FacePhoto


@dataclass(frozen=True)
class Verdict:
    model: str
    similarity: float
    threshold: float

    @property
    def same(self) -> bool:
        return self.similarity >= self.threshold

    @property
    def text(self) -> str:
        return "same person" if self.same else "different people"


def verify(embedder: Embedder, crop_a: np.ndarray, crop_b: np.ndarray, threshold: float | None = None) -> Verdict:
    h = embedder.embed([crop_a, crop_b])
    score = float(embedder.similarity(h[:1], h[1:])[0])
    return Verdict(embedder.name, score, embedder.threshold if threshold is None else float(threshold))


def trade_off(scores, same, threshold: float) -> dict:
    """What a threshold costs on labelled pairs: false-accept rate (different pairs called same),
    false-reject rate (same pairs called different), and accuracy."""
    s, y = np.asarray(scores, float), np.asarray(same).astype(bool)
    accept = s >= threshold
    far = float(accept[~y].mean()) if (~y).any() else float("nan")
    frr = float((~accept[y]).mean()) if y.any() else float("nan")
    return {"threshold": float(threshold), "far": far, "frr": frr, "tar": 1 - frr,
            "accuracy": accuracy_at(s, y, threshold)}


def validation_threshold(model, train_set: ImageSet, n_pairs: int = 2000, seed: int = 0) -> float:
    """The class model's threshold exactly as `python -m siamese_core evaluate` chooses it: on 2,000
    balanced pairs of the validation people the trainer held out of s1–s30 (the trainer itself only
    had a few hundred pairs, a noisier choice). Never on test people."""
    tc = model.train_config or {}
    _, val = validation_split(train_set, tc.get("val_fraction", 0.1), tc.get("seed", 0))
    i, j, y = sample_pairs(val.labels, n_pairs, seed=seed + 1)
    images = val.images
    return best_threshold(pair_scores(model, embed(model, images), i, j), y)[0]


@dataclass
class HeldOutScores:
    """Scores of balanced pairs of held-out people, the same pairs for every embedder."""
    same: np.ndarray                               # y: 1 same person, 0 different
    scores: dict[str, np.ndarray] = field(default_factory=dict)   # embedder.short → scores
    detected: int = 0                              # pictures in which YuNet found a face
    images: int = 0

    def summary(self, embedder: Embedder, threshold: float | None = None) -> dict:
        s = self.scores[embedder.short]
        return {**trade_off(s, self.same, embedder.threshold if threshold is None else threshold),
                "auc": roc_auc(s, self.same), "eer": equal_error_rate(s, self.same), "pairs": len(s)}


def heldout_pair_scores(embedders: Sequence[Embedder], detector: FaceDetector, data: ImageSet,
                        n_pairs: int = 2000, seed: int = 0,
                        progress: Callable[[float], None] | None = None, att_framed: bool = True) -> HeldOutScores:
    """Detect, crop and embed every picture of `data` once, then score `n_pairs` balanced pairs
    (sampled as `python -m siamese_core evaluate` does, same seed) with each embedder. With
    att_framed=False the pictures are treated like uploads: every embedder re-aligns them."""
    crops: dict[str, list[np.ndarray]] = {e.short: [] for e in embedders}
    detected = 0
    for k in range(len(data)):
        rgb = dataset_rgb(data, k)
        face, found = dataset_face(detector, rgb)
        detected += found
        photo = FacePhoto(rgb, [face], [], att_framed)
        for short, crop in photo.crops(face, embedders).items():
            crops[short].append(crop)
        if progress:
            progress(0.9 * (k + 1) / len(data))
    i, j, y = sample_pairs(data.labels, n_pairs, seed=seed)
    out = HeldOutScores(y.numpy().astype(int), detected=detected, images=len(data))
    for e in embedders:
        h = e.embed(crops[e.short])
        out.scores[e.short] = np.asarray(e.similarity(h[i.numpy()], h[j.numpy()]), dtype=float)
    if progress:
        progress(1.0)
    return out
