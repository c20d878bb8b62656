"""Embeddings of many images at once, batched, in eval mode: what evaluation, S-norm and the pages share."""
from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import torch
import torch.nn.functional as F

from ..data.base import as_float

# Batches small enough that a layer's activations stay in the CPU's cache: 500 Fashion-MNIST images embed
# faster in batches of 128 than in one batch (`batch_ratio` in docs/results/memory-format.json); a GPU
# wants big batches.
CPU_BATCH, GPU_BATCH = 128, 512


@contextmanager
def evaluating(model) -> Iterator[None]:
    """Eval mode (dropout off, batch norm's running statistics) for the block, then the mode the model had."""
    was_training = model.training
    model.eval()
    try:
        yield
    finally:
        model.train(was_training)


@torch.no_grad()
def embed(model, images: torch.Tensor, batch_size: int | None = None, device=None) -> torch.Tensor:
    """Embeddings of all `images` in batches, in eval mode, returned on the CPU."""
    device = torch.device(device or next(model.parameters()).device)
    batch_size = batch_size or (CPU_BATCH if device.type == "cpu" else GPU_BATCH)
    size = tuple(getattr(model, "input_size", images.shape[-2:]))
    out = []
    with evaluating(model):
        for s in range(0, len(images), batch_size):
            x = as_float(images[s:s + batch_size]).to(device)  # stored bytes: one batch at a time in floats
            if tuple(x.shape[-2:]) != size:  # e.g. 105×105 official runs into a 28×28 model
                x = F.interpolate(x, size=size, mode="bilinear", antialias=True, align_corners=False)
            out.append(model.embed(x).cpu())
    return torch.cat(out) if out else torch.empty(0)
