"""Progress lines on stderr for a run on the command line (and for each member trained in a process)."""
from __future__ import annotations

import sys

from .state import Callback


class PrintProgress(Callback):
    """A line every `every` seconds of training and one per validation, each after `label` when given."""

    def __init__(self, every: float = 5.0, label: str = ""):
        self.every, self.last, self.label = every, 0.0, f"{label}  " if label else ""

    def on_step(self, trainer, state):
        if state.elapsed - self.last >= self.every:
            self.last = state.elapsed
            eta = f", ETA {state.eta:.0f}s" if state.eta is not None else ""
            print(f"  {self.label}step {state.step:5d}  epoch {state.epoch}  loss {state.loss:.4f}  "
                  f"{100 * state.progress:3.0f}%{eta}", file=sys.stderr, flush=True)

    def on_epoch_end(self, trainer, state):
        oneshot = state.val.get("val_oneshot_accuracy")
        extra = f", {trainer.config.val_n_way}-way one-shot {oneshot:.4f}" if oneshot is not None else ""
        print(f"  {self.label}validation after {state.epoch} epoch(s), {state.step} steps, {state.elapsed:.1f}s: "
              f"accuracy {state.val['val_accuracy']:.4f}, AUC {state.val['val_auc']:.4f}{extra}", file=sys.stderr,
              flush=True)
