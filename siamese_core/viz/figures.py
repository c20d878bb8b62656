"""Plotly figure builders. They return figures and never show them: pages and scripts decide."""
from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import plotly.graph_objects as go
import plotly.io as pio
import torch
from plotly.subplots import make_subplots

SAME_COLOUR, DIFF_COLOUR = "#2a9d8f", "#e76f51"
# The class colours of every map: Petroff's ten ("Accessible Color Sequences for Data Visualization", 2021),
# whose pairs stay apart under simulated protanopia, deuteranopia and tritanopia (tests/viz/test_class_colours.py).
CLASS_COLOURS = ["#3f90da", "#ffa90e", "#bd1f01", "#94a4a2", "#832db6", "#a96b59", "#e76300", "#b9ac70", "#717581",
                 "#92dadd"]
# plotly_white's layout without its defaults for every trace type (each trace here sets its own colours):
# a figure then builds in about 60 % of the time and sends 6 KB less, on every rerun of every page.
TEMPLATE = go.layout.Template(layout=pio.templates["plotly_white"].layout)


def _np(x) -> np.ndarray:
    return x.detach().cpu().numpy() if isinstance(x, torch.Tensor) else np.asarray(x)


def square_range(point_sets) -> tuple[float, float]:
    """One axis range, the same for x and y, that holds every point of every N×2 array in `point_sets`."""
    m = max(float(np.abs(_np(p).astype(np.float32)).max(initial=0.0)) for p in point_sets)
    return (-1.05 * m, 1.05 * m) if m > 0 else (-1.0, 1.0)


def tsne_scatter(points, labels, class_names: Sequence[str] | None = None, title: str = "t-SNE of embeddings",
                 hover: Sequence[str] | None = None, numbered: bool = False,
                 axis_range: tuple[float, float] | None = None) -> go.Figure:
    """One trace per class so the legend toggles classes; hover shows the image index and class. `numbered`:
    the axes show their numbers (a raw 2-D plane's coordinates mean something; a t-SNE's do not);
    `axis_range`: both axes span it, so several maps drawn on it compare by eye."""
    pts, lab = _np(points), _np(labels).astype(int)
    names = class_names or [str(c) for c in range(lab.max() + 1)]
    idx = np.arange(len(lab))
    fig = go.Figure()
    for c in np.unique(lab):
        m = lab == c
        text = [hover[i] for i in idx[m]] if hover is not None else [f"#{i} · {names[c]}" for i in idx[m]]
        fig.add_trace(go.Scatter(x=pts[m, 0], y=pts[m, 1], mode="markers", name=str(names[c]),
                                   text=text, hovertemplate="%{text}<extra></extra>",
                                   marker={"size": 5, "color": CLASS_COLOURS[c % len(CLASS_COLOURS)]}))
    axis = {"showticklabels": numbered, "range": list(axis_range) if axis_range else None}
    fig.update_layout(title=title, template=TEMPLATE, xaxis=axis, yaxis={**axis, "scaleanchor": "x"},
                      legend_title="class")
    return fig


def distance_histogram(scores, same, threshold: float | None = None, as_distance: bool = True,
                       title: str = "Matched vs mismatched pairs", mark: float | None = None,
                       mark_text: str = "your pair") -> go.Figure:
    """Overlaid histograms of same-class and different-class pairs. Scores are similarities; with
    as_distance the x-axis shows distance = −score, as the course plots it. `mark` (a score) draws
    one pair's place as a solid line."""
    s, y = _np(scores).astype(float), _np(same).astype(bool)
    sign = -1.0 if as_distance else 1.0
    fig = go.Figure()
    fig.add_trace(go.Histogram(x=sign * s[y], name="same (y = 1)", marker_color=SAME_COLOUR, opacity=0.6))
    fig.add_trace(go.Histogram(x=sign * s[~y], name="different (y = 0)", marker_color=DIFF_COLOUR, opacity=0.6))
    if threshold is not None:
        fig.add_vline(x=sign * threshold, line_dash="dash", annotation_text="threshold")
    if mark is not None:
        fig.add_vline(x=sign * mark, line_color="#264653", line_width=3, annotation_text=mark_text,
                      annotation_position="bottom right")
    fig.update_layout(barmode="overlay", title=title, template=TEMPLATE,
                      xaxis_title="distance" if as_distance else "similarity", yaxis_title="pairs")
    return fig


def roc_figure(fpr, tpr, auc: float | None = None, point: tuple[float, float] | None = None) -> go.Figure:
    fig = go.Figure()
    fig.add_trace(go.Scatter(x=_np(fpr), y=_np(tpr), mode="lines",
                             name=f"ROC (AUC {auc:.3f})" if auc is not None else "ROC"))
    fig.add_trace(go.Scatter(x=[0, 1], y=[0, 1], mode="lines", name="chance", line={"dash": "dot", "color": "grey"}))
    if point is not None:
        fig.add_trace(go.Scatter(x=[point[0]], y=[point[1]], mode="markers", name="threshold",
                                 marker={"size": 11, "symbol": "x"}))
    fig.update_layout(title="ROC curve", template=TEMPLATE, xaxis_title="false-accept rate",
                      yaxis_title="true-accept rate", xaxis={"range": [0, 1]}, yaxis={"range": [0, 1.02]})
    return fig


