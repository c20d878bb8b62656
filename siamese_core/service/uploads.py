"""Reading an uploaded photo safely: the one gate every user image passes through.

Type is decided by content (PIL's decoders), never by the file name. Whatever is wrong — empty,
too big, not an image, truncated, a decompression bomb, an odd mode — becomes one `UploadError`
with a sentence a student can act on. Nothing is written to disk."""
from __future__ import annotations

import io
import warnings

import numpy as np
from PIL import Image, ImageOps

MAX_BYTES = 10 * 1024 * 1024          # matches server.maxUploadSize in .streamlit/config.toml
MAX_PIXELS = 40_000_000               # ~ a 48-megapixel phone photo is refused; 40 MP is plenty
FORMATS = ("JPEG", "PNG", "WEBP", "BMP", "GIF", "TIFF", "PPM")  # PPM covers the AT&T .pgm files


class UploadError(ValueError):
    """An upload that cannot be used, with the reason in one sentence."""


def read_image(data: bytes, max_bytes: int = MAX_BYTES, max_pixels: int = MAX_PIXELS) -> Image.Image:
    """Decode `data` into an upright RGB or L PIL image (EXIF orientation applied, alpha flattened
    onto white, 16-bit scaled to 8-bit). Raises UploadError for anything else."""
    if not data:
        raise UploadError("The file is empty (0 bytes).")
    if len(data) > max_bytes:
        raise UploadError(f"The file is {len(data) / 2**20:.1f} MB; the limit is {max_bytes / 2**20:.0f} MB.")
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            img = Image.open(io.BytesIO(data), formats=FORMATS)
            w, h = img.size
            if w * h > max_pixels:
                raise UploadError(f"The image is {w}×{h} pixels; at most {max_pixels / 1e6:.0f} megapixels "
                                  "are accepted.")
            img.load()  # decode now: truncated or corrupt data fails here, not later
            return _normalise(img)  # EXIF and mode conversion read the file too: keep them inside the guard
    except UploadError:
        raise
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        raise UploadError("The image declares an enormous size (a decompression bomb?) and was refused.") from None
    except Image.UnidentifiedImageError:
        raise UploadError("This is not a photo in a format we read (JPEG, PNG, WebP, BMP, GIF, TIFF, PGM).") from None
    except (OSError, SyntaxError, ValueError) as exc:
        raise UploadError(f"The image file is damaged or truncated and could not be decoded ({exc}).") from None
    except Exception as exc:  # a decoder's own bug on hostile bytes (struct.error, IndexError…): same answer
        raise UploadError(f"The image file is damaged and could not be decoded ({type(exc).__name__}).") from None


def _normalise(img: Image.Image) -> Image.Image:
    img = ImageOps.exif_transpose(img)  # phone photos: honour the EXIF orientation tag
    if img.mode in ("I;16", "I;16B", "I;16L", "I", "F"):  # 16-bit / 32-bit grey → 8-bit
        arr = np.asarray(img, dtype=np.float64)
        lo, hi = float(arr.min()), float(arr.max())
        arr = (arr - lo) / (hi - lo) * 255 if hi > lo else np.zeros_like(arr)
        return Image.fromarray(arr.astype(np.uint8), "L")
    if img.mode in ("RGBA", "LA", "PA") or (img.mode == "P" and "transparency" in img.info):
        rgba = img.convert("RGBA")
        background = Image.new("RGBA", rgba.size, (255, 255, 255, 255))
        return Image.alpha_composite(background, rgba).convert("RGB")
    if img.mode == "L":
        return img.copy()
    return img.convert("RGB")
