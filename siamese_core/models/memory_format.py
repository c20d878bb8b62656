"""How a model's weights are laid out in memory on the CPU."""
from __future__ import annotations

import torch


def fast_layout(model: torch.nn.Module, device) -> torch.nn.Module:
    """On the CPU, channels-last weights (the layout oneDNN's convolutions prefer) embed a batch and take a
    training step faster (docs/results/memory-format.json; the benchmark that measured it is
    benchmarks/memory_format.py at commit 027e166): the live frames, the final report and every page's
    embeddings get faster. Numbers are the same up to float rounding. In place; returns the model."""
    if torch.device(device).type == "cpu":
        model.to(memory_format=torch.channels_last)
    return model
