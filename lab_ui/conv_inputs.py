"""Convolution-page inputs: the image (a dataset sample or an upload, shrunk so every number stays
readable), the kernel (a preset or an editable grid) and the sliding/pooling settings, all in the sidebar
and in the URL."""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
import streamlit as st

from siamese_core.explain.conv_explain import POOL_KINDS, grey_input
from siamese_core.explain.kernels import KERNELS, kernel_preset
from siamese_core.vision.uploads import FORMAT_NAMES, MAX_MB, UploadError, read_image

from .layout import available_datasets
from .plain_text import SENTENCE, shown
from .shared import dataset
from .url_state import set_url, url_choice, url_int

MAX_SIDE = 64  # uploads are shrunk so every number stays readable
KERNEL_COLUMN_PX = 44  # five of them fit the sidebar's default width


def input_ui() -> tuple[np.ndarray, str] | None:
    sb = st.sidebar
    sb.header("Input")
    source = sb.radio("Image", ["dataset sample", "upload"], key="conv_source",
                      index=["dataset sample", "upload"].index(url_choice("src", ["dataset sample", "upload"],
                                                                          "dataset sample")))
    set_url(src=source)
    if source == "upload":
        file = sb.file_uploader(f"A photo or drawing ({FORMAT_NAMES})", key="conv_file", max_upload_size=MAX_MB)
        if file is not None and st.session_state.get("conv_upload_name") != (file.name, file.size):
            try:
                # decoded no larger than 4× what is shown; grey_input then averages it down to MAX_SIDE
                st.session_state["conv_upload"] = grey_input(read_image(file.getvalue(), max_side=4 * MAX_SIDE),
                                                             MAX_SIDE)
                st.session_state["conv_upload_name"] = (file.name, file.size)
            except (UploadError, MemoryError) as exc:
                why = str(exc) or "the image needs more memory than an upload may use."
                st.error(f"{shown(file.name)}: {shown(why, SENTENCE)}")
        upload = st.session_state.get("conv_upload")
        if upload is None:
            st.info("Upload an image in the sidebar, or switch back to a dataset sample.")
            return None
        (h0, w0), (h, w) = upload.original_size, upload.size  # said as width × height, as a file's size is
        note = (f"shrunk from {w0}×{h0} to {w}×{h} pixels, width × height (longer side at most {MAX_SIDE})"
                if upload.resized else f"kept at {w}×{h} pixels, width × height")
        return upload.pixels, f"your upload, converted to grey and {note}"
    names = available_datasets()
    default = "mnist" if "mnist" in names else "digits"
    name = sb.selectbox("Dataset", names, index=names.index(url_choice("ds", names, default)), key="conv_ds")
    data = dataset(name, "test")
    idx = sb.number_input(f"Sample (0 … {len(data) - 1})", 0, len(data) - 1,
                          url_int("idx", 0, 0, len(data) - 1), key=f"conv_idx_{name}")
    set_url(ds=name, idx=int(idx))
    img = data.rows(int(idx))[0].numpy().astype(np.float64)
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
    # Narrow columns: sized to their contents, a 5×5 grid's fifth column fell off the sidebar.
    narrow = {c: st.column_config.NumberColumn(width=KERNEL_COLUMN_PX) for c in start.columns}
    grid = sb.data_editor(start, key=f"conv_custom_{size}", hide_index=True, column_config=narrow)
    w = grid.apply(pd.to_numeric, errors="coerce").to_numpy(dtype=float)
    if not np.isfinite(w).all():
        st.sidebar.warning("Some cells are not numbers; they count as 0.")
    return np.nan_to_num(w, nan=0.0, posinf=0.0, neginf=0.0)


@dataclass(frozen=True)
class Sliding:
    stride: int
    padding: int
    relu: bool
    pool_kind: str
    pool_size: int
    pool_stride: int


def sliding_ui() -> Sliding:
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
    return Sliding(stride, padding, relu, pool_kind, pool_size, pool_stride)
