"""t-SNE of 2,000 embeddings: Siamese Lab's `tsne_2d` against scikit-learn's default `TSNE`, same process.

The embeddings are real: a shipped Fashion-MNIST contrastive model (assets/) on 2,000 test images, or
raw Fashion-MNIST pixels with `--pixels`. Each method runs `--repeats` times with seeds 0, 1, …; reports the median
wall time, the ratio, and the
mean trustworthiness over the seeds (scikit-learn, k = 5, 10, 30): how well each map keeps the true
nearest neighbours. One seed's trustworthiness moves in the fourth decimal from seed to seed, so the
mean over seeds is what is compared.

    python -m benchmarks run tsne-speed [--n 2000] [--repeats 3] [--pixels] [--out FILE.json]
"""
from __future__ import annotations

import statistics
import time
from pathlib import Path

import numpy as np
from sklearn.manifold import trustworthiness

from benchmarks.blocks import Block, conditions_line, f4, table, thousands
from benchmarks.results import conditions, parser, save
from siamese_core import load_dataset, load_model
from siamese_core.evaluation.metrics import embed
from siamese_core.viz.projection import sklearn_tsne, tsne_2d

NAME = "tsne-speed"
SUMMARY = "t-SNE of 2,000 embeddings: the lab's tsne_2d against scikit-learn's default, time and trustworthiness"

ASSET = Path(__file__).resolve().parents[1] / "assets" / "fashion_contrastive.pt"


def points(n: int, pixels: bool, data_dir: str | None) -> tuple[np.ndarray, str]:
    test = load_dataset("fashion-mnist", "test", data_dir=data_dir)
    if pixels or not ASSET.is_file():
        return test.images[:n].flatten(1).numpy(), "Fashion-MNIST test pixels (784-d)"
    model = load_model(ASSET)
    return embed(model, test.images[:n]).numpy(), f"embeddings of {ASSET.name} ({model.config.embedding_dim}-d)"


def timed(fn, x, repeats: int) -> tuple[float, dict[int, float]]:
    """Median seconds over seeds 0…repeats-1, and the mean trustworthiness at each k over those seeds."""
    times, trust = [], {k: [] for k in (5, 10, 30)}
    for seed in range(repeats):
        t0 = time.perf_counter()
        y = fn(x, seed=seed)
        times.append(time.perf_counter() - t0)
        for k in trust:
            trust[k].append(float(trustworthiness(x, y, n_neighbors=k)))
    return statistics.median(times), {k: statistics.fmean(v) for k, v in trust.items()}


def main(argv: list[str] | None = None) -> int:
    p = parser(NAME, __doc__, data_dir=True)
    p.add_argument("--n", type=int, default=2000)
    p.add_argument("--repeats", type=int, default=3)
    p.add_argument("--pixels", action="store_true", help="raw pixels instead of a model's embeddings")
    a = p.parse_args(argv)
    before = conditions()
    x, what = points(a.n, a.pixels, a.data_dir)
    rows = {}
    for name, fn in (("siamese_core.tsne_2d", tsne_2d), ("sklearn TSNE (defaults)", sklearn_tsne)):
        seconds, trust = timed(fn, x, a.repeats)
        rows[name] = {"median_seconds": round(seconds, 2),
                      **{f"trustworthiness@{k}": round(t, 4) for k, t in trust.items()}}
    ours, ref = rows["siamese_core.tsne_2d"], rows["sklearn TSNE (defaults)"]
    out = {"points": len(x), "data": what, "repeats": a.repeats, "runs": rows,
           "speedup": round(ref["median_seconds"] / ours["median_seconds"], 2)}
    save(a.out, NAME, argv, out, before, show=block_text)
    return 0


def block_text(r: dict) -> str:
    f = r["figures"]
    rows = [[name, f"{x['median_seconds']:.2f} s", *(f4(x[f"trustworthiness@{k}"]) for k in (5, 10, 30))]
            for name, x in f["runs"].items()]
    return "\n".join([f"{thousands(f['points'])} points, {f['data']}; seeds 0–{f['repeats'] - 1}.", "",
                      table(["method", "median time", "T@5", "T@10", "T@30"], rows), "",
                      f"Speed-up over scikit-learn's default: **{f['speedup']:.2f}×**.", "", conditions_line(r)])


BLOCKS = {name: Block((f"docs/results/{name}.json",), f"python -m benchmarks.tsne_speed --repeats 5{pixels} --out "
                                                        f"docs/results/{name}.json", block_text)
          for name, pixels in (("tsne-speed", ""), ("tsne-speed-pixels", " --pixels"))}


if __name__ == "__main__":
    raise SystemExit(main())