def training_curves(history: Sequence[dict], val_history: Sequence[dict] = (), smooth: int = 10) -> go.Figure:
    """Loss per step (raw and a running mean) and validation accuracy per epoch on a second axis."""
    fig = make_subplots(specs=[[{"secondary_y": True}]])
    if history:
        steps = np.array([h["step"] for h in history])
        loss = np.array([h["loss"] for h in history], float)
        fig.add_trace(go.Scatter(x=steps, y=loss, mode="lines", name="loss", opacity=0.3,
                                 line={"color": "#264653"}), secondary_y=False)
        if len(loss) >= smooth > 1:
            run = np.convolve(loss, np.ones(smooth) / smooth, mode="valid")
            fig.add_trace(go.Scatter(x=steps[smooth - 1:], y=run, mode="lines", name=f"loss (mean of {smooth})",
                                     line={"color": "#264653"}), secondary_y=False)
    if val_history:
        fig.add_trace(go.Scatter(x=[v["step"] for v in val_history], y=[v["val_accuracy"] for v in val_history],
                                 mode="lines+markers", name="validation accuracy", line={"color": SAME_COLOUR}),
                      secondary_y=True)
    fig.update_layout(title="Training", template=TEMPLATE, xaxis_title="step")
    fig.update_yaxes(title_text="loss", secondary_y=False)
    fig.update_yaxes(title_text="accuracy", secondary_y=True, range=[0, 1])
    return fig


def image_grid(images, titles: Sequence[str] | None = None, cols: int = 8, title: str | None = None) -> go.Figure:
    """N×1×H×W images in [0, 1] as a grid of grey heatmaps with optional titles."""
    imgs = _np(images)
    n = len(imgs)
    if n == 0:
        raise ValueError("no images to show")
    cols = max(1, min(cols, n))
    rows = (n + cols - 1) // cols
    fig = make_subplots(rows=rows, cols=cols, subplot_titles=list(titles) if titles else None,
                        horizontal_spacing=0.01, vertical_spacing=0.06 if titles else 0.01)
    for k in range(n):
        fig.add_trace(go.Heatmap(z=imgs[k, 0][::-1], colorscale="gray", zmin=0, zmax=1, showscale=False,
                                 hoverinfo="skip"), row=k // cols + 1, col=k % cols + 1)
    fig.update_xaxes(visible=False, constrain="domain")
    fig.update_yaxes(visible=False)
    for k in range(n):  # square pixels: each subplot's y-axis anchored to its own x-axis
        fig.update_yaxes(scaleanchor=f"x{k + 1 if k else ''}", row=k // cols + 1, col=k % cols + 1)
    fig.update_annotations(font_size=11)  # subplot titles: small enough not to run into their neighbours
    fig.update_layout(title=title, template=TEMPLATE, height=max(160, 110 * rows + 60),
                      margin={"l": 10, "r": 10, "t": 50 if title else 20, "b": 10})
    return fig


def oneshot_scores(probabilities, decision: int, answer: int | None, labels: Sequence[str] | None = None,
                   title: str = "How alike is the query to each support image?") -> go.Figure:
    """One bar per support image. The network's choice is coloured SAME (right) or DIFF (wrong), the
    others grey; the true class (when known) is outlined."""
    p = _np(probabilities).astype(float)
    names = list(labels) if labels is not None else [str(i + 1) for i in range(len(p))]
    right = answer is None or decision == answer
    colours = ["#c9c9c9"] * len(p)
    colours[decision] = SAME_COLOUR if right else DIFF_COLOUR
    widths = [3 if (answer is not None and i == answer) else 0 for i in range(len(p))]
    fig = go.Figure(go.Bar(x=names, y=p, marker={"color": colours, "line": {"color": "#264653", "width": widths}},
                           hovertemplate="support %{x}: %{y:.3f}<extra></extra>"))
    fig.update_layout(title=title, template=TEMPLATE, xaxis_title="support image", yaxis_title="score",
                      xaxis={"type": "category"}, showlegend=False, height=320)
    return fig


def accuracy_versus_n(rows: Sequence[dict], paper: dict | None = None, official: float | None = None,
                      title: str = "N-way one-shot accuracy versus N") -> go.Figure:
    """Model and 1-NN-on-pixels accuracy for each N, chance 1/N, the published 20-way anchors and
    (`official`) the model's own accuracy on the official 20-way runs."""
    n = [r["n_way"] for r in rows]
    fig = go.Figure()
    fig.add_trace(go.Scatter(x=n, y=[r["accuracy"] for r in rows], mode="lines+markers", name="Siamese net (ours)",
                             line={"color": SAME_COLOUR}))
    fig.add_trace(go.Scatter(x=n, y=[r["pixel_1nn_accuracy"] for r in rows], mode="lines+markers",
                             name="1-NN on pixels", line={"color": DIFF_COLOUR}))
    fig.add_trace(go.Scatter(x=n, y=[1 / k for k in n], mode="lines", name="chance 1/N",
                             line={"dash": "dot", "color": "grey"}))
    for key, label, symbol in (("official_runs_accuracy", "Koch et al. (20-way)", "diamond"),
                               ("human", "humans (20-way)", "star"), ("hbpl", "HBPL (20-way)", "square")):
        if paper and key in paper:
            fig.add_trace(go.Scatter(x=[20], y=[paper[key]], mode="markers", name=label,
                                     marker={"size": 11, "symbol": symbol}))
    if official is not None:
        fig.add_trace(go.Scatter(x=[20], y=[official], mode="markers", name="ours, official 20 runs",
                                 marker={"size": 12, "symbol": "circle-open", "color": SAME_COLOUR}))
    fig.update_layout(title=title, template=TEMPLATE, xaxis_title="N (ways)", yaxis_title="accuracy",
                      yaxis={"range": [0, 1.02], "tickformat": ".0%"})
    return fig
