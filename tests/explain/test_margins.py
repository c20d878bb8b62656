"""The largest distance between two unit-length embeddings, checked against a brute-force search with
the project's own distances."""
import itertools
import math

import numpy as np
import pytest
import torch

from siamese_core.distances import make_distance
from siamese_core.explain.margins import margin_warning, max_unit_distance


def brute_force_max(distance: str, dim: int, n: int = 400, seed: int = 0) -> float:
    """Max of d(u, v) over random unit vectors, their negatives and the signed corner directions."""
    rng = np.random.default_rng(seed)
    pts = rng.normal(size=(n, dim))
    corners = np.array(list(itertools.product((-1.0, 1.0), repeat=dim)))
    pts = np.concatenate([pts, -pts, corners])
    x = torch.from_numpy(pts / np.linalg.norm(pts, axis=1, keepdims=True))
    return float(make_distance(distance).pairwise(x, x).max())


@pytest.mark.parametrize("distance", ["l2", "cosine", "l1"])
@pytest.mark.parametrize("dim", [1, 2, 3, 5])
def test_bound_matches_a_brute_force_search(distance, dim):
    bound = max_unit_distance(distance, dim)
    found = brute_force_max(distance, dim)
    assert found <= bound + 1e-9          # nothing beats the bound…
    assert found == pytest.approx(bound, rel=1e-6)  # …and it is reached (u = ±v along a corner)


def test_random_search_alone_never_exceeds_the_l1_bound():
    rng = np.random.default_rng(1)
    for dim in (2, 4, 8):
        x = torch.from_numpy(rng.normal(size=(2000, dim)))
        x = x / x.norm(dim=1, keepdim=True)
        assert float(make_distance("l1").pairwise(x, x).max()) <= 2 * math.sqrt(dim) + 1e-9


def test_margin_warning_is_one_sentence_only_at_or_past_the_bound():
    assert margin_warning("l1", 2, 2.0) is None                 # 2 < 2√2
    assert margin_warning("l1", 2, 2.9) is not None
    assert margin_warning("cosine", 32, 1.99) is None
    text = margin_warning("l2", 32, 2.0)
    assert text.endswith("can never be met.") and text.count(". ") == 0


def test_bad_inputs_are_one_clear_sentence():
    with pytest.raises(ValueError, match="unknown distance"):
        max_unit_distance("chebyshev", 3)
    with pytest.raises(ValueError, match="whole number"):
        max_unit_distance("l1", 0)
