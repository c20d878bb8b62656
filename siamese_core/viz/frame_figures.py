"""Figures of live training frames (siamese_core.service.live_frames.Frame): the score histograms and the
2-D map of the probe set as they are now, and a replay — one Plotly figure whose Play button and step slider
run through the frames in the browser, several runs side by side in lockstep."""
from __future__ import annotations

import dataclasses
from collections.abc import Sequence

import numpy as np
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from .figures import CLASS_COLOURS, DIFF_COLOUR, SAME_COLOUR, TEMPLATE, square_range
from .frozen_figure import FrozenFigure

PALETTE = CLASS_COLOURS  # the class colours of every other map (figures.tsne_scatter)
MAX_REPLAY_FRAMES = 60  # a replay figure's size grows with its frames; more look no smoother


def _colour(c: int) -> str:
    return PALETTE[c % len(PALETTE)]


def _xs(values, decimals: int = 3) -> list[float]:
    """Plain rounded floats: a replay sends thousands of them, and 3 decimals are sub-pixel."""
    return np.round(np.asarray(values, dtype=np.float64), decimals).tolist()


def _decimals(xy: np.ndarray) -> int:
    """Decimals that keep a map's points apart: 3 below its spread (layouts made before the live map was
    scaled to unit spread can be a few thousandths wide; 3 plain decimals would snap them to a grid)."""
    spread = float(np.sqrt(((xy - xy.mean(0)) ** 2).sum(1).mean())) if len(xy) else 1.0
    return 3 if spread >= 1 or spread <= 0 else 3 - int(np.floor(np.log10(spread)))


def _histogram_traces(frame, as_distance: bool, legend: bool = True, edges: np.ndarray | None = None
                      ) -> list[dict]:
    """The frame's two histograms (plain trace dicts); on `edges` (common to a replay's frames) when given,
    so every frame's bars share one width and one axis (each frame's own bins span its own score range)."""
    same, diff, bin_edges = frame.same_counts, frame.diff_counts, frame.edges
    if edges is not None:
        centres = (frame.edges[:-1] + frame.edges[1:]) / 2
        same = np.histogram(centres, edges, weights=same)[0]
        diff = np.histogram(centres, edges, weights=diff)[0]
        bin_edges = edges
    sign = -1.0 if as_distance else 1.0
    x, width = _xs(sign * (bin_edges[:-1] + bin_edges[1:]) / 2, 4), _xs(np.abs(np.diff(bin_edges)), 4)
    return [{"type": "bar", "x": x, "y": np.asarray(counts).astype(int).tolist(), "width": width, "name": name,
             "marker": {"color": colour}, "opacity": 0.6, "showlegend": legend, "legendgroup": group}
            for counts, name, colour, group in ((same, "same (y = 1)", SAME_COLOUR, "same"),
                                                (diff, "different (y = 0)", DIFF_COLOUR, "diff"))]


def _map_traces(frame, labels, class_names: Sequence[str], legend: bool = True) -> list[dict]:
    xy, lab = frame.layout.astype(np.float32), np.asarray(labels)
    digits = _decimals(xy)
    # SVG, not WebGL: a few hundred points draw sooner so, and a sweep's small multiples would run out of
    # the WebGL contexts a browser allows a page.
    return [{"type": "scatter", "x": _xs(xy[lab == c, 0], digits), "y": _xs(xy[lab == c, 1], digits),
             "mode": "markers",
             "name": str(class_names[c]), "marker": {"size": 5, "color": _colour(c)}, "showlegend": legend,
             "legendgroup": f"c{c}", "hovertemplate": f"{class_names[c]}<extra></extra>"}
            for c in range(len(class_names))]


def frame_caption(frame) -> str:
    loss = "" if np.isnan(frame.loss) else f" · loss {frame.loss:.3f}"
    return (f"step {frame.step} · {frame.seconds:.1f} s{loss} · probe pairs: accuracy {frame.accuracy:.3f}, "
            f"AUC {frame.auc:.3f}")


def frame_histogram(frame, as_distance: bool = True, x_range: tuple[float, float] | None = None,
                    title: str = "Probe pairs now") -> go.Figure:
    fig = go.Figure([go.Bar(t) for t in _histogram_traces(frame, as_distance)])
    fig.add_vline(x=(-1.0 if as_distance else 1.0) * frame.threshold, line_dash="dash",
                  annotation_text="best threshold")
    fig.update_layout(barmode="overlay", template=TEMPLATE, title=title, height=330,
                      xaxis_title="distance" if as_distance else "p(same)", yaxis_title="pairs",
                      xaxis={"range": list(x_range) if x_range else None}, margin={"t": 50, "b": 40})
    return fig


