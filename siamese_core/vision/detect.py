"""Finding faces: YuNet (a small CNN with five landmarks, what the page uses) and the classic
Viola–Jones Haar cascade (2001, shown beside it as a teaching comparison)."""
from __future__ import annotations

import queue
import threading
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import cv2
import numpy as np

from .zoo import YUNET, ModelFileError, model_file

# YuNet's five landmarks, in its output order ("right" = the person's right, the left of the picture).
LANDMARKS = ("right eye", "left eye", "nose tip", "right mouth corner", "left mouth corner")


@dataclass(frozen=True)
class Face:
    """One detection in image pixels: box (x, y, w, h), 5×2 landmarks, detector confidence."""
    box: tuple[float, float, float, float]
    landmarks: np.ndarray
    score: float

    def as_yunet_row(self) -> np.ndarray:
        """The 15-number row OpenCV's FaceRecognizerSF.alignCrop expects."""
        return np.array([*self.box, *self.landmarks.reshape(-1), self.score], dtype=np.float32)

    @property
    def eyes(self) -> tuple[np.ndarray, np.ndarray]:
        """(eye on the picture's left, eye on the picture's right)."""
        return self.landmarks[0], self.landmarks[1]


@dataclass
class DetectorConfig:
    score_threshold: float = 0.6   # YuNet confidence needed to report a face
    nms_threshold: float = 0.3     # overlapping boxes above this IoU are merged
    top_k: int = 5000
    retry_below: int = 320         # images smaller than this (short side) get a second, upscaled try
    retry_border: float = 0.25     # …with a border of this fraction added: tight crops lack context
    # Work budget per image, whatever its shape: the net sees at most max_pixels (larger images are
    # shrunk for detection, boxes mapped back), the upscaled-and-bordered retry at most retry_max_pixels
    # (a thin strip is not upscaled at all), and a side under min_side holds no face to find.
    max_pixels: int = 1280 * 1280
    retry_max_pixels: int = 1_000_000
    min_side: int = 16
    nets: int = 2                  # nets in the pool: one student's detection never waits for another's


