"""Figures of live training frames (siamese_core.service.live_frames.Frame): the score histograms and the
2-D map of the probe set as they are now, and a replay — one Plotly figure whose Play button and step slider
run through the frames in the browser, several runs side by side in lockstep."""
from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import plotly.colors
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from .figures import DIFF_COLOUR, SAME_COLOUR, TEMPLATE

PALETTE = plotly.colors.qualitative.Plotly  # the class colours of every other map (figures.tsne_scatter)
MAX_REPLAY_FRAMES = 60  # a replay figure's size grows with its frames; more look no smoother


def _colour(c: int) -> str:
    return PALETTE[c % len(PALETTE)]


def _bars(frame, as_distance: bool) -> tuple[np.ndarray, np.ndarray]:
    sign = -1.0 if as_distance else 1.0
    centres = sign * (frame.edges[:-1] + frame.edges[1:]) / 2
    return centres.astype(float), np.abs(np.diff(frame.edges)).astype(float)


def _histogram_traces(frame, as_distance: bool, legend: bool = True, edges: np.ndarray | None = None
                      ) -> list[go.Bar]:
    """The frame's two histograms; on `edges` (common to a replay's frames) when given, so every frame's
    bars share one width and one axis (each frame's own bins are as wide as its own score range)."""
    same, diff = frame.same_counts, frame.diff_counts
    if edges is not None:
        centres = (frame.edges[:-1] + frame.edges[1:]) / 2
        same = np.histogram(centres, edges, weights=same)[0]
        diff = np.histogram(centres, edges, weights=diff)[0]
        frame = _Binned(edges)
    x, width = _bars(frame, as_distance)
    return [go.Bar(x=x, y=same, width=width, name="same (y = 1)", marker_color=SAME_COLOUR,
                   opacity=0.6, showlegend=legend, legendgroup="same"),
            go.Bar(x=x, y=diff, width=width, name="different (y = 0)", marker_color=DIFF_COLOUR,
                   opacity=0.6, showlegend=legend, legendgroup="diff")]


class _Binned:
    def __init__(self, edges: np.ndarray):
        self.edges = edges


def _map_traces(frame, labels, class_names: Sequence[str], legend: bool = True) -> list[go.Scattergl]:
    xy, lab = frame.layout.astype(np.float32), np.asarray(labels)
    return [go.Scattergl(x=xy[lab == c, 0], y=xy[lab == c, 1], mode="markers", name=str(class_names[c]),
                         marker={"size": 5, "color": _colour(c)}, showlegend=legend, legendgroup=f"c{c}",
                         hovertemplate=f"{class_names[c]}<extra></extra>")
            for c in range(len(class_names))]


def frame_caption(frame) -> str:
    loss = "" if np.isnan(frame.loss) else f" · loss {frame.loss:.3f}"
    return (f"step {frame.step} · {frame.seconds:.1f} s{loss} · probe pairs: accuracy {frame.accuracy:.3f}, "
            f"AUC {frame.auc:.3f}")


def frame_histogram(frame, as_distance: bool = True, x_range: tuple[float, float] | None = None,
                    title: str = "Probe pairs now") -> go.Figure:
    fig = go.Figure(_histogram_traces(frame, as_distance))
    fig.add_vline(x=(-1.0 if as_distance else 1.0) * frame.threshold, line_dash="dash",
                  annotation_text="best threshold")
    fig.update_layout(barmode="overlay", template=TEMPLATE, title=title, height=330,
                      xaxis_title="distance" if as_distance else "p(same)", yaxis_title="pairs",
                      xaxis={"range": list(x_range) if x_range else None}, margin={"t": 50, "b": 40})
    return fig


def frame_map(frame, labels, class_names: Sequence[str], raw_plane: bool = False,
              axis_range: tuple[float, float] | None = None, title: str | None = None) -> go.Figure:
    fig = go.Figure(_map_traces(frame, labels, class_names))
    what = "the raw 2-D embedding plane" if raw_plane else "probe embeddings, aligned PCA"
    axis = {"showticklabels": raw_plane, "range": list(axis_range) if axis_range else None}
    fig.update_layout(template=TEMPLATE, title=title or what, height=330, legend_title="class",
                      xaxis=axis, yaxis={**axis, "scaleanchor": "x"}, margin={"t": 50, "b": 20})
    return fig


