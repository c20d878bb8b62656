"""Siamese Lab's core: data, samplers, models, losses, training, evaluation and figures.

No user interface here: the Streamlit pages and the command line both call this package.
"""
from .lazy_exports import lazy_exports

_FROM = {".data": ("DATASETS", "DatasetNotFoundError", "ImageSet", "load_dataset"),
         ".models": ("ModelConfig", "SiameseNet"), ".models.checkpoint": ("load_model", "save_checkpoint"),
         ".training": ("Callback", "TrainConfig", "Trainer", "train")}
__getattr__ = lazy_exports(__name__, {name: module for module, names in _FROM.items() for name in names})

__all__ = ["DATASETS", "Callback", "DatasetNotFoundError", "ImageSet", "ModelConfig", "SiameseNet",
           "TrainConfig", "Trainer", "load_dataset", "load_model", "save_checkpoint", "train"]
__version__ = "0.1.0"
