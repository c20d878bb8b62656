"""Training throughput of `python -m siamese_core train --json` runs, GPU against CPU: steps and images per
second of training time (validation not counted), read from each run's JSON.

    python -m benchmarks run gpu-compare NAME=GPU_RUN.json:CPU_RUN.json [...] [--out FILE.json]
"""
from __future__ import annotations

import json
from pathlib import Path

from benchmarks.results import conditions, parser, save

NAME = "gpu-compare"
SUMMARY = "training throughput of GPU runs against CPU runs, read from their `siamese_core train --json` output"


def throughput(path: str) -> dict:
    """A run's training throughput, from the JSON `siamese_core train --json` wrote."""
    run = json.loads(Path(path).read_text())
    steps_per_s = run["steps"] / run["train_seconds"]
    return {"device": run["device"], "steps": run["steps"], "train_seconds": run["train_seconds"],
            "threads": run["threads"], "steps_per_s": round(steps_per_s, 2),
            "images_per_s": round(steps_per_s * run["images_per_step"], 1)}


def compare(gpu_path: str, cpu_path: str) -> dict:
    gpu, cpu = throughput(gpu_path), throughput(cpu_path)
    return {"gpu": gpu, "cpu": cpu, "gpu_over_cpu": round(gpu["images_per_s"] / cpu["images_per_s"], 2)}


def main(argv: list[str] | None = None) -> dict:
    p = parser(NAME, __doc__)
    p.add_argument("pairs", nargs="+", help="NAME=GPU_RUN.json:CPU_RUN.json")
    a = p.parse_args(argv)
    before = conditions()
    result = {}
    for pair in a.pairs:
        name, paths = pair.split("=", 1)
        r = result[name] = compare(*paths.split(":", 1))
        g, c = r["gpu"], r["cpu"]
        print(f"{name:<14} {g['device']}: {g['steps_per_s']:8.1f} steps/s {g['images_per_s']:9.0f} images/s | "
              f"{c['device']}: {c['steps_per_s']:7.1f} steps/s {c['images_per_s']:8.0f} images/s | "
              f"GPU/CPU {r['gpu_over_cpu']:.1f}×")
    save(a.out, NAME, argv, result, before)
    return result


if __name__ == "__main__":
    main()
