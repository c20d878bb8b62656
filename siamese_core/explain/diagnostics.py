"""Reading a training history the way a teacher would: did the embedding collapse?"""
from __future__ import annotations

import math
from collections.abc import Sequence

COLLAPSE_SPREAD = 0.05  # mean pairwise distance of a batch of unit vectors; healthy runs sit near 1


def collapse_step(history: Sequence[dict], spread_below: float = COLLAPSE_SPREAD, steps: int = 5) -> int | None:
    """The first step from which `steps` consecutive batches had every embedding at (nearly) one point —
    FaceNet's warning about hardest negatives early in training — or None if that never happened."""
    run = 0
    for row in history:
        spread = row.get("embedding_spread", math.nan)
        run = run + 1 if spread == spread and spread < spread_below else 0  # nan never counts
        if run == steps:
            return int(row["step"]) - steps + 1
    return None


def series(history: Sequence[dict], name: str) -> tuple[list[int], list[float]]:
    """(steps, values) of one recorded statistic, skipping batches where it was undefined (nan)."""
    pts = [(int(r["step"]), float(r[name])) for r in history if name in r and r[name] == r[name]]
    return [p[0] for p in pts], [p[1] for p in pts]


MINER_STATS = ("active_fraction", "mean_pos_distance", "mean_neg_distance", "embedding_spread")


def miner_curves(history: Sequence[dict], names: Sequence[str] = MINER_STATS) -> dict[str, tuple[list, list]]:
    """{statistic: (steps, values)} of the statistics a triplet miner records, for plotting."""
    return {name: series(history, name) for name in names}
