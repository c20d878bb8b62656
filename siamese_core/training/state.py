"""What a run reports while it trains (TrainState, through Callbacks) and what it hands back (TrainResult)."""
from __future__ import annotations

from dataclasses import dataclass, field

from ..data import ImageSet
from ..models import SiameseNet
from .config import TrainConfig


@dataclass
class TrainState:
    step: int = 0
    epoch: int = 0                        # epochs completed
    elapsed: float = 0.0                  # seconds of training so far on the budget's clock (validation not counted)
    wall: float = 0.0                     # the same on the wall clock
    val_seconds: float = 0.0              # seconds spent validating
    val_wall: float = 0.0                 # the same on the wall clock
    loss: float = float("nan")            # last batch
    stats: dict = field(default_factory=dict)  # the loss's per-batch statistics
    progress: float = 0.0                 # 0..1 of the epoch or time budget, whichever ends first
    eta: float | None = None              # seconds left, estimated
    val: dict | None = None               # latest validation metrics
    history: list[dict] = field(default_factory=list)      # one row per step
    val_history: list[dict] = field(default_factory=list)  # one row per validation


class Callback:
    """Override what you need; the page hangs its progress bar on on_step."""

    def on_train_start(self, trainer: object) -> None: ...
    def on_step(self, trainer: object, state: TrainState) -> None: ...
    def on_epoch_end(self, trainer: object, state: TrainState) -> None: ...
    def on_train_end(self, trainer: object, state: TrainState) -> None: ...


@dataclass
class TrainResult:
    model: SiameseNet
    config: TrainConfig
    state: TrainState
    stopped_because: str                  # "epochs", "time budget", "early stopping", "cancelled", "wall-clock cap"
    best_val: dict | None
    train_set: ImageSet | None = None     # the images it trained on (validation held out)
    val_set: ImageSet | None = None       # the validation images its threshold and best epoch came from
