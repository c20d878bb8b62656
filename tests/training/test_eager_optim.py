"""Optimizer steps without torch.compile's guards: the same update as torch's own step, for every optimizer a
config can name, and a training run in a fresh process that never imports torch._dynamo (85 MB there)."""
import subprocess
import sys

import pytest
import torch

from siamese_core.training import eager_optim
from siamese_core.training.config import TrainConfig
from siamese_core.training.optimizers import build_optimizer, optimizer_names


def _trained(optimizer_name: str, step) -> list[torch.Tensor]:
    torch.manual_seed(0)
    model = torch.nn.Sequential(torch.nn.Linear(6, 5), torch.nn.ReLU(), torch.nn.Linear(5, 3))
    cfg = TrainConfig.from_dict({"optimizer": optimizer_name, "weight_decay": 1e-3})
    optimizer, _ = build_optimizer(cfg.optim, model)
    data = torch.randn(4, 8, 6, generator=torch.Generator().manual_seed(1))
    for x in data:
        optimizer.zero_grad(set_to_none=True)
        model(x).square().mean().backward()
        step(optimizer)
    return [p.detach().clone() for p in model.parameters()]


@pytest.mark.parametrize("name", optimizer_names())
def test_the_step_is_torchs_step(name):
    ours, torchs = _trained(name, eager_optim.step), _trained(name, lambda o: o.step())
    assert all(torch.equal(a, b) for a, b in zip(ours, torchs))
    assert not all(torch.equal(a, b) for a, b in zip(ours, _trained(name, lambda o: None)))  # it did step


def test_a_step_hook_still_runs():
    model = torch.nn.Linear(2, 1)
    optimizer = torch.optim.SGD(model.parameters(), lr=0.1)
    calls = []
    optimizer.register_step_post_hook(lambda *_: calls.append(1))
    model(torch.ones(1, 2)).sum().backward()
    eager_optim.step(optimizer)
    assert calls == [1]


def test_a_run_in_a_fresh_process_does_not_import_the_compiler():
    code = ("import sys; from siamese_core.training.trainer import TrainConfig, Trainer; "
            "from siamese_core.data import load_dataset; "
            "cfg = TrainConfig.from_dict({'dataset': 'digits', 'epochs': 1, 'steps_per_epoch': 3, 'device': 'cpu'}); "
            "Trainer(cfg, load_dataset('digits', 'train')).fit(); "
            "print([m for m in ('torch._dynamo', 'sympy') if m in sys.modules])")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.split("\n")[-2] == "[]", out.stdout + out.stderr
