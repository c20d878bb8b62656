"""Convolution & pooling: slide a kernel over an image, multiply and sum, then shrink with pooling."""
import numpy as np
import pandas as pd
import streamlit as st

from lab_ui.layout import available_datasets, notice
from lab_ui.shared import asset_model, dataset
from lab_ui.url_state import set_url, url_choice, url_int
from siamese_core.explain.conv_explain import (POOL_KINDS, cell_arithmetic, conv2d, filter_maps, grey_input,
                                       output_size, pool2d, receptive_field)
from siamese_core.viz.conv_figures import map_grid, matrix_heatmap
from siamese_core.explain.kernels import KERNELS, kernel_preset
from siamese_core.explain.param_counts import compare_layers, workshop_comparisons
from siamese_core.service.uploads import UploadError, read_image

FILTER_MODEL = "mnist_koch_l1.pt"   # assets/: its first layer shows what a trained network learned
MAX_SIDE = 64                       # uploads are shrunk so every number stays readable

st.title("Convolution & pooling")
st.markdown("A **kernel** (a small grid of weights) slides over the image. At every position it multiplies "
            "the pixels under it by its weights and sums them: one number of the **feature map**. "
            "The **stride** is the step of the slide, **padding** adds rings of zeros around the image, "
            "**ReLU** keeps only positive responses, and **pooling** shrinks the map by keeping the maximum "
            "(or the average) of each window.")
st.latex(r"y_{i,j} = \sum_{a=0}^{k-1}\sum_{b=0}^{k-1} x^{\text{pad}}_{i s + a,\; j s + b}\; w_{a,b}"
         r"\qquad n_{\text{out}} = \left\lfloor \frac{n + 2p - k}{s} \right\rfloor + 1")


# --- the input image -----------------------------------------------------------------------------
def input_ui() -> tuple[np.ndarray, str] | None:
    sb = st.sidebar
    sb.header("Input")
    source = sb.radio("Image", ["dataset sample", "upload"], key="conv_source",
                      index=["dataset sample", "upload"].index(url_choice("src", ["dataset sample", "upload"],
                                                                          "dataset sample")))
    set_url(src=source)
    if source == "upload":
        file = sb.file_uploader("A photo or drawing (JPEG, PNG, WebP, BMP, GIF, TIFF, PGM)", key="conv_file")
        if file is not None and st.session_state.get("conv_upload_name") != (file.name, file.size):
            try:
                st.session_state["conv_upload"] = grey_input(read_image(file.getvalue()), MAX_SIDE)
                st.session_state["conv_upload_name"] = (file.name, file.size)
            except UploadError as exc:
                st.error(f"{file.name}: {exc}")
        upload = st.session_state.get("conv_upload")
        if upload is None:
            st.info("Upload an image in the sidebar, or switch back to a dataset sample.")
            return None
        (h0, w0), (h, w) = upload.original_size, upload.size
        note = (f"shrunk from {h0}×{w0} to {h}×{w} pixels (longer side at most {MAX_SIDE})" if upload.resized
                else f"kept at {h}×{w} pixels")
        return upload.pixels, f"your upload, converted to grey and {note}"
    names = available_datasets()
    default = "mnist" if "mnist" in names else "digits"
    name = sb.selectbox("Dataset", names, index=names.index(url_choice("ds", names, default)), key="conv_ds")
    data = dataset(name, "test")
    idx = sb.number_input(f"Sample (0 … {len(data) - 1})", 0, len(data) - 1,
                          url_int("idx", 0, 0, len(data) - 1), key=f"conv_idx_{name}")
    set_url(ds=name, idx=int(idx))
    img = data.images[int(idx), 0].numpy().astype(np.float64)
    if max(img.shape) > MAX_SIDE:  # faces and Omniglot: shrink like an upload
        from PIL import Image
        g = grey_input(Image.fromarray((img * 255).round().astype(np.uint8)), MAX_SIDE)
        img = g.pixels
    label = data.class_names[int(data.labels[int(idx)])]
    return img, f"{name} test image #{int(idx)} (class {label}), {img.shape[0]}×{img.shape[1]} pixels"


def kernel_ui() -> np.ndarray | None:
    sb = st.sidebar
    sb.header("Kernel")
    options = [*KERNELS, "custom"]
    preset = sb.selectbox("Preset", options, index=options.index(url_choice("kernel", options, "Sobel x")),
                          key="conv_kernel")
    size = sb.radio("Size", [3, 5], horizontal=True, index=[3, 5].index(url_choice("ksize", [3, 5], 3)),
                    key="conv_ksize")
    set_url(kernel=preset, ksize=size)
    if preset != "custom":
        return kernel_preset(preset, size)
    st.sidebar.caption("Edit the weights; empty cells count as 0.")
    start = pd.DataFrame(kernel_preset("identity", size), columns=[str(c) for c in range(size)])
    grid = sb.data_editor(start, key=f"conv_custom_{size}", hide_index=True)
    w = grid.apply(pd.to_numeric, errors="coerce").to_numpy(dtype=float)
    if not np.isfinite(w).all():
        st.sidebar.warning("Some cells are not numbers; they count as 0.")
    return np.nan_to_num(w, nan=0.0, posinf=0.0, neginf=0.0)


