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


def _text(value) -> str:
    return html.escape(str(value))


def class_scatter(entries: Sequence, x: str, x_label: str, metric: str, metric_label: str) -> go.Figure:
    """One point per run (that uses setting `x`): `metric` against it, coloured by loss, its nickname and
    settings on hover. A categorical setting (loss, miner) is an axis of names."""
    fig = go.Figure()
    by_loss: dict[str, list] = {}
    for e in entries:
        if e.settings.get(x) is not None and metric in e.metrics:
            by_loss.setdefault(str(e.settings.get("loss")), []).append(e)
    for k, (loss, runs) in enumerate(sorted(by_loss.items())):
        fig.add_trace(go.Scatter(
            x=[e.settings[x] for e in runs], y=[e.metrics[metric] for e in runs], mode="markers", name=_text(loss),
            text=[f"{_text(e.nickname)}<br>{_text(e.summary)}" for e in runs],
            hovertemplate="%{text}<br>" + _text(metric_label) + " %{y:.3f}<extra></extra>",
            marker={"size": [10 + 3 * min(e.count - 1, 5) for e in runs], "opacity": 0.8,
                    "color": CLASS_COLOURS[k % len(CLASS_COLOURS)], "line": {"width": 1, "color": "white"}}))
    fig.update_layout(title=f"{metric_label} of every shared run against its {x_label}", template=TEMPLATE,
                      xaxis_title=x_label, yaxis_title=metric_label, legend_title="loss", height=420,
                      showlegend=True)
    if not by_loss:  # empty axes, on the metric's own scale
        fig.update_yaxes(range=[0, 1])
    return fig


def _grid(n: int, cols: int) -> tuple[int, int]:
    return max(1, math.ceil(n / cols)), min(max(n, 1), cols)


def histogram_multiples(entries: Sequence, cols: int = 4) -> go.Figure:
    """Each run's matched (same) and mismatched (different) test-pair histogram, in the order given."""
    rows, cols = _grid(len(entries), cols)
    fig = make_subplots(rows=rows, cols=cols, subplot_titles=[_text(e.nickname) for e in entries],
                        vertical_spacing=0.5 / rows, horizontal_spacing=0.04)
    for k, e in enumerate(entries):
        centres = (e.hist_edges[:-1] + e.hist_edges[1:]) / 2
        for counts, name, colour in ((e.hist_same, "same (y = 1)", SAME_COLOUR),
                                     (e.hist_diff, "different (y = 0)", DIFF_COLOUR)):
            fig.add_trace(go.Bar(x=centres, y=counts, name=name, marker_color=colour, opacity=0.6, showlegend=k == 0,
                                 legendgroup=name, hovertemplate="%{y} pairs at %{x:.2f}<extra></extra>"),
                          row=k // cols + 1, col=k % cols + 1)
    fig.update_layout(barmode="overlay", bargap=0, template=TEMPLATE, height=170 * rows + 80,
                      title="Distance of matched vs mismatched test pairs, newest run first",
                      margin={"t": 90, "b": 20})
    fig.update_yaxes(showticklabels=False)
    return fig


def map_multiples(entries: Sequence, cols: int = 4) -> go.Figure:
    """Each run's 2-D map of test images (at most a few hundred points), coloured by class."""
    rows, cols = _grid(len(entries), cols)
    fig = make_subplots(rows=rows, cols=cols, subplot_titles=[_text(e.nickname) for e in entries],
                        vertical_spacing=0.5 / rows, horizontal_spacing=0.04)
    for k, e in enumerate(entries):
        pts = e.map_points.astype(float)
        fig.add_trace(go.Scatter(
            x=pts[:, 0], y=pts[:, 1], mode="markers", showlegend=False, hoverinfo="skip",
            marker={"size": 3, "color": [CLASS_COLOURS[c % len(CLASS_COLOURS)] for c in e.map_labels]}),
            row=k // cols + 1, col=k % cols + 1)
    fig.update_layout(template=TEMPLATE, height=170 * rows + 60, title="Map of test images, newest run first",
                      margin={"t": 80, "b": 20})
    fig.update_xaxes(showticklabels=False)
    fig.update_yaxes(showticklabels=False)
    return fig


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
