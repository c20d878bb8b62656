"""The pretrained Fashion-MNIST runs the Losses page shows instantly: shipped, loadable, and as good on
real test pairs as their recorded validation accuracy says."""
import pytest

from lab_ui.pretrained import LOSS_RUNS
from lab_ui.shared import ASSETS
from siamese_core import load_model
from siamese_core.evaluation.metrics import verification
from siamese_core.service.experiment import validation_split


@pytest.mark.parametrize("filename", sorted(LOSS_RUNS))
def test_shipped_loss_run_scores_as_recorded(filename, load):
    path = ASSETS / filename
    assert path.is_file(), f"assets/{filename} is missing: see assets/losses.md for the command that makes it"
    model = load_model(path)
    cfg = model.train_config
    assert cfg["dataset"] == "fashion-mnist" and model.threshold is not None
    train, test = load("fashion-mnist", "train"), load("fashion-mnist", "test")
    _, val = validation_split(cfg, train)
    result = verification(model, val.subset(range(2000)), test.subset(range(3000)), n_pairs=600, seed=1)
    # 600 pairs: ±0.03 covers sampling noise around the accuracy recorded at training time.
    assert result.accuracy > model.metrics["val_accuracy"] - 0.04
    assert result.auc > 0.9
