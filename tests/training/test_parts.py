"""Losses, optimisers and schedules as registered parts; the grouped config and its flat form."""
import math
from dataclasses import fields
from pathlib import Path

import pytest
import torch

from siamese_core.losses import BaseLoss, PrototypicalLoss
from siamese_core.models.checkpoint import read_checkpoint
from siamese_core.training import (
    LOSSES,
    Callback,
    Objective,
    TrainConfig,
    Trainer,
    register_loss,
)
from siamese_core.training.batches import KOCH_DISTORTIONS
from siamese_core.training.koch_sgd import KochSchedule
from siamese_core.training.objectives import cosface
from siamese_core.training.objectives.registry import loss_class
from siamese_core.training.schedules import cosine
from siamese_core.training.settings import GROUPS
from siamese_core.training.setup import model_config_for

ASSETS = Path(__file__).resolve().parents[2] / "assets"


class LrRecorder(Callback):
    def __init__(self):
        self.rows = []  # (step, epochs done before it, lr used by it)

    def on_step(self, trainer, state):
        self.rows.append((state.step, state.epoch, trainer.optimizer.param_groups[0]["lr"]))


def test_cosine_schedule_and_lr_decay_compose(digits_train):
    """The bug: the cosine set lr = base · cos(t) each step, wiping the per-epoch decay. Now every step
    uses base · (1 − decay)^epochs_done · cos(t), t = the fraction done before the step."""
    cfg = TrainConfig(dataset="digits", embedding_dim=8, epochs=3, steps_per_epoch=4, batch_size=32, lr=1e-2,
                      lr_schedule="cosine", lr_decay=0.5, optimizer="sgd")
    rec = LrRecorder()
    Trainer(cfg, digits_train, callbacks=[rec]).fit()
    total = 3 * 4
    for step, epochs_done, lr in rec.rows:
        expected = 1e-2 * 0.5 ** epochs_done * cosine((step - 1) / total)
        assert lr == pytest.approx(expected, rel=1e-9, abs=1e-15), (step, epochs_done)
    assert rec.rows[4][2] < 0.6 * 1e-2 * cosine(4 / total)  # epoch 2 runs at half the cosine's rate


def test_every_registered_loss_says_what_the_model_needs(digits_train):
    for name in ("contrastive", "triplet", "bce-l1", "bce-concat", "softmax", "center", "prototypical", "cosface"):
        needs = loss_class(name)
        mc = model_config_for(TrainConfig(loss=name), digits_train)
        assert mc.head == needs.head and mc.normalize == needs.normalize
        assert (mc.num_classes == digits_train.num_classes) == needs.classifier
    assert loss_class("bce-l1").head == "l1" and loss_class("softmax").classifier
    assert TrainConfig(loss="triplet").resolved_margin == 0.2 == loss_class("triplet").default_margin
    with pytest.raises(ValueError, match="pair_set needs"):
        TrainConfig(loss="triplet", pair_set=100)  # triplets do not train on explicit pairs


class MeanPull(Objective):
    """A tiny loss registered by this test: pull same-class embeddings to their batch mean."""
    help = "test loss"
    normalize = True

    @classmethod
    def build(cls, cfg, model, num_classes, generator):
        return cls()

    def forward(self, model, embeddings, labels):
        centres = torch.stack([embeddings[labels == c].mean(0) for c in labels.tolist()])
        loss = (embeddings - centres).pow(2).sum(1).mean()
        return loss, {"loss": float(loss.detach()), "classes": float(len(labels.unique()))}


def test_a_new_loss_is_one_class_and_one_registry_line(digits_train):
    register_loss("mean-pull", MeanPull)
    try:
        cfg = TrainConfig(dataset="digits", loss="mean-pull", embedding_dim=8, epochs=2, steps_per_epoch=5,
                          batch_size=32)
        result = Trainer(cfg, digits_train).fit()
        assert result.state.step == 10 and result.stopped_because == "epochs"
        assert all(math.isfinite(r["loss"]) and r["classes"] >= 2 for r in result.state.history)
        assert result.model.config.normalize and result.model.head is None
        from siamese_core.cli import build_parser  # the command line offers it too
        assert build_parser().parse_args(["train", "--loss", "mean-pull", "--out", "x.pt"]).loss == "mean-pull"
    finally:
        del LOSSES["mean-pull"]
    with pytest.raises(TypeError, match="subclass"):
        register_loss("bad", BaseLoss)


def test_every_setting_has_a_group_and_a_help_line():
    names = [f.name for cls in GROUPS.values() for f in fields(cls)]
    assert len(names) == len(set(names)) == 50
    assert all(f.metadata.get("help") for cls in GROUPS.values() for f in fields(cls))


def test_flat_and_nested_forms_round_trip():
    cfg = TrainConfig(loss="cosface", backbone="face-cnn", members=2, image_size=[28, 28], layer_lrs=[0.1, 0.2])
    assert cfg.objective.loss == "cosface" and cfg.run.members == 2 and cfg.data.image_size == (28, 28)
    assert cfg.loss == "cosface" and cfg.optim.layer_lrs == (0.1, 0.2)  # flat names read through
    assert TrainConfig.from_dict(cfg.flat()) == cfg == TrainConfig.from_dict(cfg.nested())
    assert set(cfg.nested()) == set(GROUPS)
    other = cfg.replace(seed=7, margin=0.2)
    assert other.run.seed == 7 and other.objective.margin == 0.2 and cfg.run.seed == 0
    with pytest.raises(ValueError, match="members"):
        cfg.replace(loss="bce-l1")
    with pytest.raises(TypeError, match="no setting"):
        TrainConfig(embedding_size=3)


# Settings no page, preset or shipped checkpoint ever changed, now fixed in the code: what each was.
RETIRED = {"pair_source": "in-batch", "distortions": KOCH_DISTORTIONS, "scale": cosface.SCALE,
           "shots": PrototypicalLoss().shots, "momentum_epochs": KochSchedule.momentum_epochs,
           "val_within_alphabet": True}


@pytest.mark.parametrize("path", sorted(ASSETS.glob("*.pt")), ids=lambda p: p.name)
def test_every_shipped_checkpoints_flat_config_still_loads(path):
    stored = {k: tuple(v) if isinstance(v, list) else v for k, v in read_checkpoint(path)["train_config"].items()}
    flat = TrainConfig.from_dict(stored).flat()
    assert {k: flat[k] for k in stored if k not in RETIRED} == {k: v for k, v in stored.items() if k not in RETIRED}
    # A retired setting the checkpoint stores is the value the code now always uses.
    assert {k: v for k, v in stored.items() if k in RETIRED} == {k: RETIRED[k] for k in stored if k in RETIRED}
