"""Convolution & pooling: slide a kernel over an image, multiply and sum, then shrink with pooling."""
from dataclasses import astuple

import numpy as np
import pandas as pd
import streamlit as st

from lab_ui.conv_inputs import input_ui, kernel_ui, sliding_ui
from lab_ui.figure_cache import cached_figure
from lab_ui.layout import notice
from lab_ui.shared import asset_model
from lab_ui.url_state import set_url, url_int
from siamese_core.explain.conv_explain import (
    cell_arithmetic,
    conv2d,
    filter_maps,
    output_size,
    pool2d,
    receptive_field,
)
from siamese_core.explain.param_counts import compare_layers, workshop_comparisons
from siamese_core.lessons import notice_text
from siamese_core.lessons.static import CONV_FILTER_MODEL
from siamese_core.viz.conv_figures import map_grid, matrix_heatmap

FILTER_MODEL = CONV_FILTER_MODEL   # assets/: its first layer shows what a trained network learned

st.title("Convolution & pooling")
st.markdown("A **kernel** (a small grid of weights) slides over the image. At every position it multiplies "
            "the pixels under it by its weights and sums them: one number of the **feature map**. "
            "The **stride** is the step of the slide, **padding** adds rings of zeros around the image, "
            "**ReLU** keeps only positive responses, and **pooling** shrinks the map by keeping the maximum "
            "(or the average) of each window.")
st.latex(r"y_{i,j} = \sum_{a=0}^{k-1}\sum_{b=0}^{k-1} x^{\text{pad}}_{i s + a,\; j s + b}\; w_{a,b}"
         r"\qquad n_{\text{out}} = \left\lfloor \frac{n + 2p - k}{s} \right\rfloor + 1")


picked = input_ui()
w = kernel_ui()
stride, padding, relu, pool_kind, pool_size, pool_stride = astuple(sliding_ui())
if picked is None:
    st.stop()
x, caption = picked
st.caption(f"Input: {caption}.")
n, k = x.shape[0], w.shape[0]

# --- the output size -----------------------------------------------------------------------------
st.header("1 · Output size")
try:
    oh, ow = output_size(x.shape[0], k, stride, padding), output_size(x.shape[1], k, stride, padding)
except ValueError as exc:
    st.warning(f"These settings cannot work: {exc}. Lower the kernel size or raise the padding.")
    st.stop()
st.latex(rf"n_{{\text{{out}}}} = \left\lfloor \frac{{{x.shape[0]} + 2\cdot{padding} - {k}}}{{{stride}}} \right\rfloor"
         rf" + 1 = {oh} \quad\text{{rows}},\qquad \left\lfloor \frac{{{x.shape[1]} + 2\cdot{padding} - {k}}}"
         rf"{{{stride}}} \right\rfloor + 1 = {ow} \quad\text{{columns}}")
fmap = conv2d(x, w, stride, padding, relu)

# --- one output cell -----------------------------------------------------------------------------
st.header("2 · One output cell, multiplied and summed")
c1, c2 = st.columns(2)
r_max, c_max = np.unravel_index(int(np.abs(fmap).argmax()), fmap.shape)  # default: the strongest response
row = c1.number_input(f"Output row (0 … {oh - 1})", 0, oh - 1, url_int("row", int(r_max), 0, oh - 1),
                      key=f"conv_row_{oh}")
col = c2.number_input(f"Output column (0 … {ow - 1})", 0, ow - 1, url_int("col", int(c_max), 0, ow - 1),
                      key=f"conv_col_{ow}")
set_url(row=int(row), col=int(col))
cell = cell_arithmetic(x, w, int(row), int(col), stride, padding, relu)
rf = receptive_field(int(row), int(col), w.shape, stride, padding, x.shape)
r0, r1, q0, q1 = rf.clipped(x.shape)
st.markdown(f"Output cell ({row}, {col}) reads input rows **{rf.row0} … {rf.row0 + k - 1}** and columns "
            f"**{rf.col0} … {rf.col0 + k - 1}**"
            + (" — the cells outside the image are **zero padding**." if any(t.padding for t in cell.terms) else "."))
g1, g2, g3 = st.columns([3, 2, 3])
g1.plotly_chart(cached_figure(matrix_heatmap, x, "Input", box=(r0, r1, q0, q1)))
g2.plotly_chart(cached_figure(matrix_heatmap, w, "Kernel", centre_zero=True, show_numbers=True, height=260))
g3.plotly_chart(cached_figure(matrix_heatmap, fmap, "Feature map" + (" after ReLU" if relu else ""),
                              box=(row, row, col, col), colorscale="viridis"))
