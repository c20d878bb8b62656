"""Is a PNG's image data all there? Pillow accepts a PNG whose compressed stream ends early but cleanly
(a header declaring 6300×6300 with ten rows of data) and fills the missing rows with zeros; the upload
gate refuses truncated files, so it counts the rows' bytes itself."""
from __future__ import annotations

import struct
import zlib

_CHANNELS = {0: 1, 2: 3, 3: 1, 4: 2, 6: 4}  # PNG colour type → samples per pixel
# Adam7 passes: (x0, y0, dx, dy)
_ADAM7 = ((0, 0, 8, 8), (4, 0, 8, 8), (0, 4, 4, 8), (2, 0, 4, 4), (0, 2, 2, 4), (1, 0, 2, 2), (0, 1, 1, 2))


def expected_bytes(width: int, height: int, depth: int, colour: int, interlaced: bool) -> int:
    """Bytes the decompressed IDAT stream holds: every row's filter byte plus its packed samples."""
    bits = _CHANNELS[colour] * depth
    passes = _ADAM7 if interlaced else ((0, 0, 1, 1),)
    total = 0
    for x0, y0, dx, dy in passes:
        w, h = -(-(width - x0) // dx), -(-(height - y0) // dy)
        if w > 0 and h > 0:
            total += h * (1 + -(-w * bits // 8))
    return total


def png_is_complete(data: bytes, chunk: int = 1 << 20) -> bool:
    """True when the first image's IDAT data inflates to at least the bytes its header declares (counted
    in 1 MiB steps: memory stays small whatever the image). Not a PNG or unreadable: True (Pillow decides)."""
    if data[:8] != b"\x89PNG\r\n\x1a\n" or len(data) < 33 or data[12:16] != b"IHDR":
        return True
    width, height, depth, colour, _, _, interlace = struct.unpack(">IIBBBBB", data[16:29])
    if colour not in _CHANNELS:
        return True
    need = expected_bytes(width, height, depth, colour, interlace == 1)
    inflate, got, pos = zlib.decompressobj(), 0, 8
    while pos + 8 <= len(data) and got < need:
        length, kind = struct.unpack(">I4s", data[pos:pos + 8])
        body = data[pos + 8:pos + 8 + length]
        pos += 12 + length
        if kind == b"IEND":
            break
        if kind != b"IDAT":
            continue
        try:
            got += len(inflate.decompress(body, chunk))
            while inflate.unconsumed_tail and got < need:
                got += len(inflate.decompress(inflate.unconsumed_tail, chunk))
        except zlib.error:
            return False
    return got >= need
