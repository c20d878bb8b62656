"""One-shot learning: the official runs, the alphabet split, task sampling on real Omniglot, the
prototypical loss, Koch's recipe (optimiser schedule, fixed pair set, one-shot validation)."""
from __future__ import annotations

import math
import zipfile
from pathlib import Path

import numpy as np
import pytest
import torch

from siamese_core.data import load_official_runs, resolve_data_dir
from siamese_core.data.omniglot import TEST_ALPHABETS, VALIDATION_ALPHABETS, alphabet_subset, native_images
from siamese_core.data.sampling import PairSetBatches, sample_tasks
from siamese_core.losses import PrototypicalLoss
from siamese_core.models import ModelConfig, SiameseNet
from siamese_core.training.optimizers import build_optimizer
from siamese_core.training.presets import preset_config
from siamese_core.training.schedules import LearningRate
from siamese_core.training.trainer import TrainConfig, Trainer


@pytest.fixture(scope="module")
def runs(data_dir):
    try:
        return load_official_runs(data_dir)
    except FileNotFoundError as exc:
        pytest.skip(str(exc))


@pytest.fixture(scope="module")
def evaluation(load):
    return load("omniglot", "evaluation", image_size=(28, 28))


# --- the official runs ----------------------------------------------------------------------------
@pytest.mark.slow
def test_official_runs_parse_all_20_runs_with_their_answer_keys(runs, data_dir):
    assert [r.run for r in runs] == list(range(1, 21))
    path = resolve_data_dir(data_dir) / "omniglot" / "official" / "all_runs.zip"
    with zipfile.ZipFile(path) as z:
        for r in runs:
            assert r.support.shape == r.queries.shape == (20, 1, 105, 105)
            assert set(r.support.unique().tolist()) <= {0.0, 1.0}
            # Ink is the minority: the images are read with ink = 1 as the loader promises.
            assert 0.005 < r.support.mean() < 0.2
            lines = z.read(f"run{r.run:02d}/class_labels.txt").decode().split()
            truth = dict(zip(lines[0::2], lines[1::2]))
            assert len(truth) == 20
            for q, a in zip(r.query_names, r.answers.tolist()):
                assert r.support_names[a] == truth[q]
            assert sorted(r.answers.tolist()) == list(range(20))  # each character queried once


@pytest.mark.slow
def test_validation_alphabets_never_appear_in_the_official_runs(runs, data_dir, evaluation):
    """Every run image is found in the evaluation set, and its alphabet is a test alphabet."""
    assert set(TEST_ALPHABETS).isdisjoint(VALIDATION_ALPHABETS)
    assert set(TEST_ALPHABETS) | set(VALIDATION_ALPHABETS) == set(evaluation.alphabets)
    rows = evaluation.meta["index"]
    native = native_images(resolve_data_dir(data_dir), "evaluation", rows)
    keys = {np.packbits(x.bool().numpy()).tobytes(): i for i, x in enumerate(native)}
    seen = set()
    for r in runs:
        for x in torch.cat([r.support, r.queries]):
            i = keys[np.packbits(x.bool().numpy()).tobytes()]
            seen.add(evaluation.alphabets[int(evaluation.labels[i])])
    assert seen == set(TEST_ALPHABETS)


# --- tasks on real Omniglot -----------------------------------------------------------------------
def test_tasks_on_omniglot_within_one_alphabet(evaluation):
    test = alphabet_subset(evaluation, TEST_ALPHABETS)
    drawer = test.meta["drawer"]
    for t in sample_tasks(test.labels, 20, 50, seed=3, alphabets=test.alphabets, within_alphabet=True):
        classes = t.support_classes.tolist()
        assert len(set(classes)) == 20 and t.n_way == 20
        assert len({test.alphabets[c] for c in classes}) == 1
        assert int(test.labels[t.query]) == classes[t.answer]
        assert t.query not in t.support.tolist()
        assert drawer[t.query] != drawer[t.support[t.answer]]  # another person's drawing


# --- prototypical loss ----------------------------------------------------------------------------
def test_prototypical_loss_matches_a_brute_force_oracle():
    torch.manual_seed(0)
    h = torch.randn(9, 3, dtype=torch.float64)
    labels = torch.tensor([2, 0, 2, 1, 0, 2, 1, 0, 5])  # class 5 has only its support
    loss = PrototypicalLoss(shots=1)(h, labels)
    classes = [2, 0, 1, 5]  # order does not matter for the loss; support = first image of each class
    first = {c: labels.tolist().index(c) for c in classes}
    total, n = 0.0, 0
    for i, c in enumerate(labels.tolist()):
        if first[c] == i:
            continue
        logits = [-sum((h[i, d] - h[first[k], d]).item() ** 2 for d in range(3)) for k in classes]
        total += -(logits[classes.index(c)] - math.log(sum(math.exp(v) for v in logits)))
        n += 1
    assert loss.item() == pytest.approx(total / n)


