"""Plotly figures of the sweep pages: scores versus embedding size, training speed, and the
statistics a triplet miner records per step. Same styling as `siamese_core.viz.figures`."""
from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from .figures import TEMPLATE

PALETTE = ["#264653", "#2a9d8f", "#e9c46a", "#e76f51"]
# (statistic, panel, dash, in the legend): d(a,n) shares the d(a,p) panel, dashed.
MINER_PANELS = (("active_fraction", 1, None, True), ("mean_pos_distance", 2, None, False),
                ("mean_neg_distance", 2, "dash", False), ("embedding_spread", 3, None, False))


def scores_versus_size(dims: Sequence[int], accuracy: Sequence[float], auc: Sequence[float]) -> go.Figure:
    """Test accuracy and ROC AUC against the embedding size D (log axis)."""
    fig = go.Figure()
    fig.add_trace(go.Scatter(x=list(dims), y=list(accuracy), mode="lines+markers", name="test accuracy"))
    fig.add_trace(go.Scatter(x=list(dims), y=list(auc), mode="lines+markers", name="ROC AUC"))
    # Ticks at the swept sizes: a log axis's own ticks read "2, 5, 10, 2, 5, 100".
    fig.update_layout(template=TEMPLATE, title="Verification versus embedding size", xaxis_title="embedding size D",
                      xaxis={"type": "log", "tickvals": list(dims), "ticktext": [str(d) for d in dims]},
                      yaxis_title="score")
    return fig


def steps_per_second(dims: Sequence[int], steps: Sequence[float], seconds: Sequence[float]) -> go.Figure:
    """One bar per size: training steps per second of training time."""
    rate = np.asarray(steps, dtype=float) / np.maximum(np.asarray(seconds, dtype=float), 1e-9)
    fig = go.Figure(go.Bar(x=[str(d) for d in dims], y=rate, marker_color=PALETTE[0]))
    fig.update_layout(template=TEMPLATE, title="Training speed (steps per second)", xaxis_title="embedding size D",
                      yaxis_title="steps / s")
    return fig


def miner_statistics(curves: Mapping[str, Mapping[str, tuple[Sequence, Sequence]]]) -> go.Figure:
    """Three panels per run name: active-triplet fraction, mean d(a,p) with d(a,n) dashed, embedding spread.
    `curves[run][statistic]` = (steps, values), as `explain.diagnostics.miner_curves` gives them."""
    fig = make_subplots(rows=1, cols=3, subplot_titles=("active triplets (loss > 0)", "mean d(a,p) — and d(a,n) dashed",
                                                        "embedding spread (0 = collapsed)"))
    for k, (name, stats) in enumerate(curves.items()):
        colour = PALETTE[k % len(PALETTE)]
        for stat, col, dash, legend in MINER_PANELS:
            x, y = stats.get(stat, ([], []))
            fig.add_trace(go.Scatter(x=list(x), y=list(y), mode="lines", name=name, legendgroup=name,
                                     showlegend=legend, line={"color": colour, "dash": dash}), row=1, col=col)
    # A fraction on its own scale: autoscaled, a dip from 1 to 0.99996 was drawn as a full-height spike.
    fig.update_yaxes(range=[0, 1.05], tickformat=".0%", row=1, col=1)
    fig.update_layout(template=TEMPLATE, height=380, xaxis2_title="step")
    return fig
