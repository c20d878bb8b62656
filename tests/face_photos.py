"""Photos made from AT&T pictures for the face tests."""
from __future__ import annotations

import io
from pathlib import Path

from PIL import Image

CHECKPOINT = Path(__file__).resolve().parents[1] / "assets" / "faces_siamese.pt"  # the shipped class model


def to_bytes(img: Image.Image, fmt: str, **kw) -> bytes:
    buf = io.BytesIO()
    img.save(buf, format=fmt, **kw)
    return buf.getvalue()


def phone_photo(att_img: Image.Image, scale: int = 4) -> Image.Image:
    """An AT&T picture made into a bigger 'photo': upscaled, on a wider canvas (a face with context)."""
    big = att_img.convert("RGB").resize((att_img.width * scale, att_img.height * scale), Image.BICUBIC)
    canvas = Image.new("RGB", (big.width * 2, int(big.height * 1.5)), (120, 130, 140))
    canvas.paste(big, (big.width // 2, big.height // 4))
    return canvas
