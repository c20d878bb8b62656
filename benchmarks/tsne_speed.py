"""t-SNE of 2,000 embeddings: Siamese Lab's `tsne_2d` against scikit-learn's default `TSNE`, same process.

The embeddings are real: a shipped Fashion-MNIST contrastive model (assets/) on 2,000 test images, or
raw Fashion-MNIST pixels with `--pixels`. Reports the wall time of each (median of `--repeats`), the ratio,
and trustworthiness (scikit-learn, k = 5, 10, 30): how well each map keeps the true nearest neighbours.

    python -m benchmarks.tsne_speed [--n 2000] [--repeats 3] [--json]
"""
from __future__ import annotations

import argparse
import json
import statistics
import time
from pathlib import Path

import numpy as np
from sklearn.manifold import trustworthiness

from siamese_core import load_dataset, load_model
from siamese_core.evaluation import embed
from siamese_core.projection import sklearn_tsne, tsne_2d

ASSET = Path(__file__).resolve().parents[1] / "assets" / "fashion_contrastive.pt"


def points(n: int, pixels: bool, data_dir: str | None) -> tuple[np.ndarray, str]:
    test = load_dataset("fashion-mnist", "test", data_dir=data_dir)
    if pixels or not ASSET.is_file():
        return test.images[:n].flatten(1).numpy(), "Fashion-MNIST test pixels (784-d)"
    model = load_model(ASSET)
    return embed(model, test.images[:n]).numpy(), f"embeddings of {ASSET.name} ({model.config.embedding_dim}-d)"


def timed(fn, x, repeats: int) -> tuple[float, np.ndarray]:
    times, y = [], None
    for _ in range(repeats):
        t0 = time.perf_counter()
        y = fn(x)
        times.append(time.perf_counter() - t0)
    return statistics.median(times), y


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog="python -m benchmarks.tsne_speed", description=__doc__.split("\n\n")[0])
    p.add_argument("--n", type=int, default=2000)
    p.add_argument("--repeats", type=int, default=3)
    p.add_argument("--pixels", action="store_true", help="raw pixels instead of a model's embeddings")
    p.add_argument("--data-dir", default=None)
    p.add_argument("--json", action="store_true")
    a = p.parse_args(argv)
    x, what = points(a.n, a.pixels, a.data_dir)
    rows = {}
    for name, fn in (("siamese_core.tsne_2d", tsne_2d), ("sklearn TSNE (defaults)", sklearn_tsne)):
        seconds, y = timed(fn, x, a.repeats)
        rows[name] = {"median_seconds": round(seconds, 2),
                      **{f"trustworthiness@{k}": round(float(trustworthiness(x, y, n_neighbors=k)), 4)
                         for k in (5, 10, 30)}}
    ours, ref = rows["siamese_core.tsne_2d"], rows["sklearn TSNE (defaults)"]
    out = {"points": len(x), "data": what, "repeats": a.repeats, "runs": rows,
           "speedup": round(ref["median_seconds"] / ours["median_seconds"], 2)}
    if a.json:
        print(json.dumps(out))
        return 0
    print(f"{len(x)} points: {what}; median of {a.repeats}")
    for name, r in rows.items():
        trust = "  ".join(f"T@{k} {r[f'trustworthiness@{k}']:.4f}" for k in (5, 10, 30))
        print(f"{name:26s} {r['median_seconds']:6.2f} s   {trust}")
    print(f"speed-up: {out['speedup']:.2f}× faster than scikit-learn's default TSNE")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
