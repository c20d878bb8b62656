"""A page run on Omniglot, through the path a page's Train takes (a RunSpec, `execute.train_spec`): its frames
score the fixed one-shot runs and draw one trial large, its map shows the probe's own characters, and the
network it hands back scores exactly what its last frame said."""
from __future__ import annotations

import threading

import numpy as np
import pytest
import torch

from siamese_core.data import load_dataset, resolve_data_dir
from siamese_core.data.omniglot import native_images
from siamese_core.evaluation.validation_runs import validation_runs
from siamese_core.lessons import BY_KEY
from siamese_core.lessons.checks import runs_by_role
from siamese_core.models import ModelConfig, SiameseNet
from siamese_core.models.checkpoint import model_from_bytes
from siamese_core.models.embed import embed
from siamese_core.service import execute
from siamese_core.service.live_state import LiveState
from siamese_core.service.oneshot_probe import MAP_CHARACTERS, MAP_DRAWERS
from siamese_core.service.run_spec import RunSpec
from siamese_core.training.presets import preset_config


@pytest.fixture(scope="module")
def run(load):
    load("omniglot", "train")  # skip without Omniglot
    # No redrawing here (the stroke model's probe is checked below): a first redraw of the background set is
    # half a minute of a fresh machine.
    cfg = preset_config("oneshot-fast", members=1, member_processes=1, seconds=4.0, strokes=False, test_shifts=0,
                        val_tasks=20)
    live = LiveState()
    report = execute.train_spec(RunSpec.of("run", [cfg], ["mine"], 100), live, threading.Event())
    return report, live


def test_frames_score_the_fixed_runs_and_keep_one_trial_that_started_wrong(run):
    report, live = run
    frames = report.frames
    assert len(frames) >= 2 and all(0.0 <= f.oneshot <= 1.0 for f in frames)
    assert len({f.task for f in frames}) == 1                       # one trial for the whole run …
    first = frames[0]
    assert int(first.task_scores.argmax()) != first.task % 20       # … which the untrained network got wrong
    assert all(len(f.task_rows) == 21 and len(f.task_scores) == 20 for f in frames)
    assert frames[-1].oneshot == report.metrics["oneshot_accuracy"] and report.metrics["oneshot_trials"] == 400


def test_the_map_shows_the_probes_characters_by_name(run):
    report, live = run
    assert len(live.class_names) == MAP_CHARACTERS and set(live.probe_labels) == set(range(MAP_CHARACTERS))
    assert len(report.projection) == MAP_CHARACTERS * MAP_DRAWERS and report.class_names == live.class_names
    assert all("/" in name for name in live.class_names)             # "Alphabet/characterNN"


def test_the_network_handed_back_scores_what_its_last_frame_said(run):
    report, _ = run
    model = model_from_bytes(report.model)
    assert report.nbytes > len(report.model) > 500_000   # counted in the student's session
    fixed = validation_runs(load_dataset("omniglot", "evaluation", image_size=(28, 28), download=False))
    assert fixed.accuracy(fixed.scores(model, embed(model, fixed.images))) == pytest.approx(
        report.metrics["oneshot_accuracy"])


def test_a_stroke_model_reads_the_probe_redrawn_from_the_original_scans():
    probe = execute.probe("omniglot", (28, 28))
    model = SiameseNet(ModelConfig(backbone="koch-small", width=0.25, embedding_dim=16, strokes=True))
    read = probe.read_by(model)
    originals = native_images(resolve_data_dir(), "evaluation", torch.as_tensor(probe.index))
    assert torch.allclose(read.images, model.prepare_tensor(originals))
    assert not torch.allclose(read.images, probe.images, atol=0.05)
    assert read.runs.images.shape == probe.runs.images.shape and read.read_by(model) is read
    assert probe.read_by(SiameseNet(ModelConfig(backbone="koch-small", width=0.25, embedding_dim=16))) is probe
    assert np.array_equal(read.labels, probe.labels)


def test_the_pages_lesson_check_reads_the_runs_frames_and_curve(run):
    report, _ = run
    verdict = BY_KEY["oneshot.emerges"].verdict(runs_by_role([report]))
    assert verdict.values["20-way first frame"] == pytest.approx(report.frames[0].oneshot, abs=1e-4)
    assert verdict.values["20-way last frame"] == pytest.approx(report.frames[-1].oneshot, abs=1e-4)
    assert verdict.held == (report.frames[-1].oneshot > report.frames[0].oneshot
                            and verdict.values["loss late"] < verdict.values["loss early"])
