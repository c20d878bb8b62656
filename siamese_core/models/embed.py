"""Embeddings of many images at once, batched, in eval mode: what evaluation, S-norm and the pages share."""
from __future__ import annotations

import torch
import torch.nn.functional as F


@torch.no_grad()
def embed(model, images: torch.Tensor, batch_size: int = 512, device=None) -> torch.Tensor:
    """Embeddings of all `images` in batches, in eval mode, returned on the CPU."""
    was_training = model.training
    model.eval()
    device = device or next(model.parameters()).device
    size = tuple(getattr(model, "input_size", images.shape[-2:]))
    out = []
    for s in range(0, len(images), batch_size):
        x = images[s:s + batch_size].to(device)
        if tuple(x.shape[-2:]) != size:  # e.g. 105×105 official runs into a 28×28 model
            x = F.interpolate(x, size=size, mode="bilinear", antialias=True, align_corners=False)
        out.append(model.embed(x).cpu())
    model.train(was_training)
    return torch.cat(out) if out else torch.empty(0)
