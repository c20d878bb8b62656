"""How far apart two unit-length embeddings can be, so a page can tell a margin that no pair can meet.

Contrastive and triplet embeddings are L2-normalised. For unit vectors u, v:
L2: ‖u − v‖₂ ≤ ‖u‖ + ‖v‖ = 2 (v = −u); cosine distance 1 − cos ≤ 2 (v = −u);
L1: ‖u − v‖₁ ≤ √D ‖u − v‖₂ ≤ 2√D (Cauchy–Schwarz), reached by u = (1, …, 1)/√D and v = −u."""
from __future__ import annotations

import math


def max_unit_distance(distance: str, dim: int) -> float:
    """The largest `distance` ("l2", "cosine" or "l1") between two unit vectors of `dim` components."""
    if int(dim) != dim or dim < 1:
        raise ValueError(f"the embedding size must be a whole number ≥ 1, got {dim}")
    if distance in ("l2", "cosine"):
        return 2.0
    if distance == "l1":
        return 2.0 * math.sqrt(dim)
    raise ValueError(f"unknown distance {distance!r}; valid names: l2, cosine, l1")


def margin_warning(distance: str, dim: int, margin: float) -> str | None:
    """One sentence when `margin` is at or beyond the largest possible distance, else None."""
    bound = max_unit_distance(distance, dim)
    if margin < bound:
        return None
    name = {"l2": "L2", "cosine": "cosine", "l1": "L1"}[distance]
    return (f"With {name} distance no two unit-length embeddings of size {dim} are more than {bound:.2f} apart, "
            f"so a margin of {margin:.2f} can never be met.")
