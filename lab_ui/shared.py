"""Objects loaded once per server and shared read-only by every session (`st.cache_resource`).

Never train or modify what these return: copy first. Per-user things live in `st.session_state`."""
from __future__ import annotations

import os
from pathlib import Path

import streamlit as st

from siamese_core import load_dataset, load_model
from siamese_core.data import ImageSet, resolve_data_dir
from siamese_core.models.checkpoint import checkpoint_in
from siamese_core.service.housekeeping import Housekeeper
from siamese_core.service.live_frames import ProbeSet, probe_set

ASSETS = Path(__file__).resolve().parents[1] / "assets"
# Checkpoints load only from assets/ and, if the operator sets it, one more folder of their own.
MODEL_FOLDERS = [ASSETS] + [Path(p) for p in [os.environ.get("SIAMESE_LAB_MODELS")] if p]


@st.cache_resource(show_spinner="Loading the dataset…")
def dataset(name: str, split: str | None = None, image_size: tuple[int, int] | None = None,
            data_dir: str | None = None) -> ImageSet:
    """One split of a dataset from the data folder, never downloaded (raises DatasetNotFoundError)."""
    return load_dataset(name, split, data_dir=data_dir or str(resolve_data_dir()), download=False,
                        image_size=image_size)


@st.cache_resource(show_spinner="Loading the pretrained model…")
def asset_model(filename: str):
    """A checkpoint shipped in assets/ (made by the project's own CLI) or in the operator's
    $SIAMESE_LAB_MODELS folder, loaded with weights_only=True, in eval mode on the CPU."""
    return load_model(checkpoint_in(filename, MODEL_FOLDERS))


@st.cache_resource(show_spinner=False)
def probe(name: str, image_size: tuple[int, int] | None = None) -> ProbeSet:
    """The fixed test images (balanced over classes) every live frame of this dataset embeds."""
    return probe_set(dataset(name, "test", image_size))


HOUSEKEEPING_S = float(os.environ.get("SIAMESE_LAB_HOUSEKEEPING_S", "60"))


@st.cache_resource(show_spinner=False)
def housekeeper() -> Housekeeper:
    """The server's one memory housekeeper (a full collection and a malloc_trim every HOUSEKEEPING_S)."""
    return Housekeeper(every=HOUSEKEEPING_S).start()
