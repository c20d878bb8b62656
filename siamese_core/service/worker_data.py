"""What a process that trains page runs reads: datasets from its own data folder and their probe sets, each
loaded once per process and then only read."""
from __future__ import annotations

import functools

from ..data import ImageSet, load_dataset, resolve_data_dir
from .live_frames import ProbeSet, probe_set


@functools.lru_cache(maxsize=8)
def split(name: str, which: str, size: tuple[int, int] | None) -> ImageSet:
    """One split of a dataset from this process's data folder (never downloaded here)."""
    return load_dataset(name, which, data_dir=str(resolve_data_dir()), download=False, image_size=size)


def warm(name: str, size: tuple[int, int] | None) -> None:
    """Load a dataset's train split and probe set now, before anyone presses Train."""
    try:
        split(name, "train", size)
        probe(name, size)
    except Exception:  # a dataset this folder lacks: the run that needs it will say so
        pass


@functools.lru_cache(maxsize=8)
def probe(name: str, size: tuple[int, int] | None) -> ProbeSet:
    """The dataset's probe set: the same fixed test images the web server's pages read."""
    return probe_set(split(name, "test", size))
