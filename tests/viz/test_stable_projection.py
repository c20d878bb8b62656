import numpy as np
import pytest

from siamese_core.viz.projection import tsne_2d
from siamese_core.viz.stable_projection import mean_displacement, stable_layout


def _clusters(seed=0, n=300, d=16):
    rng = np.random.default_rng(seed)
    centres = rng.normal(0, 3, (10, d))
    labels = rng.integers(0, 10, n)
    return centres[labels] + rng.normal(0, 1, (n, d))


def test_same_embeddings_give_the_same_layout():
    x = _clusters()
    assert np.array_equal(stable_layout(x), stable_layout(x.copy()))


def test_a_two_dimensional_embedding_is_shown_as_its_own_plane():
    x = np.random.default_rng(1).normal(size=(50, 2))
    assert np.allclose(stable_layout(x), x, atol=1e-6)


def test_a_turned_copy_of_the_embeddings_lands_on_the_previous_layout():
    x = _clusters()
    q, _ = np.linalg.qr(np.random.default_rng(2).normal(size=(16, 16)))  # a rotation/mirror of R^16
    first = stable_layout(x)
    again = stable_layout(2.0 * x @ q, previous=first)
    assert mean_displacement(first, again) < 1e-4


def test_a_small_change_moves_points_little_and_far_less_than_a_fresh_tsne():
    x = _clusters()
    y = x + np.random.default_rng(3).normal(0, 0.05, x.shape)
    first = stable_layout(x)
    glide = mean_displacement(first, stable_layout(y, previous=first))
    jump = mean_displacement(tsne_2d(x, seed=0), tsne_2d(y, seed=1))
    assert glide < 0.05
    assert glide < jump / 4


def test_bad_shapes_are_refused():
    with pytest.raises(ValueError):
        stable_layout(np.zeros((2, 5)))
    with pytest.raises(ValueError):
        stable_layout(_clusters(), previous=np.zeros((10, 2)))
