"""The fixed one-shot runs a training is scored on live: made like Lake et al.'s official runs, from alphabets
those runs never use (checked image by image against the official runs' own pictures)."""
from __future__ import annotations

import numpy as np
import pytest
import torch

from siamese_core.data import load_official_runs, resolve_data_dir
from siamese_core.data.omniglot import VALIDATION_ALPHABETS, native_images
from siamese_core.evaluation.validation_runs import validation_runs
from siamese_core.models import ModelConfig, SiameseNet
from siamese_core.models.embed import embed


@pytest.fixture(scope="module")
def evaluation(load):
    return load("omniglot", "evaluation", image_size=(28, 28))


@pytest.fixture(scope="module")
def fixed(evaluation):
    return validation_runs(evaluation)


def test_no_image_of_the_fixed_runs_is_an_image_of_the_official_runs(fixed, data_dir):
    """Every fixed-run image is compared, as its 105×105 scan, with every official-run picture."""
    try:
        official = load_official_runs(data_dir)
    except FileNotFoundError as exc:
        pytest.skip(str(exc))
    theirs = {np.packbits(x.bool().numpy()).tobytes() for r in official for x in torch.cat([r.support, r.queries])}
    ours = native_images(resolve_data_dir(data_dir), "evaluation", fixed.index)
    assert len(ours) == 800
    assert not {np.packbits(x.bool().numpy()).tobytes() for x in ours} & theirs


def test_each_run_is_twenty_characters_of_one_validation_alphabet_by_two_drawers(fixed, evaluation):
    assert fixed.runs == 20 and fixed.trials == 400 and set(fixed.alphabets) == set(VALIDATION_ALPHABETS)
    labels, drawers = evaluation.labels[fixed.index], evaluation.meta["drawer"][fixed.index]
    for r, alphabet in enumerate(fixed.alphabets):
        support, query = slice(40 * r, 40 * r + 20), slice(40 * r + 20, 40 * r + 40)
        assert len(set(labels[support].tolist())) == 20
        assert labels[query].tolist() == labels[support].tolist()       # query k is support k's character …
        assert len(set(drawers[support].tolist())) == 1 and len(set(drawers[query].tolist())) == 1
        assert drawers[support][0] != drawers[query][0]                  # … drawn by someone else
        assert {evaluation.alphabets[int(c)] for c in labels[support]} == {alphabet}
        rows = fixed.trial_rows(20 * r + 3)                               # run r, query 3
        assert rows[0] == fixed.index[40 * r + 23] and list(rows[1:]) == fixed.index[40 * r:40 * r + 20].tolist()


def test_scores_picks_and_accuracy_follow_the_models_own_similarity(fixed):
    """An untrained twin's scores, counted trial by trial by hand through `model.score`; and with every query's
    embedding replaced by its support's, every pick is right."""
    torch.manual_seed(0)
    model = SiameseNet(ModelConfig(backbone="koch-small", width=0.25, embedding_dim=16, input_size=(28, 28)))
    h = embed(model, fixed.images)
    scores = fixed.scores(model, h)
    assert scores.shape == (20, 20, 20)
    by_hand = 0
    for r in range(20):
        supports = h[40 * r:40 * r + 20]
        for k in range(20):
            by_hand += int(model.score(h[40 * r + 20 + k].expand(20, -1), supports).argmax() == k)
    assert fixed.accuracy(scores) == pytest.approx(by_hand / 400)
    assert 0 < by_hand < 400
    copies = h.clone().view(20, 2, 20, -1)
    copies[:, 1] = copies[:, 0]
    assert fixed.accuracy(fixed.scores(model, copies.reshape(800, -1))) == 1.0
