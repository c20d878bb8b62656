"""Koch's L1 distance layer written out, plus the other distances and similarities of the course.

p = σ(Σ_j α_j |h1_j − h2_j| + b). The page shows every intermediate; `explain_pair` does the same
for a trained model's real embeddings, reading α and b from its `WeightedL1Head`.
"""
from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import torch

from ..distances import make_distance

# The workshop's worked example: |h1 − h2| = (3.6, 0.1, 2.1).
WORKSHOP_H1 = (0.1, 0.4, 1.1)
WORKSHOP_H2 = (3.7, 0.5, -1.0)
MAX_VECTOR = 32  # numbers per vector worked by hand: every term is written out, so more is unreadable and slow


def _vector(v, what: str) -> np.ndarray:
    a = np.asarray(v, dtype=np.float64).reshape(-1)
    if a.size == 0:
        raise ValueError(f"{what} is empty")
    if not np.isfinite(a).all():
        raise ValueError(f"{what} contains NaN or infinite values")
    return a


def sigmoid(z: float) -> float:
    # Numerically stable for large |z| (math.exp(800) overflows).
    return 1.0 / (1.0 + math.exp(-z)) if z >= 0 else math.exp(z) / (1.0 + math.exp(z))


@dataclass(frozen=True)
class L1Result:
    h1: np.ndarray
    h2: np.ndarray
    diff: np.ndarray       # |h1 − h2|, component-wise
    alpha: np.ndarray      # learned weights α_j
    bias: float
    weighted: np.ndarray   # α_j |h1_j − h2_j|
    logit: float           # Σ_j α_j |h1_j − h2_j| + b
    p: float               # σ(logit) = p(same)


def weighted_l1(h1, h2, alpha=None, bias: float = 0.0) -> L1Result:
    """The L1 layer on two feature vectors; alpha=None means α_j = 1 for all j."""
    a, b = _vector(h1, "h1"), _vector(h2, "h2")
    if a.shape != b.shape:
        raise ValueError(f"h1 and h2 need the same length, got {a.size} and {b.size}")
    w = np.ones_like(a) if alpha is None else _vector(alpha, "α")
    if w.shape != a.shape:
        raise ValueError(f"α needs one weight per feature ({a.size}), got {w.size}")
    if not math.isfinite(bias):
        raise ValueError("the bias must be a finite number")
    diff = np.abs(a - b)
    weighted = w * diff
    logit = float(weighted.sum() + bias)
    return L1Result(a, b, diff, w, float(bias), weighted, logit, sigmoid(logit))


@dataclass(frozen=True)
class Measure:
    name: str
    kind: str          # "distance" (0 = identical, bigger = farther) or "similarity" (bigger = more alike)
    value: float
    latex: str


def compare_measures(h1, h2, rbf_sigma: float = 1.0) -> list[Measure]:
    """L1, L2 and cosine distance (from siamese_core.distances), dot product, cosine and RBF similarity."""
    a, b = _vector(h1, "h1"), _vector(h2, "h2")
    if a.shape != b.shape:
        raise ValueError(f"h1 and h2 need the same length, got {a.size} and {b.size}")
    if not rbf_sigma > 0:
        raise ValueError("σ of the RBF similarity must be > 0")
    x, y = torch.from_numpy(a)[None], torch.from_numpy(b)[None]
    d = {name: float(make_distance(name).paired(x, y)[0]) for name in ("l1", "l2", "cosine")}
    return [
        Measure("L1 (Manhattan)", "distance", d["l1"], r"\sum_j |h_{1j}-h_{2j}|"),
        Measure("L2 (Euclidean)", "distance", d["l2"], r"\sqrt{\sum_j (h_{1j}-h_{2j})^2}"),
        Measure("cosine distance", "distance", d["cosine"], r"1-\frac{h_1\cdot h_2}{\|h_1\|\|h_2\|}"),
        Measure("dot product", "similarity", float(a @ b), r"h_1\cdot h_2"),
        Measure("cosine similarity", "similarity", 1.0 - d["cosine"], r"\frac{h_1\cdot h_2}{\|h_1\|\|h_2\|}"),
        Measure("RBF", "similarity", math.exp(-d["l2"] ** 2 / rbf_sigma**2),
                r"\exp(-\|h_1-h_2\|^2/\sigma^2)"),
    ]


@torch.no_grad()
def explain_pair(model, x1: torch.Tensor, x2: torch.Tensor) -> L1Result:
    """Embed two prepared images (1×H×W or 1×1×H×W) with a model that has Koch's L1 head and
    return every step of its decision with the model's own α and b."""
    head = getattr(model, "head", None)
    if head is None or not hasattr(head, "alpha"):
        raise ValueError("this model has no L1 head (train it with --loss bce-l1)")
    model.eval()
    batch = torch.stack([x1.reshape(1, *x1.shape[-2:]), x2.reshape(1, *x2.shape[-2:])]).to(model.device)
    h = model.embed(batch).double().cpu()
    return weighted_l1(h[0].numpy(), h[1].numpy(), head.alpha.weight.double().cpu().numpy()[0],
                       float(head.alpha.bias.double().cpu()[0]))


def parse_vector(text: str, what: str = "the vector", max_len: int = MAX_VECTOR) -> np.ndarray:
    """'0.1, 0.4, 1.1' (commas, spaces or semicolons) → array of at most `max_len` numbers; one clear
    ValueError otherwise."""
    text = str(text)
    if len(text) > 40 * max_len:  # refuse before splitting: a 59 KB URL costs nothing
        raise ValueError(f"{what} is {len(text):,} characters long; at most {max_len} numbers are worked by hand")
    parts = [p for p in text.replace(";", ",").replace(" ", ",").split(",") if p.strip()]
    if not parts:
        raise ValueError(f"{what} is empty: type numbers separated by commas, e.g. 0.1, 0.4, 1.1")
    if len(parts) > max_len:
        raise ValueError(f"{what} has {len(parts)} numbers; at most {max_len} are worked by hand")
    try:
        v = np.array([float(p) for p in parts])
    except ValueError:
        raise ValueError(f"{what} must be numbers separated by commas, e.g. 0.1, 0.4, 1.1; got {text!r}") from None
    if not np.isfinite(v).all():
        raise ValueError(f"{what} contains NaN or infinite values")
    return v
