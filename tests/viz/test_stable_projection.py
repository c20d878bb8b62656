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


def test_the_layout_keeps_a_unit_spread_after_a_nearly_collapsed_first_frame():
    # An untrained network maps every image to almost the same point; the frames after it must not inherit
    # that tiny spread (the figures round coordinates to 3 decimals: the map would become a grid).
    rng = np.random.default_rng(0)
    start = 1.0 + 1e-4 * rng.normal(size=(300, 16))
    later = rng.normal(size=(300, 16))
    first = stable_layout(start)
    second = stable_layout(later, first)
    for layout in (first, second):
        assert np.allclose(layout.mean(0), 0, atol=1e-5)
        assert np.sqrt((layout.astype(np.float64) ** 2).sum(1).mean()) == pytest.approx(1.0, rel=1e-4)
    assert len({(round(float(x), 3), round(float(y), 3)) for x, y in second}) > 290  # no grid


def test_inertia_keeps_part_of_the_previous_layout_and_damps_jitter():
    x = _clusters()
    first = stable_layout(x)
    jittered = x + np.random.default_rng(4).normal(0, 0.5, x.shape)  # one SGD step's worth of noise
    free, damped = stable_layout(jittered, first), stable_layout(jittered, first, inertia=0.5)
    assert mean_displacement(first, damped) < 0.7 * mean_displacement(first, free)
    # The damped layout lies between the previous one and the free one, not somewhere else.
    between = 0.5 * first + 0.5 * free
    assert mean_displacement(damped, between / np.sqrt((between ** 2).sum(1).mean())) < 0.02
    # Without a previous layout there is nothing to keep.
    assert np.array_equal(stable_layout(x, inertia=0.5), first)
    with pytest.raises(ValueError):
        stable_layout(x, first, inertia=1.0)
