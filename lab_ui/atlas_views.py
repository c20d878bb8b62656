"""Explore mode: the losses and embedding-size pages' sliders mapped onto the atlas of pretrained runs
(assets/atlas/, made by `python -m siamese_core atlas build`). A slider move only looks a cell up in
memory and draws it, so it answers at once; Train stays for everything off the grid."""
from __future__ import annotations

import os
from pathlib import Path

import pandas as pd
import streamlit as st

from siamese_core.atlas.grid import Atlas

from . import atlas_figures, run_views
from .live_views import REPLAY_CAPTION, chart
from .plain_text import SENTENCE, clean, shown
from .shared import ASSETS
from .url_state import set_url, url_choice

DEFAULT_MARGIN = {"contrastive": 1.0, "triplet": 0.2}  # the losses page's own defaults
MODES = {"train": "Train", "explore": "Explore the atlas"}
BUILD_HINT = ("The atlas of pretrained runs is not built yet: run `python -m siamese_core atlas build --jobs 2` "
              "(about 15 minutes on two cores) to write it into assets/atlas/, then reload this page.")


def atlas_dir() -> Path:
    """assets/atlas, or the folder $SIAMESE_LAB_ATLAS names (another atlas, e.g. a test's)."""
    return Path(os.environ.get("SIAMESE_LAB_ATLAS") or ASSETS / "atlas")


@st.cache_resource(show_spinner="Loading the atlas of pretrained runs…")
def load_atlas(path: str) -> Atlas | None:
    """Every cell in memory once per server (a few MB), shared read-only by all sessions; None if missing."""
    try:
        atlas = Atlas.load(path)
    except FileNotFoundError:
        return None
    # figures: drawn ahead for every cell in the background, so even a first visit to a cell is instant
    atlas_figures.warm_up(atlas)
    return atlas


def mode_toggle(key: str) -> bool:
    """The sidebar's "Train / Explore the atlas" choice (kept in the URL as mode=); True to explore."""
    mode = st.sidebar.radio("mode", list(MODES), format_func=MODES.get, horizontal=True, key=key,
                            index=list(MODES).index(url_choice("mode", list(MODES), "train")),
                            help="Explore: pretrained runs on a grid of settings, shown at once. "
                                 "Train: any setting, trained now.")
    set_url(mode=mode)
    return mode == "explore"


def atlas_or_stop() -> Atlas:
    atlas = load_atlas(str(atlas_dir()))
    if atlas is None:
        st.info(BUILD_HINT)
        st.stop()
    return atlas


def _url_number(name: str, options: list, cast=float):
    """(the option the URL names, or None; the URL's raw value when it is off the grid, else None)."""
    raw = st.query_params.get(name)
    if raw is None:
        return None, None
    try:
        value = cast(float(raw))
    except (ValueError, OverflowError):  # "abc", or int("inf")
        return None, raw
    hit = next((o for o in options if abs(o - value) < 1e-6), None)
    return hit, None if hit is not None else value


def controls(atlas: Atlas, losses: list[str], prefix: str,
             with_dim: bool = True) -> tuple[str, float | None, int | None]:
    """Sidebar select-sliders over the atlas's grid: (loss, margin or None, dim or None). A URL value off
    the grid is said in one sentence (the atlas's own) and the nearest grid value shown instead."""
    losses = [x for x in losses if x in atlas.losses]
    if st.query_params.get("loss") not in (None, *losses):
        st.warning(shown(_loss_problem(atlas, clean(st.query_params["loss"])), SENTENCE))
    with st.sidebar:
        st.header("Explore the atlas")
        loss = st.selectbox("loss", losses, index=losses.index(url_choice("loss", losses, losses[0])),
                            key=f"{prefix}_loss")
        g = atlas.grid(loss)
        margin = dim = None
        if g["margins"]:
            hit, off = _url_number("margin", g["margins"])
            if off is not None:
                _say_off_grid(atlas, loss, off, g["dims"][0])
            wanted = off if isinstance(off, float) else DEFAULT_MARGIN.get(loss, 1.0)
            start = hit if hit is not None else _nearest(g["margins"], wanted)
            margin = st.select_slider("margin m", g["margins"], value=start, key=f"{prefix}_margin_{loss}")
        else:
            st.caption(f"{loss} has no margin: one pretrained run per embedding size.")
        if with_dim:
            hit, off = _url_number("dim", g["dims"], cast=int)
            if off is not None:
                _say_off_grid(atlas, loss, margin, off)
            start = hit if hit is not None else _nearest(g["dims"], off if isinstance(off, int) else 32)
            dim = st.select_slider("embedding size", g["dims"], value=start, key=f"{prefix}_dim")
    set_url(loss=loss, **({"margin": margin} if margin is not None else {}), **({"dim": dim} if with_dim else {}))
    return loss, margin, dim


