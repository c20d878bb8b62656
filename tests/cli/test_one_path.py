"""The command line and the pages train through one path: the same config gives the same weights."""
import pytest
import torch

from siamese_core import load_model
from siamese_core.cli import main
from siamese_core.service.experiment import run_experiment
from siamese_core.training import Callback, TrainConfig


class KeepModels(Callback):
    """The weights each trainer ends with (an ensemble: one trainer per member)."""

    def __init__(self):
        self.models = []

    def on_train_end(self, trainer, state):
        self.models.append({k: v.detach().clone() for k, v in trainer.model.state_dict().items()})


@pytest.fixture
def one_thread():
    before = torch.get_num_threads()
    torch.set_num_threads(1)  # one thread: CPU kernels are deterministic, both runs see the same sums
    yield
    torch.set_num_threads(before)


def _assert_equal(a: dict, b: dict) -> None:
    assert a.keys() == b.keys()
    for k, v in a.items():
        assert torch.equal(v, b[k]), k


ARGS = ["--dataset", "digits", "--embedding-dim", "8", "--epochs", "2", "--steps-per-epoch", "4",
        "--batch-size", "32", "--seed", "3", "--lr-schedule", "cosine", "--lr-decay", "0.1"]


@pytest.mark.slow
def test_cli_and_page_path_train_identical_weights(tmp_path, digits_train, digits_test, one_thread):
    out = tmp_path / "cli.pt"
    assert main(["train", *ARGS, "--loss", "triplet", "--threads", "1", "--quiet", "--out", str(out)]) == 0
    from_cli = load_model(out)
    cfg = TrainConfig.from_dict(from_cli.train_config)
    kept = KeepModels()
    report = run_experiment(cfg, "page", callbacks=[kept], splits=(digits_train, digits_test),
                            n_pairs=200, n_projection=50)
    _assert_equal({k: v for k, v in from_cli.state_dict().items()}, kept.models[0])
    assert report.config == cfg.flat() and report.metrics["steps"] == from_cli.metrics["steps"] == 8


@pytest.mark.slow
def test_an_ensemble_page_config_trains_its_members_like_the_cli(tmp_path, digits_train, digits_test, one_thread):
    """`members` was ignored on the page path (it trained one twin); now both paths train the same two."""
    out = tmp_path / "ens.pt"
    assert main(["train", *ARGS, "--loss", "cosface", "--backbone", "face-cnn", "--members", "2",
                 "--threads", "1", "--quiet", "--out", str(out)]) == 0
    from_cli = load_model(out)
    kept = KeepModels()
    cfg = TrainConfig.from_dict(from_cli.train_config)
    assert cfg.run.members == 2
    run_experiment(cfg, "page", callbacks=[kept], splits=(digits_train, digits_test), n_pairs=200, n_projection=50)
    assert len(kept.models) == 2 == len(from_cli.twin.members)
    for member, weights in zip(from_cli.twin.members, kept.models):
        _assert_equal({"twin." + k: v for k, v in member.state_dict().items()},
                      {k: v for k, v in weights.items() if k.startswith("twin.")})
    assert not torch.equal(*(next(iter(m.parameters())) for m in from_cli.twin.members))  # two seeds
