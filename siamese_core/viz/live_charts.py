"""The live charts of a training (its map, its histograms, its curve) as Vega-Lite: a spec that stays the
same for the whole run and a table that changes with every frame.

A page redraws these every second while a run trains. A chart whose spec and key stay the same is updated in
place by the browser (only the table is sent, the chart keeps its canvas); a Plotly chart in the same place is
mounted anew at every change (measured in headless Chromium: 1 mount against 21 in 10 s of updates), which
flashes blank and costs the browser most of its time. The finished run's report keeps its Plotly figures."""
from __future__ import annotations

from collections.abc import Sequence
from typing import NamedTuple

import numpy as np
import pandas as pd

from .figures import DIFF_COLOUR, SAME_COLOUR
from .frame_figures import PALETTE

LOSS_COLOUR = "#264653"
SAME, DIFF, THRESHOLD = "same (y = 1)", "different (y = 0)", "best threshold"


def title_spec(text: str) -> dict:
    return {"text": text, "anchor": "start", "fontSize": 14}


def map_chart(frame, labels, class_names: Sequence[str], raw_plane: bool = False, title: str | None = None,
              height: int = 330, legend: bool = True) -> tuple[pd.DataFrame, dict]:
    """The frame's 2-D map of the probe images, one colour per class (the colours of every other map)."""
    return points_chart(frame.layout, labels, class_names, raw_plane, title, height, legend)


def points_chart(xy: np.ndarray, labels, class_names: Sequence[str], raw_plane: bool = False, title: str | None = None,
                 height: int = 330, legend: bool = True, ids: Sequence[int] | None = None) -> tuple[pd.DataFrame, dict]:
    """Points of a 2-D map, one colour per class; `ids`: each point's test image number, shown on hover."""
    xy = np.asarray(xy, dtype=np.float32)
    names = [str(n) for n in class_names]
    table = pd.DataFrame({"x": xy[:, 0], "y": xy[:, 1], "class": [names[c] for c in np.asarray(labels)]})
    tooltip = [{"field": "class", "type": "nominal"}]
    if ids is not None:
        table["test image"] = np.asarray(ids)
        tooltip.append({"field": "test image", "type": "quantitative"})
    axis = {"title": None, "labels": raw_plane, "ticks": raw_plane, "grid": True}
    spec = {"title": title_spec(title if title is not None else map_what(raw_plane)), "height": height,
            "mark": {"type": "circle", "size": 22, "opacity": 0.85},
            "encoding": {"x": {"field": "x", "type": "quantitative", "axis": axis, "scale": {"zero": False}},
                         "y": {"field": "y", "type": "quantitative", "axis": axis, "scale": {"zero": False}},
                         "color": {"field": "class", "type": "nominal",
                                   "scale": {"domain": names, "range": [PALETTE[c % len(PALETTE)]
                                                                        for c in range(len(names))]},
                                   "legend": {"title": "class"} if legend else None},
                         "tooltip": tooltip}}
    return table, spec


def map_what(raw_plane: bool, dim: int | None = None) -> str:
    """What a live map shows: the 2-D embedding itself, or an aligned PCA of a longer one."""
    if raw_plane:
        return "the raw 2-D embedding plane"
    return f"aligned PCA of the {dim}-D embedding" if dim else "probe embeddings, aligned PCA"


