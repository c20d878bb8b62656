"""Losses against plain-Python oracles, the workshop's worked numbers, behaviour, and pytorch-metric-learning."""
from __future__ import annotations

import math

import pytest
import torch
from torch.testing import assert_close

from siamese_core.distances import LpDistance, make_distance
from siamese_core.losses import CenterLoss, ContrastiveLoss, PairBCELoss, TripletLoss, bce
from siamese_core.miners import MINER_NAMES, AllTripletsMiner, make_miner

POINTS = [[0.1, -0.05, 0.3], [0.62, 0.07, 0.1], [0.21, 0.53, -0.2],
          [1.31, 0.24, 0.0], [0.93, 0.11, 0.4], [1.14, 1.06, -0.3],
          [-1.03, -0.42, 0.5], [0.47, -0.62, 0.2]]
LABELS = [0, 0, 0, 1, 1, 1, 2, 2]


# --- plain-Python oracles ------------------------------------------------------------------------
def bf_dist(u, v, name):
    if name == "l1":
        return sum(abs(a - b) for a, b in zip(u, v))
    if name == "l2":
        return math.sqrt(sum((a - b) ** 2 for a, b in zip(u, v)))
    nu, nv = math.sqrt(sum(a * a for a in u)), math.sqrt(sum(b * b for b in v))
    return 1.0 - sum(a * b for a, b in zip(u, v)) / (nu * nv)


def bf_contrastive_pair(d, same, margin, squared):
    hinge = max(margin - d, 0.0)
    return (d ** 2 if squared else d) if same else (hinge ** 2 if squared else hinge)


def bf_contrastive_batch(points, labels, margin, squared, name):
    pos, neg = [], []
    for i in range(len(points)):
        for j in range(i + 1, len(points)):
            same = labels[i] == labels[j]
            d = bf_dist(points[i], points[j], name)
            (pos if same else neg).append(bf_contrastive_pair(d, same, margin, squared))
    return (sum(pos) / len(pos) if pos else 0.0) + (sum(neg) / len(neg) if neg else 0.0)


def bf_triplet(points, triplets, margin, name):
    losses = [max(bf_dist(points[a], points[p], name) - bf_dist(points[a], points[n], name) + margin, 0.0)
              for a, p, n in triplets]
    return sum(losses) / len(losses)


def tensor(points, grad=False):
    return torch.tensor(points, dtype=torch.float64, requires_grad=grad)


# === contrastive ===============================================================================
@pytest.mark.parametrize("name", ["l2", "l1", "cosine"])
@pytest.mark.parametrize("squared", [True, False])
def test_contrastive_batch_matches_bruteforce(name, squared):
    loss_fn = ContrastiveLoss(margin=1.0, distance=make_distance(name), squared=squared)
    loss = loss_fn(tensor(POINTS), torch.tensor(LABELS))
    assert_close(loss, torch.tensor(bf_contrastive_batch(POINTS, LABELS, 1.0, squared, name), dtype=torch.float64))


@pytest.mark.parametrize("squared", [True, False])
def test_contrastive_pair_loss_matches_bruteforce(squared):
    e1, e2 = tensor(POINTS[:4]), tensor(POINTS[4:])
    y = torch.tensor([1.0, 0.0, 0.0, 1.0])
    expected = torch.tensor([bf_contrastive_pair(bf_dist(u, v, "l2"), bool(t), 1.5, squared)
                             for u, v, t in zip(POINTS[:4], POINTS[4:], y.tolist())], dtype=torch.float64)
    loss_fn = ContrastiveLoss(margin=1.5, squared=squared)
    assert_close(loss_fn.pair_loss(e1, e2, y, reduction="none"), expected)
    assert_close(loss_fn.pair_loss(e1, e2, y), expected.mean())
    assert_close(loss_fn.pair_loss(e1, e2, y.long(), reduction="sum"), expected.sum())
    assert_close(loss_fn.pair_loss(e1, e2, y[:, None]), expected.mean())   # (N, 1) labels accepted


