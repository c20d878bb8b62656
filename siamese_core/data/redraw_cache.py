"""Drawings redrawn as a stroke model reads them (strokes.canonical_strokes), kept once per machine: redrawing
Omniglot's background set takes a core about half a minute, which a page's one-minute run cannot wait for.
The arrays are keyed by the drawings themselves and by the redrawing's own code, so a change to either makes
a new entry rather than reading a stale one."""
from __future__ import annotations

import functools
import hashlib
from dataclasses import replace
from pathlib import Path

import torch

from . import strokes
from .array_cache import arrays_dir, mapped, saved
from .base import ImageSet
from .omniglot import native_images


@functools.lru_cache(maxsize=1)
def _code_digest() -> str:
    return hashlib.md5(Path(strokes.__file__).read_bytes()).hexdigest()[:12]


def _stem(data: ImageSet) -> Path:
    h = hashlib.md5()
    h.update(data.images.contiguous().numpy().tobytes())
    h.update(data.labels.contiguous().numpy().tobytes())
    index = data.meta.get("index")
    if index is not None:
        h.update(torch.as_tensor(index).contiguous().numpy().tobytes())
    height, width = data.images.shape[-2:]
    return arrays_dir() / f"redrawn-{data.name}-{data.split}-{height}x{width}-{h.hexdigest()[:16]}-{_code_digest()}"


def redrawn(data: ImageSet, download: bool = False) -> ImageSet:
    """`data` as a stroke model sees every drawing, at its current size, redrawn from the original scans
    (Omniglot's 105×105) when the loader had shrunk them; read from the machine's cache when made before."""
    stem = _stem(data)
    arrays = mapped(stem)
    if arrays is None:
        originals = data.images
        if data.name == "omniglot" and data.meta.get("native_size") not in (None, data.image_size):
            originals = native_images(data.meta["source"], data.split, data.meta["index"], download)
        images = strokes.canonical_strokes(originals, data.image_size)
        arrays = saved(stem, images, data.labels) or (images, data.labels)
    return replace(data, images=arrays[0])
