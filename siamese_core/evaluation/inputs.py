"""Datasets as a model reads them: whatever `model.prepare` does to one picture, done to a whole split.

A stroke model (`ModelConfig.strokes`) redraws every drawing from its original scan, so its evaluation
data is loaded at the dataset's own size and prepared; any other model takes the loader's resized copy,
which is already what its `prepare_tensor` makes of it."""
from __future__ import annotations

from dataclasses import replace

from ..data import ImageSet, load_dataset
from ..data.omniglot import alphabet_subset


def as_model_reads(model, data: ImageSet) -> ImageSet:
    """`data` with its images through `model.prepare_tensor` (for a stroke model: give it the originals)."""
    if not model.config.strokes:
        return data
    return replace(data, images=model.prepare_tensor(data.images))


def load_for(model, name: str, split: str, data_dir=None, download: bool = False, alphabets=None) -> ImageSet:
    """One split of a dataset, prepared as `model` reads any input; only the given `alphabets`' characters when
    named, chosen before preparing (a stroke model's redrawing is the slow part)."""
    size = None if model.config.strokes else tuple(model.input_size)
    data = load_dataset(name, split, data_dir, download, image_size=size)
    return as_model_reads(model, data if alphabets is None else alphabet_subset(data, alphabets))
