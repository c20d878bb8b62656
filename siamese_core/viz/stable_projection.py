"""A 2-D map of embeddings that stays put from one training frame to the next, so points glide.

Each frame is projected on its two principal axes and then turned, mirrored and scaled onto the previous
frame's layout (orthogonal Procrustes); a fresh t-SNE per frame would land in a new orientation every
time. That layout is then averaged with the linear map of the new embeddings that best reproduces the
previous layout (least squares): the principal axes of a young network wobble from frame to frame, and
this half damps the wobble, while the half of fresh PCA keeps the map showing today's main structure
(with the same class separation as a fresh PCA; `python -m benchmarks.live_training` measures the
movement). Frames taken while training may also keep a share of the previous layout (`inertia`): each
SGD step jitters every point a little, and the map should show the drift, not the jitter. The end of a
run is drawn without it, so the report's map is the reported model's own. D = 2 is shown as the raw
plane."""
from __future__ import annotations

import numpy as np
from threadpoolctl import threadpool_limits


def _pca_2d(x: np.ndarray) -> np.ndarray:
    x = x - x.mean(0)
    _, _, vt = np.linalg.svd(x, full_matrices=False)
    axes = vt[:2].T
    # Fix each axis's sign (SVD may return either): its largest loading is positive.
    axes *= np.sign(axes[np.abs(axes).argmax(0), [0, 1]])
    y = x @ axes
    return y if y.shape[1] == 2 else np.pad(y, ((0, 0), (0, 2 - y.shape[1])))


def _procrustes_onto(y: np.ndarray, target: np.ndarray) -> np.ndarray:
    """y turned/mirrored and scaled to sit as close as it can to `target` (both centred N×2)."""
    u, s, vt = np.linalg.svd(y.T @ target)
    rotation = u @ vt
    norm = float((y ** 2).sum())
    scale = float(s.sum()) / norm if norm > 0 else 1.0
    return scale * (y @ rotation)


FOLLOW = 0.7  # weight of the least-squares map onto the previous layout; the rest is the aligned PCA


FOLLOW_AXES = 16  # the map may use this many principal axes: few enough that it cannot simply copy any
                 # previous layout (with D = 128 and 500 points, a map from all of D nearly could)


def _follow(x: np.ndarray, target: np.ndarray) -> np.ndarray:
    """The linear map of x's leading principal components closest to centred `target` (least squares)."""
    xc = x - x.mean(0)
    u, s, _ = np.linalg.svd(xc, full_matrices=False)
    z = u[:, :FOLLOW_AXES] * s[:FOLLOW_AXES]
    w = np.linalg.lstsq(z, target, rcond=None)[0]
    return _procrustes_onto(z @ w, target)


def stable_layout(embeddings, previous: np.ndarray | None = None, inertia: float = 0.0) -> np.ndarray:
    """N×D embeddings → N×2 float32 layout, centred with unit RMS radius, aligned to `previous` (the last
    frame's layout) when given, and then keeping the share `inertia` (0 ≤ inertia < 1) of it. The fixed
    scale matters: an untrained network maps every image to nearly the same point, and aligning every
    later frame to that first frame's tiny spread would leave the map a few thousandths wide (rounded by
    the figures to a grid)."""
    x = np.asarray(embeddings, dtype=np.float64)
    if x.ndim != 2 or len(x) < 3:
        raise ValueError("need an N×D array with N ≥ 3")
    if x.shape[1] == 2:  # the embedding plane itself: nothing to project or align
        return x.astype(np.float32)
    if previous is not None and previous.shape != (len(x), 2):
        raise ValueError(f"the previous layout has shape {previous.shape}, not {(len(x), 2)}")
    if not 0 <= inertia < 1:
        raise ValueError("inertia must be in [0, 1)")
    # One BLAS thread: these matrices are tiny, and on a busy CPU OpenBLAS's threads wait on each other
    # (an SVD of 500×32 took 0.5 s with two threads on a loaded 2-core machine, 0.5 ms with one).
    with threadpool_limits(1):
        y = _pca_2d(x)
        if previous is not None:
            p = np.asarray(previous, dtype=np.float64)
            target = p - p.mean(0)
            y = (1 - FOLLOW) * _procrustes_onto(y, target) + FOLLOW * _follow(x, target)
            if inertia:
                y = (1 - inertia) * _unit(y) + inertia * _unit(target)
    return _unit(y).astype(np.float32)


def _unit(z: np.ndarray) -> np.ndarray:
    """Centred, scaled to unit RMS radius (a layout with no spread stays as it is)."""
    z = np.asarray(z, dtype=np.float64) - np.mean(z, 0)
    r = np.sqrt((z ** 2).sum(1).mean())
    return z / r if r > 0 else z


def mean_displacement(a: np.ndarray, b: np.ndarray) -> float:
    """Mean distance a point moves from layout a to layout b, each first scaled to unit RMS radius
    (so maps of different spread compare in the same units)."""
    return float(np.linalg.norm(_unit(a) - _unit(b), axis=1).mean())