def test_contrastive_zero_cases_and_gradients():
    loss_fn = ContrastiveLoss(margin=1.0)
    x = torch.tensor([[0.5, 0.5]], requires_grad=True)
    same_at_zero = loss_fn.pair_loss(x, x.detach().clone(), torch.tensor([1]))
    assert same_at_zero.item() == 0.0
    same_at_zero.backward()
    assert torch.isfinite(x.grad).all()
    far = loss_fn.pair_loss(torch.tensor([[0.0, 0.0]]), torch.tensor([[3.0, 0.0]]), torch.tensor([0]))
    assert far.item() == 0.0                                               # beyond the margin: no push
    a = torch.tensor([[0.0, 0.0]], requires_grad=True)
    near = loss_fn.pair_loss(a, torch.tensor([[0.6, 0.0]]), torch.tensor([0]))
    assert near.item() == pytest.approx(0.4 ** 2)
    near.backward()
    assert a.grad[0, 0] > 0                                                # descent moves a away (−x)


def test_contrastive_stats():
    loss_fn = ContrastiveLoss(margin=1.0)
    emb, labels = tensor(POINTS), torch.tensor(LABELS)
    loss = loss_fn(emb, labels)
    s = loss_fn.stats
    assert set(s) >= {"mean_pos_distance", "mean_neg_distance", "active_neg_fraction", "loss"}
    assert all(isinstance(v, float) for v in s.values())
    neg_d = [bf_dist(POINTS[i], POINTS[j], "l2") for i in range(8) for j in range(i + 1, 8) if LABELS[i] != LABELS[j]]
    pos_d = [bf_dist(POINTS[i], POINTS[j], "l2") for i in range(8) for j in range(i + 1, 8) if LABELS[i] == LABELS[j]]
    assert s["loss"] == pytest.approx(loss.item())
    assert s["mean_pos_distance"] == pytest.approx(sum(pos_d) / len(pos_d))
    assert s["mean_neg_distance"] == pytest.approx(sum(neg_d) / len(neg_d))
    assert s["active_neg_fraction"] == pytest.approx(sum(d < 1.0 for d in neg_d) / len(neg_d))
    assert 0 < s["active_neg_fraction"] < 1
    assert (s["num_pos_pairs"], s["num_neg_pairs"]) == (len(pos_d), len(neg_d))


def test_contrastive_batch_without_positives_or_pairs():
    loss_fn = ContrastiveLoss(margin=2.0, squared=False)
    emb = tensor(POINTS[:3], grad=True)
    loss = loss_fn(emb, torch.tensor([0, 1, 2]))                          # negatives only
    assert_close(loss, torch.tensor(bf_contrastive_batch(POINTS[:3], [0, 1, 2], 2.0, False, "l2"), dtype=torch.float64))
    assert math.isnan(loss_fn.stats["mean_pos_distance"])
    one = tensor(POINTS[:1], grad=True)
    zero = loss_fn(one, torch.tensor([0]))                                 # no pairs at all
    assert zero.item() == 0.0 and zero.requires_grad
    zero.backward()


@pytest.fixture
def pml():
    losses = pytest.importorskip("pytorch_metric_learning.losses")
    distances = pytest.importorskip("pytorch_metric_learning.distances")
    reducers = pytest.importorskip("pytorch_metric_learning.reducers")
    return losses, distances, reducers


@pytest.mark.parametrize("labels", [[0, 1, 0, 2, 1, 1, 2, 0, 3, 3], list(range(10))])
def test_contrastive_matches_pml(pml, labels):
    losses, distances, reducers = pml
    g = torch.Generator().manual_seed(0)
    x = torch.randn(10, 4, generator=g, dtype=torch.float64)
    ours_in, theirs_in = x.clone().requires_grad_(), x.clone().requires_grad_()
    labels = torch.tensor(labels)
    # PML's LpDistance normalises embeddings by default; ours does not, so switch theirs off.
    theirs = losses.ContrastiveLoss(pos_margin=0, neg_margin=2.5, reducer=reducers.MeanReducer(),
                                    distance=distances.LpDistance(normalize_embeddings=False))
    ours = ContrastiveLoss(margin=2.5, distance=LpDistance(), squared=False)
    a, b = ours(ours_in, labels), theirs(theirs_in, labels)
    assert_close(a, b)
    a.backward(), b.backward()
    assert_close(ours_in.grad, theirs_in.grad)


# === triplet ===================================================================================
def bf_valid_triplets(labels):
    n = len(labels)
    return [(a, p, q) for a in range(n) for p in range(n) for q in range(n)
            if a != p and labels[a] == labels[p] and labels[q] != labels[a]]


