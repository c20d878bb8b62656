"""The probe set of a page run on Omniglot: characters of alphabets the network never trains on, the same at
every frame. Its map shows a few characters, several drawers each (do the drawings of one character gather?);
its 400 one-shot trials (evaluation.validation_runs: alphabets the official runs never use either) give the
live 20-way accuracy and the trial the page draws large."""
from __future__ import annotations

import functools

import torch

from ..data import ImageSet
from ..data.omniglot import VALIDATION_ALPHABETS, alphabet_subset, native_images
from ..data.sampling import sample_pairs
from ..evaluation.validation_runs import validation_runs
from ..models.embed import embed
from .live_frames import PROBE_PAIRS, ProbeSet

MAP_CHARACTERS, MAP_DRAWERS = 12, 10


def oneshot_probe(evaluation: ImageSet, seed: int = 0) -> ProbeSet:
    """The probe of Omniglot's evaluation split (any image size); a stroke model redraws its images from the
    original scans in the split's data folder (`ProbeSet.read_by`)."""
    data = alphabet_subset(evaluation, VALIDATION_ALPHABETS)
    g = torch.Generator().manual_seed(seed)
    characters = torch.randperm(data.num_classes, generator=g)[:MAP_CHARACTERS].sort().values
    drawers = torch.randperm(int(data.meta["drawer"].max()) + 1, generator=g)[:MAP_DRAWERS]
    keep = torch.isin(data.labels, characters) & torch.isin(data.meta["drawer"], drawers)
    rows = torch.nonzero(keep).squeeze(1)
    labels = torch.searchsorted(characters, data.labels[rows])   # 0 … MAP_CHARACTERS−1
    i, j, y = sample_pairs(labels, PROBE_PAIRS, seed=seed)
    names = tuple(data.class_names[int(c)].replace("_", " ") for c in characters)
    source = evaluation.meta.get("source")
    originals = functools.partial(native_images, source, evaluation.split) if source else None
    return ProbeSet(data.rows(rows), labels.numpy(), data.meta["index"][rows].numpy(), i, j,
                    y.numpy().astype(bool), validation_runs(evaluation, seed=seed), names, originals)


def fixed_trials_accuracy(model, evaluation: ImageSet) -> float:
    """`model`'s 20-way accuracy on the probe's fixed trials, each drawing read as the model reads any input: the
    figure a live run's curve is set against."""
    runs = oneshot_probe(evaluation).read_by(model).runs
    return runs.accuracy(runs.scores(model, embed(model, runs.images)))
