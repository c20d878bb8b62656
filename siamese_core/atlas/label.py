"""The sentence above a pretrained result that a training page shows before the student's first run: either it
was trained with the page's settings, or it is the nearest one that exists and the sentence says how it
differs, so that nobody takes it for a run of these settings."""
from __future__ import annotations

from ..data.registry import DATASETS

# The settings a page compares, as the sentence names them.
NAMES = {"dataset": "dataset", "loss": "loss", "margin": "margin", "embedding_dim": "embedding size",
         "distance": "distance", "sizes": "sizes", "miners": "miners", "lambdas": "λ values"}
PRESS_TO_TRAIN = "to train your own."  # every label ends so (a load test tells a pretrained result by it)


def _shown(key: str, value) -> str:
    if isinstance(value, (list, tuple)):
        return ", ".join(_shown(key, v) for v in value)
    if key == "dataset" and value in DATASETS:
        return DATASETS[value].title
    if key == "distance":
        return str(value).upper() if value in ("l1", "l2") else str(value)
    return f"{value:g}" if isinstance(value, float) else str(value)


def _same(a, b) -> bool:
    if isinstance(a, (list, tuple)) and isinstance(b, (list, tuple)):
        return len(a) == len(b) and all(_same(x, y) for x, y in zip(a, b))
    if isinstance(a, (int, float)) and isinstance(b, (int, float)):
        return abs(a - b) < 1e-6
    return a == b


def differences(wanted: dict, used: dict) -> list[str]:
    """"<setting> <used> (not <wanted>)" for each setting of `wanted` that `used` has another value for."""
    return [f"{NAMES.get(k, k)} {_shown(k, used[k])} (not {_shown(k, v)})"
            for k, v in wanted.items() if k in used and not _same(v, used[k])]


def pretrained_label(wanted: dict, used: dict, button: str) -> str:
    """What a page says above a pretrained result trained with `used` while its own settings are `wanted`."""
    diffs = differences(wanted, used)
    press = f"press **{button}** {PRESS_TO_TRAIN}"
    if not diffs:
        return f"Pretrained for these settings — {press}"
    listed = diffs[0] if len(diffs) == 1 else ", ".join(diffs[:-1]) + " and " + diffs[-1]
    return (f"No pretrained result has exactly these settings, so this is the nearest one: it used {listed}. "
            f"{press[0].upper()}{press[1:]}")