def test_prototypical_loss_with_two_shots_averages_the_supports():
    h = torch.tensor([[0.0, 0.0], [2.0, 0.0], [1.0, 0.1], [5.0, 5.0], [5.0, 6.0], [5.0, 5.4]])
    labels = torch.tensor([0, 0, 0, 1, 1, 1])
    loss_fn = PrototypicalLoss(shots=2)
    loss_fn(h, labels)
    assert loss_fn.stats["accuracy"] == 1.0 and loss_fn.stats["ways"] == 2
    protos = torch.tensor([[1.0, 0.0], [5.0, 5.5]])
    logits = -torch.cdist(h[[2, 5]], protos) ** 2
    expected = torch.nn.functional.cross_entropy(logits, torch.tensor([0, 1]))
    assert loss_fn(h, labels).item() == pytest.approx(expected.item(), rel=1e-5)


# --- Koch's recipe ---------------------------------------------------------------------------------
def test_koch_recipe_momentum_rises_over_20_epochs_and_each_layers_lr_decays_one_percent():
    o = preset_config("koch-30k", layer_lrs=(1e-2, 2e-2, 3e-2, 4e-2, 5e-2, 6e-2)).optim
    model = SiameseNet(ModelConfig(backbone="koch", width=0.0625, embedding_dim=16, input_size=(105, 105), head="l1"))
    optimizer, epoch_hook = build_optimizer(o, model)
    lr = LearningRate(optimizer, o.lr_schedule, o.lr_decay)  # as the Trainer builds them
    groups = optimizer.param_groups
    assert len(groups) == 6  # conv1..conv4, dense, α: every parameter in exactly one group
    assert sum(len(g["params"]) for g in groups) == len(list(model.parameters()))
    assert [g["momentum"] for g in groups] == [0.5] * 6
    for epoch in range(1, 26):  # what the Trainer does at each epoch's end
        epoch_hook(epoch)
        lr.epoch_end(epoch)
        assert groups[2]["momentum"] == pytest.approx(0.5 + 0.4 * min(1, epoch / 20))
        assert groups[2]["lr"] == pytest.approx(3e-2 * 0.99 ** epoch)
    assert [g["weight_decay"] for g in groups] == [2e-4, 2e-4, 2e-4, 2e-4, 1e-3, 0.0]


