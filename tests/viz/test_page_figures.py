"""The figure builders the pages call carry the data they are given (twins, sweeps, miners, histogram mark)."""
import numpy as np
import pytest

from siamese_core.explain.diagnostics import MINER_STATS, miner_curves
from siamese_core.viz import figures, sweep_figures, twins_figures


def test_embedding_pair_groups_both_vectors_and_checks_lengths():
    fig = twins_figures.embedding_pair([0.1, 0.4, 1.1], [3.7, 0.5, -1.0])
    assert [t.name for t in fig.data] == ["h1", "h2"] and fig.layout.barmode == "group"
    np.testing.assert_allclose(fig.data[1].y, [3.7, 0.5, -1.0])
    assert "3-d" in fig.layout.title.text
    with pytest.raises(ValueError, match="same length"):
        twins_figures.embedding_pair([1, 2], [1, 2, 3])


def test_bce_curve_marks_the_learner():
    p = np.linspace(0.01, 0.99, 5)
    fig = twins_figures.bce_curve(p, -np.log(p), -np.log(1 - p), you=(0.99, 0.01))
    assert [t.name for t in fig.data] == ["y = 1", "y = 0", "you"]
    assert tuple(fig.data[2].x) == (0.99,) and tuple(fig.data[2].y) == (0.01,)


def test_batch_classes_is_classes_by_batches():
    mix = np.array([[3, 0], [1, 2], [0, 3]])  # 3 batches × 2 classes
    fig = twins_figures.batch_classes(mix, shuffled=False)
    assert np.asarray(fig.data[0].z).shape == (2, 3)
    assert "first 3 batches (not shuffled)" in fig.layout.title.text


def test_size_sweep_figures():
    fig = sweep_figures.scores_versus_size([2, 8, 32], [0.7, 0.8, 0.85], [0.75, 0.9, 0.92])
    assert [t.name for t in fig.data] == ["test accuracy", "ROC AUC"] and fig.layout.xaxis.type == "log"
    assert list(fig.layout.xaxis.tickvals) == [2, 8, 32] and list(fig.layout.xaxis.ticktext) == ["2", "8", "32"]
    fig = sweep_figures.steps_per_second([2, 8], [100, 50], [10.0, 10.0])
    assert list(fig.data[0].x) == ["2", "8"]
    np.testing.assert_allclose(fig.data[0].y, [10.0, 5.0])


def test_miner_statistics_draws_four_series_per_run_in_three_panels():
    history = [{"step": s, "active_fraction": 1 / s, "mean_pos_distance": 0.5, "mean_neg_distance": float("nan"),
                "embedding_spread": 1.0} for s in range(1, 6)]
    curves = miner_curves(history)
    assert set(curves) == set(MINER_STATS) and curves["mean_neg_distance"] == ([], [])
    fig = sweep_figures.miner_statistics({"semi-hard": curves, "hardest": curves})
    assert len(fig.data) == 8
    assert sum(t.showlegend for t in fig.data) == 2  # one legend entry per run
    assert list(fig.data[0].y) == pytest.approx([1 / s for s in range(1, 6)])
    assert {t.xaxis for t in fig.data} == {"x", "x2", "x3"}
    # The active fraction on a fixed 0–1 scale: a dip of a few hundred-thousandths stays a dip.
    assert list(fig.layout.yaxis.range) == [0, 1.05] and fig.layout.yaxis2.range is None


def test_histogram_marks_one_pair_on_the_distance_axis():
    fig = figures.distance_histogram([-0.2, -1.0], [True, False], threshold=-0.5, as_distance=True, mark=-0.3)
    lines = [s for s in fig.layout.shapes]
    assert sorted(s.x0 for s in lines) == pytest.approx([0.3, 0.5])
    assert any(a.text == "your pair" for a in fig.layout.annotations)
