"""The measures behind the pages' claims: plain numbers read from a run's history, its probe embeddings,
its 2-D features or a layer's filters. Pure functions of arrays; `checks.py` compares them."""
from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np

from ..explain.diagnostics import collapse_step, series


def late_mean(history: Sequence[dict], name: str, share: float = 0.25) -> float:
    """Mean of a recorded statistic over the last `share` of a run's steps (nan if never recorded)."""
    _, values = series(history, name)
    if not values:
        return math.nan
    return float(np.mean(values[-max(1, int(len(values) * share)):]))


def early_mean(history: Sequence[dict], name: str, share: float = 0.25) -> float:
    """Mean of a recorded statistic over the first `share` of a run's steps (nan if never recorded)."""
    _, values = series(history, name)
    if not values:
        return math.nan
    return float(np.mean(values[:max(1, int(len(values) * share))]))


def late_active_triplets(history: Sequence[dict], share: float = 0.25) -> float:
    """Active triplets per batch (mined × active fraction) over the last `share` of the steps."""
    steps_a, active = series(history, "active_fraction")
    steps_n, mined = series(history, "num_triplets")
    by_step = dict(zip(steps_n, mined))
    rows = [a * by_step[s] for s, a in zip(steps_a, active) if s in by_step]
    if not rows:
        return 0.0
    return float(np.mean(rows[-max(1, int(len(rows) * share)):]))


def lowest_spread(history: Sequence[dict]) -> float:
    """The smallest mean pairwise distance of a batch the run recorded (≈ 0: everything at one point)."""
    _, spread = series(history, "embedding_spread")
    return float(min(spread)) if spread else math.nan


def collapsed_at(history: Sequence[dict]) -> int | None:
    """The step from which every embedding sat at one point, or None (explain.diagnostics' rule)."""
    return collapse_step(history)


def precision_at_1(embeddings: np.ndarray, labels: np.ndarray) -> float:
    """Share of points whose nearest other point (Euclidean) has their class: how well distances rank."""
    h = np.asarray(embeddings, np.float64)
    sq = (h * h).sum(1)
    d = sq[:, None] + sq[None, :] - 2 * h @ h.T
    np.fill_diagonal(d, np.inf)
    return float((np.asarray(labels)[d.argmin(1)] == np.asarray(labels)).mean())


def class_geometry(points: np.ndarray, labels: np.ndarray) -> dict:
    """2-D features by class: mean distance to the own class centre (`within`), mean distance between
    class centres (`between`), their ratio (small: tight blobs far apart) and the radial-versus-tangential
    spread of each class around the origin (`radial`: > 1 means classes are long spokes)."""
    x, y = np.asarray(points, np.float64), np.asarray(labels)
    classes = np.unique(y)
    centres = np.stack([x[y == c].mean(0) for c in classes])
    within = float(np.mean([np.linalg.norm(x[y == c] - m, axis=1).mean() for c, m in zip(classes, centres)]))
    i, j = np.triu_indices(len(classes), 1)
    between = float(np.linalg.norm(centres[i] - centres[j], axis=1).mean())
    radial = []
    for c, m in zip(classes, centres):
        u = m / (np.linalg.norm(m) + 1e-12)            # the class's direction from the origin
        d = x[y == c] - m
        along, across = d @ u, d @ np.array([-u[1], u[0]])
        radial.append(along.std() / (across.std() + 1e-12))
    return {"within": within, "between": between, "ratio": within / between if between > 0 else math.inf,
            "radial": float(np.median(radial))}


# --- first-layer filters -------------------------------------------------------------------------------

def edge_bank(k: int, orientations: int = 8) -> np.ndarray:
    """Unit-norm, zero-mean k×k edge kernels: a step edge (odd) and a bar (even) under a Gaussian window
    at each orientation — what 'looks like an edge detector' means here."""
    ys, xs = np.mgrid[:k, :k] - (k - 1) / 2
    s = max(k / 4, 0.75)
    out = []
    for a in np.linspace(0, np.pi, orientations, endpoint=False):
        u, v = xs * np.cos(a) + ys * np.sin(a), -xs * np.sin(a) + ys * np.cos(a)
        g = np.exp(-(u ** 2 + v ** 2) / (2 * s ** 2))
        out += [u * g, (1 - u ** 2 / s ** 2) * g]
    return _unit(np.array(out))


def _unit(w: np.ndarray) -> np.ndarray:
    w = w - w.mean(axis=(-2, -1), keepdims=True)
    return w / (np.linalg.norm(w.reshape(len(w), -1), axis=1)[:, None, None] + 1e-12)


def edge_scores(filters: np.ndarray) -> np.ndarray:
    """Per k×k filter (n×k×k): its best |correlation| with an oriented edge or bar kernel, in [0, 1]."""
    w = np.asarray(filters, np.float64)
    return np.abs(np.einsum("fij,bij->fb", _unit(w), edge_bank(w.shape[-1]))).max(1)


def random_edge_scores(shape: tuple[int, int, int], seed: int = 0, n: int = 2000) -> np.ndarray:
    """The same score for `n` filters of white noise shaped like `shape` (the chance level)."""
    return edge_scores(np.random.default_rng(seed).normal(size=(n, *shape[1:])))
