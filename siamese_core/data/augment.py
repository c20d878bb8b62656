"""Koch et al.'s affine distortions, applied to batches, with the drawn parameters kept for display;
and FaceAugment, the changes a face picture can take (mirror, small turn and zoom, light).

Each component (rotation θ ∈ [−10°, 10°], shear ρx, ρy ∈ [−0.3, 0.3], scale sx, sy ∈ [0.8, 1.2],
translation tx, ty ∈ [−2, 2] px) is used with probability 0.5, otherwise it is the identity.
"""
from __future__ import annotations

import math
from dataclasses import asdict, astuple, dataclass

import torch
import torch.nn.functional as F


@dataclass
class AffineParams:
    theta: float = 0.0   # rotation, degrees
    rho_x: float = 0.0   # shear
    rho_y: float = 0.0
    s_x: float = 1.0     # scale
    s_y: float = 1.0
    t_x: float = 0.0     # translation, pixels
    t_y: float = 0.0

    def as_dict(self) -> dict:
        return asdict(self)


class KochAffine:
    """Draw parameters with `sample(n)`, apply them with `apply(images, params)`; `__call__` does both."""

    def __init__(self, rotation: float = 10.0, shear: float = 0.3, scale: tuple[float, float] = (0.8, 1.2),
                 translation: float = 2.0, p: float = 0.5):
        if not 0.0 <= p <= 1.0:
            raise ValueError("p must be in [0, 1]")
        if rotation < 0 or shear < 0 or translation < 0 or not 0 < scale[0] <= scale[1]:
            raise ValueError("ranges must be non-negative and scale = (low, high) with 0 < low ≤ high")
        self.rotation, self.shear, self.scale, self.translation, self.p = rotation, shear, scale, translation, p

    def sample(self, n: int, generator: torch.Generator | None = None) -> list[AffineParams]:
        def draw(lo, hi, identity):
            use = torch.rand(n, generator=generator) < self.p
            val = lo + (hi - lo) * torch.rand(n, generator=generator)
            return torch.where(use, val, torch.full((n,), float(identity))).tolist()
        th = draw(-self.rotation, self.rotation, 0.0)
        rx, ry = draw(-self.shear, self.shear, 0.0), draw(-self.shear, self.shear, 0.0)
        sx, sy = draw(*self.scale, 1.0), draw(*self.scale, 1.0)
        tx, ty = draw(-self.translation, self.translation, 0.0), draw(-self.translation, self.translation, 0.0)
        return [AffineParams(*v) for v in zip(th, rx, ry, sx, sy, tx, ty)]

    @staticmethod
    def matrix(p: AffineParams) -> torch.Tensor:
        """2×2 linear part: rotation · shear · scale (pixel coordinates, centred)."""
        t = math.radians(p.theta)
        rot = torch.tensor([[math.cos(t), -math.sin(t)], [math.sin(t), math.cos(t)]])
        shear = torch.tensor([[1.0, p.rho_x], [p.rho_y, 1.0]])
        scale = torch.tensor([[p.s_x, 0.0], [0.0, p.s_y]])
        return rot @ shear @ scale

    def apply(self, images: torch.Tensor, params: list[AffineParams]) -> torch.Tensor:
        """Warp N×C×H×W images; background (0) fills the uncovered border."""
        n, _, h, w = images.shape
        if len(params) != n:
            raise ValueError("one AffineParams per image")
        if n == 0:
            return images.clone()
        # The whole batch's maps at once (a loop of small 2×2 tensors per image cost more than the warp).
        th, rx, ry, sx, sy, tx, ty = torch.tensor([astuple(p) for p in params], dtype=torch.float64).T
        t = torch.deg2rad(th)
        one, zero = torch.ones(n, dtype=torch.float64), torch.zeros(n, dtype=torch.float64)
        rot = torch.stack([torch.stack([t.cos(), -t.sin()], 1), torch.stack([t.sin(), t.cos()], 1)], 1)
        shear = torch.stack([torch.stack([one, rx], 1), torch.stack([ry, one], 1)], 1)
        scale = torch.stack([torch.stack([sx, zero], 1), torch.stack([zero, sy], 1)], 1)
        # affine_grid maps output → input coordinates, so invert the forward transform (as `matrix` gives it).
        inv = torch.linalg.inv(rot @ shear @ scale)
        shift = torch.stack([2 * tx / w, 2 * ty / h], 1)  # normalised coordinates: [-1, 1] spans the image
        theta = torch.cat([inv, -(inv @ shift[:, :, None])], 2).float()
        grid = F.affine_grid(theta.to(images), list(images.shape), align_corners=False)
        return F.grid_sample(images, grid, mode="bilinear", padding_mode="zeros", align_corners=False)

    def __call__(self, images: torch.Tensor, generator: torch.Generator | None = None
                 ) -> tuple[torch.Tensor, list[AffineParams]]:
        params = self.sample(len(images), generator)
        return self.apply(images, params), params


class FaceAugment:
    """Photometric and small geometric changes a face picture can take without changing who it is:
    a mirror image (p = 0.5), rotation θ ∈ [−10°, 10°], zoom ×[0.9, 1.1], shift ∈ [−4 %, 4 %] of the
    width and height, brightness ± 0.15 and contrast ×[0.75, 1.25]. The border is repeated, not
    filled with black (a black edge would be a cue no real photo has). Same call shape as KochAffine;
    no parameters are kept for display, so the second value is None."""

    def __init__(self, rotation: float = 10.0, zoom: float = 0.1, shift: float = 0.04,
                 brightness: float = 0.15, contrast: float = 0.25, flip: bool = True):
        self.rotation, self.zoom, self.shift = rotation, zoom, shift
        self.brightness, self.contrast, self.flip = brightness, contrast, flip

    def __call__(self, images: torch.Tensor, generator: torch.Generator | None = None
                 ) -> tuple[torch.Tensor, None]:
        n = len(images)

        def u(half):  # uniform in [−half, half]
            return (2 * torch.rand(n, generator=generator) - 1) * half
        angle, zoom = u(math.radians(self.rotation)), 1 + u(self.zoom)
        mirror = torch.where(torch.rand(n, generator=generator) < 0.5, -1.0, 1.0) if self.flip else torch.ones(n)
        cos, sin = torch.cos(angle) / zoom, torch.sin(angle) / zoom
        # affine_grid works in normalised coordinates ([-1, 1] spans the picture): a shift of 4 % is 0.08.
        theta = torch.stack([torch.stack([cos * mirror, -sin, u(2 * self.shift)], 1),
                             torch.stack([sin * mirror, cos, u(2 * self.shift)], 1)], 1)
        grid = F.affine_grid(theta.to(images), list(images.shape), align_corners=False)
        x = F.grid_sample(images, grid, mode="bilinear", padding_mode="border", align_corners=False)
        mean = x.mean((2, 3), keepdim=True)
        contrast = (1 + u(self.contrast)).view(n, 1, 1, 1).to(x)
        brightness = u(self.brightness).view(n, 1, 1, 1).to(x)
        return ((x - mean) * contrast + mean + brightness).clamp(0, 1), None
