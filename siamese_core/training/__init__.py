"""Training: one config (in groups), one loop with callbacks, one entry point (`train`) for the CLI,
the pages and the benchmarks; losses, optimisers and schedules are registered parts."""
from ..lazy_exports import lazy_exports

_FROM = {".config": ("TrainConfig",), ".objectives": ("LOSSES", "Objective", "register_loss"),
         ".optimizers": ("OPTIMIZERS",), ".presets": ("PRESETS", "preset_config"), ".run": ("fit_ensemble", "train"),
         ".schedules": ("LR_SCHEDULES",), ".setup": ("model_config_for", "resolve_device"),
         ".state": ("Callback", "TrainResult", "TrainState"), ".trainer": ("Trainer",)}
__getattr__ = lazy_exports(__name__, {name: module for module, names in _FROM.items() for name in names})

__all__ = ["LOSSES", "LR_SCHEDULES", "OPTIMIZERS", "PRESETS", "Callback", "Objective", "TrainConfig",
           "TrainResult", "TrainState", "Trainer", "fit_ensemble", "model_config_for", "preset_config",
           "register_loss", "resolve_device", "train"]
