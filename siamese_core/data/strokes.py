"""Redraw bright-ink images with Omniglot's pen, so a model trained on Omniglot meets strokes it knows.

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