class FaceDetector:
    """YuNet through cv2.FaceDetectorYN. One OpenCV net is not safe to share between threads, and a
    Streamlit server shares this object between sessions: each call borrows a net from a small pool, and
    every call's work is bounded (see DetectorConfig), so no upload holds a net for long."""

    def __init__(self, config: DetectorConfig | None = None, model_path: Path | None = None):
        self.config = config or DetectorConfig()
        c = self.config
        self._pool: queue.Queue = queue.Queue()
        for _ in range(max(1, c.nets)):
            self._pool.put(cv2.FaceDetectorYN.create(str(model_path or model_file(YUNET)), "", (320, 320),
                                                     c.score_threshold, c.nms_threshold, c.top_k))

    def _run(self, bgr: np.ndarray) -> np.ndarray:
        if min(bgr.shape[:2]) < self.config.min_side:
            return np.zeros((0, 15), np.float32)
        net = self._pool.get()
        try:
            net.setInputSize((bgr.shape[1], bgr.shape[0]))
            _, rows = net.detect(bgr)
        except cv2.error:
            raise ValueError(f"The face detector could not read this {bgr.shape[1]}×{bgr.shape[0]} "
                             "picture; try another photo.") from None
        finally:
            self._pool.put(net)
        if rows is None:
            return np.zeros((0, 15), np.float32)
        # At some tiny input sizes YuNet emits garbage rows (boxes at 1e17, zero size): drop any box
        # that is not finite, not at least 2 px, or whose centre lies outside the image.
        h, w = bgr.shape[:2]
        cx, cy = rows[:, 0] + rows[:, 2] / 2, rows[:, 1] + rows[:, 3] / 2
        ok = (np.isfinite(rows).all(1) & (rows[:, 2] >= 2) & (rows[:, 3] >= 2)
              & (cx >= 0) & (cx <= w) & (cy >= 0) & (cy <= h))
        return rows[ok]

    def detect(self, rgb: np.ndarray) -> list[Face]:
        """Faces in an H×W×3 uint8 RGB image, most confident first."""
        if rgb.ndim != 3 or rgb.shape[2] != 3 or rgb.dtype != np.uint8:
            raise ValueError(f"expected an H×W×3 uint8 RGB image, got {rgb.dtype} {rgb.shape}")
        bgr = np.ascontiguousarray(rgb[:, :, ::-1])
        h, w = bgr.shape[:2]
        if min(h, w) < self.config.min_side:
            return []
        shrink = min(1.0, (self.config.max_pixels / (h * w)) ** 0.5)
        if shrink < 1.0:  # more pixels than the budget: detect on a smaller copy, map the boxes back
            small = cv2.resize(bgr, (max(1, int(w * shrink)), max(1, int(h * shrink))), interpolation=cv2.INTER_AREA)
            rows = self._run(small)
            rows = rows.copy()
            rows[:, :14] /= shrink
        else:
            rows = self._run(bgr)
        if len(rows) == 0:
            rows = self._retry(bgr)
        faces = [Face(tuple(float(v) for v in r[:4]), r[4:14].reshape(5, 2).astype(np.float64), float(r[14]))
                 for r in rows]
        return sorted(faces, key=lambda f: -f.score)

    def retry_scale(self, h: int, w: int) -> float:
        """The upscale factor of the second try on an h×w picture (≤ 1: no second try): the short side
        reaches retry_below, but the bordered result never exceeds retry_max_pixels."""
        c = self.config
        if min(h, w) >= c.retry_below:
            return 1.0
        # bordered size (w·s + 2b)(h·s + 2b) with b = border·max(h, w)·s: the area grows as s²
        k = 2 * c.retry_border * max(h, w)
        return min(c.retry_below / min(h, w), (c.retry_max_pixels / ((w + k) * (h + k))) ** 0.5)

    def _retry(self, bgr: np.ndarray) -> np.ndarray:
        """A small tight crop (e.g. 92×112 AT&T): upscale and add a border, detect, then map back."""
        scale = self.retry_scale(*bgr.shape[:2])
        if scale <= 1.0:
            return np.zeros((0, 15), np.float32)
        big = cv2.resize(bgr, None, fx=scale, fy=scale, interpolation=cv2.INTER_CUBIC)
        pad = int(round(self.config.retry_border * max(big.shape[:2])))
        big = cv2.copyMakeBorder(big, pad, pad, pad, pad, cv2.BORDER_REPLICATE)
        rows = self._run(big)
        if len(rows):
            rows = rows.copy()
            rows[:, :14] -= pad
            rows[:, :14] /= scale
            rows[:, 2:4] += pad / scale  # width/height are not shifted by the border
        return rows


@lru_cache(maxsize=1)
def _haar() -> tuple[cv2.CascadeClassifier, threading.Lock]:
    path = Path(cv2.data.haarcascades) / "haarcascade_frontalface_default.xml"
    if not path.is_file():
        raise ModelFileError(f"OpenCV's Haar cascade {path.name} is missing: install "
                             "opencv-python-headless>=4.10,<5 (OpenCV 5 no longer ships the cascades).")
    return cv2.CascadeClassifier(str(path)), threading.Lock()


def haar_boxes(rgb: np.ndarray, scale_factor: float = 1.1, min_neighbors: int = 5) -> list[tuple[int, int, int, int]]:
    """Viola–Jones frontal-face boxes (x, y, w, h) on the grey image; no landmarks, so no alignment."""
    grey = cv2.cvtColor(rgb, cv2.COLOR_RGB2GRAY)
    cascade, lock = _haar()
    side = max(24, min(grey.shape[:2]) // 8)  # ignore specks smaller than 1/8 of the image
    if min(grey.shape[:2]) < side:
        return []  # too small to hold even the smallest box searched for
    with lock:
        boxes = cascade.detectMultiScale(grey, scaleFactor=scale_factor, minNeighbors=min_neighbors,
                                         minSize=(side, side))
    return [tuple(int(v) for v in b) for b in boxes]
