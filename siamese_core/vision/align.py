"""Cutting a face out of a photo the way the AT&T/ORL pictures are framed, so the class model (trained
on those pictures) sees an upload the way it saw its training data.

The frame is a similarity transform (rotate, scale, shift) that puts the two eyes level at the place
they sit on average in AT&T pictures. Those average landmark positions were measured with YuNet on the
300 training pictures (people s1–s30); tests re-measure them from the data."""
from __future__ import annotations

import math

import cv2
import numpy as np

from .detect import Face, FaceDetector

ATT_SIZE = (112, 92)  # (H, W) of an AT&T/ORL picture
# Mean YuNet landmarks (x, y) over AT&T s1–s30, in 92×112 pixels; order as detect.LANDMARKS.
ATT_LANDMARKS = np.array([[27.4, 52.5], [61.0, 52.3], [43.7, 71.3], [31.2, 85.3], [59.4, 84.9]])
ATT_BOX = (10.0, 16.2, 71.5, 93.2)  # mean YuNet box (x, y, w, h) there


def att_transform(face: Face) -> np.ndarray:
    """2×3 matrix mapping photo pixels to an AT&T-framed 92×112 picture (eyes level, AT&T eye spacing)."""
    left, right = face.eyes
    target_left, target_right = ATT_LANDMARKS[0], ATT_LANDMARKS[1]
    src, dst = right - left, target_right - target_left
    scale = float(np.hypot(*dst) / max(np.hypot(*src), 1e-6))
    angle = math.degrees(math.atan2(src[1], src[0]) - math.atan2(dst[1], dst[0]))
    centre = (left + right) / 2
    m = cv2.getRotationMatrix2D((float(centre[0]), float(centre[1])), angle, scale)
    m[:, 2] += (target_left + target_right) / 2 - centre  # eye midpoint → its AT&T position
    return m


def att_crop(rgb: np.ndarray, face: Face) -> np.ndarray:
    """The face as an AT&T-style picture: 112×92 uint8 grey (edges replicated where the photo ends)."""
    grey = cv2.cvtColor(rgb, cv2.COLOR_RGB2GRAY) if rgb.ndim == 3 else rgb
    h, w = ATT_SIZE
    return cv2.warpAffine(grey, att_transform(face), (w, h), flags=cv2.INTER_AREA,
                          borderMode=cv2.BORDER_REPLICATE)


def att_frame_face() -> Face:
    """The average face position in an AT&T picture: stands in for a detection on a dataset picture
    in which YuNet finds nothing (the picture is already a tight face crop)."""
    return Face(ATT_BOX, ATT_LANDMARKS.copy(), 0.0)


def dataset_face(detector: FaceDetector, rgb: np.ndarray) -> tuple[Face, bool]:
    """The most confident YuNet face of a dataset picture, or — when YuNet finds none — the average
    AT&T face position (the picture is already a tight face crop). Returns (face, detected)."""
    faces = detector.detect(rgb)
    return (faces[0], True) if faces else (att_frame_face(), False)
