"""Live training on a page: the latest frame's map and histograms while a job trains (small multiples for a
sweep, one column per run), and the replay of a finished run (or several, in lockstep)."""
from __future__ import annotations

import plotly.graph_objects as go
import streamlit as st

from siamese_core.service.experiment import RunReport, tsne_of_probe
from siamese_core.service.jobs import Job
from siamese_core.service.server_settings import server_settings
from siamese_core.viz.frame_figures import frame_caption, replay_figure
from siamese_core.viz.live_charts import histogram_chart, map_chart, map_what

from . import oneshot_live
from .live_figures import chart, shared_figure
from .live_snapshot import LiveSnapshot, snapshot

MAP_HEIGHT = 330
READY = go.Figure(layout={"height": 10, "margin": {"t": 0, "b": 0, "l": 0, "r": 0},
                          "xaxis": {"visible": False}, "yaxis": {"visible": False}})
REPLAY_CAPTION = ("The replay opens on the trained network; ▶ plays the training from its first step, and the "
                  "slider picks a step. Each frame is the same fixed test images embedded at that step: the map "
                  "(aligned from frame to frame) and the matched/mismatched histograms.")


def _frame_key(kind: str, name: str, frame) -> tuple:
    return kind, name, frame.step, frame.seconds, id(frame)


def plotly_ready(job_key: str) -> None:
    """An empty, ten-pixel Plotly chart while a run trains: the browser loads its Plotly code now, not when
    the report's charts arrive (loading it then held the report back by about a second). One per followed
    job: a page may follow two at once (the mining page's tabs), and an element key may appear only once."""
    st.plotly_chart(READY, width="stretch", config={"staticPlot": True}, key=f"plotly-ready-{job_key}")


def draw(job: Job, view: LiveSnapshot | None = None) -> None:
    """The latest frame of each run so far (of `view`, the page's one reading of the live state): map,
    histogram and numbers, each named after its run, under keys that stay the same for the whole job, so that
    each rerun of the page's live fragment updates the charts the browser already has."""
    live = job.live
    runs = (view or snapshot(live)).runs
    if not runs:
        return
    labels, names, as_distance = live.probe_labels, live.class_names, live.as_distance
    if len(runs) == 1:
        name, frames = runs[0]
        f = frames[-1]
        dim = live.embedding_dims.get(name)
        raw = f.layout.shape[1] == 2 and dim == 2
        st.markdown(f"**{name}** — " + frame_caption(f))
        st.caption(f"Live, on {len(labels)} fixed test images.")
        _numbers(f, len(frames))
        if f.oneshot is not None:  # a one-shot run: its 20-way accuracy and the trial drawn large, first
            oneshot_live.draw(job, name, frames)
        left, right = st.columns(2)
        with left:
            chart(shared_figure(live, _frame_key("map", name, f), lambda: map_chart(
                f, labels, names, raw_plane=raw, title=f"{name}: {map_what(raw, dim)}")), f"live-map-{job.id}",
                canvas=True)
        with right:
            chart(shared_figure(live, _frame_key("hist", name, f), lambda: histogram_chart(
                f, as_distance.get(name, True), title=f"{name}: probe pairs now")), f"live-hist-{job.id}", canvas=True)
        return
    st.caption(f"Live, on {len(labels)} fixed test images, one column per run so far.")
    for col, (name, frames) in zip(st.columns(len(runs)), runs):
        with col:
            f = frames[-1]
            st.markdown(f"**{name}** — step {f.step} · AUC {f.auc:.3f}")
            raw = live.embedding_dims.get(name) == 2
            chart(shared_figure(live, _frame_key("small-map", name, f), lambda f=f, raw=raw: map_chart(
                f, labels, names, raw_plane=raw, title="", height=240, legend=False)), f"live-map-{job.id}-{name}",
                  canvas=True)
            distance = as_distance.get(name, True)
            chart(shared_figure(live, _frame_key("small-hist", name, f), lambda f=f, d=distance: histogram_chart(
                f, d, title="", height=180, legend=False)), f"live-hist-{job.id}-{name}",
                  canvas=True)


def _numbers(frame, n_frames: int) -> None:
    """The latest frame's numbers as metrics (drawing them during training also means the browser has
    the metric element ready when the report's numbers arrive)."""
    c = st.columns(5 if frame.oneshot is not None else 4)
    if frame.oneshot is not None:  # a one-shot run's own figure first
        c, first = c[1:], c[0]
        first.metric("20-way accuracy", f"{frame.oneshot:.1%}", help="on the fixed one-shot trials of the chart below")
    c[0].metric("probe pair accuracy", f"{frame.accuracy:.3f}", help="at this frame's own best threshold")
    c[1].metric("probe AUC", f"{frame.auc:.3f}")
    c[2].metric("step", f"{frame.step}")
    c[3].metric("frames so far", f"{n_frames}")


def replay(reports: list[RunReport], key: str) -> None:
    """Play or scrub through training: one figure, the runs side by side, stepping together."""
    runs = [(r.name, r.frames, not r.score_is_probability) for r in reports if r.frames]
    if not runs:
        return
    first = next(r for r in reports if r.frames)
    # Built once per set of runs and kept in the session: every rerun of the page would build it again.
    made = st.session_state.setdefault("_replays", {})
    ids = tuple((id(r), r.name, len(r.frames)) for r in reports if r.frames)
    if ids not in made:
        if len(made) >= 16:
            made.clear()
        made[ids] = replay_figure(runs, first.projection_labels, first.class_names)
    st.plotly_chart(made[ids], width="stretch", key=key)
    st.caption(REPLAY_CAPTION)


def tsne_button(report: RunReport, key: str) -> None:
    """The live map is an aligned PCA; a t-SNE of the same final embeddings on request (about a second),
    kept in this session (reports may be shared between sessions: they are never written to)."""
    if report.projection_kind != "pca" or report.probe_embeddings is None:
        return
    if st.button("t-SNE of this map", key=f"{key}-tsne", help="started from the map shown, so it keeps its "
                 "orientation"):
        # on a page job's thread count: the server's cores are the class's (docs/results/threads-busy.json)
        threads = server_settings().threads_per_job
        st.session_state.setdefault("_tsne", {})[id(report)] = tsne_of_probe(report, threads=threads)
        st.rerun()


def tsne_of(report: RunReport):
    """The t-SNE this session asked for, if any."""
    return st.session_state.get("_tsne", {}).get(id(report))
