"""Plotly figures of the convolution page: matrices as heatmaps with their numbers, a highlighted
window, and a grid of small maps. Same styling as `siamese_core.viz.figures`."""
from __future__ import annotations

import base64
import functools
import io

import numpy as np
import plotly.colors
import plotly.graph_objects as go
from PIL import Image

from .figures import DIFF_COLOUR, SAME_COLOUR, TEMPLATE


def matrix_heatmap(values, title: str, box: tuple[int, int, int, int] | None = None, colorscale: str = "gray",
                   show_numbers: bool | None = None, centre_zero: bool = False, height: int = 330) -> go.Figure:
    """A matrix drawn as in an image (row 0 on top). box = (row0, row1, col0, col1), inclusive, is
    outlined (the receptive field or the chosen cell); numbers are printed when the matrix is small."""
    a = np.asarray(values, dtype=float)
    show = a.size <= 144 if show_numbers is None else show_numbers
    kw = {}
    if centre_zero:
        m = float(np.abs(a).max()) or 1.0
        kw = {"zmin": -m, "zmax": m, "colorscale": "RdBu", "reversescale": True}
    else:
        kw = {"colorscale": colorscale}
    heat = go.Heatmap(z=a, texttemplate="%{z:.2f}" if show else None, hovertemplate="row %{y}, col %{x}: %{z:.3f}"
                      "<extra></extra>", showscale=False, **kw)
    fig = go.Figure(heat)
    if box is not None:
        r0, r1, c0, c1 = box
        fig.add_shape(type="rect", x0=c0 - 0.5, x1=c1 + 0.5, y0=r0 - 0.5, y1=r1 + 0.5,
                      line={"color": DIFF_COLOUR, "width": 3})
    fig.update_layout(title=f"{title} ({a.shape[0]}×{a.shape[1]})", template=TEMPLATE, height=height,
                      margin={"l": 10, "r": 10, "t": 40, "b": 10})
    fig.update_yaxes(autorange="reversed", scaleanchor="x", constrain="domain", showgrid=False)
    fig.update_xaxes(constrain="domain", showgrid=False)
    return fig