def test_pair_set_is_fixed_and_each_pair_comes_back_with_its_distortions():
    labels = torch.arange(10).repeat_interleave(4)
    batches = PairSetBatches(labels, 20, batch_size=16, distortions=8, seed=0)
    assert len(batches) == -(-20 * 9 // 16)
    for _ in range(2):  # two epochs: the same 20 pairs, 9 times each, 8 of them distorted
        rows = [(int(i), int(j), bool(d)) for b in batches for i, j, y, d in zip(*b)]
        assert len(rows) == 180
        pairs = {(i, j) for i, j, _ in rows}
        assert pairs == set(zip(batches.i.tolist(), batches.j.tolist()))
        assert sum(d for *_, d in rows) == 160
    assert batches.y.sum() == 10


@pytest.mark.slow
def test_koch_preset_runs_a_few_steps_at_small_size(load):
    """The paper's recipe end to end (koch init, koch-sgd, fixed distorted pairs, one-shot validation on
    the validation alphabets), shrunk: 1/16 of the channels, 48 pairs, one epoch."""
    cfg = preset_config("koch-30k", pair_set=48, width=0.0625, embedding_dim=32, batch_size=16, epochs=1,
                        val_tasks=8, val_n_way=5, val_pairs=40)
    assert cfg.optimizer == "koch-sgd" and cfg.lr_decay == 0.01 and cfg.augment
    background = load("omniglot", "background")
    train = background.classes_subset(range(12))
    train = train.subset(torch.nonzero(train.meta["drawer"] < cfg.train_drawers).squeeze(1))
    val = alphabet_subset(load("omniglot", "evaluation"), ["Angelic"])
    trainer = Trainer(cfg, train, val)
    assert trainer.steps_per_epoch == 48 * 9 // 16
    result = trainer.fit()
    assert result.state.step == 27 and result.stopped_because == "epochs"
    assert 0.0 <= result.best_val["val_oneshot_accuracy"] <= 1.0
    assert all(math.isfinite(r["loss"]) for r in result.state.history)
    assert trainer.optimizer.param_groups[0]["lr"] == pytest.approx(1e-2 * 0.99)


@pytest.mark.slow
def test_oneshot_validation_picks_the_best_epoch(digits_train):
    cfg = TrainConfig(dataset="digits", loss="prototypical", embedding_dim=16, epochs=4, steps_per_epoch=5,
                      samples_per_class=4, batch_size=40, val_metric="oneshot", val_n_way=5, val_tasks=60)
    result = Trainer(cfg, digits_train).fit()
    scores = [v["val_oneshot_accuracy"] for v in result.state.val_history]
    assert len(scores) == 4 and result.best_val["val_oneshot_accuracy"] == max(scores)
    with pytest.raises(ValueError, match="val_metric"):
        TrainConfig(val_metric="loss")


def test_preset_options_typed_beside_it_win():
    from siamese_core.cli import build_parser, train_config_from_args
    argv = ["train", "--preset", "koch-90k", "--lr-decay", "0.02", "--width", "0.5", "--out", "x.pt"]
    cfg = train_config_from_args(build_parser().parse_args(argv))
    assert cfg.pair_set == 90_000 and cfg.optimizer == "koch-sgd" and cfg.backbone == "koch"
    assert cfg.lr_decay == 0.02 and cfg.width == 0.5 and cfg.val_metric == "oneshot"


# --- a student's drawing --------------------------------------------------------------------------
def test_a_drawing_becomes_ink_like_the_data_whatever_its_polarity():
    from PIL import Image, ImageDraw

    from siamese_core.data.registry import resize_images
    from siamese_core.explain.oneshot_demo import drawing_to_ink, to_model_size
    paper = Image.new("L", (210, 210), 255)
    ImageDraw.Draw(paper).line([(40, 40), (170, 170)], fill=0, width=8)
    ink = drawing_to_ink(paper)
    assert ink.shape == (1, 1, 105, 105) and set(ink.unique().tolist()) == {0.0, 1.0}
    assert ink[0, 0, 52, 52] == 1 and ink[0, 0, 5, 100] == 0 and ink.mean() < 0.1  # ink = 1, paper = 0
    dark = Image.eval(paper, lambda v: 255 - v)  # bright ink on black, like MNIST
    assert torch.equal(drawing_to_ink(dark), ink)
    canvas = Image.new("RGBA", (210, 210), (0, 0, 0, 0))  # a transparent canvas with black strokes
    ImageDraw.Draw(canvas).line([(40, 40), (170, 170)], fill=(0, 0, 0, 255), width=8)
    assert torch.equal(drawing_to_ink(canvas), ink)
    small = to_model_size(ink, (28, 28))
    assert torch.equal(small, resize_images(ink, (28, 28))) and small.shape == (1, 1, 28, 28)
    with pytest.raises(ValueError, match="empty"):
        drawing_to_ink(Image.new("L", (50, 50), 255))


# --- rotated classes, test-time shifts, Omniglot's pen ----------------------------------------------
def test_rotated_classes_are_new_classes_with_the_same_drawers():
    from siamese_core.data import ImageSet
    from siamese_core.data.omniglot import with_rotated_classes
    images = torch.rand(6, 1, 5, 5)
    data = ImageSet("omniglot", "background", images, torch.tensor([0, 0, 1, 1, 2, 2]), ["a/1", "a/2", "b/1"],
                    ["a", "a", "b"], {"drawer": torch.tensor([0, 1, 0, 1, 0, 1])})
    r = with_rotated_classes(data)
    assert len(r) == 24 and r.num_classes == 12 and r.class_names[3] == "a/1@rot90"
    assert r.alphabets[3:6] == ["a", "a", "b"] and r.meta["drawer"].tolist() == [0, 1] * 12
    turned = r.images[r.labels == 3 + 1]  # class 1 turned by 90°
    assert torch.equal(turned, torch.rot90(images[2:4], 1, dims=(2, 3)))


def test_training_data_turns_the_characters_the_config_asks_for(load):
    from siamese_core.training.config import TrainConfig
    from siamese_core.training.run import training_data
    data = load("omniglot", "background", image_size=(28, 28))
    cfg = TrainConfig.from_dict(dict(dataset="omniglot", rotations=True, train_drawers=2,
                                     val_data="split", val_fraction=0.1, seed=0))
    train, val = training_data(cfg, data)
    assert train.num_classes + val.num_classes == 4 * data.num_classes  # held out by class: open world
    assert len(train) + len(val) == 4 * 2 * data.num_classes  # drawers 0 and 1 of every character
    name = next(n for n in train.class_names if n.endswith("@rot270"))
    original = data.class_names.index(name.split("@")[0])
    drawings = data.images[(data.labels == original) & (data.meta["drawer"] < 2)]
    turned = train.images[train.labels == train.class_names.index(name)]
    assert torch.equal(turned, torch.rot90(drawings, 3, dims=(2, 3)))


def test_test_shifts_average_the_embedding_over_one_pixel_moves_outside_training():
    torch.manual_seed(0)
    cfg = ModelConfig(backbone="koch-small", embedding_dim=8, input_size=(12, 12), width=0.125, head=None,
                      normalize=False, test_shifts=1)
    model = SiameseNet(cfg).eval()
    x = torch.rand(2, 1, 12, 12)
    p = torch.nn.functional.pad(x, (1, 1, 1, 1))
    crops = [p[..., t:t + 12, s:s + 12] for t, s in ((1, 1), (0, 1), (2, 1), (1, 0), (1, 2))]
    expected = torch.stack([model.twin(c) for c in crops]).mean(0)
    assert torch.allclose(model.embed(x), expected, atol=1e-6)
    model.train()
    assert torch.allclose(model.embed(x), model.twin(x), atol=1e-6)  # training sees the image once


def test_omniglot_pen_redraws_thick_strokes_thin_and_binary():
    from siamese_core.data.strokes import omniglot_pen
    digit = torch.zeros(2, 1, 28, 28)
    digit[0, 0, 4:24, 11:17] = 1.0  # a bar 6 px wide: 22.5 px at 105×105
    out = omniglot_pen(digit)
    assert out.shape == (2, 1, 105, 105) and set(out.unique().tolist()) <= {0.0, 1.0}
    assert out[1].sum() == 0  # nothing in, nothing out
    widths = out[0, 0, 30:75].sum(1)  # the bar's middle rows
    assert 3 <= widths.min() and widths.max() <= 7  # redrawn with Omniglot's 5-px pen
    assert out[0, 0, 50, 52] == 1  # on the bar's axis


def test_report_table_shows_mnist_with_the_pen_and_on_raw_digits():
    from siamese_core.evaluation.oneshot_report import PAPER, format_report
    mnist = {"n_way": 10, "tasks": 1000, "seed": 0, "accuracy": 0.7, "pixel_1nn_accuracy": 0.25}
    report = {"paper": PAPER, "seed": 0, "seconds": 1.0,
              "official_runs": {"accuracy": 0.9, "pixel_1nn_accuracy": 0.19, "trials": 400},
              "verification": {"accuracy": 0.95, "auc": 0.99, "eer": 0.05, "threshold": -3.0,
                               "val_accuracy": 0.96, "pairs": 10000},
              "mnist": mnist, "mnist_raw": {**mnist, "accuracy": 0.6, "pixel_1nn_accuracy": 0.44},
              "accuracy_vs_n": [{"n_way": 2, "tasks": 1000, "accuracy": 0.98, "pixel_1nn_accuracy": 0.6,
                                 "chance": 0.5}]}
    text = format_report(report)
    assert " 70.00 %      25.00 %" in text and "raw digits (no pen)" in text and " 60.00 %      44.00 %" in text
    del report["mnist_raw"]  # results files written before the pen still format
    assert "raw digits" not in format_report(report)


# --- the shipped model ------------------------------------------------------------------------------
ASSETS = Path(__file__).resolve().parents[2] / "assets"
# The shipped checkpoint measured 95.00 % on the 400 official trials (docs/results/heldout.json); binomial
# s.e. √(p(1−p)/n) = √(0.95·0.05/400) = 0.0109; floor = measured − 3 s.e. ≈ 0.917, kept at the earlier 0.914
# (the three runs of the recipe measured 93.25–95.75 %).
SHIPPED_OFFICIAL_RUNS_FLOOR = 0.914


@pytest.mark.slow
def test_shipped_checkpoint_on_the_official_runs(runs):
    """The 400 official trials, scored as the report scores them; the figure must match the results
    file the page shows, and stay at what the checkpoint reached when it was made."""
    import json

    from siamese_core import load_model
    from siamese_core.evaluation.oneshot_report import official_runs
    model = load_model(ASSETS / "oneshot-omniglot.pt")
    accuracy = official_runs(model)["accuracy"]
    report = json.loads((ASSETS / "one-shot-report.json").read_text())
    assert accuracy == pytest.approx(report["official_runs"]["accuracy"], abs=1 / 400)
    assert accuracy >= SHIPPED_OFFICIAL_RUNS_FLOOR
    assert model.train_config["dataset"] == "omniglot" and model.train_config["val_data"] == "omniglot-validation"
    # two twins trained side by side, the whole command inside the half hour a CPU recipe may take
    assert model.config.members == 2 and model.train_config["member_processes"] == 2
    assert model.metrics["wall_seconds"] <= 30 * 60
