"""Reading an uploaded photo safely: the one gate every user image passes through. Type is decided by content
(PIL's decoders), never by the file name; whatever is wrong — empty, too big, not an image, truncated, a
decompression bomb, an odd mode or shape — becomes one `UploadError` with a sentence a student can act on.
Nothing is written to disk. Budgets (docs/classroom.md): at most MAX_BYTES of file, MAX_PIXELS declared, sides
at most MAX_ASPECT times apart, MAX_DECODED_PIXELS decoded (a JPEG at 1/2, 1/4 or 1/8 size when the page
needs no more), the result shrunk to the page's `max_side`."""
from __future__ import annotations

import io
import warnings

import numpy as np
from PIL import Image, ImageOps

from .png_check import png_is_complete

MAX_MB = 10                           # each uploader's max_upload_size: what the browser says and checks
MAX_BYTES = MAX_MB * 1_000_000        # the browser checks MAX_MB × 10⁶ bytes (× 2²⁰ on Windows); the server
                                      # admits more (server.maxUploadSize), so every file it lets through
                                      # gets this gate's sentence, never a bare HTTP 413
MAX_PIXELS = 40_000_000               # declared: ~ a 48-megapixel phone photo is refused; 40 MP is plenty
MAX_DECODED_PIXELS = 16_000_000       # decoded (after JPEG's reduced-size decoding): ≤ 128 MB at 8 bytes/pixel
MAX_ASPECT = 20                       # a 1280×8 strip is no photo: sides at most 20 times apart
FORMATS = ("JPEG", "PNG", "WEBP", "BMP", "GIF", "TIFF", "PPM")  # PIL's PPM decoder reads the AT&T .pgm files
FORMAT_NAMES = "JPEG, PNG, WebP, BMP, GIF, TIFF, PGM"  # what pages say they read, and exactly what is decoded
PGM_MAGIC = (b"P2", b"P5")  # of PIL's PPM family (PBM, PGM, PPM, PFM), only PGM is named
NOT_A_PHOTO = f"This is not a photo in a format we read ({FORMAT_NAMES})."
ORIENTATION = 0x0112                  # the EXIF orientation tag; 5–8 mean the picture is stored turned


class UploadError(ValueError):
    """An upload that cannot be used, with the reason in one sentence."""


def read_image(data: bytes, max_bytes: int = MAX_BYTES, max_pixels: int = MAX_PIXELS,
               max_side: int | None = None) -> Image.Image:
    """Decode `data` into an upright RGB or L PIL image (EXIF orientation applied, alpha flattened
    onto white, 16-bit scaled to 8-bit), its longer side at most `max_side` (the most the page uses).
    Its `info` says what a page may want to tell: "source_size", the file's own (width, height), upright,
    and "animated", whether the file has more frames than the first, the only one read.
    Raises UploadError for anything else."""
    if not data:
        raise UploadError("The file is empty (0 bytes).")
    if len(data) > max_bytes:
        raise UploadError(f"The file is {len(data) / 1e6:.1f} MB; the limit is {max_bytes / 1e6:.0f} MB.")
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            img = Image.open(io.BytesIO(data), formats=FORMATS)
            if img.format == "PPM" and data[:2] not in PGM_MAGIC:
                raise UploadError(NOT_A_PHOTO)
            _check_shape(*img.size, max_pixels)
            source, animated = img.size, bool(getattr(img, "is_animated", False))
            if img.getexif().get(ORIENTATION) in (5, 6, 7, 8):  # turned a quarter: upright, it is h × w
                source = source[::-1]
            if max_side is not None and img.format == "JPEG":
                w, h = img.size  # decode at 1/2, 1/4 or 1/8 size when that still covers max_side
                img.draft(None, (max(1, w * max_side // max(w, h)), max(1, h * max_side // max(w, h))))
            if img.size[0] * img.size[1] > MAX_DECODED_PIXELS:
                raise UploadError(f"The image is {img.size[0]}×{img.size[1]} pixels; a {img.format} this "
                                  f"large would take too much memory to decode (at most "
                                  f"{MAX_DECODED_PIXELS / 1e6:.0f} megapixels; a JPEG may be larger).")
            img.load()  # decode now: truncated or corrupt data fails here, not later
            if img.format == "PNG" and not png_is_complete(data):
                raise UploadError("The PNG file is truncated: its image data ends before the last row.")
            if max_side is not None and max(img.size) > max_side and img.mode in ("L", "LA", "RGB", "RGBA"):
                img.thumbnail((max_side, max_side), Image.LANCZOS)  # shrink first: less to convert
            img = _normalise(img)  # EXIF and mode conversion read the file too: keep them inside the guard
            if max_side is not None and max(img.size) > max_side:
                img.thumbnail((max_side, max_side), Image.LANCZOS)
            img.info.update(source_size=source, animated=animated)
            return img
    except UploadError:
        raise
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        raise UploadError("The image declares an enormous size (a decompression bomb?) and was refused.") from None
    except Image.UnidentifiedImageError:
        raise UploadError(NOT_A_PHOTO) from None
    except (OSError, SyntaxError, ValueError) as exc:
        raise UploadError(f"The image file is damaged or truncated and could not be decoded ({exc}).") from None
    except MemoryError:
        raise UploadError("The image needs more memory to decode than an upload may use.") from None
    except Exception as exc:  # a decoder's own bug on hostile bytes (struct.error, IndexError…): same answer
        raise UploadError(f"The image file is damaged and could not be decoded ({type(exc).__name__}).") from None


def _check_shape(w: int, h: int, max_pixels: int) -> None:
    if w * h > max_pixels:
        raise UploadError(f"The image is {w}×{h} pixels; at most {max_pixels / 1e6:.0f} megapixels are accepted.")
    if max(w, h) > MAX_ASPECT * min(w, h):
        raise UploadError(f"The image is {w}×{h} pixels: one side is more than {MAX_ASPECT} times the other, "
                          "which no photo or drawing needs; crop it closer to a square.")


def _normalise(img: Image.Image) -> Image.Image:
    img = ImageOps.exif_transpose(img)  # phone photos: honour the EXIF orientation tag
    if img.mode in ("I;16", "I;16B", "I;16L", "I", "F"):  # 16-bit / 32-bit grey → 8-bit
        arr = np.asarray(img, dtype=np.float32)
        lo, hi = float(arr.min()), float(arr.max())
        arr = (arr - lo) * (255 / (hi - lo)) if hi > lo else np.zeros_like(arr)
        return Image.fromarray(arr.astype(np.uint8), "L")
    if img.mode in ("RGBA", "LA", "PA") or (img.mode == "P" and "transparency" in img.info):
        rgba = img if img.mode == "RGBA" else img.convert("RGBA")
        flat = Image.new("RGB", rgba.size, (255, 255, 255))
        flat.paste(rgba, mask=rgba.getchannel("A"))  # alpha over white, without an RGBA copy of the picture
        return flat
    if img.mode == "L":
        return img.copy()
    return img.convert("RGB")
