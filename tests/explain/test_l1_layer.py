"""Koch's L1 layer by hand against the model's own WeightedL1Head; the other measures by brute force."""
import math

import numpy as np
import pytest
import torch

from siamese_core.explain.l1_layer import (
    WORKSHOP_H1,
    WORKSHOP_H2,
    compare_measures,
    explain_pair,
    parse_vector,
    sigmoid,
    weighted_l1,
)
from siamese_core.losses.pair_bce_loss import bce
from siamese_core.models import ModelConfig, SiameseNet, WeightedL1Head


def test_workshop_example():
    r = weighted_l1(WORKSHOP_H1, WORKSHOP_H2)
    np.testing.assert_allclose(r.diff, [3.6, 0.1, 2.1], atol=1e-12)
    assert r.logit == pytest.approx(5.8) and r.p == pytest.approx(1 / (1 + math.exp(-5.8)))


def test_matches_the_real_head_and_is_symmetric():
    torch.manual_seed(0)
    head = WeightedL1Head(16).double()
    h1, h2 = torch.randn(16, dtype=torch.float64), torch.randn(16, dtype=torch.float64)
    alpha, b = head.alpha.weight[0].detach().numpy(), float(head.alpha.bias[0].detach())
    r = weighted_l1(h1.numpy(), h2.numpy(), alpha, b)
    with torch.no_grad():
        logit = float(head(h1[None], h2[None])[0])
    assert r.logit == pytest.approx(logit, abs=1e-12)
    assert r.p == pytest.approx(1 / (1 + math.exp(-logit)), abs=1e-12)
    assert weighted_l1(h2.numpy(), h1.numpy(), alpha, b).p == r.p
    np.testing.assert_allclose(r.weighted, alpha * np.abs(h1.numpy() - h2.numpy()))


def test_sigmoid_is_stable_and_right():
    assert sigmoid(0.0) == 0.5 and sigmoid(800.0) == 1.0 and sigmoid(-800.0) == 0.0
    assert sigmoid(-2.8) == pytest.approx(1 / (1 + math.exp(2.8)))


@pytest.mark.parametrize("bad,message", [((WORKSHOP_H1, (1, 2)), "same length"),
                                         ((WORKSHOP_H1, WORKSHOP_H2, (1, 2)), "one weight per feature"),
                                         (((), ()), "empty"), (((np.nan, 1), (1, 1)), "NaN")])
def test_bad_vectors_raise(bad, message):
    with pytest.raises(ValueError, match=message):
        weighted_l1(*bad)


def test_compare_measures_brute_force():
    a, b = np.array(WORKSHOP_H1), np.array(WORKSHOP_H2)
    got = {m.name: m.value for m in compare_measures(a, b, rbf_sigma=2.0)}
    l2 = math.sqrt(sum((x - y) ** 2 for x, y in zip(a, b)))
    cos = sum(x * y for x, y in zip(a, b)) / math.sqrt(sum(x * x for x in a) * sum(y * y for y in b))
    assert got["L1 (Manhattan)"] == pytest.approx(5.8)
    assert got["L2 (Euclidean)"] == pytest.approx(l2)
    assert got["cosine similarity"] == pytest.approx(cos) and got["cosine distance"] == pytest.approx(1 - cos)
    assert got["dot product"] == pytest.approx(0.1 * 3.7 + 0.4 * 0.5 - 1.1)
    assert got["RBF"] == pytest.approx(math.exp(-l2**2 / 4.0))
    swapped = {m.name: m.value for m in compare_measures(b, a, rbf_sigma=2.0)}
    assert swapped == pytest.approx(got)  # every measure is symmetric
    with pytest.raises(ValueError, match="σ"):
        compare_measures(a, b, rbf_sigma=0)


def test_parse_vector():
    np.testing.assert_allclose(parse_vector("0.1, 0.4,1.1"), WORKSHOP_H1)
    np.testing.assert_allclose(parse_vector("3.7 0.5 -1"), WORKSHOP_H2)
    for bad in ("", "1, two", "1, nan"):
        with pytest.raises(ValueError):
            parse_vector(bad)


def test_explain_pair_reproduces_the_models_probability(digits_test):
    torch.manual_seed(0)
    model = SiameseNet(ModelConfig(backbone="koch-small", embedding_dim=8, input_size=(8, 8), head="l1",
                                   width=0.25)).eval()
    x1, x2 = digits_test.images[0], digits_test.images[5]
    r = explain_pair(model, x1, x2)
    assert r.p == pytest.approx(float(model.similarity(x1[None], x2[None])[0]), abs=1e-6)
    assert explain_pair(model, x2, x1).p == pytest.approx(r.p, abs=1e-12)
    with pytest.raises(ValueError, match="no L1 head"):
        explain_pair(SiameseNet(ModelConfig(input_size=(8, 8))), x1, x2)


def test_bce_worked_examples():
    assert bce(0.99, 1) == pytest.approx(0.01005, abs=1e-5)
    assert bce(0.001, 1) == pytest.approx(6.9078, abs=1e-4)


def test_a_vector_longer_than_can_be_worked_by_hand_is_refused_without_parsing_it():
    """A shared link once carried 15,000 numbers per vector and kept the tab busy for 84 s."""
    from siamese_core.explain.l1_layer import MAX_VECTOR
    assert len(parse_vector(", ".join(["1"] * MAX_VECTOR))) == MAX_VECTOR
    with pytest.raises(ValueError, match=f"at most {MAX_VECTOR}"):
        parse_vector(",".join(["1"] * (MAX_VECTOR + 1)))
    with pytest.raises(ValueError, match="characters long"):
        parse_vector(", ".join(["0.123456"] * 15_000))
