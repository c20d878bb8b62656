"""One N-way one-shot task at a time, as the page shows it: draw a task, score the query against every
support image, decide C* = argmax_c similarity(x, x_c), and read a student's own drawing."""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import torch
from PIL import Image

from ..data import ImageSet
from ..data.omniglot import alphabet_subset
from ..data.registry import resize_images
from ..data.sampling import sample_tasks
from ..evaluation.metrics import model_scorer


@dataclass
class DemoTask:
    support: torch.Tensor      # N×1×h×w, one image per class, at the data's size
    query: torch.Tensor        # 1×1×h×w, a different drawing of class `answer`
    answer: int                # which support shows the query's character
    class_names: list[str]     # per support
    support_rows: list[int]    # rows in the full split (meta["index"]) for the 105×105 originals
    query_row: int


def draw_task(data: ImageSet, n_way: int, seed: int, alphabet: str | None = None) -> DemoTask:
    """A random N-way one-shot task: from one named alphabet, or (None) from all the data's classes."""
    if alphabet is not None:
        data = alphabet_subset(data, [alphabet])
    if n_way > data.num_classes:
        where = f"the alphabet {alphabet}" if alphabet else "this dataset"
        raise ValueError(f"{where} has only {data.num_classes} characters: choose N ≤ {data.num_classes}")
    task = sample_tasks(data.labels, n_way, 1, 1, seed)[0]
    rows = data.meta.get("index", torch.arange(len(data)))
    return DemoTask(data.rows(task.support), data.rows(slice(task.query, task.query + 1)), task.answer,
                    [data.class_names[int(c)] for c in task.support_classes],
                    rows[task.support].tolist(), int(rows[task.query]))


@torch.no_grad()
def score_task(model, support: torch.Tensor, query: torch.Tensor) -> dict:
    """The model's similarity of the query to each support, the decision, and a probability per way:
    p(same) for a model with a pair head (Koch), else softmax(−d²) over the ways, which is exactly
    what the prototypical loss trains. `support` (N×1×H×W) and `query` (1×1×H×W): bright-ink drawings
    of any size, best the 105×105 originals."""
    featurise, score = model_scorer(model)
    # Each drawing as the model reads any input (a stroke model redraws it): give the 105×105 originals.
    feats = featurise(model.prepare_tensor(torch.cat([query, support])))
    sim = score(feats[:1], feats[1:])
    probs = sim if model.head is not None else torch.softmax(-sim.pow(2), 0)
    return {"similarity": sim.tolist(), "probability": probs.tolist(), "decision": int(sim.argmax())}


def drawing_to_ink(img: Image.Image, size: tuple[int, int] = (105, 105)) -> torch.Tensor:
    """A drawing or photo of a character → 1×1×H×W with ink = 1 on 0, binarised like Omniglot's 1-bit
    scans at 105×105. Dark ink on light paper (a canvas, a scan) and light ink on dark are both read:
    the paper is whatever colour the border mostly has."""
    if img.mode in ("RGBA", "LA"):  # a transparent canvas: strokes over white paper
        white = Image.new("RGBA", img.size, (255, 255, 255, 255))
        img = Image.alpha_composite(white, img.convert("RGBA"))
    grey = np.asarray(img.convert("L").resize((size[1], size[0]), Image.BILINEAR), dtype=np.float32) / 255.0
    border = np.concatenate([grey[0], grey[-1], grey[:, 0], grey[:, -1]])
    ink = grey < 0.5 if np.median(border) >= 0.5 else grey >= 0.5
    if not ink.any():
        raise ValueError("The drawing is empty: draw a character first.")
    return torch.from_numpy(ink.astype(np.float32))[None, None]


def to_model_size(images: torch.Tensor, size: tuple[int, int]) -> torch.Tensor:
    """105×105 ink images → the model's input size, the way the loader shrinks the dataset."""
    return images if tuple(images.shape[-2:]) == tuple(size) else resize_images(images, size)