def histogram_chart(frame, as_distance: bool = True, title: str = "Probe pairs now", height: int = 330,
                    legend: bool = True) -> tuple[pd.DataFrame, dict]:
    """The frame's matched and mismatched score histograms, overlaid, and its best threshold as a rule."""
    sign = -1.0 if as_distance else 1.0
    lo, hi = sign * frame.edges[:-1], sign * frame.edges[1:]
    rows = [pd.DataFrame({"lo": lo, "hi": hi, "pairs": counts.astype(int), "kind": kind})
            for counts, kind in ((frame.same_counts, SAME), (frame.diff_counts, DIFF))]
    rule = pd.DataFrame({"lo": [sign * frame.threshold], "hi": [sign * frame.threshold], "pairs": [0],
                         "kind": [THRESHOLD]})
    table = pd.concat([*rows, rule], ignore_index=True)
    x_title = "distance" if as_distance else "p(same)"
    bars = {"transform": [{"filter": f"datum.kind != '{THRESHOLD}'"}],
            "mark": {"type": "bar", "opacity": 0.6, "binSpacing": 0},
            "encoding": {"x": {"field": "lo", "type": "quantitative", "title": x_title}, "x2": {"field": "hi"},
                         "y": {"field": "pairs", "type": "quantitative", "stack": None, "title": "pairs"},
                         "y2": {"datum": 0},
                         "color": {"field": "kind", "type": "nominal",
                                   "scale": {"domain": [SAME, DIFF], "range": [SAME_COLOUR, DIFF_COLOUR]},
                                   "legend": {"title": None} if legend else None}}}
    threshold = {"transform": [{"filter": f"datum.kind == '{THRESHOLD}'"}],
                 "mark": {"type": "rule", "strokeDash": [6, 4], "color": "#444"},
                 "encoding": {"x": {"field": "lo", "type": "quantitative"}}}
    return table, {"title": title_spec(title), "height": height, "layer": [bars, threshold]}


class Binned(NamedTuple):
    """Scores binned as a live frame's are, so `histogram_chart` draws a finished run's test pairs too."""
    edges: np.ndarray
    same_counts: np.ndarray
    diff_counts: np.ndarray
    threshold: float


def binned(scores: np.ndarray, same: np.ndarray, threshold: float, bins: int = 40) -> Binned:
    scores, same = np.asarray(scores, dtype=np.float64), np.asarray(same, dtype=bool)
    edges = np.histogram_bin_edges(scores, bins)
    return Binned(edges, np.histogram(scores[same], edges)[0], np.histogram(scores[~same], edges)[0], float(threshold))


def curve_chart(history: Sequence[dict], val_history: Sequence[dict] = (), smooth: int = 10, height: int = 300,
                title: str = "Training") -> tuple[pd.DataFrame, dict]:
    """Loss per step (raw, and a running mean) and validation accuracy on a second axis."""
    steps = np.array([h["step"] for h in history], dtype=np.int64)
    loss = np.array([h["loss"] for h in history], dtype=np.float64)
    parts = [pd.DataFrame({"step": steps, "value": loss, "series": "loss"})]
    if len(loss) >= smooth > 1:
        mean = np.convolve(loss, np.ones(smooth) / smooth, mode="valid")
        parts.append(pd.DataFrame({"step": steps[smooth - 1:], "value": mean, "series": f"loss (mean of {smooth})"}))
    if val_history:
        parts.append(pd.DataFrame({"step": [v["step"] for v in val_history],
                                   "value": [v["val_accuracy"] for v in val_history], "series": "validation accuracy"}))
    table = pd.concat(parts, ignore_index=True)
    colour = {"field": "series", "type": "nominal", "legend": {"title": None, "orient": "bottom"},
              "scale": {"domain": ["loss", f"loss (mean of {smooth})", "validation accuracy"],
                        "range": ["#9fb3ba", LOSS_COLOUR, SAME_COLOUR]}}
    x = {"field": "step", "type": "quantitative", "title": "step"}
    losses = {"transform": [{"filter": "datum.series != 'validation accuracy'"}], "mark": {"type": "line"},
              "encoding": {"x": x, "y": {"field": "value", "type": "quantitative", "title": "loss"}, "color": colour}}
    accuracy = {"transform": [{"filter": "datum.series == 'validation accuracy'"}],
                "mark": {"type": "line", "point": True},
                "encoding": {"x": x, "y": {"field": "value", "type": "quantitative", "title": "accuracy",
                                           "scale": {"domain": [0, 1]}, "axis": {"orient": "right"}},
                             "color": colour}}
    # No accuracy layer before the first validation point: an empty layer of points is a nameless
    # graphics-symbol to a screen reader (axe: svg-img-alt).
    layers = [losses, accuracy] if val_history else [losses]
    return table, {"title": title_spec(title), "height": height, "layer": layers,
                   "resolve": {"scale": {"y": "independent"}}}
