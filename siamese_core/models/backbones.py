"""Embedding networks ("the twin"): the course's VGG-style backbone and Koch et al.'s ConvNet.

Each maps a batch N×1×H×W to embeddings N×D. Small blocks first, whole networks last.
"""
from __future__ import annotations

import torch
import torch.nn.functional as F
from torch import nn


class VGGBlock(nn.Sequential):
    """Two 3×3 'same' convs → BN → ReLU → spatial dropout (→ 2×2 max-pool)."""

    def __init__(self, c_in: int, c_out: int, dropout: float, pool: bool):
        layers = [nn.Conv2d(c_in, c_out, 3, padding=1), nn.Conv2d(c_out, c_out, 3, padding=1),
                  nn.BatchNorm2d(c_out), nn.ReLU(inplace=True), nn.Dropout2d(dropout)]
        if pool:
            layers.append(nn.MaxPool2d(2))
        super().__init__(*layers)


class VGGBackbone(nn.Module):
    """The course's Fashion-MNIST backbone: blocks of 8, 16, 32 filters, dense 256 → BN → ReLU → dense D.

    Only the first two blocks pool (28 → 14 → 7), so the flattened map is 7·7·32 = 1568 and the
    network has 428,552 parameters plus 624 batch-norm running statistics at D = 32 — the course's
    Keras summary counts the two together as 429,176.
    """

    def __init__(self, embedding_dim: int = 32, input_size: tuple[int, int] = (28, 28),
                 widths: tuple[int, ...] = (8, 16, 32), hidden: int = 256, dropout: float = 0.1):
        super().__init__()
        blocks, c_in = [], 1
        for i, w in enumerate(widths):
            blocks.append(VGGBlock(c_in, w, dropout, pool=i < len(widths) - 1))
            c_in = w
        self.features = nn.Sequential(*blocks)
        flat = _flat_size(self.features, input_size)
        self.head = nn.Sequential(nn.Flatten(), nn.Linear(flat, hidden), nn.BatchNorm1d(hidden),
                                  nn.ReLU(inplace=True), nn.Linear(hidden, embedding_dim))
        self.embedding_dim = embedding_dim

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.head(self.features(x))


