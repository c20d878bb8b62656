"""Triplet mining & center loss: which triplets teach, which collapse, and pulling features to centres."""
import streamlit as st

from lab_ui import sweep_views, training_jobs
from lab_ui.layout import dataset_select, notice
from lab_ui.url_state import set_url, url_float, url_int
from siamese_core.training import TrainConfig

MINERS = {"random": "random", "semi-hard": "semi-hard", "batch-hard": "batch-hard", "hardest": "hardest negative"}
LAMBDAS = [0.0, 0.01, 0.1, 1.0]

st.title("Triplet mining & center loss")
data_name = dataset_select(("mnist", "fashion-mnist", "digits"), key="mining_dataset")
training_jobs.warm(data_name)
seconds = st.sidebar.slider("time budget per run (s)", 1, 60, url_int("seconds", 8, 1, 60), key="mining_seconds")
set_url(dataset=data_name, seconds=seconds)
mining, centre = st.tabs(["Choosing triplets", "Center loss"])

# Both tabs' controls are read before any waiting: `follow_into` blocks while a job runs, and a button
# drawn after it would not be read until that job ended.
with mining:
    st.markdown("In a batch of P classes × K images, which (anchor, positive, negative) triplets should count? "
                "**Random** ones are mostly already satisfied (loss 0, nothing to learn). **Semi-hard** negatives "
                "are farther than the positive but inside the margin (FaceNet). **Batch-hard** takes, per "
                "anchor, the farthest positive and nearest negative. **Hardest negative** takes the nearest "
                "negative for every pair — and early in training it can collapse every embedding onto one point.")
    st.latex(r"\text{semi-hard: } d(a,p) < d(a,n) < d(a,p) + m")
    c1, c2 = st.columns([2, 1])
    chosen = c1.multiselect("miners", list(MINERS), default=list(MINERS), format_func=MINERS.get)
    margin = c2.slider("margin m", 0.05, 1.0, url_float("margin", 0.2, 0.05, 1.0), 0.05, key="mining_margin")
    set_url(margin=margin)
    compare_clicked = c2.button("Compare the miners", type="primary")
with centre:
    st.markdown("A softmax classifier makes features *separable*, not *discriminative*: classes are rays from the "
                "origin, wide inside. Center loss (Wen et al. 2016) adds a pull of each feature towards its class "
                "centre. Here the embedding has **2 dimensions**, so you see the features themselves.")
    st.latex(r"L = L_{softmax} + \lambda\,\tfrac12\sum_i \lVert x_i - c_{y_i}\rVert^2")
    lambdas = sorted(st.multiselect("λ values", LAMBDAS, default=LAMBDAS))
    centre_clicked = st.button("Train one 2-D network per λ", type="primary")

base = TrainConfig.from_dict({"dataset": data_name, "seconds": float(seconds)})
with mining:
    if compare_clicked and not chosen:
        st.warning("Pick at least one miner.")
    elif compare_clicked:
        cfgs = [base.replace(loss="triplet", miner=m, margin=margin) for m in chosen]
        training_jobs.start_sweep(cfgs, [MINERS[m] for m in chosen], f"miners at m={margin}", key="miners",
                                  n_projection=500)
with centre:
    if centre_clicked and not lambdas:
        st.warning("Pick at least one λ.")
    elif centre_clicked:
        cfgs = [base.replace(loss="center" if lam > 0 else "softmax", center_lambda=lam, embedding_dim=2)
                for lam in lambdas]
        training_jobs.start_sweep(cfgs, [f"λ = {lam}" for lam in lambdas], "center loss", key="centre",
                                  n_projection=1000)

with mining:
    runs = training_jobs.follow_into("miners", "miner_runs")
    if runs:
        sweep_views.miner_comparison(runs, margin)
    notice("- Random triplets: the active fraction drops fast — most triplets teach nothing.\n"
           "- Semi-hard keeps a steady supply of useful triplets; that is why FaceNet uses it with big batches.\n"
           "- Hardest negatives early in training: watch the spread fall to 0 (collapse) — then d(a,p) = d(a,n).\n"
           "- Without a margin, f(x) = 0 for every x would satisfy d(a,p) ≤ d(a,n): the margin is what forbids it.")
with centre:
    runs = training_jobs.follow_into("centre", "centre_runs")
    if runs:
        sweep_views.centre_planes(runs)
    notice("- λ = 0 (softmax alone): long radial spokes, one per class; two points far apart can share a class.\n"
           "- Growing λ pulls each class into a tight blob around its centre; too large and the classes start "
           "to crowd each other.\n"
           "- Center loss was one of the recipes behind 99.28 % on LFW (FaceNet: 99.63 %).")
