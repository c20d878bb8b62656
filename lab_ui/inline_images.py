"""Pictures made from a student's photo, sent inside the page itself (a data: URI) rather than as a
Streamlit media file: a media file's /media address keeps answering other browsers for a while after
the tab closes; a data URI exists only in the page that shows it."""
from __future__ import annotations

import base64
import io

import numpy as np
from PIL import Image


def data_uri(picture, fmt: str = "PNG", max_side: int | None = None) -> str:
    """`picture` (a PIL image or a uint8 array) as a data: URI; shrunk to `max_side` first if given
    (a photo is shown a few hundred pixels wide: no need to send 1280 of them)."""
    img = picture if isinstance(picture, Image.Image) else Image.fromarray(np.asarray(picture, dtype=np.uint8))
    if max_side is not None and max(img.size) > max_side:
        img = img.copy()
        img.thumbnail((max_side, max_side), Image.LANCZOS)
    buf = io.BytesIO()
    if fmt == "JPEG":
        img.convert("RGB").save(buf, format="JPEG", quality=85)
    else:
        img.save(buf, format=fmt)
    return f"data:image/{fmt.lower()};base64,{base64.b64encode(buf.getvalue()).decode()}"
