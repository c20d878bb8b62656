"""Layer tables and diagrams from the real modules; mini-batch composition with and without shuffling."""
import numpy as np
import pytest

from siamese_core.explain.architecture import ARCHITECTURES, summarize, twin_dot
from siamese_core.explain.minibatch import class_mix, epoch_batches, minibatch_config, same_pair_share
from siamese_core.models import SiameseNet, count_parameters


@pytest.fixture(scope="module")
def summaries():
    return {name: summarize(name, cfg) for name, cfg in ARCHITECTURES.items()}


@pytest.mark.slow
def test_counts_come_from_the_modules(summaries):
    for name, s in summaries.items():
        model = SiameseNet(ARCHITECTURES[name])
        assert s.total_parameters == count_parameters(model)["parameters"] == s.twin_parameters + s.head_parameters
        assert sum(r.parameters for r in s.rows) == s.twin_parameters  # every parameter shows up in one row
        assert s.rows[-1].output_shape == (ARCHITECTURES[name].embedding_dim,)


def test_koch_and_course_layer_shapes(summaries):
    koch, vgg = summaries.values()
    convs = [r for r in koch.rows if r.layer.startswith("Conv")]
    assert [r.layer for r in convs] == ["Conv 64@10×10", "Conv 128@7×7", "Conv 128@4×4", "Conv 256@4×4"]
    assert [r.output_shape for r in convs] == [(64, 96, 96), (128, 42, 42), (128, 18, 18), (256, 6, 6)]
    assert koch.head_parameters == 4096 + 1
    # The course's Keras summary: 429,176 = 428,552 trainable + 624 batch-norm statistics.
    assert (vgg.twin_parameters, vgg.bn_statistics) == (428_552, 624)


def test_diagram_ties_every_weighted_layer(summaries):
    s = summaries[list(ARCHITECTURES)[1]]
    dot = twin_dot(s)
    assert dot.startswith("digraph") and dot.rstrip().endswith("}")
    assert dot.count('label="same W"') == sum(1 for r in s.rows if r.parameters)
    assert f"{s.twin_parameters:,} parameters, used twice" in dot


def test_epoch_batches_cover_every_index_once():
    for shuffle in (False, True):
        b = epoch_batches(103, 16, shuffle, seed=1)
        assert [len(x) for x in b] == [16] * 6 + [7]
        assert sorted(np.concatenate(b).tolist()) == list(range(103))
    with pytest.raises(ValueError):
        epoch_batches(10, 0, True)


def test_unshuffled_class_sorted_batches_hold_one_class(digits_train):
    labels = np.sort(digits_train.labels.numpy())
    plain = class_mix(labels, epoch_batches(len(labels), 16, False), 10)
    mixed = class_mix(labels, epoch_batches(len(labels), 16, True, seed=0), 10)
    assert plain.sum() == mixed.sum() == len(labels)
    assert np.median(same_pair_share(plain)) == 1.0       # almost every batch: one class only
    assert same_pair_share(mixed).mean() < 0.25           # shuffled: mostly different-class pairs
    # Brute force for one batch: count same-class pairs directly.
    idx = epoch_batches(len(labels), 16, True, seed=0)[0]
    same = sum(labels[a] == labels[b] for i, a in enumerate(idx) for b in idx[i + 1:])
    assert same_pair_share(mixed[:1])[0] == pytest.approx(same / (16 * 15 / 2))


def test_minibatch_config():
    c = minibatch_config(64, "sgd", steps=40)
    assert (c.batch_size, c.optimizer, c.lr, c.epochs, c.steps_per_epoch, c.loss) == (64, "sgd", 0.1, 2, 20, "bce-l1")
    with pytest.raises(ValueError):
        minibatch_config(optimizer="lbfgs")
