import math

import pytest
import torch

from siamese_core.data.augment import AffineParams, KochAffine


def test_drawn_parameters_stay_in_the_paper_ranges_with_probability_half():
    params = KochAffine().sample(4000, torch.Generator().manual_seed(0))
    th = torch.tensor([p.theta for p in params])
    sx = torch.tensor([p.s_x for p in params])
    rx = torch.tensor([p.rho_x for p in params])
    tx = torch.tensor([p.t_x for p in params])
    assert th.abs().max() <= 10 and rx.abs().max() <= 0.3 and tx.abs().max() <= 2
    assert sx.min() >= 0.8 and sx.max() <= 1.2
    for v, identity in ((th, 0.0), (sx, 1.0), (rx, 0.0), (tx, 0.0)):
        used = (v != identity).float().mean().item()
        assert abs(used - 0.5) < 0.04  # each component applied with probability 0.5


def test_identity_parameters_leave_the_image_unchanged():
    x = torch.rand(2, 1, 28, 28)
    out = KochAffine().apply(x, [AffineParams(), AffineParams()])
    torch.testing.assert_close(out, x, atol=1e-5, rtol=0)


def test_translation_moves_content_by_whole_pixels():
    x = torch.zeros(1, 1, 20, 20)
    x[0, 0, 10, 10] = 1
    out = KochAffine().apply(x, [AffineParams(t_x=2.0, t_y=-1.0)])
    assert out[0, 0].argmax().item() == 9 * 20 + 12  # row 10 − 1, column 10 + 2


def test_rotation_turns_a_bar():
    x = torch.zeros(1, 1, 41, 41)
    x[0, 0, 20, 5:36] = 1  # horizontal bar
    out = KochAffine().apply(x, [AffineParams(theta=90.0)])[0, 0]
    assert out[5:36, 20].mean() > 0.8 and out[20, 5:15].mean() < 0.1  # now vertical


def test_bad_ranges_are_refused():
    with pytest.raises(ValueError):
        KochAffine(p=1.5)
    with pytest.raises(ValueError):
        KochAffine(scale=(1.2, 0.8))


def test_call_returns_the_parameters_it_used():
    aug = KochAffine()
    x = torch.rand(3, 1, 16, 16)
    out, params = aug(x, torch.Generator().manual_seed(1))
    torch.testing.assert_close(out, aug.apply(x, params))
    assert math.isfinite(params[0].theta)


def test_face_augment_keeps_shape_and_range_and_mirrors_about_half():
    from siamese_core.data.augment import FaceAugment
    g = torch.Generator().manual_seed(0)
    x = torch.rand(200, 1, 28, 24)
    out, params = FaceAugment()(x, g)
    assert params is None and out.shape == x.shape and out.min() >= 0 and out.max() <= 1
    # A left-right ramp: mirrored copies slope the other way.
    ramp = torch.linspace(0, 1, 24).expand(200, 1, 28, 24).contiguous()
    out, _ = FaceAugment(rotation=0, zoom=0, shift=0, brightness=0, contrast=0)(ramp, g)
    mirrored = (out[:, 0, :, -1] < out[:, 0, :, 0]).all(1).float().mean().item()
    assert 0.35 < mirrored < 0.65
    kept = out[(out[:, 0, :, -1] > out[:, 0, :, 0]).all(1)]
    assert torch.allclose(kept, ramp[: len(kept)], atol=1e-5)  # no turn, zoom or light: unchanged


def test_a_batch_is_warped_as_each_image_would_be_alone_with_the_papers_matrix():
    """The grid is built for the whole batch at once: each image must still get its own inverse map."""
    aug, g = KochAffine(p=1.0), torch.Generator().manual_seed(2)
    x = torch.rand(6, 1, 24, 20)
    params = aug.sample(6, g)
    out = aug.apply(x, params)
    for i, p in enumerate(params):
        inv = torch.linalg.inv(KochAffine.matrix(p))
        theta = torch.cat([inv, (-inv @ torch.tensor([2 * p.t_x / 20, 2 * p.t_y / 24]))[:, None]], 1)[None]
        grid = torch.nn.functional.affine_grid(theta, [1, 1, 24, 20], align_corners=False)
        alone = torch.nn.functional.grid_sample(x[i:i + 1], grid, align_corners=False)
        torch.testing.assert_close(out[i:i + 1], alone, atol=1e-5, rtol=0)