@pytest.mark.parametrize("name", ["l2", "l1", "cosine"])
@pytest.mark.parametrize("miner", MINER_NAMES)
def test_triplet_matches_bruteforce_on_mined_triplets(name, miner):
    loss_fn = TripletLoss(margin=0.3, distance=make_distance(name), miner=make_miner(miner, margin=0.3, seed=0))
    emb = tensor(POINTS, grad=True)
    loss = loss_fn(emb, torch.tensor(LABELS))
    mined = list(zip(*(t.tolist() for t in loss_fn.last_triplets)))
    assert mined and set(mined) <= set(bf_valid_triplets(LABELS))
    assert_close(loss, torch.tensor(bf_triplet(POINTS, mined, 0.3, name), dtype=torch.float64))
    loss.backward()
    assert torch.isfinite(emb.grad).all() and emb.grad.abs().sum() > 0


def test_triplet_all_and_explicit_triplets():
    loss_fn = TripletLoss(margin=0.3)
    all_t = bf_valid_triplets(LABELS)
    assert_close(loss_fn(tensor(POINTS), torch.tensor(LABELS)),
                 torch.tensor(bf_triplet(POINTS, all_t, 0.3, "l2"), dtype=torch.float64))
    picked = [(0, 1, 3), (4, 5, 7)]
    a, p, n = (torch.tensor(c) for c in zip(*picked))
    assert_close(loss_fn(tensor(POINTS), torch.tensor(LABELS), triplets=(a, p, n)),
                 torch.tensor(bf_triplet(POINTS, picked, 0.3, "l2"), dtype=torch.float64))
    assert loss_fn.stats["num_triplets"] == 2


def test_triplet_stats():
    loss_fn = TripletLoss(margin=0.3)
    loss = loss_fn(tensor(POINTS), torch.tensor(LABELS))
    s = loss_fn.stats
    assert set(s) >= {"num_triplets", "active_fraction", "mean_pos_distance", "mean_neg_distance", "loss",
                      "embedding_spread"}
    assert all(isinstance(v, float) for v in s.values())
    all_t = bf_valid_triplets(LABELS)
    d = lambda i, j: bf_dist(POINTS[i], POINTS[j], "l2")  # noqa: E731
    assert s["loss"] == pytest.approx(loss.item())
    assert s["num_triplets"] == len(all_t)
    assert s["active_fraction"] == pytest.approx(sum(d(a, p) - d(a, n) + 0.3 > 0 for a, p, n in all_t) / len(all_t))
    assert s["mean_pos_distance"] == pytest.approx(sum(d(a, p) for a, p, _ in all_t) / len(all_t))
    assert s["mean_neg_distance"] == pytest.approx(sum(d(a, n) for a, _, n in all_t) / len(all_t))
    pairs = [d(i, j) for i in range(8) for j in range(i + 1, 8)]
    assert s["embedding_spread"] == pytest.approx(sum(pairs) / len(pairs))


@pytest.mark.parametrize("miner", MINER_NAMES)
def test_collapsed_batch_gives_margin_and_finite_gradients(miner):
    # margin 0.25 is exact in binary, so "exactly the margin" can be tested with ==
    loss_fn = TripletLoss(margin=0.25, miner=make_miner(miner, margin=0.25, seed=0))
    emb = torch.full((8, 3), 0.7, requires_grad=True)
    loss = loss_fn(emb * 1.0, torch.tensor(LABELS))
    if miner == "semi-hard":                     # nothing is strictly farther than the positive
        assert loss_fn.stats["num_triplets"] == 0 and loss.item() == 0.0
    else:
        assert loss.item() == 0.25               # exactly the margin: d(a,p) = d(a,n) = 0
    assert loss_fn.stats["embedding_spread"] == pytest.approx(0.0, abs=1e-6)
    loss.backward()
    assert torch.isfinite(emb.grad).all()


def test_triplet_without_triplets_is_a_differentiable_zero():
    loss_fn = TripletLoss()
    emb = tensor(POINTS[:3], grad=True)
    loss = loss_fn(emb, torch.tensor([0, 1, 2]))
    assert loss.item() == 0.0 and loss.requires_grad
    loss.backward()
    assert math.isnan(loss_fn.stats["active_fraction"]) and loss_fn.stats["num_triplets"] == 0


