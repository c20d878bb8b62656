"""A run with live frames reports from what it already has: its last validation's threshold, its probe map."""
import numpy as np
import pytest
import torch

from siamese_core.evaluation.metrics import verification
from siamese_core.service.experiment import run_experiment, tsne_of_probe
from siamese_core.service.live_frames import probe_set
from siamese_core.training import TrainConfig

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def fresh(digits_train, digits_test):
    torch.manual_seed(0)
    cfg = TrainConfig.from_dict({"dataset": "digits", "embedding_dim": 8, "seconds": 2.0, "epochs": None,
                                 "steps_per_epoch": 20, "seed": 0})
    frames = []
    report = run_experiment(cfg, "live", splits=(digits_train, digits_test), probe=probe_set(digits_test),
                            frames=frames)
    return report, frames, digits_test


def test_the_report_keeps_the_frames_and_maps_the_probe_set(fresh):
    report, frames, test = fresh
    assert report.frames == frames and len(frames) >= 2
    assert report.projection_kind == "pca" and report.projection.shape == (len(report.projection_labels), 2)
    assert np.array_equal(report.projection, frames[-1].layout.astype(np.float32))
    assert report.nbytes > sum(f.nbytes for f in frames)


def test_a_report_starved_to_its_wall_clock_cap_may_not_be_handed_on(fresh):
    import dataclasses

    from siamese_core.training.budget_clock import WALL_CAP
    report = fresh[0]
    assert report.shareable and report.metrics["stopped_because"] != WALL_CAP
    assert not dataclasses.replace(report, metrics={**report.metrics, "stopped_because": WALL_CAP}).shareable


def test_the_threshold_is_the_last_validation_and_accuracy_is_on_test_pairs(fresh):
    report, _, test = fresh
    # The threshold and validation accuracy are those of a validation the run made (the best one).
    assert report.metrics["threshold"] in {v["threshold"] for v in report.val_history}
    assert report.metrics["val_accuracy"] in {v["val_accuracy"] for v in report.val_history}
    # The same test pairs scored again at that threshold give the same accuracy.
    assert len(report.test_scores) == 2000
    assert report.metrics["accuracy"] == pytest.approx(
        float(((report.test_scores >= report.metrics["threshold"]) == report.test_same).mean()))


def test_the_test_pairs_are_the_probe_pairs_scored_by_the_final_frame(fresh):
    report, frames, test = fresh
    probe = probe_set(test)
    last = frames[-1]
    # The final frame's histogram counts are the report's test scores binned alike: the same pairs, the
    # same (reported) model.
    assert np.array_equal(np.histogram(report.test_scores[report.test_same], last.edges)[0], last.same_counts)
    assert np.array_equal(np.histogram(report.test_scores[~report.test_same], last.edges)[0], last.diff_counts)
    assert np.array_equal(report.test_same, probe.same)
    # Sample pairs name test-split images of the probe set, with their true relation.
    for ex in report.examples:
        assert ex.i in probe.index and ex.j in probe.index
        assert ex.same == (int(test.labels[ex.i]) == int(test.labels[ex.j]))
    # The frame's own threshold is the best on these pairs: the validation threshold cannot beat it.
    assert report.metrics["accuracy"] <= last.accuracy + 1e-9


def test_a_verification_with_a_given_threshold_embeds_no_validation_set(digits_test):
    from siamese_core.models import ModelConfig, SiameseNet
    model = SiameseNet(ModelConfig(backbone="vgg", embedding_dim=8, input_size=(8, 8), normalize=True)).eval()
    r = verification(model, None, digits_test, n_pairs=200, threshold=-0.5, val_accuracy=0.9)
    assert r.threshold == -0.5 and r.val_accuracy == 0.9 and len(r.test_scores) == 200
    with pytest.raises(ValueError):
        verification(model, None, digits_test, n_pairs=200)


def test_a_tsne_on_request_starts_from_the_live_map(fresh):
    report, _, _ = fresh
    xy = tsne_of_probe(report)
    assert xy.shape == report.projection.shape and np.isfinite(xy).all()
