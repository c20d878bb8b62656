"""Datasets as ImageSets: one registry, offline first, one clear sentence when something is missing."""
from .base import ENV_VAR, DatasetNotFoundError, ImageSet, as_float, resolve_data_dir
from .omniglot import OneShotRun, load_official_runs
from .registry import DATASETS, DatasetSpec, dataset_status, get_spec, load_dataset

__all__ = ["DATASETS", "ENV_VAR", "DatasetNotFoundError", "DatasetSpec", "ImageSet", "OneShotRun", "as_float",
           "dataset_status", "get_spec", "load_dataset", "load_official_runs", "resolve_data_dir"]
