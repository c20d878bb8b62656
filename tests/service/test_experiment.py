"""A whole experiment as the training pages run it, on real data (digits)."""
import threading

import numpy as np
import pytest

from siamese_core.explain.diagnostics import collapse_step, series
from siamese_core.service.experiment import Cancelled, ProgressRecorder, run_experiment, run_sweep
from siamese_core.service.live_state import LiveState
from siamese_core.training.trainer import TrainConfig


@pytest.fixture(scope="module")
def splits(digits_train, digits_test):
    return digits_train, digits_test


@pytest.mark.slow
def test_run_experiment_reports_what_the_pages_draw(splits):
    cfg = TrainConfig(dataset="digits", loss="contrastive", embedding_dim=16, epochs=12, lr=3e-3)
    live = LiveState()
    report = run_experiment(cfg, "c16", callbacks=[ProgressRecorder(live)], splits=splits, n_projection=300)
    m = report.metrics
    assert m["accuracy"] > 0.9 and m["auc"] > 0.95 and m["embedding_dim"] == 16
    assert m["stopped_because"] == "epochs" and m["steps"] == live.step and live.progress == 1.0
    # Balanced test pairs, scores are −distances for a head-less model.
    assert report.test_same.mean() == 0.5 and (report.test_scores <= 0).all() and not report.score_is_probability
    assert report.projection.shape == (300, 2) and len(report.projection_labels) == 300
    # The examples are real test pairs whose verdict follows the validation threshold.
    assert len(report.examples) == 8 and sum(e.same for e in report.examples) == 4
    for e in report.examples:
        assert e.predicted_same == (e.score >= m["threshold"])
        assert (splits[1].labels[e.i] == splits[1].labels[e.j]) == e.same


@pytest.mark.slow
def test_pair_head_scores_are_probabilities(splits):
    cfg = TrainConfig(dataset="digits", loss="bce-concat", embedding_dim=8, epochs=2)
    report = run_experiment(cfg, "bce", splits=splits, n_projection=100)
    assert report.score_is_probability and ((report.test_scores >= 0) & (report.test_scores <= 1)).all()


def test_cancelled_run_raises(splits):
    stop = threading.Event()
    stop.set()
    with pytest.raises(Cancelled):
        run_experiment(TrainConfig(dataset="digits", epochs=3), "x", cancel_event=stop, splits=splits)


def test_sweep_reports_overall_progress(splits):
    live = LiveState()
    cfgs = [TrainConfig(dataset="digits", embedding_dim=d, epochs=1) for d in (2, 8)]
    reports = run_sweep(cfgs, ["D=2", "D=8"], splits, live, n_projection=100)
    assert [r.metrics["embedding_dim"] for r in reports] == [2, 8]
    assert live.parts == 2 and live.part == 1 and live.progress == 1.0
    # D = 2: the raw plane, unit vectors on a circle.
    assert np.allclose(np.linalg.norm(reports[0].projection, axis=1), 1.0, atol=1e-4)


def test_collapse_detection():
    healthy = [{"step": s, "embedding_spread": 0.9} for s in range(1, 20)]
    collapsed = healthy[:5] + [{"step": s, "embedding_spread": 1e-3} for s in range(6, 20)]
    blip = healthy[:5] + [{"step": 6, "embedding_spread": 0.0}] + healthy[6:]
    assert collapse_step(healthy) is None and collapse_step(blip) is None
    assert collapse_step(collapsed) == 6
    assert series([{"step": 1, "x": float("nan")}, {"step": 2, "x": 0.5}], "x") == ([2], [0.5])
