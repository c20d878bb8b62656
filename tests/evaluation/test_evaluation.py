
import numpy as np
import pytest
import torch

from siamese_core.data.sampling import Task
from siamese_core.distances import LpDistance
from siamese_core.evaluation.metrics import (
    accuracy_at,
    best_threshold,
    equal_error_rate,
    oneshot_accuracy,
    pixel_scorer,
    retrieval_metrics,
    roc,
    roc_auc,
)


def test_best_threshold_matches_brute_force():
    rng = np.random.default_rng(0)
    for _ in range(20):
        s = rng.normal(size=40).round(1)
        y = rng.integers(0, 2, 40)
        t, acc = best_threshold(s, y)
        brute = max(((s >= c) == y).mean() for c in np.concatenate([s, [s.max() + 1]]))
        assert acc == pytest.approx(brute) and accuracy_at(s, y, t) == pytest.approx(acc)


def test_auc_and_eer_on_separable_and_random_scores():
    y = np.array([1] * 50 + [0] * 50)
    s = np.concatenate([np.linspace(1, 2, 50), np.linspace(-1, 0, 50)])
    assert roc_auc(s, y) == 1.0 and equal_error_rate(s, y) == pytest.approx(0.0)
    rng = np.random.default_rng(1)
    noisy = rng.normal(size=100)
    assert 0.3 < roc_auc(noisy, y) < 0.7 and 0.3 < equal_error_rate(noisy, y) < 0.7


@pytest.mark.parametrize("kind", ["float32 ties", "float64", "bool labels", "one class", "two scores"])
def test_roc_and_auc_are_scikit_learns_exactly(kind):
    """`roc` and `roc_auc` are scikit-learn's roc_curve and roc_auc_score redone in numpy (a training process
    need not import scikit-learn): the same points, thresholds and area, to the last bit."""
    from sklearn.metrics import roc_auc_score, roc_curve

    rng = np.random.default_rng(3)
    y = rng.integers(0, 2, 500)
    s = rng.normal(size=500) + y
    if kind == "float32 ties":
        s = s.round(1).astype(np.float32)
    elif kind == "bool labels":
        y = y.astype(bool)
    elif kind == "one class":
        y = np.ones(500, dtype=int)
    elif kind == "two scores":
        s, y = s[:2], np.array([0, 1])
    if kind != "one class":
        assert roc_auc(s, y) == roc_auc_score(y, s)
        for ours, theirs in zip(roc(s, y), roc_curve(y, s)):
            np.testing.assert_array_equal(ours, theirs)
    else:
        assert np.isnan(roc_auc(s, y))


def test_eer_brute_force():
    rng = np.random.default_rng(2)
    y = rng.integers(0, 2, 300)
    s = rng.normal(size=300) + y
    # Brute force: the threshold where FAR and FRR are closest.
    best = min((abs(((s >= t) & (y == 0)).sum() / (y == 0).sum() - ((s < t) & (y == 1)).sum() / (y == 1).sum()),
                (((s >= t) & (y == 0)).sum() / (y == 0).sum() + ((s < t) & (y == 1)).sum() / (y == 1).sum()) / 2)
               for t in s)
    assert equal_error_rate(s, y) == pytest.approx(best[1], abs=0.01)


def test_oneshot_argmax_decision_and_pixel_baseline():
    # Four "classes" of constant images 0.0, 0.3, 0.6, 0.9; the query is 0.62 → nearest is class 2.
    images = torch.tensor([0.0, 0.3, 0.6, 0.9, 0.62]).view(5, 1, 1, 1).expand(5, 1, 4, 4).contiguous()
    right = Task(torch.tensor([0, 1, 2, 3]), torch.tensor([0, 1, 2, 3]), query=4, answer=2)
    wrong = Task(torch.tensor([0, 1, 2, 3]), torch.tensor([0, 1, 2, 3]), query=4, answer=3)
    assert oneshot_accuracy([right, wrong], images, *pixel_scorer()) == 0.5


def test_retrieval_metrics_brute_force():
    torch.manual_seed(0)
    h = torch.randn(30, 3)
    labels = torch.randint(0, 4, (30,))
    got = retrieval_metrics(h, labels, LpDistance())
    d = torch.cdist(h, h)
    d.fill_diagonal_(float("inf"))
    p1, aps = [], []
    for q in range(30):
        order = d[q].argsort().tolist()
        R = int((labels == labels[q]).sum()) - 1
        if R == 0:
            continue
        rel = [int(labels[o] == labels[q]) for o in order[:R]]
        p1.append(rel[0])
        aps.append(sum(sum(rel[:i + 1]) / (i + 1) * rel[i] for i in range(R)) / R)
    assert got["precision_at_1"] == pytest.approx(np.mean(p1))
    assert got["map_at_r"] == pytest.approx(np.mean(aps))
