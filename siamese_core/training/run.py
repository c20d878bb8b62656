"""`train`: the one entry point the command line, the pages (`service.experiment`) and the benchmarks
share. It prepares the data a config describes (drawers, rotations, the validation set) and trains
one twin or an ensemble of them."""
from __future__ import annotations

import threading

import torch

from ..data import ImageSet, load_dataset
from ..data.omniglot import VALIDATION_ALPHABETS, alphabet_subset, with_rotated_classes
from ..data.redraw_cache import redrawn
from ..data.splits import validation_split
from ..models import SiameseNet
from .config import TrainConfig
from .member_processes import train_members
from .setup import model_config_for
from .state import Callback, TrainResult, TrainState
from .trainer import Trainer


def train(config: TrainConfig, data: ImageSet | None = None, callbacks: list[Callback] | tuple = (),
          cancel: threading.Event | None = None, data_dir: str | None = None, download: bool = False
          ) -> TrainResult:
    """Train `config`. `data`: its dataset's training split (a page passes its cached copy); None loads it.
    The result carries the validation set its threshold was chosen on (`result.val_set`)."""
    if data is None:
        data = load_dataset(config.data.dataset, "train", data_dir=data_dir, download=download,
                            image_size=config.data.image_size)
    train_set, val_set = training_data(config, data, data_dir, download)
    if config.run.members > 1:
        return fit_ensemble(config, train_set, callbacks, cancel, val_set)
    return Trainer(config, train_set, val_set, callbacks=callbacks, cancel_event=cancel).fit()


def training_data(config: TrainConfig, data: ImageSet, data_dir: str | None = None, download: bool = False
                  ) -> tuple[ImageSet, ImageSet]:
    """(train, validation) as the config asks: drawers and rotations applied to the training images;
    validation on the Omniglot evaluation alphabets, or the one held-out split (data.splits)."""
    d = config.data
    if d.train_drawers is not None:
        if "drawer" not in data.meta:
            raise ValueError("train_drawers needs a dataset that records its drawers (Omniglot)")
        data = data.subset(torch.nonzero(data.meta["drawer"] < d.train_drawers).squeeze(1))
    if config.model.strokes:
        data = redrawn(data, download)
    if d.rotations:  # before the split, as the command line always did (recorded runs stay reproducible)
        data = with_rotated_classes(data)
    if config.validation.val_data == "omniglot-validation":
        evaluation = load_dataset("omniglot", "evaluation", data_dir=data_dir, download=download,
                                  image_size=d.image_size)
        validation = alphabet_subset(evaluation, VALIDATION_ALPHABETS)
        return data, redrawn(validation, download) if config.model.strokes else validation
    return validation_split(data, config.validation.val_fraction, config.run.seed)


def fit_ensemble(config: TrainConfig, data: ImageSet, callbacks: list[Callback] | tuple = (),
                 cancel_event: threading.Event | None = None, val_set: ImageSet | None = None) -> TrainResult:
    """Train config.members twins on the same people with seeds seed, seed+1, … (each keeps its own best
    epoch): one after another, or `member_processes` at a time in processes of their own (members in
    processes print their own progress lines when `callbacks` are given). Then join them into one network
    and choose its threshold on the validation data (held out of `data` by config.seed unless `val_set` is
    given), as for one twin. The state's step, epoch and second counts add up the members'."""
    train_set = data
    if val_set is None:
        train_set, val_set = validation_split(data, config.validation.val_fraction, config.run.seed)
    members = [config.replace(members=1, member_processes=1, seed=config.run.seed + k, score_norm=False)
               for k in range(config.run.members)]
    if config.run.member_processes > 1:
        trained = train_members(members, train_set, val_set, config.run.member_processes, bool(callbacks),
                                cancel_event)
        if trained is None:  # nothing trained: an untrained network of the right shape, as a cancelled Trainer gives
            return TrainResult(SiameseNet(model_config_for(config, train_set)), config, TrainState(), "cancelled",
                               None, train_set, val_set)
    else:
        trained = []
        for member in members:
            r = Trainer(member, train_set, val_set, callbacks=callbacks, cancel_event=cancel_event).fit()
            if r.stopped_because == "cancelled":
                return r
            trained.append((r.model.twin.state_dict(), r.state, r.stopped_because))
    # the ensemble network, validated on the same pairs as a member; built only now that the members are trained
    joined = Trainer(config, train_set, val_set)
    total = TrainState()
    for k, (twin, (weights, state, _)) in enumerate(zip(joined.model.twin.members, trained)):
        twin.load_state_dict(weights)
        _add_up(total, state, k)
    best = joined.normalise_scores() if config.run.score_norm else joined.validate()
    joined.model.threshold = best["threshold"]
    joined.model.eval()
    total.val = best
    return TrainResult(joined.model, config, total, trained[-1][2], best, train_set, val_set)


def _add_up(total: TrainState, part: TrainState, member: int) -> None:
    for name in ("step", "epoch", "elapsed", "val_seconds"):
        setattr(total, name, getattr(total, name) + getattr(part, name))
    total.val_history += [{**v, "member": member} for v in part.val_history]