picked = input_ui()
w = kernel_ui()
sb = st.sidebar
sb.header("Sliding and pooling")
stride = sb.slider("Stride s", 1, 5, url_int("stride", 1, 1, 5), key="conv_stride")
padding = sb.slider("Padding p", 0, 4, url_int("pad", 0, 0, 4), key="conv_pad")
relu = sb.toggle("ReLU after the sum", url_choice("relu", ["1", "0"], "1") == "1", key="conv_relu")
pool_kind = sb.selectbox("Pooling", POOL_KINDS, index=POOL_KINDS.index(url_choice("pool", POOL_KINDS, "max")),
                         key="conv_pool")
pool_size = sb.slider("Pool size", 1, 4, url_int("psize", 2, 1, 4), key="conv_psize")
pool_stride = sb.slider("Pool stride", 1, 4, url_int("pstride", 2, 1, 4), key="conv_pstride")
set_url(stride=stride, pad=padding, relu=int(relu), pool=pool_kind, psize=pool_size, pstride=pool_stride)
if picked is None:
    st.stop()
x, caption = picked
st.caption(f"Input: {caption}.")
n, k = x.shape[0], w.shape[0]

# --- the output size -----------------------------------------------------------------------------
st.subheader("1 · Output size")
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
st.subheader("2 · One output cell, multiplied and summed")
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
g1.plotly_chart(matrix_heatmap(x, "Input", box=(r0, r1, q0, q1)))
g2.plotly_chart(matrix_heatmap(w, "Kernel", centre_zero=True, show_numbers=True, height=260))
g3.plotly_chart(matrix_heatmap(fmap, "Feature map" + (" after ReLU" if relu else ""), box=(row, row, col, col),
                               colorscale="viridis"))
zeros = sum(1 for t in cell.terms if t.x == 0 or t.w == 0)
st.latex(cell.latex())
st.caption(f"{len(cell.terms)} products, {zeros} of them with a zero factor (left out above). "
           f"Sum = {cell.total:.4f}; feature map value = {cell.value:.4f}.")
with st.expander("Every product of this cell"):
    st.dataframe(pd.DataFrame([{"kernel (a, b)": f"({t.k_row}, {t.k_col})", "input (row, col)":
                                f"({t.in_row}, {t.in_col})" + (" pad" if t.padding else ""),
                                "x": t.x, "w": t.w, "x·w": t.product} for t in cell.terms]), hide_index=True)

# --- pooling -------------------------------------------------------------------------------------
st.subheader("3 · Pooling")
try:
    pooled = pool2d(fmap, pool_kind, pool_size, pool_stride)
except ValueError as exc:
    st.warning(f"Pooling cannot run on this feature map: {exc}. Use a smaller pool size.")
    pooled = None
if pooled is not None:
    p1, p2 = st.columns(2)
    p1.plotly_chart(matrix_heatmap(fmap, "Feature map", colorscale="viridis"))
    p2.plotly_chart(matrix_heatmap(pooled, f"{pool_kind.capitalize()}-pooled map", colorscale="viridis"))
    st.latex(rf"\left\lfloor \frac{{{oh} - {pool_size}}}{{{pool_stride}}} \right\rfloor + 1 = {pooled.shape[0]}"
             rf"\ \text{{rows}},\quad \left\lfloor \frac{{{ow} - {pool_size}}}{{{pool_stride}}} \right\rfloor + 1"
             rf" = {pooled.shape[1]}\ \text{{columns}}: {oh * ow}\ \text{{numbers}} \rightarrow "
             rf"{pooled.size}")

# --- why convolutions ----------------------------------------------------------------------------
st.subheader("4 · Why convolutions: parameters of one layer")
units = st.slider("Units of the dense layer / filters of the conv layer", 1, 512, 64, key="conv_units")
rows = [compare_layers(x.shape[0], x.shape[1], 1, units, units, k, "this image (grey)"),
        *workshop_comparisons(units, units, k)]
st.dataframe(pd.DataFrame([{"image": r.name, "H×W×C": f"{r.height}×{r.width}×{r.channels}",
                            "numbers in the image": f"{r.inputs:,}", f"dense, {units} units": f"{r.dense:,}",
                            f"conv, {units} filters {k}×{k}": f"{r.conv:,}", "dense / conv": f"{r.ratio:,.0f}×"}
                           for r in rows]), hide_index=True)
st.latex(rf"\text{{dense}} = H W C \cdot u + u \qquad \text{{conv}} = k^2 C \cdot f + f"
         rf"\qquad 4\cdot4\cdot3 = 48,\quad 7680\cdot4320\cdot3 = {7680 * 4320 * 3:,}".replace(",", "{,}"))


# --- a trained network's first layer -------------------------------------------------------------
st.subheader("5 · What a trained network's first layer finds")
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
    st.plotly_chart(map_grid(weights, [str(i) for i in range(len(weights))], cols=16, centre_zero=True,
                             title="Learned filters (red +, blue −)"))
    st.plotly_chart(map_grid(maps, [str(i) for i in range(len(maps))], cols=16,
                             title="Their feature maps on this image (ReLU(conv + bias))"))

notice("- The kernel is **not** flipped: PyTorch's `conv2d` is a cross-correlation, and so is this page.\n"
       "- Stride 2 halves the map; padding ⌊k/2⌋ with stride 1 keeps its size ('same' padding).\n"
       "- Sobel x lights up on vertical edges, Sobel y on horizontal ones; ReLU keeps only one sign of edge.\n"
       "- Max-pooling 2×2/2 keeps a quarter of the numbers but still says *whether* a feature was nearby.\n"
       "- A conv layer's size depends on k, channels and filters, never on the image: "
       "that is why CNNs scale to 8K photos. Early trained filters look like edge detectors.")
