"""Hostile uploads: every bad file becomes one clear UploadError, nothing crashes, nothing touches disk."""
import io
import os
import struct
import tempfile
import zlib
from pathlib import Path

import numpy as np
import pytest
import tomllib
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from PIL import Image

from siamese_core.vision.uploads import FORMAT_NAMES, MAX_BYTES, MAX_MB, UploadError, read_image

ROOT = Path(__file__).resolve().parents[2]


def encode(img: Image.Image, fmt: str, **kw) -> bytes:
    buf = io.BytesIO()
    img.save(buf, format=fmt, **kw)
    return buf.getvalue()


def photo(mode="RGB", size=(40, 30)) -> Image.Image:
    rng = np.random.default_rng(0)
    rgb = Image.fromarray(rng.integers(0, 256, (size[1], size[0], 3), dtype=np.uint8), "RGB")
    return rgb.convert(mode)


def png_declaring(width: int, height: int) -> bytes:
    """A tiny valid PNG whose header claims width × height pixels (a decompression bomb's header)."""
    raw = encode(Image.new("L", (1, 1)), "PNG")
    ihdr = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)
    chunk = b"IHDR" + ihdr
    return raw[:8] + struct.pack(">I", 13) + chunk + struct.pack(">I", zlib.crc32(chunk)) + raw[33:]


