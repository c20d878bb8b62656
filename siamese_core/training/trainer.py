"""One training loop for every objective. The loop names no loss, optimiser or schedule: it asks the
registries (`objectives`, `optimizers`, `schedules`) for parts built from the config.

It reports through callbacks (`on_step`, `on_epoch_end`), stops on a time budget, an epoch count, early
stopping or `stop()`, and keeps the best weights by a validation metric. Most callers want
`training.train`, which also prepares the data (drawers, rotations, validation set, ensembles).
"""
from __future__ import annotations

import copy
import threading

import torch

from ..data import ImageSet
from ..data.splits import validation_split
from ..models import SiameseNet
from ..models.memory_format import fast_layout
from . import eager_optim
from .batches import Batch, BatchSource
from .budget_clock import WALL_CAP, BudgetClock, wall_eta
from .config import TrainConfig
from .objectives import loss_class
from .optimizers import build_optimizer
from .precision import step_precision
from .schedules import LearningRate
from .setup import model_config_for, resolve_device, seed_everything
from .state import Callback, TrainResult, TrainState
from .validation import Validator

__all__ = ["Callback", "TrainConfig", "TrainResult", "TrainState", "Trainer", "model_config_for",
           "resolve_device", "seed_everything"]


class Trainer:
    def __init__(self, config: TrainConfig, train_set: ImageSet, val_set: ImageSet | None = None,
                 callbacks: list[Callback] | tuple = (), cancel_event: threading.Event | None = None):
        self.config, self.callbacks = config, list(callbacks)
        self.cancel_event = cancel_event or threading.Event()
        self.stop_reason: str | None = None
        seed_everything(config.run.seed)
        if val_set is None:
            train_set, val_set = validation_split(train_set, config.validation.val_fraction, config.run.seed)
        self.train_set, self.val_set = train_set, val_set
        self.device = resolve_device(config.run.device)
        self.model = fast_layout(SiameseNet(model_config_for(config, train_set)).to(self.device), self.device)
        generator = torch.Generator().manual_seed(config.run.seed)  # the objective's and batches' draws
        needs = loss_class(config.objective.loss)
        self.objective = needs.build(config, self.model, train_set.num_classes, generator).to(self.device)
        self.optimizer, self._epoch_hook = build_optimizer(config.optim, self.model, self.objective.parameters())
        self.lr = LearningRate(self.optimizer, config.optim.lr_schedule, config.optim.lr_decay)
        self.batches = BatchSource(config, train_set, generator)
        self.validator = Validator(config, val_set, self.device)

    # --- names older callers and tests read -------------------------------------------------------
    @property
    def val_pairs(self):
        return self.validator.pairs

    @property
    def steps_per_epoch(self) -> int:
        return self.batches.steps_per_epoch

    def validate(self) -> dict:
        return self.validator(self.model)

    # --- control ----------------------------------------------------------------------------------
    def stop(self, reason: str = "cancelled") -> None:
        """Ask the loop to stop after the current step (safe from another thread)."""
        self.stop_reason = reason
        self.cancel_event.set()

    # --- one step ---------------------------------------------------------------------------------
    def _loss(self, batch: Batch) -> tuple[torch.Tensor, dict]:
        m, dev, src = self.model, self.device, self.batches
        if batch.idx is None:
            h1 = m.embed(src.images(batch.i, batch.distort).to(dev))
            h2 = m.embed(src.images(batch.j, batch.distort).to(dev))
            return self.objective.pair_loss(m, h1, h2, batch.y.to(dev))
        labels = self.train_set.labels[batch.idx].to(dev)
        return self.objective(m, m.embed(src.images(batch.idx).to(dev)), labels)

    def _step(self, drawn, state: TrainState, clock: BudgetClock) -> None:
        self.lr.before_step(state.progress)
        with step_precision(self.device, self.config.run.precision):  # a no-op on the CPU
            loss, stats = self._loss(self.batches.batch(drawn))
        self.optimizer.zero_grad(set_to_none=True)
        loss.backward()
        eager_optim.step(self.optimizer)
        state.step += 1
        state.elapsed = clock.elapsed() - state.val_seconds
        state.wall = clock.wall() - state.val_wall
        state.loss, state.stats = float(loss.detach()), dict(stats)
        state.progress, state.eta = self._progress(state)
        # The objective's own "loss" stat may be one term (center loss): the total wins.
        state.history.append({**state.stats, "step": state.step, "epoch": state.epoch,
                              "time": state.elapsed, "loss": state.loss})
        for cb in self.callbacks:
            cb.on_step(self, state)

    def _epoch(self, sampler, state: TrainState, clock: BudgetClock) -> str | None:
        """One pass over the sampler; the reason to stop, if any."""
        self.model.train()
        for drawn in sampler:
            self._step(drawn, state, clock)
            if self.cancel_event.is_set():
                return self.stop_reason or "cancelled"
            if self.config.budget.seconds is not None and state.elapsed >= self.config.budget.seconds:
                return "time budget"
            if clock.over_cap():
                return WALL_CAP
        state.epoch += 1
        if self._epoch_hook is not None:
            self._epoch_hook(state.epoch)
        self.lr.epoch_end(state.epoch)
        epochs = self.config.budget.epochs
        return "epochs" if epochs is not None and state.epoch >= epochs else None

    # --- the loop ---------------------------------------------------------------------------------
    def fit(self) -> TrainResult:
        sampler, state = self.batches.sampler(), TrainState()
        self.best, self.best_state, self.bad_epochs = None, None, 0
        for cb in self.callbacks:
            cb.on_train_start(self)
        clock, stopped = BudgetClock(self.config.budget), None
        while stopped is None:
            stopped = self._epoch(sampler, state, clock)
            if stopped == "cancelled":
                break
            stopped = self._validate(state, stopped, clock)
        return self._finish(state, stopped)

    def _validate(self, state: TrainState, stopped: str | None, clock: BudgetClock) -> str | None:
        v0, w0 = clock.now(), clock.wall()
        state.val = self.validate()
        state.val_seconds += clock.now() - v0
        state.val_wall += clock.wall() - w0
        state.val_history.append({"epoch": state.epoch, "step": state.step, "time": state.elapsed, **state.val})
        key, patience = self.validator.metric, self.config.budget.patience
        if self.best is None or state.val[key] > self.best[key]:
            self.best, self.bad_epochs = dict(state.val), 0
            self.best_state = copy.deepcopy(self.model.state_dict())
        else:
            self.bad_epochs += 1
            if stopped is None and patience is not None and self.bad_epochs >= patience:
                stopped = "early stopping"
        for cb in self.callbacks:
            cb.on_epoch_end(self, state)
        return stopped

    def _finish(self, state: TrainState, stopped: str) -> TrainResult:
        best = self.best
        if self.best_state is not None:
            self.model.load_state_dict(self.best_state)
            self.model.threshold = best["threshold"]
        if self.config.run.score_norm and stopped != "cancelled":
            best = self.normalise_scores()
        self.model.eval()
        for cb in self.callbacks:
            cb.on_train_end(self, state)
        return TrainResult(self.model, self.config, state, stopped, best, self.train_set, self.val_set)

    def normalise_scores(self) -> dict:
        """S-norm from now on: the training pictures become the cohort, and the threshold is chosen
        again on the validation pairs, now that scores are normalised."""
        self.model.set_cohort(self.train_set.images)
        val = self.validate()
        self.model.threshold = val["threshold"]
        return val

    def _progress(self, state: TrainState) -> tuple[float, float | None]:
        b, fractions = self.config.budget, []
        if b.epochs is not None:
            fractions.append(state.step / (b.epochs * self.steps_per_epoch))
        if b.seconds is not None:
            fractions.append(state.elapsed / b.seconds)
        frac = min(1.0, max(fractions))
        return frac, wall_eta(frac, state.wall, b.seconds if b.seconds is not None and frac == fractions[-1] else None)
