"""Miners against brute-force triplet sets, validity on awkward batches, and pytorch-metric-learning."""
from __future__ import annotations

import math

import pytest
import torch

from siamese_core.distances import LpDistance, make_distance
from siamese_core.miners import (
    MINER_NAMES,
    AllTripletsMiner,
    BatchHardMiner,
    HardestNegativeMiner,
    RandomTripletMiner,
    SemiHardMiner,
    make_miner,
)

MARGIN = 0.5

# Nine 2-D points, three classes, placed so that with margin 0.5 the batch holds easy,
# semi-hard and hard triplets (checked in test_hand_built_batch_has_every_kind).
POINTS = [[0.1, -0.05], [1.02, 0.07], [0.21, 0.93],     # class 0
          [1.31, 0.24], [2.53, 0.11], [1.14, 1.06],   # class 1
          [-1.03, -1.12], [0.47, -0.62], [3.08, 2.91]]  # class 2
LABELS = [0, 0, 0, 1, 1, 1, 2, 2, 2]


# --- plain-Python oracles ------------------------------------------------------------------------
def bf_dist(u: list[float], v: list[float], name: str) -> float:
    if name == "l1":
        return sum(abs(a - b) for a, b in zip(u, v))
    if name == "l2":
        return math.sqrt(sum((a - b) ** 2 for a, b in zip(u, v)))
    nu, nv = math.sqrt(sum(a * a for a in u)), math.sqrt(sum(b * b for b in v))
    return 1.0 - sum(a * b for a, b in zip(u, v)) / (nu * nv)


def bf_matrix(points, name):
    return [[bf_dist(u, v, name) for v in points] for u in points]


def bf_all(labels):
    n = len(labels)
    return {(a, p, q) for a in range(n) for p in range(n) for q in range(n)
            if a != p and labels[a] == labels[p] and labels[q] != labels[a]}


def bf_semihard(d, labels, margin):
    return {(a, p, n) for a, p, n in bf_all(labels) if d[a][p] < d[a][n] <= d[a][p] + margin}


def bf_hard(d, labels):  # negative closer than the positive (for the coverage check only)
    return {(a, p, n) for a, p, n in bf_all(labels) if d[a][n] < d[a][p]}


def _unique_extreme(values: dict[int, float], pick) -> int:
    best = pick(values, key=values.get)
    assert sum(abs(v - values[best]) < 1e-9 for v in values.values()) == 1, "test data has a tie"
    return best


def bf_batch_hard(d, labels):
    out = set()
    for a in range(len(labels)):
        pos = {p: d[a][p] for p in range(len(labels)) if p != a and labels[p] == labels[a]}
        neg = {n: d[a][n] for n in range(len(labels)) if labels[n] != labels[a]}
        if pos and neg:
            out.add((a, _unique_extreme(pos, max), _unique_extreme(neg, min)))
    return out


def bf_hardest(d, labels):
    out = set()
    for a in range(len(labels)):
        neg = {n: d[a][n] for n in range(len(labels)) if labels[n] != labels[a]}
        for p in range(len(labels)):
            if p != a and labels[p] == labels[a] and neg:
                out.add((a, p, _unique_extreme(neg, min)))
    return out


def as_set(triplets) -> set[tuple[int, int, int]]:
    a, p, n = triplets
    assert a.dtype == p.dtype == n.dtype == torch.long
    assert len(a) == len(p) == len(n)
    return set(zip(a.tolist(), p.tolist(), n.tolist()))


def assert_valid(triplets, labels: list[int]) -> None:
    for a, p, n in zip(*(t.tolist() for t in triplets)):
        assert a != p and labels[a] == labels[p] and labels[n] != labels[a], (a, p, n)


@pytest.fixture
def batch():
    return torch.tensor(POINTS, dtype=torch.float64), torch.tensor(LABELS)


# --- against the oracles -------------------------------------------------------------------------
@pytest.mark.parametrize("name", ["l2", "l1", "cosine"])
def test_hand_built_batch_has_every_kind(name):
    d = bf_matrix(POINTS, name)
    semihard, hard = bf_semihard(d, LABELS, MARGIN), bf_hard(d, LABELS)
    easy = {(a, p, n) for a, p, n in bf_all(LABELS) if d[a][n] > d[a][p] + MARGIN}
    assert semihard and hard and easy
    # and no triplet sits within rounding of a semi-hard boundary
    for a, p, n in bf_all(LABELS):
        gap = d[a][n] - d[a][p]
        assert abs(gap) > 1e-6 and abs(gap - MARGIN) > 1e-6


@pytest.mark.parametrize("name", ["l2", "l1", "cosine"])
def test_miners_match_bruteforce(batch, name):
    emb, labels = batch
    dist = make_distance(name)
    d = bf_matrix(POINTS, name)
    assert as_set(AllTripletsMiner()(emb, labels, dist)) == bf_all(LABELS)
    assert as_set(SemiHardMiner(MARGIN)(emb, labels, dist)) == bf_semihard(d, LABELS, MARGIN)
    assert as_set(BatchHardMiner()(emb, labels, dist)) == bf_batch_hard(d, LABELS)
    assert as_set(HardestNegativeMiner()(emb, labels, dist)) == bf_hardest(d, LABELS)


def test_all_triplets_count_and_order(batch):
    emb, labels = batch
    a, p, n = AllTripletsMiner()(emb, labels)
    assert len(a) == 9 * 2 * 6                               # each anchor: 2 positives × 6 negatives
    keys = list(zip(a.tolist(), p.tolist(), n.tolist()))
    assert keys == sorted(keys)