class KochBackbone(nn.Module):
    """Koch, Zemel & Salakhutdinov (2015): conv 64@10 → pool → 128@7 → pool → 128@4 → pool → 256@4
    → dense 4096 with sigmoid, on 105×105 images. `width` scales every layer (0.25 trains on a CPU),
    `input_size` may be smaller than 105 (with padding="same" the maps only shrink by pooling)."""

    def __init__(self, embedding_dim: int = 4096, input_size: tuple[int, int] = (105, 105),
                 width: float = 1.0, kernels: tuple[int, int, int, int] = (10, 7, 4, 4),
                 sigmoid: bool = True, padding: str = "valid", batch_norm: bool = False):
        super().__init__()
        c = [max(1, round(n * width)) for n in (64, 128, 128, 256)]
        pad = (lambda k: k // 2) if padding == "same" else (lambda k: 0)  # "same" keeps small inputs alive

        def conv(c_in, c_out, k):  # batch norm (not in the paper) makes short CPU trainings converge
            return [nn.Conv2d(c_in, c_out, k, padding=pad(k)), *([nn.BatchNorm2d(c_out)] if batch_norm else []),
                    nn.ReLU(inplace=True)]
        k1, k2, k3, k4 = kernels
        self.features = nn.Sequential(
            *conv(1, c[0], k1), nn.MaxPool2d(2), *conv(c[0], c[1], k2), nn.MaxPool2d(2),
            *conv(c[1], c[2], k3), nn.MaxPool2d(2), *conv(c[2], c[3], k4))
        flat = _flat_size(self.features, input_size)
        layers = [nn.Flatten(), nn.Linear(flat, embedding_dim)]
        if sigmoid:
            layers.append(nn.Sigmoid())
        self.head = nn.Sequential(*layers)
        self.embedding_dim = embedding_dim

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.head(self.features(x))

    def koch_init_(self) -> KochBackbone:
        """The paper's initialisation: conv W ~ N(0, 1e-2), biases ~ N(0.5, 1e-2), dense W ~ N(0, 2e-1).

        The paper gives these as standard deviations written 10⁻² and 2·10⁻¹."""
        for m in self.modules():
            if isinstance(m, nn.Conv2d):
                nn.init.normal_(m.weight, 0.0, 1e-2)
                nn.init.normal_(m.bias, 0.5, 1e-2)
            elif isinstance(m, nn.Linear):
                nn.init.normal_(m.weight, 0.0, 2e-1)
                nn.init.normal_(m.bias, 0.5, 1e-2)
        return self


class FaceCNN(nn.Module):
    """A small face twin: blocks of two 3×3 convs (each → BN → ReLU) and a 2×2 max-pool, 32, 64, 128
    filters, then dropout → dense D → BN. Used with the CosFace loss on AT&T faces (56×46 input):
    with only 24 training people, what generalises is few filters, batch norm after every conv and
    dropout before the one dense layer — the VGG backbone's 256-wide hidden layer memorised them."""

    def __init__(self, embedding_dim: int = 128, input_size: tuple[int, int] = (56, 46),
                 widths: tuple[int, ...] = (32, 64, 128), dropout: float = 0.3):
        super().__init__()
        layers, c_in = [], 1
        for w in widths:
            for c in (c_in, w):  # bias-free convs: the batch norm after each supplies the offset
                layers += [nn.Conv2d(c, w, 3, padding=1, bias=False), nn.BatchNorm2d(w), nn.ReLU(inplace=True)]
            layers.append(nn.MaxPool2d(2))
            c_in = w
        self.features = nn.Sequential(*layers)
        flat = _flat_size(self.features, input_size)
        self.head = nn.Sequential(nn.Flatten(), nn.Dropout(dropout), nn.Linear(flat, embedding_dim),
                                  nn.BatchNorm1d(embedding_dim))
        self.embedding_dim = embedding_dim

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.head(self.features(x))


ENSEMBLE_JOINS = ("mean", "concat")


class TwinEnsemble(nn.Module):
    """K twins trained apart (other seeds, same people), used as one. Members err on different pairs, so
    together they err less. Each member's embedding is taken as it was trained: made unit-length when the
    members learned unit-length embeddings (`unit`), as it is otherwise (a prototypical twin learned its
    distances unnormalised; made unit-length, its p(c | x) = softmax(−d²) would be nearly flat). Then
    - "mean": the K are averaged (D long);
    - "concat": the K are set end to end and divided by √K (K·D long), so a squared distance is the mean
      of the members' squared distances: no member's view is blurred into another's, and each keeps the
      scale it learned."""

    def __init__(self, members: list[nn.Module], join: str = "mean", unit: bool = True):
        super().__init__()
        if join not in ENSEMBLE_JOINS:
            raise ValueError(f"join must be one of {ENSEMBLE_JOINS}, not {join!r}")
        self.members, self.join, self.unit = nn.ModuleList(members), join, unit
        d = members[0].embedding_dim
        self.embedding_dim = d * len(members) if join == "concat" else d

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        parts = [F.normalize(m(x), dim=-1) if self.unit else m(x) for m in self.members]
        if self.join == "concat":
            return torch.cat(parts, dim=-1) / len(parts) ** 0.5
        return torch.stack(parts).mean(0)


def _flat_size(features: nn.Module, input_size: tuple[int, int]) -> int:
    """Length of the flattened feature map for one input of `input_size` (H, W)."""
    h, w = input_size
    with torch.no_grad():
        was_training = features.training
        features.eval()
        try:
            out = features(torch.zeros(1, 1, h, w))
        except RuntimeError:  # a kernel larger than the shrunken map
            raise ValueError(f"input size {input_size} is too small for this network") from None
        finally:
            features.train(was_training)
    return out.numel()


def count_parameters(model: nn.Module) -> dict[str, int]:
    """Trainable parameters, batch-norm running statistics, and the two added the way Keras counts."""
    params = sum(p.numel() for p in model.parameters())
    stats = sum(b.numel() for name, b in model.named_buffers()
                if name.endswith(("running_mean", "running_var")))
    return {"parameters": params, "bn_statistics": stats, "keras_total": params + stats}