HOSTILE = {
    "zero bytes": (b"", "empty"),
    "svg named .png": (b'<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg" width="10" height="10">'
                       b'<script>alert(1)</script></svg>', "not a photo"),
    "html named .jpg": (b"<!DOCTYPE html><html><body><img src=x onerror=alert(1)></body></html>", "not a photo"),
    "pdf": (b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF", "not a photo"),
    "truncated jpeg": (encode(photo(), "JPEG")[:300], "damaged or truncated"),
    "truncated png": (encode(photo(), "PNG")[:200], "damaged or truncated"),
    "png header only": (encode(photo(), "PNG")[:33], "not a photo|damaged"),
    "huge declared png": (png_declaring(100_000, 100_000), "decompression bomb"),
    "wide declared png": (png_declaring(1_000_000, 50), "megapixels"),
}


@pytest.mark.parametrize("name", list(HOSTILE))
def test_hostile_files_get_one_clear_sentence(name):
    data, expected = HOSTILE[name]
    with pytest.raises(UploadError, match=expected) as info:
        read_image(data)
    message = str(info.value)
    assert "\n" not in message and len(message) < 200


def test_too_many_bytes_are_refused_before_decoding():
    with pytest.raises(UploadError, match="the limit is 10 MB"):
        read_image(b"\xff\xd8" + b"\x00" * MAX_BYTES)


def test_the_server_admits_whatever_a_browser_sends_and_the_gate_says_the_limit():
    """Each uploader tells the browser MAX_MB, which it checks as MAX_MB × 10⁶ bytes (× 2²⁰ on Windows); the
    server refuses a request over maxUploadSize × 2²⁰ bytes, form framing included, with a bare 413. So the
    server admits a MAX_MB × 2²⁰ file and its framing, and the gate refuses it with the sentence."""
    config = tomllib.loads((ROOT / ".streamlit" / "config.toml").read_text())
    assert MAX_BYTES == MAX_MB * 1_000_000
    assert config["server"]["maxUploadSize"] * 2**20 >= MAX_MB * 2**20 + 64 * 2**10
    with pytest.raises(UploadError) as info:
        read_image(b"\xff\xd8" + b"\x00" * (MAX_MB * 2**20 - 2))
    assert str(info.value) == "The file is 10.5 MB; the limit is 10 MB."


def test_a_compressed_bomb_within_the_byte_limit_is_refused():
    """8,000 × 8,000 zeros compress to a few kB of PNG but would decode to 64 MP."""
    bomb = encode(Image.new("1", (8000, 8000)), "PNG", optimize=True)
    assert len(bomb) < 100_000
    with pytest.raises(UploadError, match="8000×8000 pixels"):
        read_image(bomb)


@pytest.mark.parametrize("mode,fmt", [("CMYK", "JPEG"), ("I;16", "PNG"), ("1", "PNG"), ("P", "GIF"),
                                      ("LA", "PNG"), ("RGBA", "WEBP"), ("F", "TIFF"), ("L", "PPM"),
                                      ("RGB", "BMP")])
def test_odd_modes_come_out_as_rgb_or_grey(mode, fmt):
    img = read_image(encode(photo(mode), fmt))
    assert img.mode in ("RGB", "L") and img.size == (40, 30)


def test_transparency_is_flattened_onto_white():
    clear = Image.new("RGBA", (4, 4), (255, 0, 0, 0))
    assert read_image(encode(clear, "PNG")).getpixel((0, 0)) == (255, 255, 255)


def test_exif_orientation_is_applied():
    img = photo(size=(40, 20))
    exif = img.getexif()
    exif[0x0112] = 6  # "rotate 90° clockwise to display"
    assert read_image(encode(img, "JPEG", exif=exif)).size == (20, 40)


def test_the_type_comes_from_the_content_not_the_name():
    # read_image never sees a file name: a PNG is read as a PNG whatever it was called.
    assert read_image(encode(photo(), "PNG")).size == (40, 30)


UNNAMED = {"grey PFM": b"Pf\n1 1\n-1\n" + struct.pack("<f", 0.5), "colour PPM": encode(photo("RGB"), "PPM"),
           "black-and-white PBM": encode(photo("1"), "PPM")}


@pytest.mark.parametrize("kind", list(UNNAMED))
def test_only_the_formats_the_sentence_names_are_decoded(kind):
    """Pillow's Netpbm decoder also reads PFM, PPM and PBM; the pages name PGM alone, so only PGM is read."""
    with pytest.raises(UploadError, match="not a photo in a format we read") as info:
        read_image(UNNAMED[kind])
    assert str(info.value) == f"This is not a photo in a format we read ({FORMAT_NAMES})."
    assert read_image(encode(photo("L"), "PPM")).size == (40, 30)  # PGM, as the AT&T faces


def _listing(folder: Path) -> set[str]:
    return set(os.listdir(folder))


def test_nothing_is_written_to_disk(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    temp = Path(tempfile.gettempdir())
    before_tmp, before_cwd = _listing(temp), _listing(tmp_path)
    for data, _ in HOSTILE.values():
        with pytest.raises(UploadError):
            read_image(data)
    read_image(encode(photo(), "JPEG"))
    assert _listing(tmp_path) == before_cwd
    # Other programs may use the shared temp folder; none of its new entries may come from us.
    assert not {n for n in _listing(temp) - before_tmp if n.startswith(("tmp", "PIL", "pil"))}


VALID = [encode(photo(), f) for f in ("PNG", "JPEG", "GIF", "BMP", "TIFF", "WEBP")] + [
    encode(photo("L"), "PPM")]


@st.composite
def mutated_images(draw):
    """A valid image of some format with bytes flipped, cut or spliced: where decoders break."""
    data = bytearray(draw(st.sampled_from(VALID)))
    for _ in range(draw(st.integers(0, 8))):
        i = draw(st.integers(0, len(data) - 1))
        data[i] = draw(st.integers(0, 255))
    if draw(st.booleans()):
        data = data[: draw(st.integers(0, len(data)))]
    if draw(st.booleans()):
        data += draw(st.binary(max_size=64))
    return bytes(data)


@settings(max_examples=200, deadline=None, derandomize=True,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(st.one_of(st.binary(max_size=2048), mutated_images()))
def test_fuzz_read_image_returns_an_image_or_raises_upload_error(data):
    try:
        img = read_image(data)
    except UploadError as exc:
        assert str(exc)
        return
    assert isinstance(img, Image.Image) and img.mode in ("RGB", "L") and img.width * img.height > 0


# --- budgets: work and memory bounded by the image's shape, not only its bytes -------------------
def _chunk(kind: bytes, body: bytes) -> bytes:
    return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))


def raw_png(width: int, height: int, rows: bytes, colour: int = 2, depth: int = 8, interlace: int = 0) -> bytes:
    """A PNG built by hand around an IDAT stream of `rows` (filter bytes included): a clean zlib stream,
    so only counting tells a short one from a whole one."""
    ihdr = struct.pack(">IIBBBBB", width, height, depth, colour, 0, 0, interlace)
    return (b"\x89PNG\r\n\x1a\n" + _chunk(b"IHDR", ihdr) + _chunk(b"IDAT", zlib.compress(rows, 9))
            + _chunk(b"IEND", b""))


def test_a_png_whose_rows_stop_early_is_refused_as_truncated():
    """Ten rows of a 2000×2000 picture in a clean zlib stream: Pillow fills the other 1,990 with zeros."""
    data = raw_png(2000, 2000, b"".join(b"\x00" + b"\x80" * 6000 for _ in range(10)))
    assert len(data) < 1000
    with pytest.raises(UploadError, match="truncated"):
        read_image(data)


def test_the_audits_6300_pixel_truncated_png_is_refused():
    data = raw_png(6300, 6300, b"".join(b"\x00" + b"\x80" * 18900 for _ in range(10)))
    with pytest.raises(UploadError):
        read_image(data)


@pytest.mark.parametrize("interlace", [0, 1])
@pytest.mark.parametrize("colour,depth", [(0, 1), (0, 8), (0, 16), (2, 8), (3, 4), (4, 8), (6, 16)])
def test_the_row_count_matches_what_pillow_decodes_and_one_byte_less_is_truncated(colour, depth, interlace):
    from siamese_core.vision.png_check import expected_bytes, png_is_complete
    width, height = 37, 23
    need = expected_bytes(width, height, depth, colour, interlace == 1)
    whole = raw_png(width, height, b"\x00" * need, colour, depth, interlace)
    if colour == 3:  # a palette image needs its palette
        whole = whole[:33] + _chunk(b"PLTE", bytes(range(48))) + whole[33:]
    assert png_is_complete(whole) and read_image(whole).size == (width, height)
    short = raw_png(width, height, b"\x00" * (need - 1), colour, depth, interlace)
    assert not png_is_complete(short)


@pytest.mark.parametrize("size", [(1280, 8), (8, 1280), (10000, 20), (20, 10000), (21, 1)])
def test_extreme_shapes_are_refused_with_the_reason(size):
    with pytest.raises(UploadError, match="more than 20 times the other"):
        read_image(encode(Image.new("L", size, 128), "PNG"))


def test_a_20_to_1_strip_is_still_accepted():
    assert read_image(encode(Image.new("RGB", (1280, 64), 128), "PNG")).size == (1280, 64)


def test_a_png_too_large_to_decode_in_budget_is_refused_before_decoding():
    """6300×6300 of one grey: 77 KB of file, 40 MP declared (inside the cap), 40 MB+ once decoded."""
    data = encode(Image.new("L", (6300, 6300), 128), "PNG")
    assert len(data) < 200_000
    with pytest.raises(UploadError, match="too much memory to decode"):
        read_image(data)


def test_a_large_jpeg_is_decoded_at_reduced_size_when_the_page_needs_less():
    data = encode(Image.new("RGB", (6300, 6300), (120, 100, 90)), "JPEG")
    with pytest.raises(UploadError, match="too much memory"):  # at full size: over the decoded budget
        read_image(data)
    img = read_image(data, max_side=1280)  # the face page's size: decoded at 1/4, then shrunk
    assert img.size == (1280, 1280) and img.getpixel((640, 640))[0] in range(110, 131)


def test_the_result_is_shrunk_to_the_pages_size_keeping_the_aspect():
    assert read_image(encode(photo(size=(400, 100)), "PNG"), max_side=64).size == (64, 16)


def test_exif_orientation_survives_the_shrink_to_the_pages_size():
    img = photo(size=(2000, 1000))
    exif = img.getexif()
    exif[0x0112] = 6  # "rotate 90° clockwise to display"
    assert read_image(encode(img, "JPEG", exif=exif), max_side=500).size == (250, 500)
    assert read_image(encode(img.convert("RGBA"), "PNG"), max_side=500).size == (500, 250)
