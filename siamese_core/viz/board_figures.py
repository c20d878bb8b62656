"""The class board's figures: every shared run's result against one setting, and small multiples of the runs'
distance histograms and maps. They take board entries (siamese_core/service/class_board.py) as they come:
nicknames are what students typed, so they are HTML-escaped before Plotly renders them as hover or titles."""
from __future__ import annotations

import html
import math
from collections.abc import Sequence

import plotly.graph_objects as go
from plotly.subplots import make_subplots

from .figures import CLASS_COLOURS, DIFF_COLOUR, SAME_COLOUR, TEMPLATE
from .frozen_figure import FrozenFigure

_TEMPLATE = TEMPLATE.to_plotly_json()


def _text(value) -> str:
    return html.escape(str(value))


def class_scatter(entries: Sequence, x: str, x_label: str, metric: str, metric_label: str) -> FrozenFigure:
    """One point per run (that uses setting `x`): `metric` against it, coloured by loss, its nickname and
    settings on hover. A categorical setting (loss, miner) is an axis of names. Plain dicts, as all the board's
    figures here: a board redraws them whenever a run arrives, and plotly's validation took most of that."""
    by_loss: dict[str, list] = {}
    for e in entries:
        if e.settings.get(x) is not None and metric in e.metrics:
            by_loss.setdefault(str(e.settings.get("loss")), []).append(e)
    data = [{"type": "scatter", "mode": "markers", "name": _text(loss),
             "x": [e.settings[x] for e in runs], "y": [e.metrics[metric] for e in runs],
             "text": [f"{_text(e.nickname)}<br>{_text(e.summary)}" for e in runs],
             "hovertemplate": "%{text}<br>" + _text(metric_label) + " %{y:.3f}<extra></extra>",
             "marker": {"size": [10 + 3 * min(e.count - 1, 5) for e in runs], "opacity": 0.8,
                        "color": CLASS_COLOURS[k % len(CLASS_COLOURS)], "line": {"width": 1, "color": "white"}}}
            for k, (loss, runs) in enumerate(sorted(by_loss.items()))]
    layout = {"template": _TEMPLATE, "title": {"text": f"{metric_label} of every shared run against its {x_label}"},
              "xaxis": {"title": {"text": x_label}},
              "yaxis": {"title": {"text": metric_label}} | ({} if data else {"range": [0, 1]}),  # empty: its scale
              "legend": {"title": {"text": "loss"}}, "height": 420, "showlegend": True}
    return FrozenFigure({"data": data, "layout": layout})


def _grid(entries: Sequence, cols: int, title: str, height_per_row: int) -> dict:
    """A figure of one small cell per entry, `cols` a row, each titled with its nickname (as make_subplots lays
    them out, without its cost): the layout, with axes x1/y1 … xN/yN."""
    n = max(1, len(entries))
    cols = min(n, cols)
    rows = math.ceil(n / cols)
    gap_x, gap_y = 0.04, 0.5 / rows
    width, height = (1 - gap_x * (cols - 1)) / cols, (1 - gap_y * (rows - 1)) / rows
    layout = {"template": _TEMPLATE, "title": {"text": title}, "height": height_per_row * rows + 80,
              "margin": {"t": 90, "b": 20}, "annotations": []}
    for k, e in enumerate(entries):
        r, c = divmod(k, cols)
        x0, y1 = c * (width + gap_x), 1 - r * (height + gap_y)
        layout[f"xaxis{k + 1}"] = {"domain": [x0, x0 + width], "anchor": f"y{k + 1}", "showticklabels": False}
        layout[f"yaxis{k + 1}"] = {"domain": [y1 - height, y1], "anchor": f"x{k + 1}", "showticklabels": False}
        layout["annotations"].append({"text": _text(e.nickname), "x": x0 + width / 2, "y": y1, "xref": "paper",
                                      "yref": "paper", "xanchor": "center", "yanchor": "bottom", "showarrow": False,
                                      "font": {"size": 14}})
    return layout


def histogram_multiples(entries: Sequence, cols: int = 4) -> FrozenFigure:
    """Each run's matched (same) and mismatched (different) test-pair histogram, in the order given."""
    layout = _grid(entries, cols, "Distance of matched vs mismatched test pairs, newest run first", 170)
    layout |= {"barmode": "overlay", "bargap": 0}
    data = []
    for k, e in enumerate(entries):
        centres = ((e.hist_edges[:-1] + e.hist_edges[1:]) / 2).tolist()
        data += [{"type": "bar", "x": centres, "y": counts.tolist(), "name": name, "marker": {"color": colour},
                  "opacity": 0.6, "showlegend": k == 0, "legendgroup": name, "xaxis": f"x{k + 1}",
                  "yaxis": f"y{k + 1}", "hovertemplate": "%{y} pairs at %{x:.2f}<extra></extra>"}
                 for counts, name, colour in ((e.hist_same, "same (y = 1)", SAME_COLOUR),
                                              (e.hist_diff, "different (y = 0)", DIFF_COLOUR))]
    return FrozenFigure({"data": data, "layout": layout})


def map_multiples(entries: Sequence, cols: int = 4) -> FrozenFigure:
    """Each run's 2-D map of test images (at most a few hundred points), coloured by class."""
    layout = _grid(entries, cols, "Map of test images, newest run first", 170)
    data = [{"type": "scatter", "mode": "markers", "x": e.map_points[:, 0].astype(float).round(3).tolist(),
             "y": e.map_points[:, 1].astype(float).round(3).tolist(), "showlegend": False,
             "hovertemplate": _text(e.nickname) + "<extra></extra>",
             "xaxis": f"x{k + 1}", "yaxis": f"y{k + 1}",
             "marker": {"size": 3, "color": [CLASS_COLOURS[c % len(CLASS_COLOURS)] for c in e.map_labels.tolist()]}}
            for k, e in enumerate(entries)]
    return FrozenFigure({"data": data, "layout": layout})


def one_run(e) -> go.Figure:
    """One run enlarged: its histogram with its threshold, and its map beside it."""
    fig = make_subplots(rows=1, cols=2, subplot_titles=("matched vs mismatched test pairs", "map of test images"))
    centres = (e.hist_edges[:-1] + e.hist_edges[1:]) / 2
    for counts, name, colour in ((e.hist_same, "same (y = 1)", SAME_COLOUR), (e.hist_diff, "different (y = 0)",
                                                                                 DIFF_COLOUR)):
        fig.add_trace(go.Bar(x=centres, y=counts, name=name, marker_color=colour, opacity=0.6), row=1, col=1)
    fig.add_vline(x=e.threshold, line_dash="dash", annotation_text="threshold", row=1, col=1)
    pts = e.map_points.astype(float)
    for c in sorted(set(int(v) for v in e.map_labels)):
        m = e.map_labels == c
        fig.add_trace(go.Scatter(x=pts[m, 0], y=pts[m, 1], mode="markers", name=_text(e.class_names[c]),
                                 marker={"size": 5, "color": CLASS_COLOURS[c % len(CLASS_COLOURS)]}), row=1, col=2)
    fig.update_layout(barmode="overlay", bargap=0, template=TEMPLATE, height=380, title=_text(e.nickname))
    fig.update_xaxes(title_text="distance" if e.as_distance else "similarity", row=1, col=1)
    fig.update_xaxes(showticklabels=False, row=1, col=2)
    fig.update_yaxes(showticklabels=False, row=1, col=2)
    return fig
