"""Training: one config, one loop with callbacks, one entry point (`train`) for the CLI, the pages and the benchmarks."""
from .presets import PRESETS, preset_config
from .trainer import Callback, Trainer, TrainConfig, TrainResult, TrainState, resolve_device, train

__all__ = ["PRESETS", "Callback", "TrainConfig", "TrainResult", "TrainState", "Trainer", "preset_config", "resolve_device", "train"]
