"""The atlas: lookup on and off the grid, a stored cell that loads back equal (frames and all), a build
that gives the same cells twice, and the committed assets/atlas/ the pages explore."""
from pathlib import Path

import numpy as np
import pytest

from siamese_core.atlas.build import build
from siamese_core.atlas.grid import DIMS, MARGINS, Atlas
from siamese_core.atlas.store import load_cell, save_cell
from siamese_core.service.experiment import run_experiment
from siamese_core.service.live_frames import probe_set
from siamese_core.training import TrainConfig

ASSET = Path(__file__).resolve().parents[2] / "assets" / "atlas"
TINY = {"contrastive": (0.5, 1.0), "softmax": ()}


@pytest.fixture(scope="module")
def tiny(tmp_path_factory) -> Atlas:
    """A real atlas on digits: contrastive × margins 0.5, 1 × sizes 2, 8, and softmax × sizes 2, 8."""
    out = tmp_path_factory.mktemp("atlas")
    build(out, "digits", steps=12, margins=TINY, dims=(2, 8), command="tiny test atlas")
    return Atlas.load(out)


def assert_same_frames(a, b):
    assert len(a) == len(b) > 0
    for f, g in zip(a, b):
        assert (f.step, f.accuracy, f.threshold) == (g.step, g.accuracy, g.threshold)
        assert np.isnan(f.loss) and np.isnan(g.loss) or f.loss == g.loss
        for name in ("layout", "edges", "same_counts", "diff_counts"):
            x, y = getattr(f, name), getattr(g, name)
            assert x.dtype == y.dtype and np.array_equal(x, y), name


@pytest.mark.slow
def test_lookup_on_the_grid_gives_that_cells_run(tiny):
    assert tiny.losses == ["contrastive", "softmax"]
    assert tiny.grid("contrastive") == {"margins": [0.5, 1.0], "dims": [2, 8]}
    assert tiny.grid("softmax") == {"margins": [], "dims": [2, 8]}
    cell = tiny.cell("contrastive", 0.5, 8)
    assert (cell.config["loss"], cell.config["margin"], cell.metrics["embedding_dim"]) == ("contrastive", 0.5, 8)
    assert cell.config["steps_per_epoch"] == 12 and cell.metrics["steps"] == 12
    assert tiny.cell("contrastive", 1.0, 2).config["margin"] == 1.0
    # a loss without a margin ignores the margin slider
    assert tiny.cell("softmax", 0.7, 2) is tiny.cell("softmax", None, 2)
    assert [r.metrics["embedding_dim"] for r in tiny.sizes("contrastive", 1.0)] == [2, 8]
    # the frames are taken at fixed steps (every 16, and at the end), not by the clock
    assert [f.step for f in cell.frames] == [0, 12]
    assert tiny.cell_command("contrastive", 0.5, 8) == "tiny test atlas  (cell: contrastive · m=0.5 · D=8)"


@pytest.mark.slow
@pytest.mark.parametrize("loss,margin,dim,message", [
    ("contrastive", 0.3, 8, "The margin 0.3 is not on the atlas's grid for contrastive, whose margins are 0.5, 1."),
    ("contrastive", 1.0, 16, "The embedding size 16 is not on the atlas's grid for contrastive, whose sizes are 2, 8."),
    ("contrastive", None, 8, "The margin None is not on the atlas's grid for contrastive, whose margins are 0.5, 1."),
    ("triplet", 0.2, 8, "The loss 'triplet' is not in the atlas, whose losses are contrastive, softmax."),
])
def test_a_value_off_the_grid_is_refused_in_one_sentence(tiny, loss, margin, dim, message):
    with pytest.raises(ValueError) as exc:
        tiny.cell(loss, margin, dim)
    assert str(exc.value) == message


@pytest.mark.slow
def test_a_stored_cell_loads_back_equal(tmp_path, digits_train, digits_test):
    cfg = TrainConfig.from_dict({"dataset": "digits", "loss": "contrastive", "embedding_dim": 8, "margin": 0.5,
                                 "epochs": 1, "steps_per_epoch": 30, "seed": 0})
    report = run_experiment(cfg, "round trip", splits=(digits_train, digits_test),
                            probe=probe_set(digits_test, n_images=200, n_pairs=400))
    save_cell(tmp_path / "cell.npz", report)
    back = load_cell(tmp_path / "cell.npz")
    assert back.metrics == report.metrics and back.config == report.config and back.name == report.name
    assert back.history == report.history and back.val_history == report.val_history
    assert back.examples == report.examples and back.class_names == report.class_names
    assert np.array_equal(back.test_scores, report.test_scores) and np.array_equal(back.test_same, report.test_same)
    assert np.array_equal(back.projection, report.projection)
    assert np.array_equal(back.projection_labels, report.projection_labels)
    assert np.array_equal(back.projection_index, report.projection_index)
    assert np.array_equal(back.probe_embeddings, report.probe_embeddings)
    assert (back.projection_kind, back.score_is_probability) == ("pca", False)
    assert_same_frames(back.frames, report.frames)
    # plain arrays and one JSON string: it loads with pickling off
    with np.load(tmp_path / "cell.npz", allow_pickle=False) as z:
        assert all(z[k].dtype != object for k in z.files)


@pytest.mark.slow
def test_the_same_build_gives_the_same_cells(tmp_path, tiny):
    grid = {"contrastive": (0.5,)}
    again = build(tmp_path, "digits", steps=12, margins=grid, dims=(8,), command="again")
    assert again["cells"][0]["file"] == "contrastive_m0.5_d8.npz"
    first, second = tiny.cell("contrastive", 0.5, 8), load_cell(tmp_path / "contrastive_m0.5_d8.npz")
    for key in ("accuracy", "auc", "eer", "threshold", "val_accuracy"):
        assert first.metrics[key] == second.metrics[key], key
    assert np.array_equal(first.test_scores, second.test_scores)
    assert_same_frames(first.frames, second.frames)


def test_the_committed_atlas_covers_the_grid_within_its_size():
    atlas = Atlas.load(ASSET)
    cells = sum(len(m or (None,)) for m in MARGINS.values()) * len(DIMS)
    assert len(atlas.reports) == cells == len(atlas.index["cells"])
    assert sum(f.stat().st_size for f in ASSET.iterdir()) < 30 * 2**20
    settings = atlas.index["settings"]
    assert settings["dataset"] == "fashion-mnist" and settings["seed"] == 0 and settings["distance"] == "l2"
    assert atlas.command.startswith("python -m siamese_core atlas build")
    for (loss, margin, dim), r in atlas.reports.items():
        assert (r.config["loss"], r.config["margin"], r.config["embedding_dim"]) == (loss, margin, dim)
        assert r.config["dataset"] == "fashion-mnist" and r.metrics["steps"] == settings["steps"]
        assert len(r.frames) >= 10 and r.frames[-1].step == settings["steps"]
        assert 0.5 < r.metrics["accuracy"] <= 1.0
