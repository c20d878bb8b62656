"""What a user of the public API gets: pictures of either polarity read alike, drawings redrawn as the model
was trained, and the one-shot report's figures equal to the same tasks run by hand through
`load_model → prepare → similarity`."""
from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
import torch
from PIL import Image

from siamese_core import load_model
from siamese_core.data.sampling import sample_tasks
from siamese_core.data.strokes import bright_ink, canonical_strokes, upright
from siamese_core.models import ModelConfig, SiameseNet

ASSETS = Path(__file__).resolve().parents[2] / "assets"


def _slant_moment(x: torch.Tensor) -> float:
    ink = x[0, 0]
    ys, xs = torch.meshgrid(torch.arange(ink.shape[0]), torch.arange(ink.shape[1]), indexing="ij")
    m = ink.sum()
    cx, cy = (ink * xs).sum() / m, (ink * ys).sum() / m
    return float((ink * (xs - cx) * (ys - cy)).sum() / (ink * (ys - cy) ** 2).sum())


def test_bright_ink_turns_over_only_pictures_on_light_paper():
    x = torch.zeros(2, 1, 20, 20)
    x[:, :, 5:15, 9:11] = 1.0
    x[1] = 1.0 - x[1]  # the same bar, dark on white
    out = bright_ink(x)
    assert torch.equal(out[0], x[0]) and torch.allclose(out[1], x[0])


def test_upright_centres_the_ink_and_removes_its_slant():
    x = torch.zeros(1, 1, 105, 105)
    for row in range(20, 80):  # a stroke leaning right, off centre
        col = 20 + (80 - row) // 2
        x[0, 0, row, col:col + 5] = 1.0
    assert abs(_slant_moment(x)) > 0.3
    out = upright(x)
    assert abs(_slant_moment(out)) < 0.05
    ink = out[0, 0]
    ys, xs = torch.meshgrid(torch.arange(105), torch.arange(105), indexing="ij")
    centre = ((ink * xs).sum() / ink.sum(), (ink * ys).sum() / ink.sum())
    assert abs(centre[0] - 52) < 1.5 and abs(centre[1] - 52) < 1.5


@pytest.mark.parametrize("strokes", [False, True])
def test_either_polarity_gives_the_same_inputs_and_scores(load, strokes):
    digits = load("mnist", "test").rows(slice(12))
    light = [Image.fromarray(np.rint(d[0].numpy() * 255).astype(np.uint8)) for d in digits]
    dark = [Image.eval(p, lambda v: 255 - v) for p in light]
    torch.manual_seed(0)
    model = SiameseNet(ModelConfig(backbone="koch-small", embedding_dim=16, input_size=(28, 28), width=0.25,
                                   normalize=False, batch_norm=True, polarity="auto", strokes=strokes)).eval()
    a, b = model.prepare(light), model.prepare(dark)
    assert a.shape == (12, 1, 28, 28) and torch.allclose(a, b, atol=1e-5)
    assert float(a.mean()) < 0.5  # bright ink on a dark ground, as the model was trained
    assert torch.allclose(model.similarity(a[:6], a[6:]), model.similarity(b[:6], b[6:]), atol=1e-4)
    if strokes:  # the stroke model reads what its training data was made into
        assert torch.allclose(a, canonical_strokes(digits, (28, 28)), atol=1e-5)


def test_a_polarity_unaware_model_keeps_the_grey_levels():
    model = SiameseNet(ModelConfig(embedding_dim=4, input_size=(8, 8)))
    white = Image.new("L", (8, 8), 255)
    assert torch.allclose(model.prepare([white]), torch.ones(1, 1, 8, 8))
    with pytest.raises(ValueError, match="polarity must be one of"):
        ModelConfig(polarity="negative")


@pytest.mark.slow
@pytest.mark.parametrize("paper", [False, True])
def test_the_report_and_the_public_api_agree_exactly_on_mnist(load, data_dir, paper):
    """The same tasks, once by the report and once by hand through load_model → prepare → similarity."""
    from siamese_core.evaluation.oneshot_report import mnist_transfer
    model = load_model(ASSETS / "oneshot-omniglot.pt")
    reported = mnist_transfer(model, data_dir, tasks=40, seed=424242, paper=paper)

    mnist = load("mnist", "test")
    user = load_model(ASSETS / "oneshot-omniglot.pt")
    right = 0
    for t in sample_tasks(mnist.labels, 10, 40, 1, 424242):
        def picture(k):
            a = mnist.images[k, 0].numpy()  # the bytes MNIST stores
            return Image.fromarray(255 - a if paper else a)
        support = user.prepare([picture(int(k)) for k in t.support])
        query = user.prepare([picture(t.query)])
        right += int(user.similarity(query.expand(10, -1, -1, -1), support).argmax()) == t.answer
    assert reported["accuracy"] == right / 40


# The shipped model's MNIST transfer through the public API: 83.20 % on 2,000 tasks of seed 7919, the same in
# both polarities (docs/results/heldout.json). Here 200 other tasks: s.e. √(0.832·0.168/200) = 0.026;
# floor = measured − 3 s.e. ≈ 0.753, kept at the earlier 0.725 (Koch: 70.3 %).
SHIPPED_MNIST_FLOOR = 0.725


@pytest.mark.slow
def test_the_shipped_model_transfers_to_mnist_above_its_floor(data_dir):
    from siamese_core.evaluation.oneshot_report import mnist_transfer
    model = load_model(ASSETS / "oneshot-omniglot.pt")
    assert model.config.strokes and model.config.polarity == "auto"
    assert mnist_transfer(model, data_dir, tasks=200, seed=99)["accuracy"] >= SHIPPED_MNIST_FLOOR
