"""Drawings in one form whatever their source: bright ink, Omniglot's pen, upright and centred.

Omniglot drawings are binary 105×105 images whose strokes are about 5.6 px wide (ink pixels per
skeleton pixel); MNIST digits blown up to 105×105 have grey strokes about 10.8 px wide. `omniglot_pen`
takes the digit to 105×105, binarises it, thins it to a one-pixel skeleton (Lantuéjoul's morphological
skeleton) and draws that skeleton again with a round pen of Omniglot's width. The result goes through
the same antialiased shrink as Omniglot's own images when a 28×28 model embeds it.
"""
from __future__ import annotations

import torch
import torch.nn.functional as F

from .base import as_float

OMNIGLOT_SIZE = 105
PEN_RADIUS = 2  # a disc 5 px across: Omniglot's strokes measure 5.6 px


def _spread(x: torch.Tensor, outside: bool, combine) -> torch.Tensor:
    """`combine` of every pixel's 3×3 neighbourhood in a bool N×1×H×W image, in two passes of three shifted views
    (a row, then a column), the border padded with `outside`: 30 times faster on a CPU than max_pool2d on
    floats, which took most of the time of redrawing a dataset."""
    p = F.pad(x.to(torch.uint8), (1, 1, 1, 1), value=int(outside)).bool()
    rows = combine(combine(p[..., :, :-2], p[..., :, 1:-1]), p[..., :, 2:])
    return combine(combine(rows[..., :-2, :], rows[..., 1:-1, :]), rows[..., 2:, :])


def _erode(x: torch.Tensor) -> torch.Tensor:
    return _spread(x, True, torch.logical_and)  # outside counts as ink: the border does not erode


def _dilate(x: torch.Tensor) -> torch.Tensor:
    return _spread(x, False, torch.logical_or)


def skeleton(ink: torch.Tensor) -> torch.Tensor:
    """Lantuéjoul's skeleton of binary N×1×H×W images: the union over k of erodeᵏ(A) − open(erodeᵏ(A))."""
    a = ink.bool()
    out = torch.zeros_like(a)
    while a.any():
        eroded = _erode(a)  # once: opening(a) is dilate(erode(a)), and erode(a) is the next a
        out |= a & ~_dilate(eroded)
        a = eroded
    return out.to(ink.dtype)


def pen(radius: int) -> torch.Tensor:
    """A round pen: the (2r+1)×(2r+1) disc, 1 where it draws."""
    r = torch.arange(-radius, radius + 1, dtype=torch.float32)
    return ((r[:, None] ** 2 + r[None, :] ** 2) <= radius ** 2 + 0.5).float()[None, None]


@torch.no_grad()
def omniglot_pen(images: torch.Tensor, radius: int = PEN_RADIUS, size: int = OMNIGLOT_SIZE,
                 level: float = 0.5, chunk: int = 512) -> torch.Tensor:
    """N×1×H×W bright ink in [0, 1] → N×1×size×size binary images redrawn with a pen of `radius`."""
    out = []
    for s in range(0, len(images), chunk):  # chunks: a 105×105 float copy of 10,000 digits is 0.4 GB
        big = F.interpolate(images[s:s + chunk].float(), size=(size, size), mode="bilinear", align_corners=False)
        out.append(_draw(skeleton(big >= level), radius).float())
    return torch.cat(out) if out else images.new_zeros(0, 1, size, size)


def _draw(bones: torch.Tensor, radius: int) -> torch.Tensor:
    """Every pixel of a bool skeleton stamped with the round pen: an OR of the image shifted by each of the
    pen's offsets (on bools, several times faster than a float convolution with the disc)."""
    h, w = bones.shape[-2:]
    p = F.pad(bones.to(torch.uint8), (radius,) * 4).bool()
    out = torch.zeros_like(bones)
    for dy, dx in pen(radius)[0, 0].nonzero().tolist():
        out |= p[..., dy:dy + h, dx:dx + w]
    return out


def bright_ink(images: torch.Tensor, frame: int = 2) -> torch.Tensor:
    """N×1×H×W in [0, 1] → bright ink on a dark background, whichever way each image came: an image whose
    border (the outer `frame` pixels, where paper shows) is mostly light is turned over. MNIST stores white
    digits on black, a scan or a PNG of Omniglot has dark ink on white; both come out the same."""
    x = as_float(images).float()
    f = min(frame, max(1, min(x.shape[-2:]) // 4))
    border = torch.cat([x[..., :f, :].flatten(1), x[..., -f:, :].flatten(1),
                        x[..., :, :f].flatten(1), x[..., :, -f:].flatten(1)], dim=1)
    light = border.median(dim=1).values > 0.5
    return torch.where(light[:, None, None, None], 1.0 - x, x)


def upright(images: torch.Tensor) -> torch.Tensor:
    """Bright-ink N×1×H×W images with their ink's centre of mass moved to the middle and their slant
    removed: each is sheared about that centre so its ink's second moments have no x–y term (the classic
    deskew of handwritten digits). The same letter written with a different lean comes out alike."""
    x = images.float()
    n, _, h, w = x.shape
    ys = torch.linspace(-1, 1, h)[:, None].expand(h, w)
    xs = torch.linspace(-1, 1, w)[None, :].expand(h, w)
    ink = x[:, 0]
    mass = ink.sum((1, 2)).clamp_min(1e-6)
    cx, cy = (ink * xs).sum((1, 2)) / mass, (ink * ys).sum((1, 2)) / mass
    dx, dy = xs - cx[:, None, None], ys - cy[:, None, None]
    shear = (ink * dx * dy).sum((1, 2)) / (ink * dy * dy).sum((1, 2)).clamp_min(1e-6)
    # affine_grid maps each output point (u, v) to the input point (cx + u + shear·v, cy + v).
    theta = torch.zeros(n, 2, 3)
    theta[:, 0, 0], theta[:, 0, 1], theta[:, 0, 2] = 1.0, shear, cx
    theta[:, 1, 1], theta[:, 1, 2] = 1.0, cy
    grid = F.affine_grid(theta, list(x.shape), align_corners=False)
    return F.grid_sample(x, grid, mode="bilinear", padding_mode="zeros", align_corners=False)


@torch.no_grad()
def canonical_strokes(images: torch.Tensor, size: tuple[int, int], chunk: int = 256) -> torch.Tensor:
    """N×1×H×W drawings of any size and polarity → N×1×size, the form a stroke model sees them in, in
    training and after: bright ink, redrawn with Omniglot's pen at 105×105, upright and centred, then
    shrunk like the loader shrinks its datasets."""
    out = []
    for s in range(0, len(images), chunk):
        drawn = upright(omniglot_pen(bright_ink(images[s:s + chunk])))
        out.append(F.interpolate(drawn, size=size, mode="bilinear", antialias=True, align_corners=False).clamp_(0, 1))
    return torch.cat(out) if out else images.new_zeros(0, 1, *size)
