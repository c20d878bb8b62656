"""The hand-written convolution against PyTorch's, on random inputs and many stride/padding settings."""
import io
from pathlib import Path

import numpy as np
import pytest
import torch
import torch.nn.functional as F
from PIL import Image

from siamese_core.explain.conv_explain import (
    cell_arithmetic,
    conv2d,
    filter_maps,
    grey_input,
    output_size,
    pool2d,
    receptive_field,
)
from siamese_core.explain.kernels import KERNELS, SIZES, kernel_preset
from siamese_core.vision.uploads import read_image

SETTINGS = [(h, w, k, s, p) for h, w in ((7, 7), (8, 11), (13, 5)) for k in (1, 2, 3, 5)
            for s in (1, 2, 3) for p in (0, 1, 2)]


def _torch_conv(x, w, s, p):
    return F.conv2d(torch.from_numpy(x)[None, None], torch.from_numpy(w)[None, None], stride=s, padding=p)[0, 0].numpy()


@pytest.mark.parametrize("h,w,k,s,p", SETTINGS)
def test_conv2d_matches_torch(h, w, k, s, p):
    rng = np.random.default_rng(h * 1000 + w * 100 + k * 10 + s + p)
    x, kern = rng.normal(size=(h, w)), rng.normal(size=(k, k))
    if k > min(h, w) + 2 * p:
        with pytest.raises(ValueError, match="larger than the padded input"):
            conv2d(x, kern, s, p)
        return
    ours = conv2d(x, kern, s, p)
    ref = _torch_conv(x, kern, s, p)
    assert ours.shape == ref.shape == (output_size(h, k, s, p), output_size(w, k, s, p))
    np.testing.assert_allclose(ours, ref, atol=1e-10)
    np.testing.assert_allclose(conv2d(x, kern, s, p, relu=True), np.maximum(ref, 0), atol=1e-10)


def test_rectangular_kernel_matches_torch():
    rng = np.random.default_rng(0)
    x, kern = rng.normal(size=(9, 10)), rng.normal(size=(2, 4))
    np.testing.assert_allclose(conv2d(x, kern, 2, 1), _torch_conv(x, kern, 2, 1), atol=1e-10)


@pytest.mark.parametrize("h,w,k,s,p", [c for c in SETTINGS if c[2] <= min(c[0], c[1]) + 2 * c[4]][::3])
def test_every_cell_arithmetic_sums_to_the_feature_map(h, w, k, s, p):
    rng = np.random.default_rng(1)
    x, kern = rng.normal(size=(h, w)), rng.normal(size=(k, k))
    out = _torch_conv(x, kern, s, p)
    xp = np.pad(x, p)
    for r in range(out.shape[0]):
        for c in range(out.shape[1]):
            cell = cell_arithmetic(x, kern, r, c, s, p, relu=True)
            assert cell.total == pytest.approx(out[r, c], abs=1e-10)
            assert cell.value == pytest.approx(max(out[r, c], 0.0), abs=1e-10)
            # Brute force: the receptive field is exactly the padded window the output reads.
            f = cell.field
            window = xp[f.row0 + p:f.row0 + p + k, f.col0 + p:f.col0 + p + k]
            np.testing.assert_allclose([t.x for t in cell.terms], window.ravel())
            assert all(t.padding == (not (0 <= t.in_row < h and 0 <= t.in_col < w)) for t in cell.terms)


def test_receptive_field_rows_and_columns():
    f = receptive_field(2, 3, (3, 3), stride=2, padding=1, input_shape=(10, 10))
    assert list(f.row_range) == [3, 4, 5] and list(f.col_range) == [5, 6, 7]
    corner = receptive_field(0, 0, (5, 5), stride=1, padding=2, input_shape=(6, 6))
    assert (corner.row0, corner.col0) == (-2, -2) and corner.clipped((6, 6)) == (0, 2, 0, 2)
    with pytest.raises(ValueError, match="outside"):
        receptive_field(4, 0, (3, 3), 1, 0, (6, 6))


def test_cell_latex_shows_the_real_numbers():
    x = np.arange(16, dtype=float).reshape(4, 4)
    cell = cell_arithmetic(x, kernel_preset("Sobel x"), 0, 0)
    assert cell.total == pytest.approx(8.0)  # (2−0)+2·(6−4)+(10−8)
    tex = cell.latex()
    assert r"2.000\cdot1.000" in tex and "&= 8.000" in tex
    assert r" 0.000\cdot" not in tex  # x = 0 products are left out
    assert len(cell_arithmetic(x, kernel_preset("Sobel x"), 0, 0).terms) == 9


@pytest.mark.parametrize("kind", ["max", "average"])
@pytest.mark.parametrize("size,stride", [(1, 1), (2, 2), (2, 1), (3, 2), (3, 3), (4, 1)])
@pytest.mark.parametrize("shape", [(8, 8), (9, 7), (5, 12)])
def test_pool2d_matches_torch(kind, size, stride, shape):
    x = np.random.default_rng(size * 10 + stride).normal(size=shape)
    fn = F.max_pool2d if kind == "max" else F.avg_pool2d
    ref = fn(torch.from_numpy(x)[None, None], size, stride)[0, 0].numpy()
    np.testing.assert_allclose(pool2d(x, kind, size, stride), ref, atol=1e-12)


