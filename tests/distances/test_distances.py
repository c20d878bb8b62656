"""Distances against plain-Python oracles, the workshop's worked example, and pytorch-metric-learning."""
from __future__ import annotations

import itertools
import math

import pytest
import torch
from torch.testing import assert_close

from siamese_core.distances import DISTANCE_NAMES, BaseDistance, CosineDistance, LpDistance, lp_distance, make_distance


# --- plain-Python oracle ------------------------------------------------------------------------
def bf_distance(u: list[float], v: list[float], name: str, normalize: bool = False) -> float:
    if normalize or name == "cosine":
        u, v = _unit(u), _unit(v)
    if name == "l1":
        return sum(abs(a - b) for a, b in zip(u, v))
    if name == "l2":
        return math.sqrt(sum((a - b) ** 2 for a, b in zip(u, v)))
    return 1.0 - sum(a * b for a, b in zip(u, v))


def _unit(u: list[float]) -> list[float]:
    norm = math.sqrt(sum(a * a for a in u))
    return [a / norm for a in u]


@pytest.fixture
def points() -> tuple[torch.Tensor, torch.Tensor]:
    g = torch.Generator().manual_seed(0)
    return torch.randn(5, 3, generator=g, dtype=torch.float64), torch.randn(4, 3, generator=g, dtype=torch.float64)


# --- worked example -----------------------------------------------------------------------------
def test_workshop_l1_example():
    h1 = torch.tensor([0.1, 0.4, 1.1])
    h2 = torch.tensor([3.7, 0.5, -1.0])
    assert_close((h1 - h2).abs(), torch.tensor([3.6, 0.1, 2.1]))
    l1 = make_distance("l1")
    assert_close(l1.paired(h1, h2), torch.tensor(5.8))                      # two vectors → a scalar
    assert_close(l1.paired(h1[None], h2[None]), torch.tensor([5.8]))
    assert_close(l1.pairwise(h1[None], h2[None]), torch.tensor([[5.8]]))


# --- against the oracle -------------------------------------------------------------------------
@pytest.mark.parametrize("name", DISTANCE_NAMES)
@pytest.mark.parametrize("normalize", [False, True])
def test_pairwise_and_paired_match_bruteforce(points, name, normalize):
    x, y = points
    dist = make_distance(name, normalize_embeddings=normalize)
    expected = torch.tensor([[bf_distance(u, v, name, normalize) for v in y.tolist()] for u in x.tolist()],
                            dtype=torch.float64)
    assert_close(dist.pairwise(x, y), expected)
    assert_close(dist(x, y), expected)                                      # calling = pairwise
    assert_close(dist.paired(x[:4], y), expected[:4].diagonal())
    self_expected = torch.tensor([[bf_distance(u, v, name, normalize) for v in x.tolist()] for u in x.tolist()],
                                 dtype=torch.float64)
    assert_close(dist.pairwise(x), self_expected)                           # y omitted → x vs x
    assert_close(dist.pairwise(x).diagonal(), torch.zeros(5, dtype=torch.float64), atol=1e-7, rtol=0)


@pytest.mark.parametrize("name", ["l1", "l2"])
def test_symmetry_and_triangle_inequality(name):
    g = torch.Generator().manual_seed(1)
    x = torch.randn(8, 4, generator=g)
    d = make_distance(name).pairwise(x)
    assert_close(d, d.T)
    assert (d >= 0).all()
    for i, j, k in itertools.product(range(8), repeat=3):
        assert d[i, k] <= d[i, j] + d[j, k] + 1e-5


def test_cosine_is_symmetric_and_in_range():
    g = torch.Generator().manual_seed(2)
    x = torch.randn(10, 3, generator=g)
    x = torch.cat([x, -x[:1], 3 * x[:1]])  # opposite (d = 2) and same direction (d = 0) included
    d = CosineDistance().pairwise(x)
    assert_close(d, d.T)
    assert (d >= 0).all() and (d <= 2).all()
    assert_close(d[0, 10], torch.tensor(2.0))
    assert_close(d[0, 11], torch.tensor(0.0), atol=1e-6, rtol=0)


