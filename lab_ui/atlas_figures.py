"""The atlas's charts.

The replays are Plotly figures, drawn once per server and shared read-only by every session: building one (its
validation) takes about half a second for a cell and two for the embedding-size page's every-size replay, while
sending a finished one takes a few milliseconds. A background thread makes all of them ahead after the atlas
loads, so that even a cell nobody has visited yet is instant. Set SIAMESE_LAB_ATLAS_WARM=0 to skip the warm-up
(tests). The other charts are Vega-Lite tables and specs, cheap to make at each move (see below)."""
from __future__ import annotations

import os
import threading

import pandas as pd
import plotly.graph_objects as go

from siamese_core.atlas.grid import Atlas
from siamese_core.viz.frame_figures import replay_figure
from siamese_core.viz.frozen_figure import FrozenFigure
from siamese_core.viz.live_charts import binned, histogram_chart, points_chart, title_spec

from .run_views import MAP_TITLES

_FIGURES: dict[str, dict] = {}      # atlas folder → {(kind, key): go.Figure}
_WARMING: set[str] = set()
_LOCK = threading.Lock()


def _cached(atlas: Atlas, kind: str, key: tuple, make) -> FrozenFigure:
    store = _FIGURES.setdefault(str(atlas.root), {})
    fig = store.get((kind, key))
    if fig is None:
        made = make()  # two threads may both make it: the same figure
        fig = store[(kind, key)] = made if isinstance(made, FrozenFigure) else FrozenFigure(made)
    return fig


def replay(atlas: Atlas, key: tuple) -> FrozenFigure:
    """A cell's replay: the one Plotly figure of a cell (its frames and ▶ Play need Plotly's animation)."""
    return _cached(atlas, "replay", key, lambda: _replay(atlas.cell(*key)))


def _replay(r) -> go.Figure:
    return replay_figure([(r.name, r.frames, not r.score_is_probability)], r.projection_labels, r.class_names)


# The charts below are Vega-Lite (table, spec) pairs whose spec stays the same from cell to cell (the cell's name is
# the page's heading, not the charts' titles): a slider move sends only the tables and the browser updates the
# charts it has in place, where Plotly lays out and draws a chart again in full whenever its data change: most of
# a move's time in the browser (docs/benchmarks.md, Atlas sliders in the browser).

def histogram(r, height: int = 330) -> tuple:
    """The cell's test pairs: matched against mismatched scores, and the threshold chosen on validation."""
    as_distance = not r.score_is_probability
    return histogram_chart(binned(r.test_scores, r.test_same, r.metrics["threshold"]), as_distance,
                           title="matched vs mismatched test pairs", height=height)


def map_kind(r) -> str:
    return "plane" if r.metrics.get("embedding_dim") == 2 else r.projection_kind


def projection(r, title: str | None = None, height: int = 330, legend: bool = True) -> tuple:
    """The cell's map of test embeddings (the raw plane when D = 2), each point's test image number on hover."""
    kind = map_kind(r)
    return points_chart(r.projection, r.projection_labels, r.class_names, raw_plane=kind == "plane",
                        title=MAP_TITLES[kind] if title is None else title, height=height, legend=legend,
                        ids=r.projection_index)


