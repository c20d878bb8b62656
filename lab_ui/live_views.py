"""Live training on a page: the latest frame's map and histograms while a job trains (small multiples for a
sweep, one column per run), and the replay of a finished run (or several, in lockstep)."""
from __future__ import annotations

import time

import streamlit as st

from siamese_core.service.experiment import RunReport, tsne_of_probe
from siamese_core.service.jobs import Job
from siamese_core.viz.frame_figures import frame_caption, frame_histogram, frame_map, replay_figure

MAP_HEIGHT = 330
SHARED_FIGURES = 16  # figures kept per training for its followers (a few frames' worth, of every run)


def shared_figure(live: dict, key: tuple, make):
    """The figure `make()` builds, built once for every page that follows the same training: when a class
    asks for one run, ten students' pages would otherwise each build the same Plotly figures at every frame,
    and building them (not sending them) is most of a page's work while it follows a run. Figures are
    read-only once built; two pages building one at the same moment both get a correct figure."""
    cache = live.setdefault("_figures", {})
    fig = cache.get(key)
    if fig is None:
        if len(cache) >= SHARED_FIGURES:
            cache.clear()
        fig = cache[key] = make()
    return fig


def _frame_key(kind: str, name: str, frame) -> tuple:
    return kind, name, frame.step, frame.seconds, id(frame)


def _runs(live: dict) -> list[tuple[str, list]]:
    """(name, frames so far) per run of a job: one for a single run, one per run of a sweep so far."""
    frames = live.get("frames")
    if isinstance(frames, dict):
        return [(name, list(f)) for name, f in list(frames.items()) if f]
    return [(live.get("run_name") or "this run", list(frames))] if frames else []


def draw(job: Job, slot, seen: dict) -> None:
    """Redraw `slot` when a new frame has come in (`seen` remembers what was drawn, and when)."""
    live = job.live
    runs = _runs(live)
    signature = tuple(len(f) for _, f in runs)
    if not runs or signature == seen.get("signature"):
        return
    seen["signature"], seen["at"] = signature, time.monotonic()
    labels, names = live.get("probe_labels"), live.get("class_names")
    as_distance = live.get("as_distance", {})
    # A new key per drawing, never the frame count: the count can come back within one script run (the
    # recorder replaces the frame taken at the last step by the reported model's), and a key used twice
    # in one run is an error.
    tick = seen["draws"] = seen.get("draws", 0) + 1
    with slot.container():
        if len(runs) == 1:
            name, frames = runs[0]
            st.caption(f"Live, on {len(labels)} fixed test images: " + frame_caption(frames[-1]))
            _numbers(frames[-1], len(frames))
            left, right = st.columns(2)
            raw = frames[-1].layout.shape[1] == 2 and live.get("embedding_dims", {}).get(name) == 2
            f = frames[-1]
            left.plotly_chart(shared_figure(live, _frame_key("map", name, f),
                                            lambda: frame_map(f, labels, names, raw_plane=raw)),
                              width="stretch", key=f"live-map-{job.id}-{tick}")
            right.plotly_chart(shared_figure(live, _frame_key("hist", name, f),
                                             lambda: frame_histogram(f, as_distance.get(name, True))),
                               width="stretch", key=f"live-hist-{job.id}-{tick}")
            return
        st.caption(f"Live, on {len(labels)} fixed test images, one column per run so far.")
        for col, (name, frames) in zip(st.columns(len(runs)), runs):
            with col:
                f = frames[-1]
                st.markdown(f"**{name}** · step {f.step} · AUC {f.auc:.3f}")
                raw = live.get("embedding_dims", {}).get(name) == 2
                st.plotly_chart(shared_figure(live, _frame_key("small-map", name, f), lambda f=f, raw=raw: frame_map(
                    f, labels, names, raw_plane=raw, title=" ").update_layout(height=260, showlegend=False)),
                    width="stretch", key=f"live-map-{job.id}-{name}-{tick}")
                distance = as_distance.get(name, True)
                st.plotly_chart(shared_figure(live, _frame_key("small-hist", name, f), lambda f=f, d=distance:
                                              frame_histogram(f, d, title=" ").update_layout(height=200,
                                                                                             showlegend=False)),
                    width="stretch", key=f"live-hist-{job.id}-{name}-{tick}")


def _numbers(frame, n_frames: int) -> None:
    """The latest frame's numbers as metrics (drawing them during training also means the browser has
    the metric element ready when the report's numbers arrive)."""
    c = st.columns(4)
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
    st.caption("▶ plays the training; the slider picks a step. Each frame is the same fixed test images "
               "embedded at that step: the map (aligned from frame to frame) and the matched/mismatched histograms.")


def tsne_button(report: RunReport, key: str) -> None:
    """The live map is an aligned PCA; a t-SNE of the same final embeddings on request (about a second),
    kept in this session (reports may be shared between sessions: they are never written to)."""
    if report.projection_kind != "pca" or report.probe_embeddings is None:
        return
    if st.button("t-SNE of this map", key=f"{key}-tsne", help="started from the map shown, so it keeps its "
                 "orientation"):
        st.session_state.setdefault("_tsne", {})[id(report)] = tsne_of_probe(report)
        st.rerun()


def tsne_of(report: RunReport):
    """The t-SNE this session asked for, if any."""
    return st.session_state.get("_tsne", {}).get(id(report))
