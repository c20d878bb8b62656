"""How a run looks on a page: its numbers, curve, sample pairs, histogram, t-SNE and ROC."""
from __future__ import annotations

import numpy as np
import pandas as pd
import streamlit as st

from siamese_core.evaluation.metrics import roc
from siamese_core.service.experiment import RunReport
from siamese_core.training.objectives import loss_class, loss_names
from siamese_core.viz import figures
from siamese_core.viz.conv_figures import picture_grid

from . import live_views
from .shared import dataset


def metrics_row(report: RunReport) -> None:
    m = report.metrics
    c = st.columns(5)
    c[0].metric("test accuracy", f"{m['accuracy']:.3f}", help=f"{m.get('pairs', 'balanced')} balanced test pairs"
                + (" among the run's probe images" if report.frames else "") + ", threshold chosen on validation")
    c[1].metric("ROC AUC", f"{m['auc']:.3f}")
    c[2].metric("equal error rate", f"{m['eer']:.3f}")
    c[3].metric("threshold", f"{m['threshold']:.3f}" if report.score_is_probability
                else f"d ≤ {-m['threshold']:.3f}")
    if "train_seconds" in m:
        c[4].metric("training", f"{m['train_seconds']:.0f} s", help=training_help(m))
    if not report.shareable:
        st.warning(f"The server was so busy that this run trained only {m['train_seconds']:.0f} s of its "
                   f"{report.config.get('seconds') or 0:.0f}-s budget before it had to stop; its figures are "
                   "those of a barely trained network. Train it again when fewer runs are waiting.")


def training_help(m: dict) -> str:
    """What the training figure counts: steps, why it stopped, and CPU against wall-clock seconds."""
    text = f"{m.get('steps', '?')} steps, stopped by {m.get('stopped_because', '?')}"
    if m.get("budget_clock") == "cpu":
        text += (f"; seconds of its training thread's CPU time ({m.get('wall_seconds', 0):.0f} s on the clock): "
                 "a busy server trains a run as long as an idle one, only later")
    return text


def histogram(report: RunReport, key: str, threshold: float | None = None) -> None:
    as_distance = not report.score_is_probability
    st.plotly_chart(figures.distance_histogram(
        report.test_scores, report.test_same,
        threshold=report.metrics["threshold"] if threshold is None else threshold, as_distance=as_distance,
        title=chart_title(report.name, "matched vs mismatched test pairs")), width="stretch", key=key)


MAP_TITLES = {"plane": "the raw 2-D embedding plane", "tsne": "t-SNE of test embeddings",
              "pca": "test embeddings, aligned PCA"}


def chart_title(name: str, what: str) -> str:
    """A run's chart title: its name over what the chart shows, smaller. On one line the two were cut off in
    a column a half or a third of the page wide."""
    return f"{name}<br><span style='font-size:13px'>{what}</span>"


def projection(report: RunReport, key: str, axis_range: tuple[float, float] | None = None) -> None:
    """The run's test map; a raw 2-D plane with its coordinates, on `axis_range` when given (runs compared)."""
    kind = "plane" if report.metrics.get("embedding_dim") == 2 else report.projection_kind
    points = report.projection
    if kind == "pca" and live_views.tsne_of(report) is not None:  # asked for (live_views.tsne_button)
        kind, points = "tsne", live_views.tsne_of(report)
    st.plotly_chart(figures.tsne_scatter(
        points, report.projection_labels, report.class_names, title=chart_title(report.name, MAP_TITLES[kind]),
        hover=[f"test image #{i} · {report.class_names[c]}"
               for i, c in zip(report.projection_index, report.projection_labels)],
        numbered=kind == "plane", axis_range=axis_range), width="stretch", key=key)


def roc_chart(report: RunReport, key: str) -> None:
    fpr, tpr, _ = roc(report.test_scores, report.test_same)
    s, y, t = report.test_scores, report.test_same, report.metrics["threshold"]
    point = (float((s[~y] >= t).mean()), float((s[y] >= t).mean()))
    st.plotly_chart(figures.roc_figure(fpr, tpr, report.metrics["auc"], point), width="stretch", key=key)


def sample_pairs(report: RunReport, key: str) -> None:
    """Each example pair as two images side by side, titled with the truth, the score and the verdict:
    one picture in one figure (sixteen subplots, or images the browser loads apart, arrived last)."""
    cfg = report.config
    try:
        test = dataset(cfg["dataset"], "test", tuple(cfg["image_size"]) if cfg.get("image_size") else None)
    except Exception as exc:  # the data folder changed since the run: say so, keep the page
        st.warning(f"Sample pairs unavailable: {exc}")
        return
    images, titles = [], []
    for ex in report.examples:
        images += [_grey(test.rows(ex.i)), _grey(test.rows(ex.j))]
        value = f"p={ex.score:.2f}" if report.score_is_probability else f"d={-ex.score:.2f}"
        ok = "✓" if ex.predicted_same == ex.same else "✗"
        verdict = "same" if ex.predicted_same else "different"
        titles += [f"{'same' if ex.same else 'different'}: {value}", f"→ {verdict} {ok}"]
    if images:
        st.plotly_chart(picture_grid(images, titles, cols=4, title="Sample test pairs: truth, score and verdict",
                                 height_per_row=110), width="stretch", key=key)


def _grey(image) -> np.ndarray:
    """One 1×H×W image in [0, 1] as an H×W array."""
    return np.asarray(image, dtype=np.float32).reshape(np.shape(image)[-2:])


def full_report(report: RunReport, key: str) -> None:
    """The numbers, the test-pair histogram and map, the ROC and sample pairs first; then the training
    curve and the replay of its frames, the heaviest charts for a browser to draw."""
    metrics_row(report)
    left, right = st.columns(2)
    with left:
        histogram(report, f"{key}-hist")
    with right:
        projection(report, f"{key}-proj")
        live_views.tsne_button(report, f"{key}-proj")
    left, right = st.columns(2)
    with left:
        roc_chart(report, f"{key}-roc")
    with right:
        sample_pairs(report, f"{key}-pairs")
    if report.history:
        st.plotly_chart(figures.training_curves(report.history, report.val_history), width="stretch",
                        key=f"{key}-curve")
    if report.frames:
        st.markdown("**Watch it learn again**")
        live_views.replay([report], f"{key}-replay")


def runs_table(reports: list[RunReport]) -> pd.DataFrame:
    rows = []
    for r in reports:
        c, m = r.config, r.metrics
        rows.append({"run": r.name, "dataset": c.get("dataset"), "loss": c.get("loss"),
                     "margin": trained_margin(c), "embedding": m.get("embedding_dim"),
                     "distance": c.get("distance"), "accuracy": round(m["accuracy"], 4),
                     "AUC": round(m["auc"], 4), "EER": round(m["eer"], 4),
                     "train s": m.get("train_seconds")})
    return pd.DataFrame(rows)


def trained_margin(config: dict) -> float | None:
    """The margin a run trained with: its own, or its loss's default where it left the margin unset (the
    pretrained runs do); None for a loss without a margin."""
    loss = config.get("loss")
    if config.get("margin") is not None or loss not in loss_names() or not loss_class(loss).uses_margin:
        return config.get("margin")
    return loss_class(loss).default_margin
