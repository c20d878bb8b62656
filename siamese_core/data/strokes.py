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

OMNIGLOT_SIZE = 105
PEN_RADIUS = 2  # a disc 5 px across: Omniglot's strokes measure 5.6 px


def _erode(x: torch.Tensor) -> torch.Tensor:
    return -F.max_pool2d(-x, 3, stride=1, padding=1)


def _dilate(x: torch.Tensor) -> torch.Tensor:
    return F.max_pool2d(x, 3, stride=1, padding=1)


def skeleton(ink: torch.Tensor) -> torch.Tensor:
    """Lantuéjoul's skeleton of binary N×1×H×W images: the union over k of erodeᵏ(A) − open(erodeᵏ(A))."""
    out = torch.zeros_like(ink)
    a = ink
    while a.any():
        out = torch.maximum(out, a - _dilate(_erode(a)))
        a = _erode(a)
    return out


def pen(radius: int) -> torch.Tensor:
    """A round pen: the (2r+1)×(2r+1) disc as a convolution kernel."""
    r = torch.arange(-radius, radius + 1, dtype=torch.float32)
    return ((r[:, None] ** 2 + r[None, :] ** 2) <= radius ** 2 + 0.5).float()[None, None]


@torch.no_grad()
def omniglot_pen(images: torch.Tensor, radius: int = PEN_RADIUS, size: int = OMNIGLOT_SIZE,
                 level: float = 0.5, chunk: int = 512) -> torch.Tensor:
    """N×1×H×W bright ink in [0, 1] → N×1×size×size binary images redrawn with a pen of `radius`."""
    k = pen(radius)
    out = []
    for s in range(0, len(images), chunk):  # chunks: a 105×105 float copy of 10,000 digits is 0.4 GB
        big = F.interpolate(images[s:s + chunk].float(), size=(size, size), mode="bilinear", align_corners=False)
        bones = skeleton((big >= level).float())
        out.append((F.conv2d(bones, k, padding=radius) > 0).float())
    return torch.cat(out) if out else images.new_zeros(0, 1, size, size)


def bright_ink(images: torch.Tensor, frame: int = 2) -> torch.Tensor:
    """N×1×H×W in [0, 1] → bright ink on a dark background, whichever way each image came: an image whose
    border (the outer `frame` pixels, where paper shows) is mostly light is turned over. MNIST stores white
    digits on black, a scan or a PNG of Omniglot has dark ink on white; both come out the same."""
    x = images.float()
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
