"""The atlas's figures, drawn once per server and shared read-only by every session.

Building a plotly figure (its validation) is what costs time on a slider move — a cell's replay takes
about half a second, the embedding-size page's seven-run replay two — while sending a finished figure
takes a few milliseconds. So each figure is made once, and a background thread makes all of them ahead
after the atlas loads (about a minute of one core), so that even a cell nobody has visited yet is instant.
Set SIAMESE_LAB_ATLAS_WARM=0 to skip the warm-up (tests)."""
from __future__ import annotations

import os
import threading

import plotly.graph_objects as go

from siamese_core.atlas.grid import Atlas
from siamese_core.viz import figures, sweep_figures
from siamese_core.viz.figures import TEMPLATE
from siamese_core.viz.frame_figures import replay_figure
from siamese_core.viz.frozen_figure import FrozenFigure

from .run_views import MAP_TITLES, chart_title

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


def for_cell(atlas: Atlas, key: tuple) -> dict[str, FrozenFigure]:
    """A cell's histogram, map and replay, as run_views and live_views draw them for a fresh run."""
    return {kind: cell_figure(atlas, key, kind) for kind in ("histogram", "map", "replay")}


def cell_figure(atlas: Atlas, key: tuple, kind: str) -> FrozenFigure:
    return _cached(atlas, kind, key, lambda: CELL_FIGURES[kind](atlas.cell(*key)))


def _histogram(r) -> go.Figure:
    return figures.distance_histogram(r.test_scores, r.test_same, threshold=r.metrics["threshold"],
                                      as_distance=not r.score_is_probability,
                                      title=chart_title(r.name, "matched vs mismatched test pairs"))


def _map(r) -> go.Figure:
    kind = "plane" if r.metrics.get("embedding_dim") == 2 else r.projection_kind
    hover = [f"test image #{i} · {r.class_names[c]}" for i, c in zip(r.projection_index, r.projection_labels)]
    return figures.tsne_scatter(r.projection, r.projection_labels, r.class_names,
                                title=chart_title(r.name, MAP_TITLES[kind]), hover=hover, numbered=kind == "plane")


def _replay(r) -> go.Figure:
    return replay_figure([(r.name, r.frames, not r.score_is_probability)], r.projection_labels, r.class_names)


CELL_FIGURES = {"histogram": _histogram, "map": _map, "replay": _replay}


def for_sizes(atlas: Atlas, loss: str, margin: float | None) -> dict[str, FrozenFigure]:
    """Scores versus embedding size and the replay of every size in lockstep."""
    def scores():
        reports = atlas.sizes(loss, margin)
        return sweep_figures.scores_versus_size([r.metrics["embedding_dim"] for r in reports],
                                                [r.metrics["accuracy"] for r in reports],
                                                [r.metrics["auc"] for r in reports])

    def replay():
        reports = atlas.sizes(loss, margin)
        runs = [(f"D={r.metrics['embedding_dim']}", r.frames, not r.score_is_probability) for r in reports]
        return replay_figure(runs, reports[0].projection_labels, reports[0].class_names)

    return {"scores": _cached(atlas, "scores", (loss, margin), scores),
            "replay": _cached(atlas, "sizes-replay", (loss, margin), replay)}


def grid(atlas: Atlas, loss: str, margin: float | None, dim: int) -> FrozenFigure:
    return _cached(atlas, "grid", (loss, margin, dim), lambda: _grid(atlas, loss, margin, dim))


def _grid(atlas: Atlas, loss: str, margin: float | None, dim: int) -> go.Figure:
    """Test accuracy of every cell of `loss`: a margin × size heatmap (or bars by size), this cell outlined."""
    g = atlas.grid(loss)
    xs = [str(d) for d in g["dims"]]
    if g["margins"]:
        z = [[atlas.cell(loss, m, d).metrics["accuracy"] for d in g["dims"]] for m in g["margins"]]
        ys = [f"{m:g}" for m in g["margins"]]
        fig = go.Figure(go.Heatmap(z=z, x=xs, y=ys, colorscale="Viridis", texttemplate="%{z:.3f}",
                                   colorbar={"title": "accuracy"}))
        x, y = xs.index(str(dim)), ys.index(f"{margin:g}")
        fig.add_shape(type="rect", x0=x - 0.5, x1=x + 0.5, y0=y - 0.5, y1=y + 0.5, line={"color": "red", "width": 3})
        fig.update_layout(yaxis_title="margin m", yaxis_type="category")
    else:
        acc = [atlas.cell(loss, None, d).metrics["accuracy"] for d in g["dims"]]
        fig = go.Figure(go.Bar(x=xs, y=acc, marker_color=["#e76f51" if x == str(dim) else "#2a9d8f" for x in xs],
                               text=[f"{a:.3f}" for a in acc]))
        fig.update_layout(yaxis_title="test accuracy", yaxis_range=[min(acc) - 0.05, min(1.0, max(acc) + 0.03)])
    fig.update_layout(template=TEMPLATE, title=f"Accuracy across the grid for {loss} (this run outlined)",
                      xaxis_title="embedding size D", xaxis_type="category", height=320)
    return fig


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
        for_cell(atlas, key)
        grid(atlas, *key)
    for loss in atlas.losses:
        for margin in atlas.grid(loss)["margins"] or [None]:
            for_sizes(atlas, loss, margin)
