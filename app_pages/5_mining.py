"""Triplet mining & center loss: which triplets teach, which collapse, and pulling features to centres."""
from dataclasses import replace

import streamlit as st

from lab_ui import first_look, run_follow, sweep_views, training_jobs
from lab_ui.layout import dataset_select
from lab_ui.lesson_views import lesson_notice
from lab_ui.url_state import set_url, url_choices, url_float, url_int
from siamese_core.lessons import experiments as ex

MINERS = {"random": "random", "semi-hard": "semi-hard", "batch-hard": "batch-hard", "hardest": "hardest negative"}
LAMBDAS = list(ex.LAMBDAS)
DEFAULT = ex.MINING_DEFAULT


def _show_preset_controls() -> None:
    """The controls show what the collapse preset's results will use (its miners and margin)."""
    st.session_state["mining_miners"] = list(ex.COLLAPSE_MINERS)
    st.session_state["mining_margin"] = ex.COLLAPSE_PRESET.margin


st.title("Triplet mining & center loss")
data_name = dataset_select(("mnist", "fashion-mnist", "digits"), key="mining_dataset")
training_jobs.warm(data_name)
seconds = st.sidebar.slider("time budget per run (s)", 1, 60, url_int("seconds", int(DEFAULT.seconds), 1, 60),
                            key="mining_seconds")
set_url(dataset=data_name, seconds=seconds)
mining, centre = st.tabs(["Choosing triplets", "Center loss"])

with mining:
    st.markdown("In a batch of P classes × K images, which (anchor, positive, negative) triplets should count? "
                "**Random** ones are mostly already satisfied (loss 0, nothing to learn). **Semi-hard** negatives "
                "are farther than the positive but inside the margin (FaceNet). **Batch-hard** takes, per "
                "anchor, the farthest positive and nearest negative. **Hardest negative** takes the nearest "
                "negative for every pair — and early in training it can collapse every embedding onto one point.")
    st.latex(r"\text{semi-hard: } d(a,p) < d(a,n) < d(a,p) + m")
    c1, c2 = st.columns([2, 1])
    chosen = c1.multiselect("miners", list(MINERS), default=url_choices("miners", list(MINERS), list(MINERS)),
                            format_func=MINERS.get, key="mining_miners")
    margin = c2.slider("margin m", 0.05, 1.0, url_float("margin", DEFAULT.margin, 0.05, 1.0), 0.05,
                       key="mining_margin")
    set_url(miners=chosen, margin=margin)
    compare_clicked = c2.button("Compare the miners", type="primary")
    p = ex.COLLAPSE_PRESET
    collapse_clicked = c2.button("Show me collapse", help=f"preset: semi-hard and hardest negatives from the first "
                                 f"step, learning rate {p.lr:g} (the default is {DEFAULT.lr:g}), margin {p.margin:g}, "
                                 f"{p.steps} steps each", on_click=_show_preset_controls)
with centre:
    st.markdown("A softmax classifier makes features *separable*, not *discriminative*: classes are rays from the "
                "origin, wide inside. Center loss (Wen et al. 2016) adds a pull of each feature towards its class "
                "centre. Here the embedding has **2 dimensions**, so you see the features themselves.")
    st.latex(r"L = L_{softmax} + \lambda\,\tfrac12\sum_i \lVert x_i - c_{y_i}\rVert^2")
    lambdas = sorted(st.multiselect("λ values", LAMBDAS, default=url_choices("lambdas", LAMBDAS, LAMBDAS),
                                    key="centre_lambdas"))
    set_url(lambdas=lambdas)
    centre_clicked = st.button("Train one 2-D network per λ", type="primary")

with mining:
    if compare_clicked and not chosen:
        st.warning("Pick at least one miner.")
    elif compare_clicked:
        setting = replace(DEFAULT, dataset=data_name, seconds=float(seconds), margin=margin)
        chosen = [m for m in MINERS if m in chosen]
        training_jobs.start_sweep(ex.miner_configs(setting, chosen), [MINERS[m] for m in chosen],
                                  f"miners at m={margin}", key="miners", n_projection=500)
    if collapse_clicked:
        setting = replace(ex.COLLAPSE_PRESET, dataset=data_name)
        training_jobs.start_sweep(ex.miner_configs(setting, ex.COLLAPSE_MINERS),
                                  [f"{MINERS[m]} (collapse preset)" for m in ex.COLLAPSE_MINERS],
                                  "show me collapse", key="miners", n_projection=500)
with centre:
    if centre_clicked and not lambdas:
        st.warning("Pick at least one λ.")
    elif centre_clicked:
        cfgs = ex.centre_configs(lambdas, data_name, float(seconds))
        training_jobs.start_sweep(cfgs, [f"λ = {lam}" for lam in lambdas], "center loss", key="centre",
                                  n_projection=1000)

with mining:
    runs = run_follow.follow_into("miners", "miner_runs")
    if runs:
        sweep_views.miner_comparison(runs, runs[0].config.get("margin") or margin)
    else:
        first_look.miners(margin, chosen, data_name, ex.miner_configs(DEFAULT)[0].embedding_dim)
    lesson_notice("mining", runs or ())
with centre:
    runs = run_follow.follow_into("centre", "centre_runs")
    if runs:
        sweep_views.centre_planes(runs)
    else:
        first_look.centre(lambdas, data_name)
    lesson_notice("centre", runs or ())
