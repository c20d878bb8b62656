"""Mini-batches for the SGD illustration: what an epoch's batches contain with and without shuffling,
and the small L1-head training run the twins page shows (the project's Trainer, nothing special)."""
from __future__ import annotations

import numpy as np
import torch

from ..training.trainer import TrainConfig


def epoch_batches(n: int, batch_size: int, shuffle: bool, seed: int = 0) -> list[np.ndarray]:
    """Indices 0..n−1 cut into batches of `batch_size` (the last may be smaller), in storage order
    or in a random order drawn with `seed`."""
    if batch_size < 1:
        raise ValueError("the batch size must be at least 1")
    if n < 1:
        raise ValueError("there are no images to batch")
    order = np.random.default_rng(seed).permutation(n) if shuffle else np.arange(n)
    return [order[s:s + batch_size] for s in range(0, n, batch_size)]


def class_mix(labels, batches: list[np.ndarray], num_classes: int) -> np.ndarray:
    """(batches, classes) counts: how many images of each class every batch holds."""
    lab = np.asarray(labels.cpu() if isinstance(labels, torch.Tensor) else labels).astype(int)
    mix = np.zeros((len(batches), num_classes), dtype=int)
    for b, idx in enumerate(batches):
        mix[b] = np.bincount(lab[idx], minlength=num_classes)
    return mix


def same_pair_share(mix: np.ndarray) -> np.ndarray:
    """Share of all pairs inside each batch that are same-class pairs: a batch of one class has
    nothing to tell apart (share 1.0), which is why the data are shuffled."""
    n = mix.sum(axis=1)
    same = (mix * (mix - 1) / 2).sum(axis=1)
    total = n * (n - 1) / 2
    return np.divide(same, total, out=np.ones(len(mix)), where=total > 0)


def minibatch_config(batch_size: int = 32, optimizer: str = "adam", lr: float | None = None,
                     steps: int = 60, seed: int = 0) -> TrainConfig:
    """Koch's L1 head and BCE in miniature on 8×8 digits: `steps` mini-batches in two epochs, so
    batch sizes are compared at the same number of updates. Default learning rates: Adam 0.01,
    SGD 0.1 with momentum 0.9 (plain SGD on this sigmoid twin sits on the σ plateau for long)."""
    if optimizer not in ("adam", "sgd"):
        raise ValueError("optimizer must be 'adam' or 'sgd'")
    if steps < 2:
        raise ValueError("train for at least 2 steps")
    lr = lr if lr is not None else (0.01 if optimizer == "adam" else 0.1)
    return TrainConfig(dataset="digits", loss="bce-l1", backbone="koch-small", width=0.25, embedding_dim=16,
                       batch_size=batch_size, samples_per_class=2, optimizer=optimizer, lr=lr, momentum=0.9,
                       epochs=2, steps_per_epoch=steps // 2, val_pairs=400, seed=seed, device="cpu")
