"""The checkpoints shipped for the convolution and twins pages still load and score as recorded in
assets/convolution-and-twins.md (a few hundred real MNIST test pairs, at the stored threshold)."""
from pathlib import Path

import pytest
import torch

from siamese_core import load_model
from siamese_core.data.sampling import sample_pairs
from siamese_core.evaluation.metrics import accuracy_at, roc_auc

ASSETS = Path(__file__).resolve().parents[2] / "assets"
# (file, dataset, recorded test accuracy on 2,000 pairs, recorded AUC): see the assets note.
SHIPPED = [("mnist_koch_l1.pt", "mnist", 0.9455, 0.9823),
           # the convolution page's filters; its higher accuracy makes the floors below conservative
           ("mnist_koch_edges.pt", "mnist", 0.958, 0.9904)]


@pytest.mark.slow
@pytest.mark.parametrize("filename,dataset,accuracy,auc", SHIPPED)
def test_shipped_checkpoint_scores_at_its_recorded_level(filename, dataset, accuracy, auc, load):
    path = ASSETS / filename
    assert path.stat().st_size < 3 * 2**20, "checkpoints must stay small"
    model = load_model(path)
    assert model.head is not None and model.threshold is not None
    test = load(dataset, "test", image_size=model.input_size)
    i, j, y = sample_pairs(test.labels, 400, seed=0)
    scores = model.similarity(test.rows(i), test.rows(j))
    # 400 pairs here against 2,000 recorded: accuracy s.e. √(0.9455·0.0545/400) = 0.011 and
    # √(…/2000) = 0.005, together 0.012; floor = recorded − 3 s.e. = recorded − 0.037.
    assert accuracy_at(scores, y, model.threshold) >= accuracy - 0.037
    # AUC s.e. (Hanley & McNeil 1982) at AUC 0.98: 0.0067 for 200 + 200 pairs, 0.003 for the recorded
    # 1,000 + 1,000, together 0.0073; floor = recorded AUC − 3 s.e. = recorded − 0.022.
    assert roc_auc(scores, y) >= auc - 0.022
    # The twins are one module: swapping the images gives the same probabilities.
    torch.testing.assert_close(model.similarity(test.rows(j), test.rows(i)), scores)