def _nearest(options: list, value: float):
    return min(options, key=lambda o: abs(o - value))


def _loss_problem(atlas: Atlas, loss: str) -> str:
    try:
        atlas.check(loss, None, 0)
    except ValueError as exc:
        return str(exc)
    return f"The loss {loss!r} is not offered on this page."


def _say_off_grid(atlas: Atlas, loss: str, margin, dim) -> None:
    if isinstance(margin, str) or isinstance(dim, str):
        st.warning(f"The URL's {'margin' if isinstance(margin, str) else 'embedding size'} is not a number, "
                   "so the page shows a value from the atlas's grid.")
        return
    try:
        atlas.check(loss, margin, dim)
    except ValueError as exc:
        st.warning(str(exc))


def pretrained_caption(command: str) -> None:
    st.caption(f"pretrained: `{command}`")


def explore_cell(atlas: Atlas, loss: str, margin: float | None, dim: int, replay_on_demand: bool = False) -> None:
    """One cell: metrics, histogram, map, replay and its place in the grid (charts from atlas_figures).
    `replay_on_demand`: the replay only once the student asks for it (a training page's first look)."""
    report = atlas.cell(loss, margin, dim)
    st.header(report.name.replace("atlas · ", "Pretrained · "))
    pretrained_caption(atlas.cell_command(loss, margin, dim))
    run_views.metrics_row(report)
    left, right = st.columns(2)
    with left:
        chart(atlas_figures.histogram(report), "atlas-hist")
    with right:
        chart(atlas_figures.projection(report), "atlas-proj")
    st.markdown("**Watch it learn again**")
    if not replay_on_demand or st.toggle("Show the replay", key="atlas-replay-shown"):
        st.plotly_chart(atlas_figures.replay(atlas, (loss, margin, dim)), width="stretch", key="atlas-replay")
        st.caption(REPLAY_CAPTION)
    chart(atlas_figures.grid(atlas, loss, margin, dim), "atlas-grid")


def explore_sizes(atlas: Atlas, loss: str, margin: float | None) -> None:
    """Every stored size of (loss, margin): scores versus D and the replay of every size in lockstep, which opens on
    each size's trained map (a map per size beside it would draw the same points twice)."""
    reports = atlas.sizes(loss, margin)
    st.header(f"Pretrained sweep · {loss}" + ("" if margin is None else f" · m={margin:g}"))
    pretrained_caption(atlas.command)
    table = pd.DataFrame([{"D": r.metrics["embedding_dim"], "accuracy": r.metrics["accuracy"], "AUC": r.metrics["auc"],
                           "EER": r.metrics["eer"], "train s": r.metrics["train_seconds"], "steps": r.metrics["steps"]}
                          for r in reports])
    st.dataframe(table.round(4), hide_index=True, width="stretch")
    chart(atlas_figures.scores(atlas, loss, margin), "atlas-scores")
    st.markdown("**Every size learning, in lockstep**")
    st.plotly_chart(atlas_figures.sizes_replay(atlas, loss, margin), width="stretch", key="atlas-size-replay")
    st.caption(REPLAY_CAPTION)


ATLAS_NOTICE = ("- Every cell trained for the same number of steps with seed 0 on Fashion-MNIST: the atlas "
                "compares settings, not luck or machine load.\n"
                "- Move one slider at a time and watch the histogram's gap and the map's clusters.\n"
                "- For another dataset, seed or budget, switch to **Train**.")
