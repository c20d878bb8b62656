"""A photo made ready for face finding: an RGB array of bounded size, its YuNet faces and Haar boxes."""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from PIL import Image, ImageDraw, ImageFont

from ..vision.detect import Face, FaceDetector, haar_boxes

MAX_SIDE = 1280  # phone photos (4000×3000) are shrunk first: faster, and plenty for 112-pixel crops


def to_rgb_array(image: Image.Image, max_side: int = MAX_SIDE) -> np.ndarray:
    """H×W×3 uint8 RGB, the long side at most `max_side` (aspect ratio kept)."""
    img = image.convert("RGB")
    if max(img.size) > max_side:
        img = img.copy()
        img.thumbnail((max_side, max_side), Image.LANCZOS)
    return np.asarray(img, dtype=np.uint8).copy()


@dataclass
class FacePhoto:
    rgb: np.ndarray
    faces: list[Face]                          # YuNet, most confident first
    haar: list[tuple[int, int, int, int]]      # Viola–Jones boxes, for comparison only
    att_framed: bool = False                   # an AT&T picture: already framed as the class model learned
    animated: bool = False                     # an animated upload (GIF, WebP…): only its first frame is used

    def crops(self, face: Face, embedders) -> dict:
        """Each embedder's crop of `face`. Embedders trained on AT&T framing get an AT&T picture as it
        is (re-aligning it removes cues they learned and costs accuracy: see the benchmark); every other
        photo is aligned from its landmarks."""
        return {e.short: (self.rgb[:, :, 0].copy() if self.att_framed and e.att_framed else
                          e.crop(self.rgb, face)) for e in embedders}

    def face(self, index: int) -> Face:
        if not self.faces:
            raise ValueError("No face was found in this photo: try one where the face is frontal, "
                             "well lit and at least about 40 pixels wide.")
        if not 0 <= index < len(self.faces):
            raise ValueError(f"There are {len(self.faces)} faces in this photo; pick one of 1–{len(self.faces)}.")
        return self.faces[index]


def find_faces(image: Image.Image, detector: FaceDetector, with_haar: bool = True,
               att_framed: bool = False) -> FacePhoto:
    rgb = to_rgb_array(image)
    return FacePhoto(rgb, detector.detect(rgb), haar_boxes(rgb) if with_haar else [], att_framed,
                     bool(image.info.get("animated")))  # said by uploads.read_image


def draw_faces(photo: FacePhoto, selected: int | None = 0) -> Image.Image:
    """The photo with YuNet boxes numbered 1, 2, … (the selected one thick), landmarks as dots and
    Haar boxes dashed-looking in orange."""
    img = Image.fromarray(photo.rgb)
    draw = ImageDraw.Draw(img)
    lw = max(1, round(max(img.size) / 300))
    try:
        font = ImageFont.load_default(size=8 * lw)
    except TypeError:  # Pillow < 10.1: one fixed-size bitmap font
        font = ImageFont.load_default()
    for x, y, w, h in photo.haar:
        draw.rectangle([x, y, x + w, y + h], outline="#e76f51", width=lw)
    for k, f in enumerate(photo.faces):
        x, y, w, h = f.box
        draw.rectangle([x, y, x + w, y + h], outline="#2a9d8f", width=lw * (2 if k == selected else 1))
        draw.text((x + 2 * lw, y + lw), str(k + 1), fill="#2a9d8f", font=font)
        for px, py in f.landmarks:
            draw.ellipse([px - lw, py - lw, px + lw, py + lw], fill="#264653")
    return img


def photo_from_bytes(data: bytes, detector: FaceDetector, with_haar: bool = True) -> FacePhoto:
    """An uploaded file's bytes → FacePhoto. Decoding goes through siamese_core.vision.uploads.read_image
    (UploadError with one clear sentence for anything unusable), decoded no larger than MAX_SIDE needs;
    nothing is written anywhere."""
    from ..vision.uploads import read_image
    return find_faces(read_image(data, max_side=MAX_SIDE), detector, with_haar)
