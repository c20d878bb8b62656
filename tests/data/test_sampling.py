import pytest
import torch

from siamese_core.data.sampling import PKBatchSampler, batch_pairs, sample_pairs, sample_tasks, sample_triplets


def labels_example():
    return torch.tensor([0] * 5 + [1] * 3 + [2] * 1 + [3] * 7)


def test_pairs_are_balanced_valid_and_reproducible():
    labels = labels_example()
    i, j, y = sample_pairs(labels, 400, seed=3)
    assert y.sum() == 200
    assert torch.equal((labels[i] == labels[j]).float(), y)  # y = 1 exactly for same-class pairs
    assert (i[y == 1] != j[y == 1]).all()                     # a same pair is two different images
    i2, j2, y2 = sample_pairs(labels, 400, seed=3)
    assert torch.equal(i, i2) and torch.equal(j, j2) and torch.equal(y, y2)
    assert not torch.equal(i, sample_pairs(labels, 400, seed=4)[0])


def test_pairs_reject_impossible_requests():
    with pytest.raises(ValueError):
        sample_pairs(labels_example(), 7)
    with pytest.raises(ValueError):
        sample_pairs(torch.zeros(5, dtype=torch.long), 10)  # one class: no different pairs


def test_triplets_are_valid():
    labels = labels_example()
    a, p, n = sample_triplets(labels, 50, seed=1)
    assert len(a) == 50
    assert (labels[a] == labels[p]).all() and (a != p).all() and (labels[a] != labels[n]).all()


def test_triplets_use_the_callers_generator():
    labels = labels_example()
    g1, g2 = torch.Generator().manual_seed(7), torch.Generator().manual_seed(7)
    first, second = sample_triplets(labels, 40, g1), sample_triplets(labels, 40, g2)
    for x, y in zip(first, second):
        assert torch.equal(x, y)  # same seed, same triplets
    # The negatives come from the caller's generator too: its state moved on, so the next call differs,
    # and a differently seeded generator gives other negatives for the same anchors.
    assert not torch.equal(g1.get_state(), torch.Generator().manual_seed(7).get_state())
    again = sample_triplets(labels, 40, g1)
    assert not all(torch.equal(x, y) for x, y in zip(first, again))
    state = g2.get_state()
    sample_triplets(labels, 40, g2)
    g3 = torch.Generator()
    g3.set_state(state)
    sample_pairs(labels, 80, g3)  # what sample_triplets draws before the negatives
    assert not torch.equal(g3.get_state(), g2.get_state())  # … and the negatives advanced it further


def test_batch_pairs_balanced_within_a_batch():
    labels = torch.tensor([0, 0, 0, 1, 1, 2, 2, 2])
    i, j, y = batch_pairs(labels, torch.Generator().manual_seed(0))
    assert y.sum() == (1 - y).sum() == 3 + 1 + 3
    assert torch.equal((labels[i] == labels[j]).float(), y) and (i < j).all()


def test_pk_batches():
    labels = torch.arange(10).repeat_interleave(6)
    batches = list(PKBatchSampler(labels, p=4, k=3, steps=5, seed=0))
    assert len(batches) == 5
    for b in batches:
        counts = torch.bincount(labels[b], minlength=10)
        assert len(b) == 12 and sorted(counts[counts > 0].tolist()) == [3, 3, 3, 3]
        assert len(torch.unique(b)) == 12  # without replacement when a class has ≥ K images
    with pytest.raises(ValueError, match="classes"):
        PKBatchSampler(labels, p=11, k=2, steps=1)


@pytest.mark.parametrize("n_way,k_shot", [(2, 1), (5, 1), (10, 3)])
def test_tasks_have_n_distinct_classes_and_a_fresh_query(n_way, k_shot):
    labels = torch.arange(12).repeat_interleave(5)
    for t in sample_tasks(labels, n_way, n_tasks=30, k_shot=k_shot, seed=1):
        assert len(set(t.support_classes.tolist())) == n_way
        assert len(t.support) == n_way * k_shot
        assert labels[t.support].view(n_way, k_shot).eq(t.support_classes[:, None]).all()
        assert labels[t.query] == t.support_classes[t.answer]     # the query's class is among the ways
        assert t.query not in t.support.tolist()                   # a different image of that class


def test_tasks_within_one_alphabet():
    labels = torch.arange(9).repeat_interleave(3)
    alphabets = ["A"] * 4 + ["B"] * 5
    for t in sample_tasks(labels, 4, 40, seed=0, alphabets=alphabets, within_alphabet=True):
        assert len({alphabets[c] for c in t.support_classes.tolist()}) == 1
    with pytest.raises(ValueError, match="alphabet"):
        sample_tasks(labels, 6, 1, alphabets=alphabets, within_alphabet=True)
