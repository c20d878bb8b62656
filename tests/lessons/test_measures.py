"""The measures behind the claims, on hand-made inputs whose answer is known."""
import math

import numpy as np
import pytest

from siamese_core.lessons import measures as m


def test_an_oriented_edge_bank_scores_far_above_white_noise():
    k = 5
    ys, xs = np.mgrid[:k, :k] - (k - 1) / 2
    edges = []
    for a in np.linspace(0, np.pi, 12, endpoint=False):  # angles between the bank's own 8
        u = xs * np.cos(a) + ys * np.sin(a)
        edges += [np.tanh(u), np.exp(-u ** 2)]            # a soft step and a soft bar, not the bank's shapes
    edges = np.array(edges)
    noise = np.random.default_rng(1).normal(size=(24, k, k))
    chance = np.percentile(m.random_edge_scores(noise.shape), 95)
    assert np.median(m.edge_scores(edges)) > 0.85
    assert np.median(m.edge_scores(edges)) > chance
    assert np.median(m.edge_scores(noise)) < chance   # noise sits below its own 95th percentile


def test_edge_score_ignores_scale_sign_and_offset():
    f = np.random.default_rng(0).normal(size=(1, 5, 5))
    assert m.edge_scores(-3 * f + 7)[0] == pytest.approx(m.edge_scores(f)[0])


def test_precision_at_1_counts_nearest_neighbours_of_the_same_class():
    h = np.array([[0.0, 0], [0.1, 0], [5, 5], [5.1, 5], [0.05, 0.2]])
    assert m.precision_at_1(h, np.array([0, 0, 1, 1, 0])) == 1.0
    assert m.precision_at_1(h, np.array([0, 1, 1, 0, 0])) == pytest.approx(1 / 5)


def test_class_geometry_tells_spokes_from_blobs():
    rng = np.random.default_rng(0)
    angles = np.repeat(np.linspace(0, 2 * np.pi, 5, endpoint=False), 100)
    labels = np.repeat(np.arange(5), 100)
    r = rng.uniform(1, 10, len(angles))                   # long along each class's direction
    spokes = np.c_[r * np.cos(angles), r * np.sin(angles)] + rng.normal(0, 0.05, (len(r), 2))
    blobs = np.c_[5 * np.cos(angles), 5 * np.sin(angles)] + rng.normal(0, 0.3, (len(r), 2))
    g_spokes, g_blobs = m.class_geometry(spokes, labels), m.class_geometry(blobs, labels)
    assert g_spokes["radial"] > 10 > g_blobs["radial"]
    assert g_blobs["ratio"] < g_spokes["ratio"] / 3


def test_history_measures_read_the_late_part_of_a_run():
    history = [{"step": s, "active_fraction": 1.0 if s < 75 else 0.1, "num_triplets": 100.0,
                "embedding_spread": 1.0 if s < 10 else 0.01} for s in range(1, 101)]
    assert m.late_mean(history, "active_fraction") == pytest.approx(0.1)
    assert m.late_active_triplets(history) == pytest.approx(10.0)
    assert m.lowest_spread(history) == pytest.approx(0.01)
    assert m.collapsed_at(history) == 10
    assert math.isnan(m.late_mean([{"step": 1}], "active_fraction"))
