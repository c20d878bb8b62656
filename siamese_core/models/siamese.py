"""The Siamese network: one twin module applied to both inputs, then a distance or a pair head."""
from __future__ import annotations

from collections.abc import Sequence
from dataclasses import asdict, dataclass, fields, replace

import numpy as np
import torch
import torch.nn.functional as F
from PIL import Image
from torch import nn

from ..data.base import as_float
from ..data.registry import resize_images
from ..data.strokes import bright_ink, canonical_strokes
from ..distances import make_distance
from .backbones import ENSEMBLE_JOINS, FaceCNN, KochBackbone, TwinEnsemble, VGGBackbone
from .embed import embed, evaluating
from .heads import HEADS

BACKBONES = ("vgg", "koch", "koch-small", "face-cnn")
POLARITIES = ("keep", "auto")


@dataclass
class ModelConfig:
    backbone: str = "vgg"                 # "vgg" (course), "koch" (paper, 105×105), "koch-small" (CPU),
                                          # "face-cnn" (small face twin, see FaceCNN)
    embedding_dim: int = 32               # D, the length of the embedding
    input_size: tuple[int, int] = (28, 28)  # (H, W) the network is built for
    head: str | None = None               # None (score = −distance), "l1" (Koch) or "concat" (course BCE)
    distance: str = "l2"                  # "l2", "l1" or "cosine", for head-less models
    normalize: bool = True                # L2-normalise embeddings (so a margin of 1 fits any D)
    num_classes: int | None = None        # a softmax classifier on the embedding (softmax / center loss)
    width: float = 1.0                    # Koch channel multiplier
    invert: bool = False                  # prepare(): invert grey PIL images (dark ink on white paper)
    polarity: str = "keep"                # prepare(): "keep" the grey levels, or "auto": bright ink on dark,
                                          # each image turned over when its border is light (data/strokes.py)
    strokes: bool = False                 # prepare(): every drawing redrawn as in training (Omniglot's pen,
                                          # upright, centred: data/strokes.canonical_strokes)
    dropout: float = 0.1                  # VGG spatial dropout; face-cnn: dropout before the dense layer
    flip_average: bool = False            # eval: embed the picture and its mirror image, average the two
    batch_norm: bool = False              # koch-small: batch norm after every conv (not in the paper)
    test_shifts: int = 0                  # eval mode: average the embedding over the image and its copies
                                          # moved this many pixels up, down, left and right (0: off)
    members: int = 1                      # K twins trained apart, used as one (backbones.TwinEnsemble)
    member_join: str = "mean"             # how their embeddings are joined: "mean" or "concat"
    cohort_size: int = 0                  # S-norm: embeddings of this many training pictures kept with the
                                          # model; a pair's −distance is scored against them (0: off)

    def __post_init__(self):
        self.input_size = tuple(int(v) for v in self.input_size)
        if self.backbone not in BACKBONES:
            raise ValueError(f"backbone must be one of {BACKBONES}, not {self.backbone!r}")
        if self.head is not None and self.head not in HEADS:
            raise ValueError(f"head must be None or one of {tuple(HEADS)}, not {self.head!r}")
        if self.embedding_dim < 1:
            raise ValueError("embedding_dim must be ≥ 1")
        if self.polarity not in POLARITIES:
            raise ValueError(f"polarity must be one of {POLARITIES}, not {self.polarity!r}")
        if self.cohort_size < 0 or (self.cohort_size and self.head is not None):
            raise ValueError("cohort_size must be ≥ 0, and S-norm needs distance scores (no pair head)")
        if self.members < 1 or (self.members > 1 and self.head is not None):
            raise ValueError("members must be ≥ 1, and more than 1 only for a twin without a pair head")
        if self.member_join not in ENSEMBLE_JOINS:
            raise ValueError(f"member_join must be one of {ENSEMBLE_JOINS}, not {self.member_join!r}")

    @classmethod
    def from_dict(cls, d: dict) -> ModelConfig:
        names = {f.name for f in fields(cls)}
        return cls(**{k: v for k, v in d.items() if k in names})

    def as_dict(self) -> dict:
        return asdict(self)


def build_backbone(cfg: ModelConfig) -> nn.Module:
    if cfg.members > 1:
        return TwinEnsemble([build_backbone(replace(cfg, members=1)) for _ in range(cfg.members)], cfg.member_join,
                            unit=cfg.normalize)
    if cfg.backbone == "vgg":
        return VGGBackbone(cfg.embedding_dim, cfg.input_size, dropout=cfg.dropout)
    if cfg.backbone == "face-cnn":
        return FaceCNN(cfg.embedding_dim, cfg.input_size, dropout=cfg.dropout)
    if cfg.backbone == "koch":
        return KochBackbone(cfg.embedding_dim, cfg.input_size, width=cfg.width).koch_init_()
    # Scaled Koch for CPUs and small inputs: smaller 'same'-padded kernels, sigmoid only under the L1 head.
    return KochBackbone(cfg.embedding_dim, cfg.input_size, width=cfg.width, kernels=(5, 3, 3, 3),
                        sigmoid=cfg.head == "l1", padding="same", batch_norm=cfg.batch_norm)