def _mosaic(maps, titles, cols: int, centre_zero: bool = False) -> tuple[np.ndarray, list[tuple], int]:
    """The maps as tiles of one array (NaN between them), each scaled to its own range (symmetric about 0
    with `centre_zero`), and (x, y, title) for the label above each tile, in array coordinates."""
    maps = [np.asarray(m, dtype=float) for m in maps]
    h, w = max(m.shape[0] for m in maps), max(m.shape[1] for m in maps)
    rows = -(-len(maps) // cols)
    gap_x, gap_y = max(1, -(-w // 8)), max(2, -(-h * 3 // 10))  # the row gap holds each tile's title
    mosaic = np.full((rows * (h + gap_y), cols * (w + gap_x) - gap_x), np.nan)
    labels = []
    for i, (m, name) in enumerate(zip(maps, titles)):
        if centre_zero:
            tile = m / (float(np.abs(m).max()) or 1.0)
        else:
            lo, hi = float(m.min()), float(m.max())
            tile = (m - lo) / (hi - lo) if hi > lo else np.zeros_like(m)
        r, c = divmod(i, cols)
        y0, x0 = r * (h + gap_y) + gap_y, c * (w + gap_x)
        mosaic[y0:y0 + m.shape[0], x0:x0 + m.shape[1]] = tile
        labels.append((x0 + (m.shape[1] - 1) / 2, y0 - 0.5, str(name)))
    return mosaic, labels, rows


def _grid_layout(fig: go.Figure, title: str | None, rows: int, height_per_row: int, annotations: list) -> None:
    fig.update_layout(template=TEMPLATE, title=title, height=60 + rows * height_per_row, annotations=annotations,
                      plot_bgcolor="rgba(0,0,0,0)", margin={"l": 10, "r": 10, "t": 60 if title else 30, "b": 10})


@functools.cache
def _lut(colorscale: str, reverse: bool = False) -> np.ndarray:
    """256 RGB colours of a Plotly colour scale, for painting values in [0, 1] into a PNG."""
    scale = plotly.colors.get_colorscale(colorscale)
    colours = plotly.colors.sample_colorscale(scale, list(np.linspace(0, 1, 256)), colortype="tuple")
    lut = (np.asarray(colours) * (255 if max(max(c) for c in colours) <= 1 else 1)).round().astype(np.uint8)
    return lut[::-1] if reverse else lut


def map_grid(maps, cols: int = 8, title: str | None = None, centre_zero: bool = False,
             height_per_row: int = 80, scale: int = 3) -> go.Figure:
    """Small maps side by side (filters or their feature maps), in reading order, painted into ONE PNG
    behind empty axes (as `picture_grid`). Each map is scaled to its own range (symmetric about 0 with
    `centre_zero`: red +, blue −), so every tile keeps its contrast as a subplot of its own would. The
    same tiles as one heatmap were hundreds of KB of numbers to send and parse at every visit, and a text
    label per tile cost the browser more than the rest of the figure: the PNG is tens of KB and unlabelled."""
    mosaic, _, rows = _mosaic(maps, [""] * len(maps), cols, centre_zero)
    gaps = np.isnan(mosaic)
    unit = (np.nan_to_num(mosaic) + 1) / 2 if centre_zero else np.nan_to_num(mosaic)
    lut = _lut("RdBu", reverse=True) if centre_zero else _lut("gray")
    rgb = lut[(unit.clip(0, 1) * 255).round().astype(int)]  # a new array: the cached table stays as it is
    rgb[gaps] = 255
    return _png_figure(rgb, title, rows, height_per_row, scale, [])


def _png_figure(pixels: np.ndarray, title: str | None, rows: int, height_per_row: int, scale: int,
                annotations: list) -> go.Figure:
    """`pixels` (H×W grey or H×W×3 RGB, uint8) as one PNG filling empty axes of H×W units, row 0 on top;
    each pixel is `scale` × `scale` in the PNG, so small tiles stay sharp when the browser enlarges them."""
    h, w = pixels.shape[:2]
    big = np.repeat(np.repeat(pixels, scale, axis=0), scale, axis=1)
    out = io.BytesIO()
    Image.fromarray(big, mode="L" if big.ndim == 2 else "RGB").save(out, format="PNG", compress_level=6)
    fig = go.Figure(go.Scatter(x=[-0.5, w - 0.5], y=[-0.5, h - 0.5], mode="markers", hoverinfo="skip",
                               marker={"opacity": 0}))  # spans the axes, so the picture fills them
    fig.add_layout_image(source="data:image/png;base64," + base64.b64encode(out.getvalue()).decode(),
                         xref="x", yref="y", x=-0.5, y=h - 0.5, sizex=w, sizey=h, sizing="stretch",
                         xanchor="left", yanchor="top", layer="below")
    fig.update_xaxes(range=[-0.5, w - 0.5], visible=False, constrain="domain")
    fig.update_yaxes(range=[-0.5, h - 0.5], visible=False, scaleanchor="x", constrain="domain")
    _grid_layout(fig, title, rows, height_per_row, annotations)
    fig.update_layout(showlegend=False)
    return fig


def picture_grid(images, titles, cols: int = 8, title: str | None = None, height_per_row: int = 80,
                 scale: int = 3) -> go.Figure:
    """Greyscale pictures side by side as in `map_grid`, drawn as one PNG behind empty axes: tens of kB
    that the browser paints at once, where the same tiles as heatmap numbers were over 200 kB to parse
    and paint (8 Fashion-MNIST pairs). Each pixel is `scale` × `scale` in the PNG, so a 28×28 image
    stays sharp when the browser enlarges it; the gaps are white."""
    mosaic, labels, rows = _mosaic(images, titles, cols)
    grey = (np.nan_to_num(mosaic, nan=1.0) * 255).round().astype(np.uint8)
    h = mosaic.shape[0]
    # The mosaic's row 0 is on top; the y axis points up.
    return _png_figure(grey, title, rows, height_per_row, scale, [
        dict(x=x, y=h - 1 - y, text=t, showarrow=False, yanchor="bottom", font={"size": 10}) for x, y, t in labels])


def bar_vector(values, title: str, labels=None, colour: str | None = None) -> go.Figure:
    """One bar per component; colour=None colours by sign (positive SAME_COLOUR, negative DIFF_COLOUR)."""
    v = np.asarray(values, dtype=float)
    x = list(labels) if labels is not None else [str(i) for i in range(len(v))]
    colours = colour or [SAME_COLOUR if e >= 0 else DIFF_COLOUR for e in v]
    fig = go.Figure(go.Bar(x=x, y=v, marker_color=colours))
    fig.update_layout(title=title, template=TEMPLATE, height=280, margin={"l": 10, "r": 10, "t": 40, "b": 10})
    return fig
