"""The step's precision: float32 on the CPU exactly as before, bf16 autocast only on CUDA. The `device` tests
train on SIAMESE_LAB_TEST_DEVICE (cpu unless set), so `benchmarks/gpu_check.sh` runs them on the GPU."""
from __future__ import annotations

import contextlib
import math
import os

import pytest
import torch

from siamese_core.training import TrainConfig, train
from siamese_core.training.precision import PRECISIONS, step_precision, uses_bf16

DEVICE = os.environ.get("SIAMESE_LAB_TEST_DEVICE", "cpu")


@pytest.mark.parametrize("precision", PRECISIONS)
def test_on_the_cpu_the_step_precision_is_a_no_op(precision):
    context = step_precision("cpu", precision)
    assert isinstance(context, contextlib.nullcontext) and not uses_bf16("cpu", precision)
    with context:
        assert not torch.is_autocast_enabled("cpu") and not torch.is_autocast_enabled("cuda")


def test_an_unknown_precision_is_refused():
    with pytest.raises(ValueError, match="precision must be one of"):
        uses_bf16("cpu", "fp16")
    with pytest.raises(ValueError, match="precision must be one of"):
        TrainConfig(precision="fp16")


def test_fp32_on_cuda_never_autocasts():
    assert not uses_bf16("cuda", "fp32")  # decided before asking the GPU anything: true without one too


def _short(device: str, **settings) -> TrainConfig:
    return TrainConfig(dataset="digits", epochs=1, steps_per_epoch=4, val_pairs=200, seed=3, device=device,
                       **settings)


def test_cpu_runs_are_the_same_whatever_the_precision_setting():
    losses = [[row["loss"] for row in train(_short("cpu", precision=p)).state.history] for p in ("auto", "fp32")]
    assert losses[0] == losses[1] and len(losses[0]) == 4


@pytest.mark.device
def test_a_short_run_trains_on_the_test_device():
    result = train(_short(DEVICE))
    assert result.model.device.type == torch.device(DEVICE).type
    assert all(math.isfinite(row["loss"]) for row in result.state.history)
    assert 0.0 <= result.best_val["val_accuracy"] <= 1.0


@pytest.mark.device
def test_the_forward_pass_runs_in_bf16_on_cuda_only_and_the_weights_stay_float32():
    result = train(_short(DEVICE))
    with step_precision(DEVICE):
        h = result.model.twin(torch.rand(8, 1, 8, 8, device=DEVICE))  # the twin ends in a Linear layer
    assert h.dtype == (torch.bfloat16 if uses_bf16(DEVICE) else torch.float32)
    assert uses_bf16(DEVICE) == (torch.device(DEVICE).type == "cuda" and torch.cuda.is_bf16_supported())
    assert all(p.dtype == torch.float32 for p in result.model.parameters())


@pytest.mark.device
def test_a_page_run_trains_and_reports_on_the_test_device():
    """The server queue's path (service.experiment.run_experiment): the page's config carries the device."""
    from siamese_core.service.experiment import run_experiment
    report = run_experiment(TrainConfig.from_dict({**_short(DEVICE).flat()}), "device check", n_pairs=200,
                            n_projection=100)
    assert report.config["device"] == DEVICE and report.metrics["steps"] == 4


@pytest.mark.device
def test_a_checkpoint_loads_and_embeds_on_the_test_device(tmp_path):
    from siamese_core.models.checkpoint import load_model, save_checkpoint
    from siamese_core.models.embed import embed
    result = train(_short("cpu"))
    save_checkpoint(tmp_path / "m.pt", result.model, result.config.flat())
    model = load_model(tmp_path / "m.pt", DEVICE)
    images = torch.rand(10, 1, 8, 8)
    h = embed(model, images)
    assert h.device.type == "cpu" and h.shape[0] == 10
    assert torch.allclose(h, embed(result.model, images), rtol=1e-2, atol=1e-2)  # TF32 convolutions on a GPU
