"""How a sweep looks on a page: an embedding-size sweep, a miner comparison, a center-loss λ series."""
from __future__ import annotations

import pandas as pd
import streamlit as st

from siamese_core.explain.diagnostics import collapse_step, miner_curves
from siamese_core.service.experiment import RunReport
from siamese_core.viz import sweep_figures
from siamese_core.viz.figures import square_range

from . import live_views, run_views


def size_sweep(sweep: list[RunReport]) -> None:
    """Table, scores versus D, training speed, and each size's t-SNE."""
    table = pd.DataFrame([{"D": r.metrics["embedding_dim"], "accuracy": r.metrics["accuracy"], "AUC": r.metrics["auc"],
                           "EER": r.metrics["eer"], "train s": r.metrics["train_seconds"], "steps": r.metrics["steps"]}
                          for r in sweep])
    st.dataframe(table.round(4), hide_index=True, width="stretch")
    left, right = st.columns(2)
    left.plotly_chart(sweep_figures.scores_versus_size(table["D"], table["accuracy"], table["AUC"]), width="stretch")
    right.plotly_chart(sweep_figures.steps_per_second(table["D"], table["steps"], table["train s"]), width="stretch")
    cols = st.columns(min(3, len(sweep)))
    for k, report in enumerate(sweep):
        with cols[k % len(cols)]:
            run_views.projection(report, key=f"sweep-proj-{k}")
    live_views.replay(sweep, key="sweep-replay")


def miner_comparison(runs: list[RunReport], margin: float) -> None:
    """The miners' recorded statistics side by side, their scores, and a collapse alarm per run."""
    st.plotly_chart(sweep_figures.miner_statistics({r.name: miner_curves(r.history) for r in runs}), width="stretch")
    st.dataframe(run_views.runs_table(runs)[["run", "accuracy", "AUC", "EER", "train s"]], hide_index=True)
    for r in runs:
        at = collapse_step(r.history)
        if at is not None:
            st.error(f"**{r.name}: collapse.** From step {at} every embedding of a batch sat at one point "
                     f"(mean distance < 0.05): every triplet's loss is then exactly the margin {margin}, and the "
                     "gradient no longer separates anything. This is the collapse FaceNet warns about.")
    live_views.replay(runs, key="miners-replay")


def centre_planes(runs: list[RunReport]) -> None:
    """Each λ's raw 2-D feature plane, two per row, with their coordinates, on one scale unless the student turns
    it off: how far features sit from their centre is the lesson, and planes scaled one by one all look alike."""
    one_scale = st.toggle("one scale for every λ", value=True, key="centre_one_scale",
                          help="On: distances compare from plane to plane. Off: each plane fills its chart, "
                               "to see its shape.")
    shared = square_range([r.projection for r in runs]) if one_scale else None
    cols = st.columns(min(len(runs), 2))
    for k, r in enumerate(runs):
        with cols[k % len(cols)]:
            run_views.projection(r, key=f"centre-{k}", axis_range=shared)
            st.caption(f"{r.name}: verification accuracy {r.metrics['accuracy']:.3f}, AUC {r.metrics['auc']:.3f}")
    st.markdown("**Watch the features form** (each λ's 2-D plane as it trained, in lockstep)")
    live_views.replay(runs, key="centre-replay")
