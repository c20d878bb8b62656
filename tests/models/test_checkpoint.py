import pickle

import pytest
import torch

from siamese_core import load_model, save_checkpoint
from siamese_core.models import ModelConfig, SiameseNet


def test_round_trip_keeps_weights_config_and_threshold(tmp_path):
    torch.manual_seed(0)
    model = SiameseNet(ModelConfig(embedding_dim=6, input_size=(8, 8), head="l1")).eval()
    model.threshold = 0.42
    path = save_checkpoint(tmp_path / "m.pt", model, {"dataset": "digits"}, {"accuracy": 0.9}, "cmd")
    loaded = load_model(path)
    x1, x2 = torch.rand(3, 1, 8, 8), torch.rand(3, 1, 8, 8)
    torch.testing.assert_close(loaded.similarity(x1, x2), model.similarity(x1, x2))
    assert loaded.threshold == 0.42 and loaded.input_size == (8, 8) and loaded.config.head == "l1"
    assert loaded.train_config == {"dataset": "digits"} and loaded.metrics == {"accuracy": 0.9}
    assert not list(tmp_path.glob("*.tmp"))


class _Evil:
    def __reduce__(self):
        return (exec, ("import pathlib; pathlib.Path('PWNED').write_text('x')",))


def test_a_malicious_pickle_is_refused(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    path = tmp_path / "evil.pt"
    with open(path, "wb") as f:
        pickle.dump({"format": "siamese-lab/1", "payload": _Evil()}, f)
    with pytest.raises(ValueError, match="not a Siamese Lab checkpoint"):
        load_model(path)
    assert not (tmp_path / "PWNED").exists()


def test_missing_and_foreign_files(tmp_path):
    with pytest.raises(FileNotFoundError):
        load_model(tmp_path / "nope.pt")
    (tmp_path / "junk.pt").write_bytes(b"\x00not a checkpoint")
    with pytest.raises(ValueError):
        load_model(tmp_path / "junk.pt")
    torch.save({"weights": torch.zeros(2)}, tmp_path / "other.pt")
    with pytest.raises(ValueError, match="format"):
        load_model(tmp_path / "other.pt")


@pytest.mark.parametrize("data", [b"", b"PK\x03\x04"], ids=["empty", "zip header only"])
def test_an_empty_or_cut_checkpoint_gets_the_loaders_sentence(tmp_path, data):
    """An empty file made torch raise an exception with no message, and reading its first line an IndexError."""
    (tmp_path / "cut.pt").write_bytes(data)
    with pytest.raises(ValueError, match="not a Siamese Lab checkpoint"):
        load_model(tmp_path / "cut.pt")


class _Shell:
    """Unpickling this would run a shell command that creates a marker file."""

    def __init__(self, marker):
        self.marker = str(marker)

    def __reduce__(self):
        import os
        return (os.system, (f"touch '{self.marker}'",))


def test_a_checkpoint_whose_pickle_calls_os_system_runs_nothing(tmp_path):
    marker = tmp_path / "ran"
    model = SiameseNet(ModelConfig(embedding_dim=4, input_size=(8, 8)))
    path = save_checkpoint(tmp_path / "good.pt", model)
    blob = torch.load(path, weights_only=True)
    blob["metrics"] = {"accuracy": _Shell(marker)}   # a real torch zip file, one poisoned entry
    torch.save(blob, tmp_path / "evil.pt")
    with pytest.raises(ValueError, match="not a Siamese Lab checkpoint.*UnpicklingError"):
        load_model(tmp_path / "evil.pt")
    assert not marker.exists()


def test_checkpoints_load_only_from_trusted_folders(tmp_path):
    from siamese_core.models.checkpoint import checkpoint_in
    trusted, elsewhere = tmp_path / "assets", tmp_path / "elsewhere"
    trusted.mkdir(), elsewhere.mkdir()
    model = SiameseNet(ModelConfig(embedding_dim=4, input_size=(8, 8)))
    save_checkpoint(trusted / "ok.pt", model)
    outside = save_checkpoint(elsewhere / "x.pt", model)
    assert checkpoint_in("ok.pt", [trusted]) == (trusted / "ok.pt").resolve()
    for name in ("../elsewhere/x.pt", str(outside)):
        with pytest.raises(ValueError, match="outside the checkpoint folder"):
            checkpoint_in(name, [trusted])
    (trusted / "link.pt").symlink_to(outside)
    with pytest.raises(ValueError, match="outside"):
        checkpoint_in("link.pt", [trusted])
    with pytest.raises(FileNotFoundError, match="no checkpoint 'nope.pt'"):
        checkpoint_in("nope.pt", [trusted])
    assert checkpoint_in("x.pt", [trusted, elsewhere]) == outside.resolve()  # an operator's own folder


def test_pages_load_checkpoints_only_from_assets():
    from lab_ui.shared import asset_model
    with pytest.raises(ValueError, match="outside"):
        asset_model("../requirements.txt")
