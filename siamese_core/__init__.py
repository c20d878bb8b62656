"""Siamese Lab's core: data, samplers, models, losses, training, evaluation and figures.

No user interface here: the Streamlit pages and the command line both call this package.
"""
from .data import DATASETS, DatasetNotFoundError, ImageSet, load_dataset
from .models import ModelConfig, SiameseNet
from .models.checkpoint import load_model, save_checkpoint
from .training import Callback, TrainConfig, Trainer, train

__all__ = ["DATASETS", "Callback", "DatasetNotFoundError", "ImageSet", "ModelConfig", "SiameseNet",
           "TrainConfig", "Trainer", "load_dataset", "load_model", "save_checkpoint", "train"]
__version__ = "0.1.0"
