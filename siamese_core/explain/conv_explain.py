"""Convolution and pooling written out by hand, for the teaching page (numpy only, single channel).

`conv2d` is a cross-correlation exactly like `torch.nn.functional.conv2d` (the kernel is NOT flipped),
with zero padding and a stride; `pool2d` matches `max_pool2d` / `avg_pool2d` (no padding, floor mode).
`cell_arithmetic` returns the multiply-and-sum of one output cell with the real numbers, so the page
can print it term by term. Impossible settings raise a ValueError with one sentence.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from PIL import Image

POOL_KINDS = ("max", "average")


def _check_int(value, name: str, lo: int) -> int:
    if isinstance(value, bool) or not float(value).is_integer():
        raise ValueError(f"{name} must be a whole number, got {value!r}")
    if int(value) < lo:
        raise ValueError(f"{name} must be at least {lo}, got {int(value)}")
    return int(value)


def output_size(n: int, k: int, stride: int = 1, padding: int = 0) -> int:
    """⌊(n + 2p − k) / s⌋ + 1: how many positions a window of side k takes along a side of n."""
    n, k = _check_int(n, "input size", 1), _check_int(k, "kernel size", 1)
    s, p = _check_int(stride, "stride", 1), _check_int(padding, "padding", 0)
    if k > n + 2 * p:
        raise ValueError(f"the kernel ({k}) is larger than the padded input (n + 2p = {n} + 2·{p} = {n + 2 * p})")
    return (n + 2 * p - k) // s + 1


def _as_2d(x, what: str) -> np.ndarray:
    a = np.asarray(x, dtype=np.float64)
    if a.ndim != 2 or a.size == 0:
        raise ValueError(f"{what} must be a non-empty 2-D array, got shape {a.shape}")
    if not np.isfinite(a).all():
        raise ValueError(f"{what} contains NaN or infinite values")
    return a


def _windows(x: np.ndarray, kh: int, kw: int, stride: int) -> np.ndarray:
    """(out_h, out_w, kh, kw) view of every window the kernel visits."""
    return np.lib.stride_tricks.sliding_window_view(x, (kh, kw))[::stride, ::stride]


def conv2d(image, kernel, stride: int = 1, padding: int = 0, relu: bool = False) -> np.ndarray:
    """out[i, j] = Σ_{a,b} x_pad[i·s + a, j·s + b] · w[a, b] (+ ReLU): PyTorch's conv2d, one channel."""
    x, w = _as_2d(image, "the image"), _as_2d(kernel, "the kernel")
    oh = output_size(x.shape[0], w.shape[0], stride, padding)
    ow = output_size(x.shape[1], w.shape[1], stride, padding)
    xp = np.pad(x, int(padding))
    out = np.einsum("ijab,ab->ij", _windows(xp, *w.shape, int(stride)), w)[:oh, :ow]
    return np.maximum(out, 0.0) if relu else out


def pool2d(x, kind: str = "max", size: int = 2, stride: int = 2) -> np.ndarray:
    """Max or average over size×size windows moved by `stride` (no padding, partial windows dropped)."""
    a = _as_2d(x, "the feature map")
    if kind not in POOL_KINDS:
        raise ValueError(f"pooling must be one of {POOL_KINDS}, not {kind!r}")
    if _check_int(size, "pool size", 1) > min(a.shape):
        raise ValueError(f"the pooling window ({size}×{size}) is larger than the feature map "
                         f"({a.shape[0]}×{a.shape[1]})")
    oh, ow = output_size(a.shape[0], size, stride), output_size(a.shape[1], size, stride)
    win = _windows(a, int(size), int(size), int(stride))[:oh, :ow]
    return win.max(axis=(2, 3)) if kind == "max" else win.mean(axis=(2, 3))


@dataclass(frozen=True)
class ReceptiveField:
    """The input cells one output cell reads. Rows/cols are input coordinates; parts outside
    0..H−1 / 0..W−1 are zero padding."""
    row0: int
    col0: int
    rows: int
    cols: int

    @property
    def row_range(self) -> range:
        return range(self.row0, self.row0 + self.rows)

    @property
    def col_range(self) -> range:
        return range(self.col0, self.col0 + self.cols)

    def clipped(self, shape: tuple[int, int]) -> tuple[int, int, int, int]:
        """(first row, last row, first col, last col) inside the input, inclusive."""
        h, w = shape
        return (max(0, self.row0), min(h - 1, self.row0 + self.rows - 1),
                max(0, self.col0), min(w - 1, self.col0 + self.cols - 1))