def test_triplet_matches_pml(pml):
    losses, _, reducers = pml
    g = torch.Generator().manual_seed(1)
    x = torch.randn(12, 4, generator=g, dtype=torch.float64)
    labels = torch.tensor([0, 1, 2, 0, 1, 2, 0, 1, 2, 3, 3, 0])
    ours_in, theirs_in = x.clone().requires_grad_(), x.clone().requires_grad_()
    # PML's TripletMarginLoss uses LpDistance(normalize_embeddings=True) by default: normalise ours too.
    theirs = losses.TripletMarginLoss(margin=0.3, reducer=reducers.MeanReducer())
    ours = TripletLoss(margin=0.3, distance=LpDistance(normalize_embeddings=True), miner=AllTripletsMiner())
    a, b = ours(ours_in, labels), theirs(theirs_in, labels)
    assert_close(a, b)
    a.backward(), b.backward()
    assert_close(ours_in.grad, theirs_in.grad)


# === pair BCE ==================================================================================
def test_bce_worked_numbers():
    assert bce(0.99, 1) == pytest.approx(0.01005, abs=1e-5)
    assert bce(0.001, 1) == pytest.approx(6.9078, abs=1e-4)
    assert bce(0.01, 0) == pytest.approx(0.01005, abs=1e-5)       # symmetric for y = 0
    assert isinstance(bce(0.5, 1), float)
    assert math.isfinite(bce(0.0, 1))                              # clipped, not inf
    p = torch.tensor([0.99, 0.001, 0.3])
    assert_close(bce(p, torch.tensor([1.0, 1.0, 0.0])),
                 torch.tensor([-math.log(0.99), -math.log(0.001), -math.log(0.7)]))
    with pytest.raises(ValueError, match=r"\[0, 1\]"):
        bce(1.2, 1)


def test_pair_bce_matches_formula_and_stats():
    logits = torch.tensor([2.0, -1.0, 0.5, -3.0, 0.1], requires_grad=True)
    y = torch.tensor([1, 0, 0, 1, 1])
    loss_fn = PairBCELoss()
    loss = loss_fn(logits, y)
    probs = [1 / (1 + math.exp(-z)) for z in logits.tolist()]
    expected = sum(bce(p, t) for p, t in zip(probs, y.tolist())) / 5
    assert loss.item() == pytest.approx(expected)
    assert loss_fn.stats["accuracy"] == pytest.approx(3 / 5)        # right: 2.0→1, −1→0, 0.1→1
    assert loss_fn.stats["loss"] == pytest.approx(expected)
    assert loss_fn.stats["mean_probability"] == pytest.approx(sum(probs) / 5)
    loss.backward()
    assert_close(logits.grad, (torch.tensor(probs) - y.float()) / 5)  # dL/dz = (σ(z) − y)/N
    assert_close(loss_fn(logits[:, None], y[:, None].float()), loss)  # (N, 1) shapes accepted
    with pytest.raises(ValueError, match="one y per logit"):
        loss_fn(logits, y[:3])


def test_pair_bce_is_stable_for_confident_logits():
    logits = torch.tensor([200.0, -200.0], requires_grad=True)
    loss = PairBCELoss()(logits, torch.tensor([0.0, 1.0]))          # confidently wrong
    assert loss.item() == pytest.approx(200.0)
    loss.backward()
    assert torch.isfinite(logits.grad).all()


# === center loss ===============================================================================
def test_center_loss_matches_bruteforce_and_stats():
    torch.manual_seed(0)
    loss_fn = CenterLoss(num_classes=3, feat_dim=3, lam=0.1)
    feats, labels = tensor(POINTS).float(), torch.tensor(LABELS)
    c = loss_fn.centers.detach().tolist()
    sq = [sum((a - b) ** 2 for a, b in zip(POINTS[i], c[LABELS[i]])) for i in range(8)]
    loss = loss_fn(feats, labels)
    assert loss.item() == pytest.approx(0.1 * 0.5 * sum(sq) / 8, rel=1e-5)
    assert loss_fn.stats["loss"] == pytest.approx(loss.item())
    assert loss_fn.stats["mean_center_distance"] == pytest.approx(sum(math.sqrt(v) for v in sq) / 8, rel=1e-5)
    assert isinstance(loss_fn.centers, torch.nn.Parameter) and loss_fn.centers.shape == (3, 3)