def layout_range(frames) -> tuple[float, float]:
    """One square axis range that holds every frame's map, so a replay does not rescale as it plays."""
    m = max(float(np.abs(f.layout.astype(np.float32)).max()) for f in frames)
    return (-1.05 * m, 1.05 * m)


def score_range(frames, as_distance: bool = True) -> tuple[float, float]:
    lo = min(float(f.edges[0]) for f in frames)
    hi = max(float(f.edges[-1]) for f in frames)
    return (-hi, -lo) if as_distance else (lo, hi)


def replay_figure(runs: Sequence[tuple[str, list, bool]], labels, class_names: Sequence[str],
                  max_frames: int = MAX_REPLAY_FRAMES) -> go.Figure:
    """runs: (name, frames, as_distance) per run. One column per run (map above, histogram below); the
    Play button and the slider step every run's frames together (the k-th slider step shows each run at
    the same share of its training)."""
    cols = len(runs)
    fig = make_subplots(rows=2, cols=cols, subplot_titles=[name for name, _, _ in runs] + [""] * cols,
                        row_heights=[0.6, 0.4], vertical_spacing=0.08)
    steps = min(max_frames, max(len(f) for _, f, _ in runs))
    picks = [[int(round(k * (len(frames) - 1) / max(1, steps - 1))) for k in range(steps)]
             for _, frames, _ in runs]
    common = [np.linspace(*sorted(score_range(frames, False)), 41) for _, frames, _ in runs]

    def traces(k: int) -> list:
        out = []
        for col, ((_, frames, as_dist), pick) in enumerate(zip(runs, picks)):
            f = frames[pick[k]]
            out += _map_traces(f, labels, class_names, legend=(col == 0 and k == 0))
            out += _histogram_traces(f, as_dist, legend=(col == 0 and k == 0), edges=common[col])
        return out

    for trace, (row, col) in zip(traces(0), _positions(runs, len(class_names))):
        fig.add_trace(trace, row=row, col=col)
    fig.frames = [go.Frame(data=traces(k), name=str(k)) for k in range(steps)]
    _fix_axes(fig, runs)
    # One run: the slider names training steps; several: how far each is through its training.
    step_labels = ([f"{runs[0][1][p].step}" for p in picks[0]] if cols == 1 else
                   [f"{round(100 * k / max(1, steps - 1))} %" for k in range(steps)])
    fig.update_layout(template=TEMPLATE, barmode="overlay", height=620, margin={"t": 60, "b": 90},
                      **_play_controls(step_labels, "step " if cols == 1 else "training "))
    return fig


def _fix_axes(fig: go.Figure, runs) -> None:
    """Each column's axes hold all its frames, so nothing rescales while it plays."""
    for col, (_, frames, as_dist) in enumerate(runs, start=1):
        r = list(layout_range(frames))
        fig.update_xaxes(range=r, showticklabels=False, row=1, col=col)
        fig.update_yaxes(range=r, showticklabels=False, row=1, col=col)
        fig.update_xaxes(range=list(score_range(frames, as_dist)), title_text="distance" if as_dist else "p(same)",
                         row=2, col=col)


def _play_controls(step_labels: list[str], prefix: str) -> dict:
    """A ▶ Play / ❚❚ Pause pair and a step slider, both driving the figure's animation frames."""
    jump = {"mode": "immediate", "frame": {"duration": 0, "redraw": True}}
    play = {"frame": {"duration": 150, "redraw": True}, "transition": {"duration": 100}, "fromcurrent": True}
    return {"updatemenus": [{"type": "buttons", "x": 0, "y": -0.08, "xanchor": "left", "direction": "left",
                             "buttons": [{"label": "▶ Play", "method": "animate", "args": [None, play]},
                                         {"label": "❚❚ Pause", "method": "animate",
                                          "args": [[None], {"mode": "immediate", "frame": {"duration": 0}}]}]}],
            "sliders": [{"active": 0, "x": 0.12, "len": 0.88, "y": -0.04, "currentvalue": {"prefix": prefix},
                         "steps": [{"label": lab, "method": "animate", "args": [[str(k)], jump]}
                                   for k, lab in enumerate(step_labels)]}]}


def _positions(runs, n_classes: int) -> list[tuple[int, int]]:
    """Subplot (row, col) of each trace, in the order `traces` makes them."""
    out = []
    for col in range(1, len(runs) + 1):
        out += [(1, col)] * n_classes + [(2, col)] * 2
    return out
