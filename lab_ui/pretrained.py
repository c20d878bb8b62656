"""Pretrained runs from assets/: measured once per server, shown instantly to everyone."""
from __future__ import annotations

import streamlit as st

from siamese_core.service.experiment import RunReport, report_for, validation_split
from siamese_core.training import TrainConfig

from .shared import ASSETS, asset_model, dataset

# File in assets/ → the name the pages show. All made by the commands in assets/losses.md.
LOSS_RUNS = {
    "fashion_contrastive.pt": "pretrained · contrastive",
    "fashion_triplet.pt": "pretrained · triplet",
    "fashion_bce-concat.pt": "pretrained · BCE (concat head)",
    "fashion_bce-l1.pt": "pretrained · BCE (Koch's L1 head)",
    "fashion_softmax.pt": "pretrained · plain classifier",
}


def available(runs: dict[str, str] = LOSS_RUNS) -> dict[str, str]:
    return {f: name for f, name in runs.items() if (ASSETS / f).is_file()}


@st.cache_resource(show_spinner="Measuring the pretrained model on the test set…")
def pretrained_report(filename: str, name: str) -> RunReport:
    """The same RunReport a fresh run gets, for a shipped checkpoint (shared read-only: never modify)."""
    model = asset_model(filename)
    cfg = TrainConfig.from_dict(model.train_config)
    flat = cfg.flat()
    size = tuple(flat["image_size"]) if flat.get("image_size") else None
    train, test = dataset(flat["dataset"], "train", size), dataset(flat["dataset"], "test", size)
    _, val = validation_split(cfg, train)
    return report_for(model, val, test, name, flat, train_metrics=model.metrics, seed=flat["seed"])
