"""Evaluation protocols: pair verification, N-way one-shot, retrieval, and the 1-NN pixel baseline.

Scores are similarities (higher = more alike); thresholds are chosen on validation data and then
applied unchanged to test data.
"""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import torch

from ..data import ImageSet, as_float
from ..data.sampling import Task, sample_pairs, sample_tasks
from ..models.embed import embed


@torch.no_grad()
def pair_scores(model, h: torch.Tensor, i: torch.Tensor, j: torch.Tensor, batch_size: int = 4096) -> torch.Tensor:
    """Similarity of embedding pairs (h[i], h[j]) through the model's own scoring."""
    dev = next(model.parameters()).device
    out = [model.score(h[i[s:s + batch_size]].to(dev), h[j[s:s + batch_size]].to(dev)).cpu()
           for s in range(0, len(i), batch_size)]
    return torch.cat(out)


def best_threshold(scores, y) -> tuple[float, float]:
    """The threshold (predict same when score ≥ t) that maximises accuracy on these pairs."""
    s = np.asarray(scores, dtype=np.float64)
    y = np.asarray(y).astype(bool)
    order = np.argsort(-s)
    s_sorted, y_sorted = s[order], y[order]
    # Predict "same" for the top k scores: correct = same among top k + different among the rest.
    tp = np.concatenate([[0], np.cumsum(y_sorted)])
    fp = np.concatenate([[0], np.cumsum(~y_sorted)])
    correct = tp + ((~y).sum() - fp)
    # Only cut between distinct scores.
    valid = np.concatenate([[True], s_sorted[1:] != s_sorted[:-1], [True]])
    k = int(np.argmax(np.where(valid, correct, -1)))
    if k == 0:
        t = s_sorted[0] + 1e-6
    elif k == len(s):
        t = s_sorted[-1] - 1e-6
    else:
        t = (s_sorted[k - 1] + s_sorted[k]) / 2
    return float(t), float(correct[k] / len(s))


def accuracy_at(scores, y, threshold: float) -> float:
    s = np.asarray(scores)
    y = np.asarray(y).astype(bool)
    return float(((s >= threshold) == y).mean())


def roc_auc(scores, y) -> float:
    """Area under `roc`, by the trapezoid rule: scikit-learn's roc_auc_score, NaN with one class only."""
    if len(np.unique(np.asarray(y))) != 2:
        return float("nan")
    fpr, tpr, _ = roc(scores, y)
    return float(np.trapezoid(tpr, fpr))


def roc(scores, y) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """False-positive rate, true-positive rate, thresholds: scikit-learn's roc_curve step by step (tied scores
    one point, collinear points dropped, (0, 0) at threshold ∞ first), in numpy, so that a training process
    never imports scikit-learn (a second and over 100 MB); tests/evaluation checks that they agree exactly."""
    s, positive = np.asarray(scores).ravel(), (np.asarray(y).ravel() == 1).astype(np.float64)
    order = np.argsort(-s, kind="stable")
    s, positive = s[order], positive[order]
    ends = np.r_[np.nonzero(np.diff(s))[0], len(s) - 1]   # the last pair of each run of equal scores
    tps = np.cumsum(positive)[ends]
    fps = 1 + ends.astype(np.float64) - tps
    thresholds = s[ends]
    if len(fps) > 2:
        keep = np.nonzero(np.r_[True, np.logical_or(np.diff(fps, 2), np.diff(tps, 2)), True])[0]
        fps, tps, thresholds = fps[keep], tps[keep], thresholds[keep]
    fps, tps = np.r_[0.0, fps], np.r_[0.0, tps]
    fpr = fps / fps[-1] if fps[-1] > 0 else np.full(fps.shape, np.nan)
    tpr = tps / tps[-1] if tps[-1] > 0 else np.full(tps.shape, np.nan)
    return fpr, tpr, np.r_[np.inf, thresholds.astype(np.float64)]


def equal_error_rate(scores, y) -> float:
    """Where false-accept rate = false-reject rate (interpolated on the ROC)."""
    fpr, tpr, _ = roc(scores, y)
    fnr = 1 - tpr
    k = int(np.nonzero(fnr <= fpr)[0][0])
    if k == 0:
        return float(fpr[0])
    # Linear interpolation between the two ROC points around the crossing.
    d0, d1 = fnr[k - 1] - fpr[k - 1], fnr[k] - fpr[k]
    w = d0 / (d0 - d1) if d0 != d1 else 0.0
    return float(fpr[k - 1] + w * (fpr[k] - fpr[k - 1]))


@dataclass
class VerificationResult:
    threshold: float        # chosen on validation pairs
    accuracy: float         # test pairs at that threshold
    auc: float
    eer: float
    val_accuracy: float
    n_pairs: int
    test_scores: torch.Tensor
    test_labels: torch.Tensor
    test_pairs: tuple[torch.Tensor, torch.Tensor]  # (i, j) test-set indices of each scored pair

    def summary(self) -> dict:
        return {"accuracy": self.accuracy, "auc": self.auc, "eer": self.eer, "threshold": self.threshold,
                "val_accuracy": self.val_accuracy, "pairs": self.n_pairs}


def verification(model, val_set: ImageSet | None, test_set: ImageSet, n_pairs: int = 2000, seed: int = 0,
                 threshold: float | None = None, val_accuracy: float | None = None) -> VerificationResult:
    """Balanced pairs (seeded) from each set; threshold from validation, accuracy on test. A run that has
    just validated passes its `threshold` (and `val_accuracy`) and no validation set is embedded again."""
    vs = vy = None
    if threshold is None:
        if val_set is None:
            raise ValueError("verification needs a validation set or a threshold chosen on one")
        vs, vy, _ = _scored_pairs(model, val_set, n_pairs, seed + 1)
        threshold, val_accuracy = best_threshold(vs, vy)
    ts, ty, test_pairs = _scored_pairs(model, test_set, n_pairs, seed)
    return VerificationResult(threshold, accuracy_at(ts, ty, threshold), roc_auc(ts, ty), equal_error_rate(ts, ty),
                              float("nan") if val_accuracy is None else val_accuracy, n_pairs, ts, ty, test_pairs)