zeros = sum(1 for t in cell.terms if t.x == 0 or t.w == 0)
st.latex(cell.latex())
st.caption(f"{len(cell.terms)} products, {zeros} of them with a zero factor (left out above). "
           f"Sum = {cell.total:.4f}; feature map value = {cell.value:.4f}.")
with st.expander("Every product of this cell"):
    st.dataframe(pd.DataFrame([{"kernel (a, b)": f"({t.k_row}, {t.k_col})", "input (row, col)":
                                f"({t.in_row}, {t.in_col})" + (" pad" if t.padding else ""),
                                "x": t.x, "w": t.w, "x·w": t.product} for t in cell.terms]), hide_index=True)

# --- pooling -------------------------------------------------------------------------------------
st.header("3 · Pooling")
try:
    pooled = pool2d(fmap, pool_kind, pool_size, pool_stride)
except ValueError as exc:
    st.warning(f"Pooling cannot run on this feature map: {exc}. Use a smaller pool size.")
    pooled = None
if pooled is not None:
    p1, p2 = st.columns(2)
    p1.plotly_chart(cached_figure(matrix_heatmap, fmap, "Feature map", colorscale="viridis"))
    p2.plotly_chart(cached_figure(matrix_heatmap, pooled, f"{pool_kind.capitalize()}-pooled map", colorscale="viridis"))
    st.latex(rf"\left\lfloor \frac{{{oh} - {pool_size}}}{{{pool_stride}}} \right\rfloor + 1 = {pooled.shape[0]}"
             rf"\ \text{{rows}},\quad \left\lfloor \frac{{{ow} - {pool_size}}}{{{pool_stride}}} \right\rfloor + 1"
             rf" = {pooled.shape[1]}\ \text{{columns}}: {oh * ow}\ \text{{numbers}} \rightarrow "
             rf"{pooled.size}")

# --- why convolutions ----------------------------------------------------------------------------
st.header("4 · Why convolutions: parameters of one layer")
units = st.slider("Units of the dense layer / filters of the conv layer", 1, 512, url_int("units", 64, 1, 512),
                  key="conv_units")
set_url(units=units)
rows = [compare_layers(x.shape[0], x.shape[1], 1, units, units, k, "this image (grey)"),
        *workshop_comparisons(units, units, k)]
st.dataframe(pd.DataFrame([{"image": r.name, "H×W×C": f"{r.height}×{r.width}×{r.channels}",
                            "numbers in the image": f"{r.inputs:,}", f"dense, {units} units": f"{r.dense:,}",
                            f"conv, {units} filters {k}×{k}": f"{r.conv:,}", "dense / conv": f"{r.ratio:,.0f}×"}
                           for r in rows]), hide_index=True)
st.latex(rf"\text{{dense}} = H W C \cdot u + u \qquad \text{{conv}} = k^2 C \cdot f + f"
         rf"\qquad 4\cdot4\cdot3 = 48,\quad 7680\cdot4320\cdot3 = {7680 * 4320 * 3:,}".replace(",", "{,}"))


# --- a trained network's first layer -------------------------------------------------------------
st.header("5 · What a trained network's first layer finds")
try:
    model = asset_model(FILTER_MODEL)
except (FileNotFoundError, ValueError) as exc:
    st.info(f"The pretrained model is not available ({exc}).")
else:
    conv = model.twin.features[0]
    weights = conv.weight.detach().cpu().numpy()[:, 0]
    biases = conv.bias.detach().cpu().numpy()
    maps = filter_maps(weights, biases, x)
    st.markdown(f"The first layer of `assets/{FILTER_MODEL}` (a Siamese network trained on MNIST) has "
                f"{len(weights)} filters of {weights.shape[-1]}×{weights.shape[-1]}. Nobody designed them: "
                "training found them. Each feature map lights up on strokes of one direction or on one side "
                "of an edge — the job the Sobel and edge kernels above do by hand. Deeper layers combine "
                "these into corners and parts.")
    st.plotly_chart(cached_figure(map_grid, weights, cols=16, centre_zero=True,
                                  title="Learned filters (red +, blue −)"))
    st.plotly_chart(cached_figure(map_grid, maps, cols=16,
                                  title="Their feature maps on this image (ReLU(conv + bias))"))
    st.caption(f"Filters and maps in reading order, {len(weights)} of each: each feature map sits where its filter "
               "sits in the grid above.")

notice(notice_text("convolution"))
