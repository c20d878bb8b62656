"""Fixed 20-way one-shot runs made the way Lake et al. made the official ones — per run, 20 characters of one
alphabet, one drawer's drawing of each as the supports and another drawer's as the queries — but from the 10
evaluation alphabets the official runs never use (omniglot.VALIDATION_ALPHABETS). A network in training is
scored on them again and again (the One-shot page's live curve): always the same 400 trials, so the curve moves
only because the network does."""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import torch

from ..data import ImageSet
from ..data.omniglot import VALIDATION_ALPHABETS, alphabet_subset
from .metrics import pair_scores

N_WAY = 20
RUNS_PER_ALPHABET = 2


@dataclass(frozen=True)
class ValidationRuns:
    """`runs` runs of `n_way` trials. Image rows: run r's supports are r·2N … r·2N+N−1 (character k at +k),
    its queries the next N (query k is a drawing of support k's character, by another drawer)."""

    images: torch.Tensor     # (runs·2N)×1×H×W
    index: torch.Tensor      # each image's row in the evaluation split
    alphabets: tuple[str, ...]  # each run's alphabet
    n_way: int

    @property
    def runs(self) -> int:
        return len(self.alphabets)

    @property
    def trials(self) -> int:
        return self.runs * self.n_way

    def scores(self, model, h: torch.Tensor) -> torch.Tensor:
        """runs×N×N: the model's similarity of query k (row) to support c (column), from the embeddings `h` of
        `images`."""
        n = self.n_way
        base = torch.arange(self.runs)[:, None, None] * 2 * n
        query = (base + n + torch.arange(n)[None, :, None]).expand(-1, n, n)
        support = (base + torch.arange(n)[None, None, :]).expand(-1, n, n)
        return pair_scores(model, h, query.reshape(-1), support.reshape(-1)).view(self.runs, n, n)

    @staticmethod
    def picks(scores: torch.Tensor) -> torch.Tensor:
        """runs×N: the support each query is matched to (the most similar); right where it equals k."""
        return scores.argmax(-1)

    def trial_rows(self, trial: int) -> np.ndarray:
        """The evaluation-split rows of trial `trial` (run·N + query): its query, then its run's N supports."""
        run, k = divmod(trial, self.n_way)
        base = run * 2 * self.n_way
        rows = [base + self.n_way + k, *range(base, base + self.n_way)]
        return self.index[rows].numpy().astype(np.int32)

    def accuracy(self, scores: torch.Tensor) -> float:
        return float((self.picks(scores) == torch.arange(self.n_way)).float().mean())


def validation_runs(evaluation: ImageSet, runs_per_alphabet: int = RUNS_PER_ALPHABET, n_way: int = N_WAY,
                    seed: int = 0) -> ValidationRuns:
    """The runs, drawn by `seed` from the validation alphabets of Omniglot's evaluation split (any image size)."""
    data = alphabet_subset(evaluation, VALIDATION_ALPHABETS)
    g = torch.Generator().manual_seed(seed)
    drawers = data.meta["drawer"]
    rows, alphabets = [], []
    for alphabet in VALIDATION_ALPHABETS:
        chars = [c for c, a in enumerate(data.alphabets) if a == alphabet]
        if len(chars) < n_way:
            continue
        for _ in range(runs_per_alphabet):
            picked = [chars[k] for k in torch.randperm(len(chars), generator=g)[:n_way].tolist()]
            first, second = torch.randperm(int(drawers.max()) + 1, generator=g)[:2].tolist()
            for drawer in (first, second):  # the supports, then the queries
                rows += [int(torch.nonzero((data.labels == c) & (drawers == drawer))[0, 0]) for c in picked]
            alphabets.append(alphabet)
    rows_t = torch.tensor(rows)
    return ValidationRuns(data.rows(rows_t), data.meta["index"][rows_t], tuple(alphabets), n_way)
