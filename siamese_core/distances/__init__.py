"""Distances between embeddings. Every one returns a distance: bigger = farther."""
from __future__ import annotations

from .base_distance import BaseDistance
from .cosine_distance import CosineDistance
from .lp_distance import LpDistance

DISTANCE_NAMES = ("l2", "l1", "cosine")


def make_distance(name: str, normalize_embeddings: bool = False) -> BaseDistance:
    """"l2" (Euclidean), "l1" (Manhattan) or "cosine" (1 − cos, always normalised)."""
    key = name.lower().strip() if isinstance(name, str) else name
    if key == "l2":
        return LpDistance(p=2, normalize_embeddings=normalize_embeddings)
    if key == "l1":
        return LpDistance(p=1, normalize_embeddings=normalize_embeddings)
    if key == "cosine":
        return CosineDistance()
    raise ValueError(f"unknown distance {name!r}; valid names: {', '.join(DISTANCE_NAMES)}")


__all__ = ["DISTANCE_NAMES", "BaseDistance", "CosineDistance", "LpDistance", "make_distance"]
