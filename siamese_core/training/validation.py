"""Validation during training: balanced pairs (and N-way one-shot tasks) drawn once from the validation set."""
from __future__ import annotations

import torch

from ..data import ImageSet
from ..data.sampling import sample_pairs, sample_tasks
from ..evaluation.metrics import (
    best_threshold,
    embed,
    model_scorer,
    oneshot_accuracy,
    pair_scores,
    roc_auc,
)
from .batches import even
from .config import TrainConfig


class Validator:
    def __init__(self, cfg: TrainConfig, val_set: ImageSet, device: torch.device):
        v, seed = cfg.validation, cfg.run.seed
        self.val_set, self.device = val_set, device
        self.pairs = sample_pairs(val_set.labels, even(min(v.val_pairs, 4 * len(val_set))), seed=seed + 1)
        self.tasks = None
        if v.val_metric == "oneshot":  # Koch: early stopping on 20-way one-shot validation tasks
            within = val_set.alphabets is not None  # Koch: all N characters of a task from one alphabet
            self.tasks = sample_tasks(val_set.labels, v.val_n_way, v.val_tasks, 1, seed + 2, val_set.alphabets,
                                      within)
        # The validation figure that picks the best epoch and drives early stopping.
        self.metric = "val_oneshot_accuracy" if self.tasks else "val_accuracy"

    @torch.no_grad()
    def __call__(self, model) -> dict:
        i, j, y = self.pairs
        h = self._embed_used(model)
        scores = pair_scores(model, h, i, j)
        thr, acc = best_threshold(scores, y)
        out = {"val_accuracy": acc, "val_auc": roc_auc(scores, y), "threshold": thr}
        if self.tasks:
            out["val_oneshot_accuracy"] = oneshot_accuracy(self.tasks, h, lambda x: x, model_scorer(model)[1])
        return out

    def _embed_used(self, model) -> torch.Tensor:
        """Embeddings of the images the pairs and tasks use (zeros elsewhere)."""
        i, j, _ = self.pairs
        needed = [i, j] + [torch.cat([t.support, torch.tensor([t.query])]) for t in (self.tasks or [])]
        used = torch.unique(torch.cat(needed))
        h = torch.zeros(len(self.val_set), model.twin.embedding_dim)
        h[used] = embed(model, self.val_set.images[used], device=self.device)
        return h
