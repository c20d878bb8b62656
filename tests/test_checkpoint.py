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