def test_center_loss_decreases_toward_centres_and_pulls_centres_to_features():
    torch.manual_seed(0)
    loss_fn = CenterLoss(num_classes=3, feat_dim=3, lam=1.0)
    feats, labels = tensor(POINTS).float(), torch.tensor(LABELS)
    centres = loss_fn.centers.detach()[labels]
    before = loss_fn(feats, labels).item()
    assert loss_fn(feats + 0.5 * (centres - feats), labels).item() < before
    assert loss_fn(centres, labels).item() == 0.0

    loss_fn.zero_grad()
    loss_fn(feats, labels).backward()
    step = -loss_fn.centers.grad                                   # the direction descent moves each centre
    for k in range(3):
        mean_feat = feats[labels == k].mean(0)
        to_feats = mean_feat - loss_fn.centers.detach()[k]
        assert torch.nn.functional.cosine_similarity(step[k], to_feats, dim=0) > 0.999
    unused = CenterLoss(num_classes=4, feat_dim=3)
    unused(feats, labels).backward()
    assert (unused.centers.grad[3] == 0).all()                     # absent classes stay put


def test_center_loss_errors():
    loss_fn = CenterLoss(num_classes=3, feat_dim=2)
    with pytest.raises(ValueError, match="dims"):
        loss_fn(torch.zeros(4, 3), torch.zeros(4, dtype=torch.long))
    with pytest.raises(ValueError, match="0..2"):
        loss_fn(torch.zeros(4, 2), torch.tensor([0, 1, 2, 3]))
    with pytest.raises(ValueError, match="one label per embedding"):
        loss_fn(torch.zeros(4, 2), torch.zeros(3, dtype=torch.long))


# === common ====================================================================================
def test_stats_exist_before_the_first_call():
    contrastive_keys = {"loss", "mean_pos_distance", "mean_neg_distance", "active_neg_fraction"}
    for loss_fn, keys in [(ContrastiveLoss(), contrastive_keys),
                          (TripletLoss(), {"loss", "num_triplets", "active_fraction", "mean_pos_distance",
                                           "mean_neg_distance", "embedding_spread"}),
                          (PairBCELoss(), {"loss", "accuracy"}),
                          (CenterLoss(2, 2), {"loss", "mean_center_distance"})]:
        assert keys <= set(loss_fn.stats)


# === CosFace ===================================================================================
def test_cosface_matches_the_formula_and_stats():
    from siamese_core.losses import CosFaceLoss
    torch.manual_seed(0)
    loss_fn = CosFaceLoss(num_classes=3, feat_dim=3, scale=10.0, margin=0.3)
    feats, labels = tensor(POINTS).float(), torch.tensor(LABELS)
    w = loss_fn.weight.detach().tolist()
    total, cos_true, right = 0.0, [], 0
    for x, y in zip(POINTS, LABELS):
        cos = [1.0 - bf_dist(x, wk, "cosine") for wk in w]   # cosine similarity
        logits = [10.0 * (c - (0.3 if k == y else 0.0)) for k, c in enumerate(cos)]
        total += math.log(sum(math.exp(v) for v in logits)) - logits[y]
        cos_true.append(cos[y])
        right += max(range(3), key=cos.__getitem__) == y
    loss = loss_fn(feats, labels)
    assert loss.item() == pytest.approx(total / 8, rel=1e-5)
    assert loss_fn.stats["mean_cos_true"] == pytest.approx(sum(cos_true) / 8, rel=1e-5)
    assert loss_fn.stats["accuracy"] == pytest.approx(right / 8)
    assert isinstance(loss_fn.weight, torch.nn.Parameter) and loss_fn.weight.shape == (3, 3)


def test_cosface_margin_makes_the_loss_demand_more_and_ignores_the_length():
    from siamese_core.losses import CosFaceLoss
    torch.manual_seed(0)
    plain, margin = CosFaceLoss(3, 3, margin=0.0), CosFaceLoss(3, 3, margin=0.35)
    margin.weight.data.copy_(plain.weight.data)
    feats, labels = tensor(POINTS).float(), torch.tensor(LABELS)
    assert margin(feats, labels).item() > plain(feats, labels).item()
    assert margin(5 * feats, labels).item() == pytest.approx(margin(feats, labels).item(), rel=1e-5)
    with pytest.raises(ValueError, match="0..2"):
        margin(feats, torch.tensor([0, 1, 2, 3, 0, 1, 2, 0]))
    with pytest.raises(ValueError):
        CosFaceLoss(3, 3, margin=1.5)
