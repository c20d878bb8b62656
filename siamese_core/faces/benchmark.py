"""Benchmark: face verification on the 10 held-out AT&T people (s31–s40), both embedders on the same
balanced pairs, beside a raw-pixel baseline, plus detection rates and per-pair latency.

    python -m siamese_core.faces.benchmark [--checkpoint assets/faces_siamese.pt] [--pairs 2000]
"""
from __future__ import annotations

import argparse
import json
import time
from pathlib import Path

import cv2
import numpy as np

from ..data import load_dataset
from ..evaluation.metrics import best_threshold
from ..models.checkpoint import load_model
from ..vision.detect import FaceDetector, haar_boxes
from .embedders import ClassModelEmbedder, Embedder, SFaceEmbedder, training_dataset
from .verify import dataset_rgb, heldout_pair_scores, validation_threshold

DEFAULT_CHECKPOINT = Path(__file__).resolve().parents[2] / "assets" / "faces_siamese.pt"


class PixelEmbedder(Embedder):
    """Baseline: the AT&T-framed grey crop itself (shrunk to 56×46) as the 'embedding', score = −L2.
    Its threshold is chosen on pairs of the training people s1–s30, like the class model's."""
    short, name, score_name = "pixels", "Raw pixels (baseline)", "−L2 distance"

    att_framed = True

    def __init__(self, threshold: float = 0.0):
        self.threshold = threshold

    def crop(self, rgb, face):
        from ..vision.align import att_crop
        return att_crop(rgb, face)

    def embed(self, crops):
        return np.stack([cv2.resize(c, (46, 56), interpolation=cv2.INTER_AREA).reshape(-1) / 255.0
                         for c in crops]).astype(np.float32)

    def similarity(self, a, b):
        return -np.linalg.norm(np.asarray(a, float) - np.asarray(b, float), axis=1)


def _pixel_threshold(detector: FaceDetector, data_dir, n_pairs: int, seed: int, att_framed: bool) -> float:
    train = load_dataset("faces", "train", data_dir)
    held = heldout_pair_scores([PixelEmbedder()], detector, train, n_pairs, seed + 1, att_framed=att_framed)
    return best_threshold(held.scores["pixels"], held.same)[0]


def _latency(embedder: Embedder, detector: FaceDetector, rgbs: list[np.ndarray], pairs: int) -> float:
    """Median milliseconds for one pair: detect both faces, crop, embed, score."""
    times = []
    for k in range(pairs):
        a, b = rgbs[(2 * k) % len(rgbs)], rgbs[(2 * k + 1) % len(rgbs)]
        t0 = time.perf_counter()
        fa, fb = detector.detect(a)[0], detector.detect(b)[0]
        h = embedder.embed([embedder.crop(a, fa), embedder.crop(b, fb)])
        embedder.similarity(h[:1], h[1:])
        times.append(time.perf_counter() - t0)
    return 1000 * float(np.median(times))


def run(checkpoint: Path = DEFAULT_CHECKPOINT, n_pairs: int = 2000, seed: int = 0, data_dir=None,
        latency_pairs: int = 30) -> dict:
    """Two ways to feed the held-out AT&T pictures: as they are (what the page does with its sample
    faces: they are already framed as the class model learned) and re-aligned from YuNet's landmarks
    like an upload. SFace aligns in both, so it is scored once."""
    detector = FaceDetector()
    model = load_model(checkpoint)
    train = load_dataset(training_dataset(model), "train", data_dir, image_size=model.input_size)
    class_model = ClassModelEmbedder(model, validation_threshold(model, train))
    sface = SFaceEmbedder()
    test = load_dataset("faces", "test", data_dir)
    out = {"checkpoint": str(checkpoint), "test_people": "s31–s40", "pairs": n_pairs, "seed": seed, "models": {}}
    t0 = time.perf_counter()
    inputs = ((True, "", "AT&T pictures as they are"), (False, "_aligned", "re-aligned like an upload"))
    for framed, suffix, how in inputs:
        pixels = PixelEmbedder(_pixel_threshold(detector, data_dir, n_pairs, seed, framed))
        embedders = [class_model, sface, pixels] if framed else [class_model, pixels]
        held = heldout_pair_scores(embedders, detector, test, n_pairs, seed, att_framed=framed)
        out["pictures"], out["yunet_detected"] = held.images, held.detected
        for e in embedders:
            key = e.short + ("" if e is sface else suffix)
            seen = how if e.att_framed else "re-aligned like an upload"
            out["models"][key] = {"name": e.name, "input": "aligned 112×112 colour" if e is sface else seen,
                                  "score": e.score_name, **held.summary(e)}
    out["seconds"] = round(time.perf_counter() - t0, 2)
    rgbs = [dataset_rgb(test, k) for k in range(len(test))]
    out["haar_detected"] = sum(bool(haar_boxes(r)) for r in rgbs)
    # Phone-like input for latency: held-out pictures scaled ×4 (368×448), the full upload path.
    big = [cv2.resize(r, None, fx=4, fy=4, interpolation=cv2.INTER_CUBIC) for r in rgbs[:20]]
    out["latency_pairs"] = latency_pairs
    out["ms_per_pair"] = {e.short: _latency(e, detector, big, latency_pairs) for e in (class_model, sface)}
    m = out["models"]
    out["class_minus_pixels_accuracy"] = m["class"]["accuracy"] - m["pixels"]["accuracy"]
    out["sface_over_class_ms_ratio"] = out["ms_per_pair"]["sface"] / out["ms_per_pair"]["class"]
    return out


def print_report(r: dict) -> None:
    n = r["pictures"]
    print(f"held-out people {r['test_people']}: {n} pictures, {r['pairs']} balanced pairs (seed {r['seed']})")
    print(f"faces found: YuNet {r['yunet_detected']}/{n}, Haar cascade {r['haar_detected']}/{n}")
    print(f"{'model':30s} {'input':27s} {'threshold':>9s} {'accuracy':>8s} "
          f"{'AUC':>6s} {'EER':>6s} {'FAR':>6s} {'FRR':>6s}")
    for m in r["models"].values():
        print(f"{m['name']:30s} {m['input']:27s} {m['threshold']:9.4f} {m['accuracy']:8.4f} {m['auc']:6.4f} "
              f"{m['eer']:6.4f} {m['far']:6.4f} {m['frr']:6.4f}")
    print(f"class model − pixel baseline (pictures as they are): {100 * r['class_minus_pixels_accuracy']:+.1f} "
          "accuracy points")
    ms = r["ms_per_pair"]
    print(f"ms per pair (median of {r['latency_pairs']}, 368×448 photos: YuNet on both + crop + embed + score): "
          f"class model {ms['class']:.1f}, SFace {ms['sface']:.1f} (SFace/class {r['sface_over_class_ms_ratio']:.2f}×)")


def main(argv=None) -> int:
    p = argparse.ArgumentParser(prog="python -m siamese_core.faces.benchmark", description=__doc__.split("\n\n")[0])
    p.add_argument("--checkpoint", default=str(DEFAULT_CHECKPOINT), help="the class model (.pt)")
    p.add_argument("--pairs", type=int, default=2000, help="balanced held-out pairs")
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--data-dir", default=None)
    p.add_argument("--latency-pairs", type=int, default=30, help="pairs timed per model")
    p.add_argument("--json", action="store_true")
    a = p.parse_args(argv)
    r = run(Path(a.checkpoint), a.pairs, a.seed, a.data_dir, a.latency_pairs)
    print(json.dumps(r, default=float)) if a.json else print_report(r)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