def frame_map(frame, labels, class_names: Sequence[str], raw_plane: bool = False,
              axis_range: tuple[float, float] | None = None, title: str | None = None) -> go.Figure:
    fig = go.Figure([go.Scatter(t) for t in _map_traces(frame, labels, class_names)])
    what = "the raw 2-D embedding plane" if raw_plane else "probe embeddings, aligned PCA"
    axis = {"showticklabels": raw_plane, "range": list(axis_range) if axis_range else None}
    # Each class is a legend group of its own: without tracegroupgap=0 the ten entries outgrew the chart.
    fig.update_layout(template=TEMPLATE, title=title or what, height=330, legend_title="class",
                      legend_tracegroupgap=0, xaxis=axis, yaxis={**axis, "scaleanchor": "x"},
                      margin={"t": 50, "b": 20})
    return fig


def layout_range(frames) -> tuple[float, float]:
    """One square axis range that holds every frame's map, so a replay does not rescale as it plays."""
    return square_range([f.layout for f in frames])


def score_range(frames, as_distance: bool = True) -> tuple[float, float]:
    lo = min(float(f.edges[0]) for f in frames)
    hi = max(float(f.edges[-1]) for f in frames)
    return (-hi, -lo) if as_distance else (lo, hi)


def replay_figure(runs: Sequence[tuple[str, list, bool]], labels, class_names: Sequence[str],
                  max_frames: int = MAX_REPLAY_FRAMES, max_points: int | None = None) -> FrozenFigure:
    """runs: (name, frames, as_distance) per run. One column per run (map above, histogram below); the
    Play button and the slider step every run's frames together (the k-th slider step shows each run at
    the same share of its training). Built from plain dicts: validating 60 frames of traces took a second.

    Three traces per run — its map (every point, coloured by class) and its two histograms — and a frame
    carries only what moves (the map's x and y, the bars' heights), so the browser redraws few traces at a
    step and a page sends little: the classes' legend is a trace per class with no points, drawn once."""
    cols = len(runs)
    keep = _spread_subset(labels, max_points)
    labels = np.asarray(labels)[keep]
    runs = [(name, [_points(f, keep) for f in frames], as_dist) for name, frames, as_dist in runs]
    base = make_subplots(rows=2, cols=cols, subplot_titles=[name for name, _, _ in runs] + [""] * cols,
                         row_heights=[0.6, 0.4], vertical_spacing=0.08)
    steps = min(max_frames, max(len(f) for _, f, _ in runs))
    picks = [[int(round(k * (len(frames) - 1) / max(1, steps - 1))) for k in range(steps)]
             for _, frames, _ in runs]
    common = [np.linspace(*sorted(score_range(frames, False)), 41) for _, frames, _ in runs]
    _fix_axes(base, runs)
    # One run: the slider names training steps; several: how far each is through its training.
    step_labels = ([f"{runs[0][1][p].step}" for p in picks[0]] if cols == 1 else
                   [f"{round(100 * k / max(1, steps - 1))} %" for k in range(steps)])
    # Margins fixed, wide enough for the legend and the controls: Plotly's automatic margins measured and redrew
    # the figure again at every update, a third of the browser's time on a slider move of the atlas.
    base.update_layout(template=TEMPLATE, barmode="overlay", height=620,
                       margin={"t": 60, "b": 140, "l": 50, "r": 150, "autoexpand": False},
                       legend_tracegroupgap=0, legend_itemclick=False, legend_itemdoubleclick=False,  # the key only
                       **_play_controls(step_labels, "step " if cols == 1 else "training ", active=steps - 1))
    fig = base.to_dict()
    # It opens on the trained network (the first frame's untrained blob read as a failure); ▶ Play still
    # runs from the first frame, since Plotly plays every frame when the current one is the last.
    moved = list(range(3 * cols))
    fig["frames"] = [{"name": str(k), "data": _moving([(frames[pick[k]], as_dist, edges) for (_, frames, as_dist),
                                                        pick, edges in zip(runs, picks, common)]), "traces": moved}
                     for k in range(steps)]
    still = [t for col, (_, frames, as_dist) in enumerate(runs)
             for t in _still(col, cols, as_dist, frames[0], common[col], labels, class_names)]
    fig["data"] = [{**t, **m} for t, m in zip(still, fig["frames"][-1]["data"])] + _legend(class_names)
    return FrozenFigure(fig)


