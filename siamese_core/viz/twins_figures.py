"""Plotly figures of the Siamese-twins page: two embeddings side by side, the BCE curve, and the
classes inside each mini-batch. Same styling as `siamese_core.viz.figures`."""
from __future__ import annotations

import numpy as np
import plotly.graph_objects as go

from .figures import DIFF_COLOUR, SAME_COLOUR, TEMPLATE, _np

_MARGIN = {"l": 10, "r": 10, "t": 40, "b": 10}


def embedding_pair(h1, h2, title: str | None = None) -> go.Figure:
    """Both embeddings as grouped bars, one group per component."""
    a, b = _np(h1).astype(float), _np(h2).astype(float)
    if a.shape != b.shape:
        raise ValueError(f"h1 and h2 need the same length, got {a.size} and {b.size}")
    fig = go.Figure([go.Bar(y=a, name="h1", marker_color=SAME_COLOUR),
                     go.Bar(y=b, name="h2", marker_color=DIFF_COLOUR)])
    fig.update_layout(barmode="group", template=TEMPLATE, height=260, margin=_MARGIN,
                      title=title or f"Both embeddings ({len(a)}-d)")
    return fig


def bce_curve(p, loss_same, loss_different, you: tuple[float, float] | None = None) -> go.Figure:
    """L(p) for y = 1 and y = 0, and the learner's own (p, L) as a black dot."""
    fig = go.Figure([go.Scatter(x=_np(p), y=_np(loss_same), name="y = 1", line={"color": SAME_COLOUR}),
                     go.Scatter(x=_np(p), y=_np(loss_different), name="y = 0", line={"color": DIFF_COLOUR})])
    if you is not None:
        fig.add_trace(go.Scatter(x=[you[0]], y=[you[1]], mode="markers", marker={"size": 12, "color": "black"},
                                 name="you"))
    fig.update_layout(template=TEMPLATE, xaxis_title="p", yaxis_title="loss L", height=320,
                      margin={"l": 10, "r": 10, "t": 30, "b": 10})
    return fig


def batch_classes(mix, shuffled: bool) -> go.Figure:
    """(batches × classes) counts as a heatmap: one column per batch, one row per class."""
    m = np.asarray(mix)
    fig = go.Figure(go.Heatmap(z=m.T, colorscale="Blues",
                               hovertemplate="batch %{x}, class %{y}: %{z}<extra></extra>"))
    fig.update_layout(template=TEMPLATE, height=280, xaxis_title="batch", yaxis_title="class", margin=_MARGIN,
                      title=f"Classes in the first {len(m)} batches ({'shuffled' if shuffled else 'not shuffled'})")
    return fig