def grid(atlas: Atlas, loss: str, margin: float | None, dim: int) -> tuple:
    """Test accuracy of every cell of `loss`: a margin × size heatmap (or bars by size), this cell outlined."""
    g = atlas.grid(loss)
    sizes = [str(d) for d in g["dims"]]
    x = {"field": "D", "type": "ordinal", "sort": sizes, "title": "embedding size D", "axis": {"labelAngle": 0}}
    if g["margins"]:
        rows = [{"m": f"{m:g}", "D": str(d), "accuracy": atlas.cell(loss, m, d).metrics["accuracy"],
                 "this": m == margin and d == dim} for m in g["margins"] for d in g["dims"]]
        middle = (min(r["accuracy"] for r in rows) + max(r["accuracy"] for r in rows)) / 2  # dark text on light
        y = {"field": "m", "type": "ordinal", "sort": [f"{m:g}" for m in reversed(g["margins"])], "title": "margin m"}
        layers = [{"mark": "rect", "encoding": {"color": {"field": "accuracy", "type": "quantitative",
                                                          "scale": {"scheme": "viridis"}, "title": "accuracy"}}},
                  {"mark": {"type": "text"}, "encoding": {
                      "text": {"field": "accuracy", "type": "quantitative", "format": ".3f"},
                      "color": {"condition": {"test": f"datum.accuracy > {middle}", "value": "black"},
                                "value": "white"}}},
                  {"transform": [{"filter": "datum.this"}],
                   "mark": {"type": "rect", "filled": False, "stroke": "red", "strokeWidth": 3}}]
    else:
        rows = [{"D": str(d), "accuracy": atlas.cell(loss, None, d).metrics["accuracy"], "this": d == dim}
                for d in g["dims"]]
        acc = [row["accuracy"] for row in rows]
        y = {"field": "accuracy", "type": "quantitative", "title": "test accuracy",
             "scale": {"domain": [min(acc) - 0.05, min(1.0, max(acc) + 0.03)]}}
        layers = [{"mark": {"type": "bar", "clip": True}, "encoding": {"color": {
                      "condition": {"test": "datum.this", "value": "#e76f51"}, "value": "#2a9d8f"}}},
                  {"mark": {"type": "text", "dy": -8}, "encoding": {
                      "text": {"field": "accuracy", "type": "quantitative", "format": ".3f"}}}]
    title = title_spec(f"Accuracy across the grid for {loss} (this run outlined)")
    return pd.DataFrame(rows), {"title": title, "height": 260, "encoding": {"x": x, "y": y}, "layer": layers}


# The every-size replay draws five maps and sends every step of each: with a cell's 500 points and 17 steps it was
# 1 MB, and a margin move waited 0.4 s for the browser to draw it. 150 points (15 of each class) at 9 steps make
# 0.18 MB and 0.25 s (docs/benchmarks.md, Atlas sliders in the browser); a map 150 px wide shows no more anyway.
SIZES_REPLAY_POINTS, SIZES_REPLAY_STEPS = 150, 9


def sizes_replay(atlas: Atlas, loss: str, margin: float | None) -> FrozenFigure:
    """The replay of every stored size of (loss, margin), in lockstep."""
    def make():
        reports = atlas.sizes(loss, margin)
        runs = [(f"D={r.metrics['embedding_dim']}", r.frames, not r.score_is_probability) for r in reports]
        return replay_figure(runs, reports[0].projection_labels, reports[0].class_names,
                             max_frames=SIZES_REPLAY_STEPS, max_points=SIZES_REPLAY_POINTS)
    return _cached(atlas, "sizes-replay", (loss, margin), make)


def scores(atlas: Atlas, loss: str, margin: float | None) -> tuple:
    """Test accuracy and ROC AUC against the embedding size D (log axis, ticks at the stored sizes)."""
    reports = atlas.sizes(loss, margin)
    dims = [r.metrics["embedding_dim"] for r in reports]
    table = pd.DataFrame([{"D": r.metrics["embedding_dim"], "score": r.metrics[k], "series": name}
                          for name, k in (("test accuracy", "accuracy"), ("ROC AUC", "auc")) for r in reports])
    spec = {"title": title_spec("Verification versus embedding size"),
            "height": 300, "mark": {"type": "line", "point": True},
            "encoding": {"x": {"field": "D", "type": "quantitative", "title": "embedding size D",
                               "scale": {"type": "log"}, "axis": {"values": dims, "format": "d"}},
                         "y": {"field": "score", "type": "quantitative", "title": "score", "scale": {"zero": False}},
                         "color": {"field": "series", "type": "nominal", "legend": {"title": None, "orient": "bottom"},
                                   "scale": {"domain": ["test accuracy", "ROC AUC"], "range": ["#2a9d8f", "#e76f51"]}}}}
    return table, spec


def warm_up(atlas: Atlas) -> None:
    """Start (once per atlas) a background thread that makes every cell's figures, the default cells first."""
    if os.environ.get("SIAMESE_LAB_ATLAS_WARM", "1") == "0":
        return
    with _LOCK:
        if str(atlas.root) in _WARMING:
            return
        _WARMING.add(str(atlas.root))
    threading.Thread(target=_warm, args=(atlas,), name="atlas-figures", daemon=True).start()


def _warm(atlas: Atlas) -> None:
    keys = sorted(atlas.reports, key=lambda k: (k[2] != 32, k))  # the pages' default size first
    for key in keys:
        replay(atlas, key)
    for loss in atlas.losses:
        for margin in atlas.grid(loss)["margins"] or [None]:
            sizes_replay(atlas, loss, margin)