def test_normalize_embeddings_bounds_l2():
    x = torch.randn(6, 3) * 50
    d = LpDistance(normalize_embeddings=True).pairwise(x)
    assert (d <= 2 + 1e-6).all()
    assert_close(d, LpDistance().pairwise(torch.nn.functional.normalize(x, dim=1)))


# --- collapse: the gradient of sqrt at 0 ----------------------------------------------------------
def test_l2_gradient_is_finite_when_embeddings_coincide():
    x = torch.tensor([[0.3, -1.2, 2.0]], requires_grad=True)
    y = x.detach().clone().requires_grad_(True)
    d = LpDistance().paired(x, y)
    assert d.item() == 0.0
    d.sum().backward()
    assert torch.isfinite(x.grad).all() and torch.isfinite(y.grad).all()

    z = torch.ones(4, 2, requires_grad=True)                                # a collapsed batch
    mat = LpDistance().pairwise(z)
    assert (mat == 0).all()
    mat.sum().backward()
    assert torch.isfinite(z.grad).all()


def test_l2_gradient_matches_analytic_away_from_zero():
    x = torch.tensor([[1.0, 2.0]], requires_grad=True)
    y = torch.tensor([[4.0, 6.0]])
    LpDistance().paired(x, y).sum().backward()
    assert_close(x.grad, torch.tensor([[-3.0, -4.0]]) / 5.0)              # (x − y)/‖x − y‖


# --- large inputs are computed in chunks, with the same result -------------------------------------
@pytest.mark.parametrize("p", [1, 2])
def test_chunked_pairwise_equals_single_shot(monkeypatch, p):
    x, y = torch.randn(13, 3), torch.randn(7, 3)
    full = LpDistance(p=p).pairwise(x, y)
    monkeypatch.setattr(lp_distance, "_MAX_CHUNK_ELEMENTS", 2 * 7 * 3)     # 2 rows per chunk
    assert_close(LpDistance(p=p).pairwise(x, y), full)


# --- against pytorch-metric-learning -------------------------------------------------------------
@pytest.fixture
def pml_distances():
    return pytest.importorskip("pytorch_metric_learning.distances")


@pytest.mark.parametrize("p", [1, 2])
def test_lp_matches_pml(pml_distances, p):
    x, y = torch.randn(9, 5, dtype=torch.float64), torch.randn(6, 5, dtype=torch.float64)
    # PML normalises by default; ours does not, so switch theirs off to compare raw distances.
    theirs = pml_distances.LpDistance(p=p, normalize_embeddings=False)
    assert_close(LpDistance(p=p).pairwise(x, y), theirs(x, y))


def test_cosine_is_one_minus_pml_cosine_similarity(pml_distances):
    x, y = torch.randn(9, 5, dtype=torch.float64), torch.randn(6, 5, dtype=torch.float64)
    assert_close(CosineDistance().pairwise(x, y), 1 - pml_distances.CosineSimilarity()(x, y))


# --- errors and names ----------------------------------------------------------------------------
def test_shape_errors_are_clear():
    d = LpDistance()
    with pytest.raises(ValueError, match="2-D"):
        d.pairwise(torch.zeros(3), torch.zeros(2, 3))
    with pytest.raises(ValueError, match="same embedding size"):
        d.pairwise(torch.zeros(2, 3), torch.zeros(2, 4))
    with pytest.raises(ValueError, match="same shape"):
        d.paired(torch.zeros(2, 3), torch.zeros(3, 3))
    with pytest.raises(TypeError, match="floating-point"):
        d.pairwise(torch.zeros(2, 3, dtype=torch.long))


def test_make_distance_names():
    assert isinstance(make_distance("l2"), LpDistance) and make_distance("l2").p == 2
    assert make_distance("l1").p == 1
    assert isinstance(make_distance("cosine"), CosineDistance)
    for name in DISTANCE_NAMES:
        d = make_distance(name)
        assert isinstance(d, BaseDistance) and d.name == name
    assert make_distance("l2", normalize_embeddings=True).normalize_embeddings
    with pytest.raises(ValueError, match="l2, l1, cosine"):
        make_distance("euclid")
    with pytest.raises(ValueError, match="p=1"):
        LpDistance(p=3)