def _spread_subset(labels, most: int | None) -> np.ndarray:
    """Indices of about `most` points, evenly spread through each class and the same share of each (all of them
    when `most` is None or more than there are)."""
    lab = np.asarray(labels)
    if most is None or len(lab) <= most:
        return np.arange(len(lab))
    picked = [idx[np.linspace(0, len(idx) - 1, max(1, round(len(idx) * most / len(lab)))).round().astype(int)]
              for idx in (np.flatnonzero(lab == c) for c in np.unique(lab))]
    return np.sort(np.concatenate(picked))


def _points(frame, keep: np.ndarray):
    return frame if len(keep) == len(frame.layout) else dataclasses.replace(frame, layout=frame.layout[keep])


def _moving(shown: list[tuple]) -> list[dict]:
    """What a replay step changes, per run (its frame, as_distance, its bins): the map's points and the
    histograms' heights."""
    out = []
    for f, as_dist, edges in shown:
        xy = f.layout.astype(np.float32)
        digits = _decimals(xy)
        out.append({"x": _xs(xy[:, 0], digits), "y": _xs(xy[:, 1], digits)})
        out += [{"y": t["y"]} for t in _histogram_traces(f, as_dist, edges=edges)]
    return out


def _still(col: int, cols: int, as_dist: bool, first_frame, edges, labels, class_names) -> list[dict]:
    """A run's replay traces as they stay from step to step: kinds, colours, axes, bins."""
    n, lab = col + 1, np.asarray(labels)
    axis = {"xaxis": f"x{n if n > 1 else ''}", "yaxis": f"y{n if n > 1 else ''}"}
    low = {"xaxis": f"x{cols + n}", "yaxis": f"y{cols + n}"}
    dots = {"type": "scatter", "mode": "markers", "marker": {"size": 5, "color": [_colour(c) for c in lab]},
            "hovertext": [str(class_names[c]) for c in lab], "hovertemplate": "%{hovertext}<extra></extra>",
            "showlegend": False, **axis}
    bars = [{**t, **low} for t in _histogram_traces(first_frame, as_dist, legend=col == 0, edges=edges)]
    return [dots, *bars]


def _legend(class_names) -> list[dict]:
    """The classes' key: one trace per class with no points."""
    return [{"type": "scatter", "mode": "markers", "x": [None], "y": [None], "name": str(name),
             "marker": {"size": 5, "color": _colour(c)}, "showlegend": True, "hoverinfo": "skip"}
            for c, name in enumerate(class_names)]


def _fix_axes(fig: go.Figure, runs) -> None:
    """Each column's axes hold all its frames, so nothing rescales while it plays."""
    for col, (_, frames, as_dist) in enumerate(runs, start=1):
        r = list(layout_range(frames))
        fig.update_xaxes(range=r, showticklabels=False, row=1, col=col)
        fig.update_yaxes(range=r, showticklabels=False, row=1, col=col)
        fig.update_xaxes(range=list(score_range(frames, as_dist)), title_text="distance" if as_dist else "p(same)",
                         row=2, col=col)


def _play_controls(step_labels: list[str], prefix: str, active: int = 0) -> dict:
    """A ▶ Play / ❚❚ Pause pair and a step slider at step `active`, both driving the figure's animation frames.
    ▶ resumes from a paused step; from the last step, or before any animation, it plays from the first."""
    jump = {"mode": "immediate", "frame": {"duration": 0, "redraw": True}}
    play = {"frame": {"duration": 150, "redraw": True}, "transition": {"duration": 100}, "fromcurrent": True}
    return {"updatemenus": [{"type": "buttons", "x": 0, "y": -0.14, "xanchor": "left", "yanchor": "top",
                             "direction": "left",
                             "buttons": [{"label": "▶ Play", "method": "animate", "args": [None, play]},
                                         {"label": "❚❚ Pause", "method": "animate",
                                          "args": [[None], {"mode": "immediate", "frame": {"duration": 0}}]}]}],
            "sliders": [{"active": active, "x": 0.16, "len": 0.84, "y": -0.1, "yanchor": "top",
                         "currentvalue": {"prefix": prefix, "xanchor": "right"},
                         "steps": [{"label": lab, "method": "animate", "args": [[str(k)], jump]}
                                   for k, lab in enumerate(step_labels)]}]}