def receptive_field(row: int, col: int, kernel_shape: tuple[int, int], stride: int = 1, padding: int = 0,
                    input_shape: tuple[int, int] | None = None) -> ReceptiveField:
    """Output cell (row, col) reads input rows row·s − p … row·s − p + k − 1 (likewise columns)."""
    kh, kw = kernel_shape
    if input_shape is not None:
        oh = output_size(input_shape[0], kh, stride, padding)
        ow = output_size(input_shape[1], kw, stride, padding)
        if not (0 <= row < oh and 0 <= col < ow):
            raise ValueError(f"output cell ({row}, {col}) is outside the {oh}×{ow} feature map")
    return ReceptiveField(row * stride - padding, col * stride - padding, kh, kw)


@dataclass(frozen=True)
class Term:
    """One product of the sum: input x[in_row, in_col] (0 when padding) times kernel w[k_row, k_col]."""
    k_row: int
    k_col: int
    in_row: int
    in_col: int
    x: float
    w: float
    padding: bool

    @property
    def product(self) -> float:
        return self.x * self.w


@dataclass(frozen=True)
class CellArithmetic:
    row: int
    col: int
    field: ReceptiveField
    terms: tuple[Term, ...]
    total: float           # Σ x·w
    relu: bool
    value: float           # the feature-map value (after ReLU when on)

    def latex(self, decimals: int = 3, skip_zero: bool = True) -> str:
        """'x·w + x·w + … = total' with the numbers; products with a 0 factor are left out (as a
        teacher would) unless skip_zero is False. Long sums wrap every 5 terms."""
        shown = [t for t in self.terms if not (skip_zero and (t.x == 0 or t.w == 0))]

        def f(v):
            return f"{v:.{decimals}f}".replace("-", "{-}")

        parts = [rf"{f(t.x)}\cdot{f(t.w)}" for t in shown] or ["0"]
        lines = [" + ".join(parts[i:i + 5]) for i in range(0, len(parts), 5)]
        body = r" \\ &+ ".join(lines)
        out = rf"\begin{{aligned}} y_{{{self.row},{self.col}}} &= {body} \\ &= {f(self.total)}"
        if self.relu:
            out += rf" \\ \mathrm{{ReLU}} &\rightarrow {f(self.value)}"
        return out + r"\end{aligned}"


def cell_arithmetic(image, kernel, row: int, col: int, stride: int = 1, padding: int = 0,
                    relu: bool = False) -> CellArithmetic:
    """The multiply-and-sum behind conv2d(...)[row, col], term by term, row-major over the kernel."""
    x, w = _as_2d(image, "the image"), _as_2d(kernel, "the kernel")
    field = receptive_field(row, col, w.shape, stride, padding, x.shape)
    terms = []
    for a in range(w.shape[0]):
        for b in range(w.shape[1]):
            r, c = field.row0 + a, field.col0 + b
            inside = 0 <= r < x.shape[0] and 0 <= c < x.shape[1]
            terms.append(Term(a, b, r, c, float(x[r, c]) if inside else 0.0, float(w[a, b]), not inside))
    total = float(sum(t.product for t in terms))
    return CellArithmetic(row, col, field, tuple(terms), total, relu, max(total, 0.0) if relu else total)


@dataclass(frozen=True)
class GreyInput:
    """An image made ready for the convolution page: grey values in [0, 1], at most max_side a side."""
    pixels: np.ndarray                 # (H, W) float64
    original_size: tuple[int, int]     # (H, W) before downsizing: the file's own size for an upload
    resized: bool

    @property
    def size(self) -> tuple[int, int]:
        return tuple(self.pixels.shape)


def grey_input(img: Image.Image, max_side: int = 64) -> GreyInput:
    """Grey, then shrunk (aspect kept, area averaging) so the longer side is at most max_side:
    a hand-written convolution over a 12-megapixel photo would be unreadable and slow."""
    if max_side < 1:
        raise ValueError("max_side must be at least 1")
    grey = img.convert("L")
    w, h = grey.size
    w0, h0 = img.info.get("source_size", (w, h))  # an upload decoded smaller than its file (uploads.read_image)
    scale = min(1.0, max_side / max(w, h))
    if scale < 1.0:
        grey = grey.resize((max(1, round(w * scale)), max(1, round(h * scale))), Image.BOX)
    return GreyInput(np.asarray(grey, dtype=np.float64) / 255.0, (h0, w0), scale < 1.0 or (w0, h0) != (w, h))


def filter_maps(weights, biases, image, padding: int | None = None, relu: bool = True) -> np.ndarray:
    """Feature maps of a trained first layer on one grey image: weights (C, k, k), biases (C,).
    padding=None keeps the size ('same' padding k//2, as the project's koch-small backbone does)."""
    w = np.asarray(weights, dtype=np.float64)
    if w.ndim != 3:
        raise ValueError(f"weights must be (filters, k, k), got shape {w.shape}")
    b = np.asarray(biases, dtype=np.float64).reshape(-1)
    pad = w.shape[-1] // 2 if padding is None else padding
    return np.stack([conv2d(image, w[c], 1, pad) + b[c] for c in range(len(w))]).clip(min=0 if relu else None)
