"""The most expensive images the upload gate still accepts: what benchmarks/upload_budget.py times and the
soak (benchmarks/soak.py) uploads."""
from __future__ import annotations

import io

import numpy as np
from PIL import Image


def _encode(img: Image.Image, fmt: str, **kw) -> bytes:
    buf = io.BytesIO()
    img.save(buf, fmt, **kw)
    return buf.getvalue()


def candidates() -> dict[str, tuple[bytes, str]]:
    """name → (file bytes, MIME type): the gate's edges (decoded budget, pixel cap, aspect ratio, byte
    limit), each made so that it compresses under the byte limit."""
    side = 4000  # 16 MP: the decoded-pixel budget of a PNG
    yy, xx = np.mgrid[0:side, 0:side]
    ramp = ((xx + 2 * yy) % 256).astype(np.uint8)
    noise = np.random.default_rng(0).integers(0, 256, (1280, 1280, 3), dtype=np.uint8)
    return {
        "PNG 4000×4000 RGB (decoded budget)": (_encode(Image.fromarray(np.stack([ramp, ramp.T, ramp], -1)), "PNG"),
                                               "image/png"),
        "PNG 4000×4000 16-bit grey": (_encode(Image.fromarray(ramp.astype(np.uint16) * 257), "PNG"), "image/png"),
        "PNG 4000×4000 RGBA": (_encode(Image.fromarray(np.stack([ramp, ramp, ramp.T, ramp], -1), "RGBA"), "PNG"),
                               "image/png"),
        "JPEG 6300×6300 (pixel cap)": (_encode(Image.fromarray(np.stack([ramp] * 3, -1)).resize((6300, 6300)),
                                               "JPEG", quality=90), "image/jpeg"),
        "PNG 1280×1280 noise (full detector input)": (_encode(Image.fromarray(noise), "PNG"), "image/png"),
        "PNG 6000×300 (widest shape)": (_encode(Image.new("RGB", (6000, 300), (180, 140, 120)), "PNG"), "image/png"),
    }