@pytest.mark.parametrize("call,message", [
    (lambda: output_size(5, 3, stride=0), "stride must be at least 1"),
    (lambda: output_size(5, 3, padding=-1), "padding must be at least 0"),
    (lambda: output_size(3, 7, 1, 1), "larger than the padded input"),
    (lambda: conv2d(np.ones((4, 4)), np.ones((3, 3)), stride=1.5), "whole number"),
    (lambda: conv2d(np.ones(4), np.ones((3, 3))), "2-D"),
    (lambda: conv2d(np.full((4, 4), np.nan), np.ones((3, 3))), "NaN"),
    (lambda: pool2d(np.ones((3, 3)), "max", 4, 2), "larger than the feature map"),
    (lambda: pool2d(np.ones((3, 3)), "median", 2, 2), "pooling must be one of"),
    (lambda: pool2d(np.ones((6, 6)), "max", 2, 0), "stride must be at least 1"),
])
def test_impossible_settings_raise_one_clear_valueerror(call, message):
    with pytest.raises(ValueError, match=message):
        call()


def test_output_size_formula_examples():
    assert output_size(28, 3) == 26 and output_size(28, 3, 1, 1) == 28 and output_size(28, 3, 2, 1) == 14
    assert output_size(105, 10) == 96  # Koch's first layer


@pytest.mark.parametrize("name", list(KERNELS))
@pytest.mark.parametrize("size", SIZES)
def test_kernel_presets(name, size):
    w = kernel_preset(name, size)
    assert w.shape == (size, size) and np.isfinite(w).all()
    if name in ("box blur", "Gaussian blur", "identity", "sharpen"):
        assert w.sum() == pytest.approx(1.0)  # keep the overall brightness
    if name in ("Sobel x", "Sobel y", "Laplacian", "edge"):
        assert w.sum() == pytest.approx(0.0)  # flat regions give 0
    if name == "identity":
        x = np.random.default_rng(0).normal(size=(9, 9))
        np.testing.assert_allclose(conv2d(x, w, 1, size // 2), x)


def test_laplacian_sizes_agree_in_sign():
    # One convention for both sizes (the maths ∇²: negative centre), so switching 3×3 ↔ 5×5 on the page
    # changes how wide the kernel looks, not whether bright dots come out dark.
    small, large = kernel_preset("Laplacian", 3), kernel_preset("Laplacian", 5)
    assert np.sign(small[1, 1]) == np.sign(large[2, 2]) == -1
    assert small.sum() == pytest.approx(0.0) and large.sum() == pytest.approx(0.0)
    dot = np.zeros((9, 9))
    dot[4, 4] = 1.0
    assert conv2d(dot, small, 1, 1)[4, 4] < 0 and conv2d(dot, large, 1, 2)[4, 4] < 0


def test_sobel_x_responds_to_left_to_right_brightening():
    ramp = np.tile(np.arange(8.0), (8, 1))        # brighter to the right
    assert (conv2d(ramp, kernel_preset("Sobel x")) > 0).all()
    assert np.allclose(conv2d(ramp, kernel_preset("Sobel y")), 0)
    with pytest.raises(ValueError, match="presets"):
        kernel_preset("emboss")
    with pytest.raises(ValueError, match="sizes"):
        kernel_preset("Sobel x", 7)


def test_filter_maps_match_torch_conv_with_bias_and_relu():
    rng = np.random.default_rng(3)
    w, b, x = rng.normal(size=(4, 5, 5)), rng.normal(size=4), rng.random((12, 10))
    ref = F.relu(F.conv2d(torch.from_numpy(x)[None, None], torch.from_numpy(w)[:, None], torch.from_numpy(b),
                          padding=2))[0].numpy()
    np.testing.assert_allclose(filter_maps(w, b, x), ref, atol=1e-10)


def test_grey_input_from_real_upload_bytes(data_dir):
    pgm = Path(data_dir or "/nonexistent") / "att_faces" / "s1" / "1.pgm"
    if not pgm.is_file():
        pytest.skip("AT&T faces not in the data folder")
    raw = pgm.read_bytes()
    g = grey_input(read_image(raw), 64)
    assert g.original_size == (112, 92) and g.size == (64, 53) and g.resized
    assert 0.0 <= g.pixels.min() and g.pixels.max() <= 1.0
    # The same face as an RGB PNG decodes to the same grey picture.
    buf = io.BytesIO()
    Image.open(io.BytesIO(raw)).convert("RGB").save(buf, format="PNG")
    g2 = grey_input(read_image(buf.getvalue()), 64)
    np.testing.assert_allclose(g2.pixels, g.pixels, atol=1 / 255)
    small = grey_input(read_image(raw), 200)
    assert not small.resized and small.size == (112, 92)
