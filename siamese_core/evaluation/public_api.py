"""Figures measured the way any user of the public API would measure them: pictures in, through
`model.prepare` and `model.similarity` (or `similarity_matrix`), decided at `model.threshold` or by the best
score. The one-shot report and `python -m benchmarks.heldout` both use these, so neither can read inputs
differently."""
from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import torch
from PIL import Image


def pictures(images: torch.Tensor, paper: bool = False) -> list[Image.Image]:
    """N×1×H×W bright ink in [0, 1] (or the bytes a dataset stores) → the 8-bit grey pictures a user holds:
    light ink on black (as MNIST stores its digits), or with `paper` dark ink on white (as Omniglot's PNG files
    and any scan)."""
    x = images[:, 0].numpy() if images.dtype == torch.uint8 else np.rint(images[:, 0].numpy() * 255).astype(np.uint8)
    return [Image.fromarray(255 - a if paper else a, "L") for a in x]


def api_oneshot(model, pics, tasks: Sequence) -> tuple[float, float]:
    """(model accuracy, pixel 1-NN accuracy) of one-shot tasks (data/sampling.Task) over `pics` (a list, or
    a dict keyed by the tasks' indices), through the public API only:
    each task's query and supports go through `model.prepare`, the query is scored against every support
    by `model.similarity_matrix`, and the best score answers. The 1-NN baseline compares the same prepared inputs."""
    prepared: dict[int, torch.Tensor] = {}

    def ready(k: int) -> torch.Tensor:
        # prepare() reads each picture on its own, so preparing a picture once for all its tasks changes nothing
        if k not in prepared:
            prepared[k] = model.prepare([pics[k]])
        return prepared[k]

    # Tasks that share their supports (an official run's 20 queries) are scored in one matrix.
    by_support: dict[tuple[int, ...], list] = {}
    for t in tasks:
        by_support.setdefault(tuple(int(k) for k in t.support), []).append(t)
    right = pixel_right = 0
    for ids, group in by_support.items():
        support = torch.cat([ready(k) for k in ids])
        queries = torch.cat([ready(int(t.query)) for t in group])
        for t, query, scores in zip(group, queries, model.similarity_matrix(queries, support)):
            right += int(int(scores.argmax()) == t.answer)
            pixel_right += int(int((support - query).flatten(1).norm(dim=1).argmin()) == t.answer)
    return right / len(tasks), pixel_right / len(tasks)


def api_pair_accuracy(model, first: Sequence[Image.Image], second: Sequence[Image.Image], same,
                      batch: int = 500) -> dict:
    """Verification through the public API: pair k is (first[k], second[k]); `same[k]` says whether they
    show one class. Each batch of pictures is prepared, scored by `model.similarity`, and called the same
    when the score reaches `model.threshold` (the threshold the model was shipped with)."""
    if model.threshold is None:
        raise ValueError("this model has no threshold: it was saved without one chosen on validation pairs")
    scores = torch.cat([model.similarity(model.prepare(first[s:s + batch]), model.prepare(second[s:s + batch]))
                        for s in range(0, len(first), batch)])
    y = torch.as_tensor(np.asarray(same, dtype=bool))
    return {"pairs": len(first), "accuracy": float(((scores >= model.threshold) == y).float().mean()),
            "threshold": float(model.threshold)}
