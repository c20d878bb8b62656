"""What a training page shows before the student's first result: the atlas's pretrained run or sweep nearest to
the page's settings, labelled as pretrained (and, when its settings differ, how). It is read from the shipped
atlas (nothing trains), is never one of the student's runs, and gives way to their own run: it is not drawn
while one of theirs is on its way, nor once one has finished."""
from __future__ import annotations

from dataclasses import replace

import streamlit as st

from siamese_core.atlas.grid import Atlas
from siamese_core.atlas.label import PRESS_TO_TRAIN, pretrained_label

from . import atlas_views, sweep_views

# Its container's key starts so (CSS class st-key-first-look-…): browser checks tell it from a student's run.
KEY = "first-look"


def _atlas(job_key: str, button: str) -> Atlas | None:
    """The atlas when there is something to show: None while the student's run `job_key` is on its way (its live
    view is shown), or when no atlas is built (then the page just asks for a run)."""
    if job_key in st.session_state:
        return None
    atlas = atlas_views.load_atlas(str(atlas_views.atlas_dir()))
    if atlas is None:
        st.info(f"Press **{button}** {PRESS_TO_TRAIN}")
    return atlas


def losses(loss: str, margin: float | None, dim: int, dataset: str, distance: str, job_key: str = "job") -> None:
    """The losses page: the pretrained cell nearest to (loss, margin, embedding size)."""
    atlas = _atlas(job_key, "Train")
    if atlas is None:
        return
    key = atlas.nearest(loss, margin, dim)
    used = atlas.cell(*key).config
    wanted = {"dataset": dataset, "loss": loss, "margin": margin, "embedding_dim": dim}
    if not loss.startswith("bce"):  # the pair heads have no distance to choose
        wanted["distance"] = distance
    with st.container(key=f"{KEY}-{job_key}"):
        st.info(pretrained_label(wanted, {**used, "margin": key[1]}, "Train"))
        atlas_views.explore_cell(atlas, *key, replay_on_demand=True)


def sizes(loss: str, sizes: list[int], dataset: str, job_key: str = "sweep") -> None:
    """The embedding-size page: every stored size of the loss at its default margin."""
    atlas = _atlas(job_key, "Run the sweep")
    if atlas is None:
        return
    key = atlas.nearest(loss, None, 0)
    used = {"dataset": atlas.cell(*key).config["dataset"], "loss": key[0], "sizes": atlas.grid(key[0])["dims"]}
    with st.container(key=f"{KEY}-{job_key}"):
        st.info(pretrained_label({"dataset": dataset, "loss": loss, "sizes": sorted(sizes)}, used, "Run the sweep"))
        atlas_views.explore_sizes(atlas, key[0], key[1])


def miners(margin: float, chosen: list[str], dataset: str, dim: int, job_key: str = "miners") -> None:
    """The mining page's first tab: the atlas's triplet runs mine semi-hard negatives; the nearest margin's."""
    atlas = _atlas(job_key, "Compare the miners")
    if atlas is None:
        return
    key = atlas.nearest("triplet", margin, dim)
    report = atlas.cell(*key)
    used = {"dataset": report.config["dataset"], "miners": [report.config["miner"]], "margin": key[1]}
    with st.container(key=f"{KEY}-{job_key}"):
        st.info(pretrained_label({"dataset": dataset, "miners": chosen, "margin": margin}, used, "Compare the miners"))
        atlas_views.pretrained_caption(atlas.cell_command(*key))
        sweep_views.miner_comparison([replace(report, name=f"{report.config['miner']} (pretrained)")], key[1])


def centre(lambdas: list[float], dataset: str, job_key: str = "centre") -> None:
    """The center-loss tab: the atlas's 2-D plain classifier, which is λ = 0."""
    atlas = _atlas(job_key, "Train one 2-D network per λ")
    if atlas is None:
        return
    key = atlas.nearest("softmax", None, 2)
    report = atlas.cell(*key)
    used = {"dataset": report.config["dataset"], "lambdas": [0.0]}
    with st.container(key=f"{KEY}-{job_key}"):
        st.info(pretrained_label({"dataset": dataset, "lambdas": lambdas}, used, "Train one 2-D network per λ"))
        atlas_views.pretrained_caption(atlas.cell_command(*key))
        sweep_views.centre_planes([replace(report, name="λ = 0 (pretrained)")])