def test_random_miner_one_valid_negative_per_positive_pair(batch):
    emb, labels = batch
    miner = RandomTripletMiner(seed=0)
    triplets = miner(emb, labels, LpDistance())
    assert_valid(triplets, LABELS)
    pairs = [(a, p) for a, p, _ in as_set(triplets)]
    assert len(pairs) == len(set(pairs)) == 9 * 2              # every (a, p) exactly once
    assert miner.stats["num_triplets"] == 18


def test_random_miner_is_reproducible_and_covers_all_negatives(batch):
    emb, labels = batch
    first = [as_set(RandomTripletMiner(seed=3)(emb, labels)) for _ in range(2)]
    assert first[0] == first[1]
    miner = RandomTripletMiner(seed=3)
    runs = [miner(emb, labels) for _ in range(60)]
    assert as_set(runs[0]) == first[0]
    assert any(as_set(r) != first[0] for r in runs[1:])     # the generator advances between calls
    seen = {n for a, p, n in zip(*(torch.cat([r[i] for r in runs]).tolist() for i in range(3))) if a == 0}
    assert seen == {3, 4, 5, 6, 7, 8}                          # every negative of anchor 0 gets drawn


# --- validity on awkward batches -----------------------------------------------------------------
@pytest.mark.parametrize("name", MINER_NAMES)
@pytest.mark.parametrize("labels", [[0, 0, 1, 1, 2, 2, 2, 3], [0, 1, 2, 3], [5, 5, 5, 5], [0, 0, 0, 1]])
def test_outputs_are_valid_triplets(name, labels):
    emb = torch.randn(len(labels), 3, generator=torch.Generator().manual_seed(4))
    miner = make_miner(name, margin=1.0, seed=0)
    triplets = miner(emb.requires_grad_(), torch.tensor(labels))
    assert_valid(triplets, labels)
    assert not any(t.requires_grad for t in triplets)
    assert set(miner.stats) == {"num_triplets", "num_possible_triplets", "mean_pos_distance", "mean_neg_distance"}
    assert miner.stats["num_triplets"] == len(triplets[0])
    assert miner.stats["num_possible_triplets"] == len(bf_all(labels))
    if len(set(labels)) in (1, len(labels)):                    # no positives or no negatives
        assert len(triplets[0]) == 0 and math.isnan(miner.stats["mean_pos_distance"])


def test_stats_match_the_returned_triplets(batch):
    emb, labels = batch
    miner = SemiHardMiner(MARGIN)
    a, p, n = miner(emb, labels)
    d = LpDistance().pairwise(emb)
    assert miner.stats["mean_pos_distance"] == pytest.approx(d[a, p].mean().item())
    assert miner.stats["mean_neg_distance"] == pytest.approx(d[a, n].mean().item())


# --- against pytorch-metric-learning -------------------------------------------------------------
@pytest.fixture
def pml():
    miners = pytest.importorskip("pytorch_metric_learning.miners")
    distances = pytest.importorskip("pytorch_metric_learning.distances")
    return miners, distances


def _random_batch(seed: int):
    g = torch.Generator().manual_seed(seed)
    labels = torch.arange(6).repeat_interleave(4)[torch.randperm(24, generator=g)]
    return torch.randn(24, 5, generator=g, dtype=torch.float64), labels


@pytest.mark.parametrize("seed", range(3))
def test_semihard_matches_pml(pml, seed):
    miners, distances = pml
    emb, labels = _random_batch(seed)
    m = 1.0
    # PML's LpDistance normalises embeddings by default, ours does not: switch theirs off.
    theirs = miners.TripletMarginMiner(margin=m, type_of_triplets="semihard",
                                       distance=distances.LpDistance(normalize_embeddings=False))
    ours = as_set(SemiHardMiner(m)(emb, labels))
    assert ours and ours == as_set(theirs(emb, labels))


@pytest.mark.parametrize("seed", range(3))
def test_batch_hard_matches_pml(pml, seed):
    miners, distances = pml
    emb, labels = _random_batch(seed)                          # continuous random data: no ties
    theirs = miners.BatchHardMiner(distance=distances.LpDistance(normalize_embeddings=False))
    ours = as_set(BatchHardMiner()(emb, labels))
    assert len(ours) == 24 and ours == as_set(theirs(emb, labels))


# --- factory and errors --------------------------------------------------------------------------
def test_make_miner():
    assert isinstance(make_miner("all"), AllTripletsMiner)
    assert isinstance(make_miner("random", seed=1), RandomTripletMiner) and make_miner("random", seed=1).seed == 1
    miner = make_miner("semi-hard", margin=0.3)
    assert isinstance(miner, SemiHardMiner) and miner.margin == 0.3
    assert isinstance(make_miner("semihard"), SemiHardMiner)
    assert isinstance(make_miner("batch-hard"), BatchHardMiner)
    assert isinstance(make_miner("hardest"), HardestNegativeMiner)
    with pytest.raises(ValueError, match="all, random, semi-hard, batch-hard, hardest"):
        make_miner("hard")


def test_input_errors():
    with pytest.raises(ValueError, match="one label per embedding"):
        AllTripletsMiner()(torch.zeros(4, 2), torch.zeros(3, dtype=torch.long))
    with pytest.raises(ValueError, match="2-D"):
        AllTripletsMiner()(torch.zeros(4), torch.zeros(4, dtype=torch.long))
