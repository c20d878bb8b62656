"""The cheap claims, checked on every CI run: a reduced `python -m benchmarks.lessons` (one seed, short
runs of the pages' own settings; the full table in docs/lessons.md has the seeds and the spread).
The loss comparison and the size sweep (80 s of training per seed) are left to the full benchmark."""
import pytest
import torch

from benchmarks.lessons import train_runs
from siamese_core.lessons import BY_KEY, static
from siamese_core.lessons import experiments as ex
from siamese_core.lessons.checks import runs_by_role


def _held(key: str, inputs) -> bool:
    v = BY_KEY[key].verdict(inputs)
    assert v is not None, f"{key}: the inputs lack what the check reads"
    assert v.held, f"{key} did not hold: {v.shown} {v.values}"
    return v.held


@pytest.fixture(autouse=True)
def one_thread():
    before = torch.get_num_threads()
    torch.set_num_threads(1)  # as a page job runs
    yield
    torch.set_num_threads(before)


@pytest.mark.slow
def test_the_collapse_preset_collapses_hardest_negatives_but_not_semi_hard(load):
    load("mnist", "train")  # skips with the reason when MNIST is missing
    runs = runs_by_role(train_runs(ex.miner_configs(ex.COLLAPSE_PRESET, ex.COLLAPSE_MINERS, seed=0)))
    _held("mining.hardest-collapses", runs)


@pytest.mark.slow
def test_random_triplets_go_inactive_while_semi_hard_keeps_its_supply(load):
    load("mnist", "train")
    runs = runs_by_role(train_runs(ex.miner_configs(ex.MINING_DEFAULT, ("random", "semi-hard"), seed=0)))
    _held("mining.random-inactive", runs)
    _held("mining.semi-hard-supply", runs)


@pytest.mark.slow
def test_center_loss_tightens_the_classes_of_a_softmax_plane(load):
    load("mnist", "train")
    runs = runs_by_role(train_runs(ex.centre_configs((0.0, 1.0), seed=0)))
    _held("centre.spokes", runs)
    _held("centre.shrink", runs)
    _held("centre.crowd", runs)


def test_the_convolution_pages_filters_look_like_edges():
    _held("conv.edges", static.conv_filters())


@pytest.mark.slow
def test_one_shot_claims_on_the_shipped_model(load):
    load("omniglot", "evaluation")
    ctx = static.oneshot(tasks=100)
    _held("oneshot.slower-than-pixels", ctx)
    _held("oneshot.within-harder", ctx)


@pytest.mark.slow
def test_the_face_pages_pairs_are_what_the_note_says(load):
    load("faces", "test")
    ctx = static.faces()
    _held("faces.default-pair", ctx)
    _held("faces.failure-pair", ctx)
