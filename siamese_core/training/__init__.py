"""Training: one config (in groups), one loop with callbacks, one entry point (`train`) for the CLI,
the pages and the benchmarks; losses, optimisers and schedules are registered parts."""
from .config import TrainConfig
from .objectives import LOSSES, Objective, register_loss
from .optimizers import OPTIMIZERS
from .presets import PRESETS, preset_config
from .run import fit_ensemble, train
from .schedules import LR_SCHEDULES
from .setup import model_config_for, resolve_device
from .state import Callback, TrainResult, TrainState
from .trainer import Trainer

__all__ = ["LOSSES", "LR_SCHEDULES", "OPTIMIZERS", "PRESETS", "Callback", "Objective", "TrainConfig",
           "TrainResult", "TrainState", "Trainer", "fit_ensemble", "model_config_for", "preset_config",
           "register_loss", "resolve_device", "train"]
