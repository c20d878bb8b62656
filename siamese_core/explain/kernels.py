"""Classic hand-made image kernels, in 3×3 and 5×5, as PyTorch applies them (cross-correlation).

"Sobel x" responds where brightness rises from left to right, "Sobel y" from top to bottom: with
cross-correlation the kernel is not flipped, so the signs below are the ones you see in the output.
"""
from __future__ import annotations

import numpy as np

SIZES = (3, 5)


def _identity(k: int) -> np.ndarray:
    w = np.zeros((k, k))
    w[k // 2, k // 2] = 1.0
    return w


def _binomial(k: int) -> np.ndarray:
    # Rows of Pascal's triangle: [1 2 1], [1 4 6 4 1] — the discrete Gaussian.
    return np.array([1.0, 2.0, 1.0]) if k == 3 else np.array([1.0, 4.0, 6.0, 4.0, 1.0])


def _derivative(k: int) -> np.ndarray:
    return np.array([-1.0, 0.0, 1.0]) if k == 3 else np.array([-1.0, -2.0, 0.0, 2.0, 1.0])


def _gaussian(k: int) -> np.ndarray:
    g = np.outer(_binomial(k), _binomial(k))
    return g / g.sum()


def _sharpen(k: int) -> np.ndarray:
    if k == 3:
        return np.array([[0.0, -1.0, 0.0], [-1.0, 5.0, -1.0], [0.0, -1.0, 0.0]])
    return 2 * _identity(k) - np.full((k, k), 1.0 / k**2)  # unsharp mask: 2·x − blur(x)


def _laplacian(k: int) -> np.ndarray:
    # Both sizes follow the maths' ∇² (negative centre, sums to 0): a bright dot comes out dark.
    if k == 3:
        return np.array([[0.0, 1.0, 0.0], [1.0, -4.0, 1.0], [0.0, 1.0, 0.0]])
    return np.array([[0, 0, 1, 0, 0], [0, 1, 2, 1, 0], [1, 2, -16, 2, 1],  # Laplacian of Gaussian
                     [0, 1, 2, 1, 0], [0, 0, 1, 0, 0]], dtype=float)


def _edge(k: int) -> np.ndarray:
    w = -np.ones((k, k))
    w[k // 2, k // 2] = k * k - 1.0  # sums to 0: flat regions give 0, any edge lights up
    return w


KERNELS = {
    "identity": _identity,
    "box blur": lambda k: np.full((k, k), 1.0 / k**2),
    "Gaussian blur": _gaussian,
    "sharpen": _sharpen,
    "Sobel x": lambda k: np.outer(_binomial(k), _derivative(k)),
    "Sobel y": lambda k: np.outer(_derivative(k), _binomial(k)),
    "Laplacian": _laplacian,
    "edge": _edge,
}


def kernel_preset(name: str, size: int = 3) -> np.ndarray:
    """A fresh (size, size) float64 array of the named preset."""
    if name not in KERNELS:
        raise ValueError(f"unknown kernel {name!r}; presets: {', '.join(KERNELS)}")
    if size not in SIZES:
        raise ValueError(f"kernel presets come in sizes {SIZES}, not {size}")
    return KERNELS[name](size).astype(np.float64)