def _scored_pairs(model, data: ImageSet, n_pairs: int, seed: int):
    """Scores of `n_pairs` balanced pairs of `data` (seeded); only the images the pairs use are embedded."""
    i, j, y = sample_pairs(data.labels, n_pairs, seed=seed)
    used = torch.unique(torch.cat([i, j]))
    at = torch.full((len(data),), -1, dtype=torch.long)
    at[used] = torch.arange(len(used))
    return pair_scores(model, embed(model, data.images[used]), at[i], at[j]), y, (i, j)


# --- N-way one-shot ------------------------------------------------------------------------------
ScoreFn = Callable[[torch.Tensor, torch.Tensor], torch.Tensor]  # (query feats 1×…, support feats N×…) → N


def model_scorer(model) -> tuple[Callable[[torch.Tensor], torch.Tensor], ScoreFn]:
    """(featurise, score) for a trained model: embeddings, then the model's own similarity."""
    def score(q, s):
        return pair_scores(model, torch.cat([q.expand(len(s), -1), s]),
                           torch.arange(len(s)), torch.arange(len(s), 2 * len(s)))
    return (lambda x: embed(model, x)), score


def pixel_scorer() -> tuple[Callable[[torch.Tensor], torch.Tensor], ScoreFn]:
    """The 1-nearest-neighbour baseline: similarity = −Euclidean distance between raw pixels."""
    return (lambda x: x.flatten(1)), (lambda q, s: -torch.cdist(q.float(), s.float()).squeeze(0))


def task_images(tasks: list[Task]) -> torch.Tensor:
    """The sorted dataset indices that a list of tasks reads (supports and queries)."""
    return torch.unique(torch.cat([torch.cat([t.support, torch.tensor([t.query])]) for t in tasks]))


def oneshot_accuracy(tasks: list[Task], images: torch.Tensor, featurise, score: ScoreFn,
                     k_shot: int = 1) -> float:
    """Fraction of tasks where C* = argmax_c similarity(query, support_c) is the right class.
    With k > 1 shots a class scores the mean of its supports' similarities."""
    needed = task_images(tasks)
    feats = featurise(as_float(images[needed]))
    where = {int(v): n for n, v in enumerate(needed.tolist())}
    correct = 0
    for t in tasks:
        q = feats[where[t.query]][None]
        s = feats[[where[int(v)] for v in t.support]]
        per_class = score(q, s).view(t.n_way, k_shot).mean(1)
        correct += int(int(per_class.argmax()) == t.answer)
    return correct / len(tasks)


def oneshot(model, data: ImageSet, n_way: int = 20, n_tasks: int = 1000, k_shot: int = 1, seed: int = 0,
            within_alphabet: bool = False) -> dict:
    """Model and 1-NN pixel baseline on the same seeded random tasks."""
    tasks = sample_tasks(data.labels, n_way, n_tasks, k_shot, seed, data.alphabets, within_alphabet)
    return {"n_way": n_way, "k_shot": k_shot, "tasks": n_tasks,
            "accuracy": oneshot_accuracy(tasks, data.images, *model_scorer(model), k_shot=k_shot),
            "pixel_1nn_accuracy": oneshot_accuracy(tasks, data.images, *pixel_scorer(), k_shot=k_shot),
            "chance": 1.0 / n_way}


def oneshot_official_runs(featurise, score: ScoreFn, runs) -> float:
    """Accuracy on Lake et al.'s 20 official 20-way runs (400 trials)."""
    correct = total = 0
    for run in runs:
        s = featurise(run.support)
        for qi in range(len(run.queries)):
            q = featurise(run.queries[qi:qi + 1])
            correct += int(int(score(q, s).argmax()) == int(run.answers[qi]))
            total += 1
    return correct / total


# --- retrieval -----------------------------------------------------------------------------------
def retrieval(model, data: ImageSet, max_queries: int | None = None) -> dict:
    """Precision@1 and MAP@R (Musgrave et al. 2020), every image querying all the others."""
    h = embed(model, data.images)
    return retrieval_metrics(h, data.labels, model.distance, max_queries)


def retrieval_metrics(h: torch.Tensor, labels: torch.Tensor, distance, max_queries: int | None = None) -> dict:
    n = len(labels) if max_queries is None else min(max_queries, len(labels))
    p_at_1, ap_r = [], []
    for s in range(0, n, 1024):
        d = distance.pairwise(h[s:min(n, s + 1024)], h)
        rows = torch.arange(s, min(n, s + 1024))
        d[torch.arange(len(rows)), rows] = float("inf")  # a query never retrieves itself
        order = d.argsort(dim=1)
        rel = labels[order] == labels[rows][:, None]
        for r_row, q in zip(rel, rows.tolist()):
            R = int((labels == labels[q]).sum()) - 1
            if R == 0:
                continue
            top = r_row[:R].float()
            prec = torch.cumsum(top, 0) / torch.arange(1, R + 1)
            ap_r.append(float((prec * top).sum() / R))
            p_at_1.append(float(r_row[0]))
    return {"precision_at_1": float(np.mean(p_at_1)), "map_at_r": float(np.mean(ap_r)), "queries": len(p_at_1)}
