import threading

import numpy as np
import pytest
import torch

from siamese_core.service.live_frames import FrameRecorder, frame_and_embeddings, probe_set
from siamese_core.training import Callback, TrainConfig, train
from siamese_core.viz.stable_projection import stable_layout


def test_the_probe_set_is_balanced_over_classes_and_pairs(digits_test):
    probe = probe_set(digits_test, n_images=200, n_pairs=400)
    counts = np.bincount(probe.labels, minlength=10)
    assert len(probe.labels) == 200 and counts.max() - counts.min() <= 2
    assert probe.same.sum() == 200 and len(probe.same) == 400
    assert np.array_equal(probe.labels, digits_test.labels[torch.as_tensor(probe.index)].numpy())
    again = probe_set(digits_test, n_images=200, n_pairs=400)
    assert np.array_equal(probe.index, again.index) and torch.equal(probe.i, again.i)


def _config(**kw):
    return TrainConfig.from_dict({"dataset": "digits", "embedding_dim": 8, "batch_size": 64, "seconds": 3.0,
                                  "epochs": None, "seed": 0, **kw})


@pytest.mark.slow  # trains 120 steps
def test_frames_record_the_run_within_their_time_share(digits_train, digits_test):
    torch.manual_seed(0)
    recorder = FrameRecorder(probe_set(digits_test, n_images=300), share=0.3)  # room for a busy CI machine
    # A step budget (not seconds): the network must learn whatever the machine's load.
    result = train(_config(seconds=None, epochs=3, steps_per_epoch=40), data=digits_train, callbacks=[recorder])
    frames = recorder.frames
    assert len(frames) >= 3
    assert frames[0].step == 0 and frames[-1].step == result.state.step
    assert [f.step for f in frames] == sorted(f.step for f in frames)
    # The bound: frames are taken only while they and the end frame fit the share, each costing about what
    # the frame before did; the margin covers the last two frames costing more than the one before them.
    assert recorder.cost <= 0.3 * frames[-1].seconds + 2 * max(f.cost for f in frames)
    assert all(f.nbytes < 8_000 for f in frames)
    # The network learns: the probe pairs separate better at the end than before training.
    assert frames[-1].auc > frames[0].auc + 0.1
    counts = frames[-1].same_counts.sum() + frames[-1].diff_counts.sum()
    assert counts == len(recorder.probe.same)
    # The end frame's map is the reported model's own (no inertia from the frames before it).
    expected = stable_layout(recorder.embeddings.numpy(), frames[-2].layout.astype(np.float32))
    assert np.allclose(frames[-1].layout.astype(np.float32), expected, atol=2e-3)


def test_a_cancelled_run_keeps_the_frames_it_made(digits_train, digits_test):
    cancel = threading.Event()

    class StopAfter(Callback):
        def on_step(self, trainer, state):
            if state.step >= 15:
                cancel.set()

    recorder = FrameRecorder(probe_set(digits_test, n_images=100), share=0.5)
    train(_config(seconds=30.0), data=digits_train, callbacks=[recorder, StopAfter()], cancel=cancel)
    assert len(recorder.frames) >= 2
    assert recorder.frames[-1].step <= 16


def test_frames_of_a_pair_head_model_score_as_probabilities(digits_test):
    from siamese_core.models import ModelConfig, SiameseNet
    model = SiameseNet(ModelConfig(backbone="vgg", embedding_dim=8, input_size=(8, 8), head="l1"))
    frame, _ = frame_and_embeddings(model, probe_set(digits_test, n_images=60, n_pairs=100), 0, 0.0, float("nan"))
    assert 0.0 <= frame.edges[0] <= frame.edges[-1] <= 1.0


def test_the_recorder_refuses_a_share_outside_0_1(digits_test):
    with pytest.raises(ValueError):
        FrameRecorder(probe_set(digits_test, n_images=30), share=1.5)


def test_the_frame_auc_is_scikit_learns():
    from scipy.stats import rankdata
    from sklearn.metrics import roc_auc_score

    from siamese_core.service.live_frames import _auc, _mean_ranks
    rng = np.random.default_rng(0)
    scores = np.round(rng.normal(size=500), 1)  # many ties
    same = rng.random(500) < 0.4
    assert _auc(scores, same) == pytest.approx(roc_auc_score(same, scores), abs=1e-12)
    np.testing.assert_array_equal(_mean_ranks(scores), rankdata(scores))