class SiameseNet(nn.Module):
    """Twins with the same weights: `self.twin` embeds both inputs (it is ONE module, not a copy)."""

    def __init__(self, config: ModelConfig):
        super().__init__()
        self.config = config
        self.twin = build_backbone(config)
        self.head = HEADS[config.head](config.embedding_dim) if config.head else None
        self.distance = make_distance(config.distance)
        self.classifier = nn.Linear(config.embedding_dim, config.num_classes) if config.num_classes else None
        self.threshold: float | None = None  # decision threshold on `similarity`, chosen on validation data
        if config.cohort_size:  # filled by set_cohort after training; saved and loaded with the weights
            self.register_buffer("cohort", torch.zeros(config.cohort_size, self.twin.embedding_dim))

    # --- embeddings and scores -------------------------------------------------------------
    def embed(self, x: torch.Tensor) -> torch.Tensor:
        """N×1×H×W → N×D (unit length when config.normalize and there is no pair head)."""
        s = self.config.test_shifts
        if s and not self.training:
            # A drawing moved by a pixel is the same drawing: averaging over small moves steadies
            # the embedding of a one-shot support image (test time only; training sees the image once).
            padded = F.pad(x, (s, s, s, s))
            h, w = x.shape[-2:]
            moves = ((s, s), (0, s), (2 * s, s), (s, 0), (s, 2 * s))  # (top, left) of each crop
            return torch.stack([self._embed_once(padded[..., t:t + h, s:s + w]) for t, s in moves]).mean(0)
        return self._embed_once(x)

    def _embed_once(self, x: torch.Tensor) -> torch.Tensor:
        h = self.twin(x)
        if self.config.normalize and self.head is None:
            h = F.normalize(h, dim=-1)
            if self.config.flip_average and not self.training:
                # A face and its mirror image are the same person: averaging the two embeddings
                # removes what the network learned about which way a face happens to turn.
                h = F.normalize(h + F.normalize(self.twin(x.flip(-1)), dim=-1), dim=-1)
        return h

    def pair_logits(self, h1: torch.Tensor, h2: torch.Tensor) -> torch.Tensor:
        if self.head is None:
            raise RuntimeError("this model has no pair head; use distance scores")
        return self.head(h1, h2)

    def score(self, h1: torch.Tensor, h2: torch.Tensor) -> torch.Tensor:
        """Similarity of embedding pairs, higher = more alike: p(same) with a head, else −distance."""
        if self.head is not None:
            return torch.sigmoid(self.head(h1, h2))
        s = -self.distance.paired(h1, h2)
        if self.config.cohort_size and bool(self.cohort.any()):  # all zeros: not filled yet (training)
            # S-norm: how unusual this closeness is for each face, measured against faces of other
            # people (the cohort): (s − mean)/std of each side's scores with the cohort, averaged.
            # A face that sits close to everybody (glasses, a common pose) then needs to be closer still.
            za, zb = (self._cohort_stats(h) for h in (h1, h2))
            s = ((s - za[0]) / za[1] + (s - zb[0]) / zb[1]) / 2
        return s

    def _cohort_stats(self, h: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        c = -self.distance.pairwise(h, self.cohort.to(h))
        return c.mean(1), c.std(1).clamp_min(1e-6)

    @torch.no_grad()
    def set_cohort(self, images: torch.Tensor) -> None:
        """Embed `images` (training pictures, never test people) as the S-norm cohort."""
        self.cohort.copy_(embed(self, images).to(self.cohort))

    def forward(self, x1: torch.Tensor, x2: torch.Tensor) -> torch.Tensor:
        return self.score(self.embed(x1), self.embed(x2))

    # --- the public API pages and the command line use --------------------------------------
    @property
    def input_size(self) -> tuple[int, int]:
        return self.config.input_size

    @property
    def device(self) -> torch.device:
        return next(self.parameters()).device

    def prepare(self, images: Sequence[Image.Image]) -> torch.Tensor:
        """PIL images → the N×1×H×W batch the network was trained on: grey, [0, 1], turned to the
        training data's polarity and redrawn as in training when the config says so, resized."""
        c = self.config
        if c.strokes or c.polarity == "auto":
            grey = [torch.from_numpy(np.asarray(img.convert("L"), dtype=np.float32) / 255.0)[None, None]
                    for img in images]
            return torch.cat([self.prepare_tensor(g) for g in grey]) if grey else torch.zeros(0, 1, *self.input_size)
        h, w = self.input_size
        batch = []
        for img in images:
            grey = img.convert("L").resize((w, h), Image.BILINEAR)
            arr = np.asarray(grey, dtype=np.float32) / 255.0
            batch.append(1.0 - arr if c.invert else arr)
        return torch.from_numpy(np.stack(batch))[:, None]

    def prepare_tensor(self, images: torch.Tensor) -> torch.Tensor:
        """N×1×H×W grey images in [0, 1] (any size, either polarity) → what `prepare` makes of them:
        the one path every input of a polarity-aware or stroke model takes, in the API and in reports."""
        if self.config.strokes:
            return canonical_strokes(images, self.input_size)
        x = bright_ink(images) if self.config.polarity == "auto" else as_float(images).float()
        return resize_images(x, self.input_size) if tuple(x.shape[-2:]) != self.input_size else x

    @torch.no_grad()
    def similarity_matrix(self, a: torch.Tensor, b: torch.Tensor) -> torch.Tensor:
        """M×N scores of every pair (a[i], b[j]): `similarity`'s scores, each picture embedded once (a one-shot
        task scores one query against N supports; N copies of the query would cost N embeddings)."""
        with evaluating(self):
            ha, hb = self.embed(a.to(self.device)), self.embed(b.to(self.device))
            m, n = len(ha), len(hb)
            return self.score(ha.repeat_interleave(n, 0), hb.repeat(m, 1)).view(m, n).cpu()

    @torch.no_grad()
    def similarity(self, a: torch.Tensor, b: torch.Tensor) -> torch.Tensor:
        """Scores of N pairs (a[i], b[i]), higher = more alike; compare with `threshold`."""
        if a.shape != b.shape:
            raise ValueError(f"both batches must have the same shape, got {tuple(a.shape)} and {tuple(b.shape)}")
        with evaluating(self):
            return self(a.to(self.device), b.to(self.device)).cpu()
