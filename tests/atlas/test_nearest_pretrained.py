"""The pretrained result a training page opens with: the committed atlas's cell nearest to the page's settings,
and the sentence that says whether it has exactly those settings or how it differs."""
from pathlib import Path

import pytest

from siamese_core.atlas.grid import Atlas
from siamese_core.atlas.label import differences, pretrained_label

ASSET = Path(__file__).resolve().parents[2] / "assets" / "atlas"


@pytest.fixture(scope="module")
def atlas() -> Atlas:
    return Atlas.load(ASSET)


@pytest.mark.parametrize("asked,nearest", [
    (("contrastive", 1.0, 32), ("contrastive", 1.0, 32)),     # on the grid: that cell
    (("contrastive", 0.9, 16), ("contrastive", 1.0, 8)),      # off it: the nearest margin and size
    (("triplet", None, 128), ("triplet", 0.2, 128)),          # no margin asked: the loss's default one
    (("bce-l1", 0.9, 64), ("bce-l1", None, 32)),              # a loss without a margin ignores it
    (("center", 0.5, 2), ("contrastive", 0.5, 2)),            # a loss the atlas lacks: its first loss
])
def test_the_nearest_stored_cell(atlas, asked, nearest):
    assert atlas.nearest(*asked) == nearest
    assert atlas.cell(*nearest) is not None


def test_the_label_says_pretrained_for_these_settings_when_nothing_differs():
    same = {"dataset": "fashion-mnist", "loss": "contrastive", "margin": 1.0, "embedding_dim": 32}
    assert differences(same, {**same, "margin": 1.0 + 1e-9, "seed": 0}) == []
    assert pretrained_label(same, same, "Train") == "Pretrained for these settings — press **Train** to train your own."


def test_the_label_names_every_setting_the_nearest_result_used_instead():
    wanted = {"dataset": "digits", "margin": 0.9, "embedding_dim": 16, "distance": "cosine", "miners": ["random"]}
    used = {"dataset": "fashion-mnist", "margin": 1.0, "embedding_dim": 8, "distance": "l2", "miners": ["semi-hard"]}
    assert pretrained_label(wanted, used, "Train") == (
        "No pretrained result has exactly these settings, so this is the nearest one: it used dataset "
        "Fashion-MNIST (not Digits (scikit-learn 8×8)), margin 1 (not 0.9), embedding size 8 (not 16), distance L2 "
        "(not cosine) and miners semi-hard (not random). Press **Train** to train your own.")
    assert differences({"lambdas": [0.0, 0.1]}, {"lambdas": [0.0]}) == ["λ values 0 (not 0, 0.1)"]
