import numpy as np
import torch

from siamese_core.viz import figures
from siamese_core.viz.projection import tsne_2d


def test_tsne_is_seeded_and_separates_clusters():
    rng = np.random.default_rng(0)
    x = np.concatenate([rng.normal(0, 0.1, (40, 8)), rng.normal(5, 0.1, (40, 8))])
    a, b = tsne_2d(x, seed=1), tsne_2d(x, seed=1)
    assert a.shape == (80, 2) and np.allclose(a, b)
    c0, c1 = a[:40].mean(0), a[40:].mean(0)
    spread = max(a[:40].std(0).max(), a[40:].std(0).max())
    assert np.linalg.norm(c0 - c1) > 3 * spread


def test_figure_builders_carry_the_data():
    fig = figures.tsne_scatter(np.random.rand(20, 2), np.repeat([0, 1], 10), ["cat", "dog"])
    assert [t.name for t in fig.data] == ["cat", "dog"] and len(fig.data[0].x) == 10
    fig = figures.distance_histogram(torch.tensor([-0.1, -0.2, -1.5]), torch.tensor([1, 1, 0]), threshold=-0.8)
    np.testing.assert_allclose(fig.data[0].x, [0.1, 0.2], rtol=1e-6)
    np.testing.assert_allclose(fig.data[1].x, [1.5], rtol=1e-6)
    fig = figures.roc_figure([0, 0.5, 1], [0, 0.9, 1], auc=0.95, point=(0.1, 0.8))
    assert "0.950" in fig.data[0].name and len(fig.data) == 3
    hist = [{"step": s, "loss": 1 / s} for s in range(1, 21)]
    fig = figures.training_curves(hist, [{"step": 20, "val_accuracy": 0.9}])
    assert len(fig.data) == 3
    fig = figures.image_grid(torch.rand(5, 1, 8, 8), titles=list("abcde"), cols=3)
    assert len(fig.data) == 5 and fig.data[0].z.shape == (8, 8)
